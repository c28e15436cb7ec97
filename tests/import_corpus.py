"""Spreadsheets as staff really keep them, built here, each with the people it means.

Every file holds some of the same five children, in its own shape: title rows, its own
header wording, reordered columns, three name columns, a two-level merged header, dates
and phones in many forms, Windows-1251 CSV, the data on a second sheet, an extra column.
"""

import io
from dataclasses import dataclass, field
from datetime import date

from openpyxl import Workbook

# What each file means: the stored person must have exactly these values.
PEOPLE = [
    {
        "last_name": "Орехова",
        "first_name": "Елена",
        "middle_name": "Викторовна",
        "birth_date": date(2009, 1, 17),
        "club": "Робототехника",
        "study_level": 9,
        "phone": "+7 (915) 123-45-67",
        "email": "orekhova@mail.ru",
        "interests": ["олимпиады", "роботы"],
    },
    {
        "last_name": "Белов",
        "first_name": "Глеб",
        "middle_name": "Андреевич",
        "birth_date": date(2012, 3, 5),
        "club": "Шахматы",
        "study_level": 6,
        "phone": "+7 (916) 765-43-21",
        "email": None,
        "interests": ["шахматы"],
    },
    {
        "last_name": "Петрова-Водкина",
        "first_name": "Анна",
        "middle_name": "Сергеевна",
        "birth_date": date(2013, 11, 30),
        "club": "Изостудия",
        "study_level": 5,
        "phone": "+7 (903) 000-11-22",
        "email": "anna.pv@example.ru",
        "interests": [],
    },
    {
        "last_name": "Кузьмин",
        "first_name": "Илья",
        "middle_name": None,
        "birth_date": date(2014, 6, 15),
        "club": "Театр",
        "study_level": 4,
        "phone": None,
        "email": None,
        "interests": ["театр"],
    },
    {
        "last_name": "Ёлкина",
        "first_name": "Дарья",
        "middle_name": "Олеговна",
        "birth_date": date(2011, 9, 1),
        "club": "Вокал",
        "study_level": 7,
        "phone": "+7 (925) 555-66-77",
        "email": "darya@example.ru",
        "interests": ["пение"],
    },
]
# Phones and dates as people type them, one form per child.
PHONE_FORMS = ["8 (915) 123-45-67", "+79167654321", "8-903-000-11-22", None, "7 925 555 66 77"]
DATE_FORMS = ["17.01.2009 г.", "05/03/2012", "2013-11-30", "15 июня 2014", "1.9.11"]


@dataclass
class Corpus:
    """One file: its bytes, the field each column should be guessed as, whom it means."""

    name: str
    filename: str
    data: bytes
    guesses: dict[str, str]  # the file's column title → the field key («» not loaded)
    people: list[dict]
    sheet: str | None = None  # the sheet to pick when the file has several
    fields: set[str] = field(default_factory=set)  # fields the file carries

    def expected(self, person: dict) -> dict:
        """The person as stored: the fields the file lacks are empty."""
        values = {k: (v if k in self.fields else None) for k, v in person.items()}
        values["interests"] = person["interests"] if "interests" in self.fields else []
        for key in ("last_name", "first_name", "middle_name", "birth_date"):
            values[key] = person[key]
        return values


def fio(person: dict) -> str:
    return " ".join(
        p for p in (person["last_name"], person["first_name"], person["middle_name"]) if p
    )


def book(sheets: list[tuple[str, list[list]]], active: int = 0, merges=()) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets:
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    for sheet_index, cells in merges:
        workbook.worksheets[sheet_index].merge_cells(cells)
    workbook.active = active
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def title_rows() -> Corpus:
    """Two title rows and an empty one above a header in the secretary's own words."""
    rows = [
        ["Список обучающихся, участвующих в программе наставничества"],
        ["МБУ ДО Центр «Эдельвейс», 2025/2026 учебный год"],
        [],
        [
            "Ф.И.О.",
            "Дата рождения (дд.мм.гггг)",
            "Объединение (кружок)",
            "Класс",
            "Контактный телефон",
            "e-mail",
            "Увлечения",
        ],
    ]
    for p, phone in zip(PEOPLE, PHONE_FORMS, strict=True):
        rows.append(
            [
                fio(p),
                p["birth_date"],
                p["club"],
                p["study_level"],
                phone,
                p["email"],
                ", ".join(p["interests"]) or None,
            ]
        )
    guesses = {
        "Ф.И.О.": "fio",
        "Дата рождения (дд.мм.гггг)": "birth_date",
        "Объединение (кружок)": "club",
        "Класс": "study_level",
        "Контактный телефон": "phone",
        "e-mail": "email",
        "Увлечения": "interests",
    }
    fields = {"club", "study_level", "phone", "email", "interests"}
    return Corpus(
        "title-rows", "список 2025.xlsx", book([("Лист1", rows)]), guesses, PEOPLE, fields=fields
    )


def reordered() -> Corpus:
    """Columns in another order, dates as text in every form, «ФИО полностью»."""
    header = ["Телефон", "ФИО полностью", "Кл.", "Д.р.", "Кружок"]
    rows = [header]
    for p, phone, born in zip(PEOPLE, PHONE_FORMS, DATE_FORMS, strict=True):
        rows.append([phone, fio(p), f"{p['study_level']} класс".split()[0], born, p["club"]])
    guesses = {
        "Телефон": "phone",
        "ФИО полностью": "fio",
        "Кл.": "study_level",
        "Д.р.": "birth_date",
        "Кружок": "club",
    }
    fields = {"club", "study_level", "phone"}
    return Corpus("reordered", "дети.xlsx", book([("Дети", rows)]), guesses, PEOPLE, fields=fields)


