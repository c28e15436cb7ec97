"""Forms of the people area: the person, a representative, a consent, a revocation, an import."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, Field, HiddenField, SelectField, StringField, TextAreaField

from portal.forms import choices
from portal.people.columns import BASE_TITLES
from portal.people.models import CATEGORIES, CHANNELS, COMM_FORMATS, STATUSES
from portal.people.registry import RELATIONS, TAG_FIELDS, split_tags

_DATE = {"type": "date"}
_COMMON = {
    "last_name",
    "first_name",
    "middle_name",
    "birth_date",
    "category",
    "status",
    "workplace",
    "position",
    "phone",
    "email",
    "messenger",
    "preferred_channel",
    "comm_time",
    "comm_format",
    "entered_on",
    "completed_on",
    "results",
    "case_url",
    "notes",
    "interests",
}
# What each base's form shows; the rest of a person's record is left as it is.
FORM_FIELDS = {
    "mentees": _COMMON | {"club", "study_level", "key_request", "requests"},
    "mentors": _COMMON
    | {
        "achievements",
        "desired_age_min",
        "desired_age_max",
        "capacity",
        "training_completed",
        "competencies",
    },
}


class Marked:
    """Puts the asterisk on a label; registry.clean_person does the checking, in Russian."""

    field_flags = {"required": True}

    def __call__(self, form, field) -> None:
        return None


class TagListField(Field):
    """Tags posted as repeated inputs of one name (the chips of the person form), or as
    comma-separated text; the form's template draws the chips itself."""

    def process_formdata(self, valuelist):
        self.data = split_tags(valuelist)


class PersonForm(FlaskForm):
    """Every value is text here: registry.clean_person parses and checks it, in one place."""

    last_name = StringField(
        "Фамилия", [Marked()], render_kw={"autocomplete": "off", "maxlength": 100}
    )
    first_name = StringField("Имя", [Marked()], render_kw={"autocomplete": "off", "maxlength": 100})
    middle_name = StringField("Отчество", render_kw={"autocomplete": "off", "maxlength": 100})
    birth_date = StringField("Дата рождения", render_kw=_DATE)
    category = SelectField(
        "Категория", [Marked()], choices=choices(CATEGORIES), validate_choice=False
    )
    club = StringField("Объединение", render_kw={"list": "club-list", "maxlength": 150})
    study_level = StringField(
        "Класс / год обучения", render_kw={"inputmode": "numeric", "maxlength": 2}
    )
    workplace = StringField("Место работы / учёбы", render_kw={"maxlength": 250})
    position = StringField("Должность", render_kw={"maxlength": 150})
    phone = StringField("Телефон", render_kw={"type": "tel", "placeholder": "+7 (900) 000-00-00"})
    email = StringField("Электронная почта", render_kw={"type": "email", "maxlength": 150})
    messenger = StringField("Мессенджер", render_kw={"maxlength": 150})
    preferred_channel = SelectField(
        "Предпочтительный канал связи",
        choices=choices([("", "—"), *[(c, c) for c in CHANNELS]]),
        validate_choice=False,
    )
    key_request = TextAreaField("Ключевой запрос наставляемого", render_kw={"maxlength": 2000})
    achievements = TextAreaField("Ключевые компетенции и достижения", render_kw={"maxlength": 2000})
    desired_age_min = StringField(
        "Желаемый возраст наставляемых: от", render_kw={"inputmode": "numeric", "maxlength": 3}
    )
    desired_age_max = StringField("до", render_kw={"inputmode": "numeric", "maxlength": 3})
    capacity = StringField(
        "Сколько наставляемых может взять", render_kw={"inputmode": "numeric", "maxlength": 2}
    )
    comm_time = StringField("Время общения", render_kw={"maxlength": 200})
    comm_format = SelectField(
        "Формат общения",
        choices=choices([("", "—"), *[(c, c) for c in COMM_FORMATS]]),
        validate_choice=False,
    )
    entered_on = StringField("Дата вхождения в программу", render_kw=_DATE)
    completed_on = StringField("Дата завершения программы", render_kw=_DATE)
    results = TextAreaField("Результаты программы", render_kw={"maxlength": 2000})
    case_url = StringField(
        "Ссылка на кейс / отзыв на сайте", render_kw={"type": "url", "maxlength": 500}
    )
    status = SelectField("Статус", [Marked()], choices=choices(STATUSES), validate_choice=False)
    training_completed = BooleanField("Прошёл(а) обучение наставников")
    notes = TextAreaField("Примечания куратора", render_kw={"maxlength": 5000})
    confirm_duplicate = BooleanField("Это другой человек — всё равно сохранить")
    interests = TagListField("Интересы")
    competencies = TagListField("Компетенции")
    requests = TagListField("Темы запроса")

    def tag_lists(self) -> dict[str, list[str]]:
        """The posted tags of each kind (interests, competencies, requests)."""
        return {key: getattr(self, key).data or [] for key in TAG_FIELDS}

    def raw_values(self, base: str, person, tag_lists: dict[str, list[str]]) -> dict:
        """The submitted values; fields this base's form does not show keep the stored ones."""
        shown = FORM_FIELDS[base]
        raw = {}
        for name in self._fields:
            if name in ("csrf_token", "confirm_duplicate", *TAG_FIELDS):
                continue
            if name in shown:
                raw[name] = self._fields[name].data
            elif person is not None:
                raw[name] = getattr(person, name)
        for key, names in tag_lists.items():
            if key in shown:
                raw[key] = names
            elif person is not None:
                raw[key] = person.tag_names(TAG_FIELDS[key])
        return raw


class RepresentativeForm(FlaskForm):
    representative_id = HiddenField()
    relation = SelectField("Кем приходится", choices=choices(RELATIONS), validate_choice=False)
    authority_document = StringField(
        "Документ о полномочиях",
        render_kw={"maxlength": 250, "placeholder": "свидетельство о рождении II-ГР № 123456"},
    )
    new_last_name = StringField("Фамилия", render_kw={"maxlength": 100})
    new_first_name = StringField("Имя", render_kw={"maxlength": 100})
    new_middle_name = StringField("Отчество", render_kw={"maxlength": 100})
    new_phone = StringField("Телефон", render_kw={"type": "tel"})
    new_email = StringField("Электронная почта", render_kw={"type": "email"})


class ConsentForm(FlaskForm):
    kind = SelectField(
        "Вид согласия",
        choices=choices(
            [
                ("processing", "На обработку персональных данных (Приложение № 2)"),
                ("publication", "На распространение: публикация кейса, отзыва, фото (ст. 10.1)"),
            ]
        ),
        validate_choice=False,
    )
    # The domain function checks the signers against the age and the representatives.
    signed_by = SelectField("Подписал(а)", choices=[], validate_choice=False)
    co_signed_by = SelectField(
        "Вместе с законным представителем", choices=[], validate_choice=False
    )
    signed_on = StringField("Дата подписания", render_kw=_DATE)
    scan = FileField(
        "Скан подписанного согласия (PDF, JPEG или PNG, до 10 МБ)",
        render_kw={"accept": ".pdf,.jpg,.jpeg,.png"},
    )


class RevokeForm(FlaskForm):
    revoked_on = StringField("Дата отзыва", render_kw=_DATE)
    reason = StringField(
        "Основание", render_kw={"maxlength": 500, "placeholder": "заявление от 01.03.2027"}
    )


class ImportForm(FlaskForm):
    base = SelectField("База", choices=choices(list(BASE_TITLES.items())), validate_choice=False)
    file = FileField("Файл XLSX или CSV (до 10 МБ)", render_kw={"accept": ".xlsx,.csv"})
