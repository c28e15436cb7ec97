"""A person's own data in one workbook, given to them on request (152-ФЗ ст. 14)."""

import io
import re
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Font

from portal import audit
from portal.people.consents import KINDS, METHODS
from portal.people.models import Person
from portal.people.registry import LABELS, PERSON_FIELDS, TAG_FIELDS
from portal.people.rules import children_of, representatives_of
from portal.timeutil import to_moscow

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TAG_LABELS = {"interests": "Интересы", "competencies": "Компетенции", "requests": "Запросы"}


def _value(value):
    if value is True:
        return "да"
    if value is False:
        return "нет"
    return value


def history_value(value) -> str:
    """An audit value as the card shows it: dates ДД.ММ.ГГГГ, lists joined, yes/no in Russian."""
    if value in (None, "", []):
        return "—"
    if value is True:
        return "да"
    if value is False:
        return "нет"
    if isinstance(value, list):
        return ", ".join(history_value(v) for v in value)
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return f"{value[8:10]}.{value[5:7]}.{value[:4]}"
    return str(value)


def _make_safe(book: Workbook) -> None:
    """User text stays text (openpyxl makes any string starting with "=" a formula: a person's
    notes must never run in Excel) and dates read ДД.ММ.ГГГГ."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"
                elif isinstance(cell.value, date):
                    cell.number_format = (
                        "DD.MM.YYYY HH:MM" if hasattr(cell.value, "hour") else "DD.MM.YYYY"
                    )


def my_data_xlsx(person: Person) -> bytes:
    """Every field, tag, representative, consent and logged change of one person."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Данные"
    bold = Font(bold=True)
    sheet.append(["Персональные данные, обрабатываемые порталом наставничества"])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([])
    for key in PERSON_FIELDS:
        sheet.append([LABELS[key], _value(getattr(person, key))])
    for key, kind in TAG_FIELDS.items():
        sheet.append([_TAG_LABELS[key], ", ".join(person.tag_names(kind))])
    for row in sheet.iter_rows(min_row=3, max_col=1):
        row[0].font = bold
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 60

    links = book.create_sheet("Представители")
    links.append(["Кто", "Связь", "Документ о полномочиях"])
    for link in representatives_of(person):
        links.append([link.representative.full_name, link.relation, link.authority_document])
    for child in children_of(person):
        links.append([child.full_name, "ребёнок / подопечный", None])

    consents = book.create_sheet("Согласия")
    consents.append(
        [
            "Вид",
            "Вариант",
            "Подписал(а)",
            "Соподпись",
            "Дата",
            "Способ",
            "Отозвано",
            "Основание отзыва",
        ]
    )
    for c in person.consents:
        consents.append(
            [
                KINDS.get(c.kind, c.kind),
                c.variant,
                c.signed_by.full_name if c.signed_by else None,
                c.co_signed_by.full_name if c.co_signed_by else None,
                c.signed_on,
                METHODS.get(c.method, c.method),
                c.revoked_on,
                c.revoke_reason,
            ]
        )
    for sheet_ in (links, consents):
        for cell in sheet_[1]:
            cell.font = bold

    history = book.create_sheet("История изменений")
    history.append(["Когда (МСК)", "Кто", "Действие", "Изменения"])
    for event in audit.history("person", person.id, limit=1000):
        changes = "; ".join(
            f"{LABELS.get(k, k)}: {history_value(v[0])} → {history_value(v[1])}"
            for k, v in (event.changes or {}).items()
        )
        history.append(
            [
                to_moscow(event.at).replace(tzinfo=None),
                event.user_login,
                event.summary or event.action,
                changes[:30000],
            ]
        )
    for cell in history[1]:
        cell.font = bold
    _make_safe(book)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