def three_names() -> Corpus:
    """Фамилия, Имя, Отчество in three columns, joined into the full name."""
    rows = [["Фамилия", "Имя", "Отчество", "Дата рождения", "Объединение", "Класс / год обучения"]]
    for p in PEOPLE:
        rows.append(
            [
                p["last_name"],
                p["first_name"],
                p["middle_name"],
                p["birth_date"].strftime("%d.%m.%Y"),
                p["club"],
                p["study_level"],
            ]
        )
    guesses = {
        "Фамилия": "last_name",
        "Имя": "first_name",
        "Отчество": "middle_name",
        "Дата рождения": "birth_date",
        "Объединение": "club",
        "Класс / год обучения": "study_level",
    }
    return Corpus(
        "three-names",
        "фио по столбцам.xlsx",
        book([("Лист1", rows)]),
        guesses,
        PEOPLE,
        fields={"club", "study_level"},
    )


def two_level() -> Corpus:
    """A two-level header: «Обучение» over «Объединение / Класс», «Контакты» over two."""
    rows = [
        ["Наставляемые 2025"],
        ["№", "ФИО", "Дата рождения", "Обучение", None, "Контакты", None],
        [None, None, None, "Объединение", "Класс", "Телефон", "Эл. почта"],
    ]
    for number, (p, phone) in enumerate(zip(PEOPLE, PHONE_FORMS, strict=True), start=1):
        rows.append(
            [number, fio(p), p["birth_date"], p["club"], p["study_level"], phone, p["email"]]
        )
    merges = [(0, "A2:A3"), (0, "B2:B3"), (0, "C2:C3"), (0, "D2:E2"), (0, "F2:G2")]
    guesses = {
        "№": "",
        "ФИО": "fio",
        "Дата рождения": "birth_date",
        "Обучение / Объединение": "club",
        "Обучение / Класс": "study_level",
        "Контакты / Телефон": "phone",
        "Контакты / Эл. почта": "email",
    }
    return Corpus(
        "two-level",
        "две строки заголовка.xlsx",
        book([("База", rows)], merges=merges),
        guesses,
        PEOPLE,
        fields={"club", "study_level", "phone", "email"},
    )


def windows_1251() -> Corpus:
    """CSV saved by Russian Excel: Windows-1251, «;», dates with «г.»."""
    lines = ["ФИО;Дата рождения;Объединение;Класс;Телефон"]
    for p, phone in zip(PEOPLE, PHONE_FORMS, strict=True):
        lines.append(
            f"{fio(p)};{p['birth_date']:%d.%m.%Y} г.;{p['club']};{p['study_level']};{phone or ''}"
        )
    guesses = {
        "ФИО": "fio",
        "Дата рождения": "birth_date",
        "Объединение": "club",
        "Класс": "study_level",
        "Телефон": "phone",
    }
    data = "\r\n".join(lines).encode("cp1251")
    return Corpus(
        "cp1251", "выгрузка.csv", data, guesses, PEOPLE, fields={"club", "study_level", "phone"}
    )


def second_sheet() -> Corpus:
    """The data on the second sheet; the first one, open at saving, is an instruction."""
    instruction = [["Инструкция"], ["Заполните лист «Список» и отправьте куратору."]]
    rows = [["ФИО учащегося", "Дата рождения", "Творческое объединение", "Класс"]]
    for p in PEOPLE:
        rows.append([fio(p), p["birth_date"], p["club"], p["study_level"]])
    guesses = {
        "ФИО учащегося": "fio",
        "Дата рождения": "birth_date",
        "Творческое объединение": "club",
        "Класс": "study_level",
    }
    data = book([("Инструкция", instruction), ("Список", rows)], active=0)
    return Corpus(
        "second-sheet", "две вкладки.xlsx", data, guesses, PEOPLE, fields={"club", "study_level"}
    )


def extra_column() -> Corpus:
    """A column the portal has no field for, holding data: dropped only when confirmed."""
    rows = [["ФИО", "Дата рождения", "Объединение", "Примечание"]]
    for p in PEOPLE:
        rows.append([fio(p), p["birth_date"], p["club"], "справка есть"])
    guesses = {"ФИО": "fio", "Дата рождения": "birth_date", "Объединение": "club", "Примечание": ""}
    return Corpus(
        "extra-column",
        "с примечанием.xlsx",
        book([("Лист1", rows)]),
        guesses,
        PEOPLE,
        fields={"club"},
    )


def two_classes() -> Corpus:
    """Two sheets with a table each: the user picks the sheet to load."""

    def sheet(people):
        rows = [["ФИО", "Дата рождения", "Объединение"]]
        rows += [[fio(p), p["birth_date"], p["club"]] for p in people]
        return rows

    data = book([("5-6 классы", sheet(PEOPLE[1:3])), ("7-9 классы", sheet(PEOPLE[::4]))])
    guesses = {"ФИО": "fio", "Дата рождения": "birth_date", "Объединение": "club"}
    return Corpus(
        "two-sheets",
        "по классам.xlsx",
        data,
        guesses,
        PEOPLE[::4],
        sheet="7-9 классы",
        fields={"club"},
    )


ALL = [
    title_rows,
    reordered,
    three_names,
    two_level,
    windows_1251,
    second_sheet,
    extra_column,
    two_classes,
]
