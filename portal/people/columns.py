"""The columns of the two bases (Приложение № 1), defined once for screens, export and import.

Each column names what it shows and, when it can be imported, which field of the person it
fills. The titles are the defaults; the centre may rename any of them in the instance config:
``PEOPLE_COLUMN_TITLES = {"mentees.key_request": "Запрос", ...}``.
"""

from dataclasses import dataclass, replace

from flask import current_app, has_app_context

from portal.documents.tables import Column

BASES = ("mentees", "mentors")
BASE_TITLES = {"mentees": "Наставляемые", "mentors": "Наставники"}
SHEET_TITLES = {
    "mentees": "Форма ведения базы наставляемых",
    "mentors": "Форма ведения базы наставников",
}

# kind: text | date | int | choice | tags | bool | fio | age_range
EXPORT_KINDS = {"date": "date", "int": "int"}


@dataclass(frozen=True)
class PersonColumn:
    key: str
    title: str
    kind: str = "text"
    field: str | None = None  # the person's field it fills on import; None: export only
    width: int | None = None
    required: bool = False  # the import refuses a file without this column
    on_screen: bool = False  # shown in the list on the base's screen

    @property
    def importable(self) -> bool:
        return self.field is not None

    def table_column(self) -> Column:
        return Column(self.key, self.title, self.width, EXPORT_KINDS.get(self.kind, "text"))


_FIO = PersonColumn("fio", "ФИО", "fio", "fio", 34, required=True, on_screen=True)
_BIRTH = PersonColumn("birth_date", "Дата рождения", "date", "birth_date", 13)
_AGE = PersonColumn("age", "Возраст", "int", None, 9, on_screen=True)
_CATEGORY = PersonColumn("category", "Категория", "choice", "category", 16, on_screen=True)
_PHONE = PersonColumn("phone", "Телефон", "text", "phone", 19)
_EMAIL = PersonColumn("email", "Электронная почта", "text", "email", 26)
_INTERESTS = PersonColumn("interests", "Интересы", "tags", "interests", 30)
_STATUS = PersonColumn("status", "Статус", "choice", "status", 12, on_screen=True)
_CONSENT = PersonColumn("consent", "Согласие на обработку ПД", "text", None, 16, on_screen=True)
_CASE = PersonColumn("case_url", "Ссылка на кейс/отзыв на сайте", "text", None, 30)
_FORM = PersonColumn("form", "Форма наставничества", "text", None, 22)
_RESULTS = PersonColumn("results", "Результаты программы", "text", "results", 30)

COLUMNS: dict[str, tuple[PersonColumn, ...]] = {
    "mentees": (
        _FIO,
        _BIRTH,
        _AGE,
        _CATEGORY,
        PersonColumn("club", "Объединение", "text", "club", 22, on_screen=True),
        PersonColumn("study_level", "Класс / год обучения", "int", "study_level", 10),
        _PHONE,
        _EMAIL,
        _INTERESTS,
        PersonColumn("key_request", "Ключевой запрос наставляемого", "text", "key_request", 36),
        PersonColumn("entered_on", "Дата вхождения в программу", "date", "entered_on", 14),
        PersonColumn("mentor_name", "ФИО наставника", "text", None, 30, on_screen=True),
        PersonColumn("mentor_workplace", "Место работы/учёбы наставника", "text", None, 28),
        _FORM,
        PersonColumn("place", "Место реализации программы", "text", None, 26),
        PersonColumn("completed_on", "Дата завершения программы", "date", "completed_on", 14),
        _RESULTS,
        _CASE,
        _STATUS,
        _CONSENT,
    ),
    "mentors": (
        _FIO,
        _BIRTH,
        _AGE,
        _CATEGORY,
        PersonColumn("workplace", "Место работы/учёбы", "text", "workplace", 30, on_screen=True),
        PersonColumn("position", "Должность", "text", "position", 20),
        _PHONE,
        _EMAIL,
        PersonColumn("competencies", "Ключевые компетенции", "tags", "competencies", 30),
        PersonColumn("achievements", "Достижения", "text", "achievements", 30),
        _INTERESTS,
        PersonColumn(
            "desired_age", "Желаемый возраст наставляемых", "age_range", "desired_age", 14
        ),
        PersonColumn("capacity", "Сколько наставляемых может взять", "int", "capacity", 12),
        PersonColumn("comm_time", "Время общения", "text", "comm_time", 20),
        PersonColumn("comm_format", "Формат общения", "choice", "comm_format", 18),
        PersonColumn("mentees", "ФИО наставляемых", "text", None, 36, on_screen=True),
        PersonColumn("mentee_workplace", "Место работы/учёбы наставляемого", "text", None, 28),
        _FORM,
        PersonColumn("place", "Место реализации программы", "text", None, 26),
        PersonColumn("term", "Срок программы", "text", None, 24),
        replace(_RESULTS, title="Результаты"),
        replace(_CASE, title="Ссылка на кейс/отзыв"),
        PersonColumn(
            "training", "Отметка о прохождении обучения", "bool", "training_completed", 14
        ),
        _STATUS,
        _CONSENT,
    ),
}


def columns_for(base: str) -> tuple[PersonColumn, ...]:
    """The base's columns with the titles the centre configured."""
    overrides = {}
    if has_app_context():
        overrides = current_app.config.get("PEOPLE_COLUMN_TITLES") or {}
    return tuple(replace(c, title=overrides.get(f"{base}.{c.key}", c.title)) for c in COLUMNS[base])


def importable_columns(base: str) -> tuple[PersonColumn, ...]:
    return tuple(c for c in columns_for(base) if c.importable)


def screen_columns(base: str) -> dict[str, str]:
    """Titles of the columns the list screen shows, by key."""
    return {c.key: c.title for c in columns_for(base) if c.on_screen}
