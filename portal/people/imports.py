"""Importing a base from XLSX or CSV: validate every row, show the preview, store all or nothing."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import delete, insert, select

from portal import audit
from portal.audit import AuditEvent
from portal.documents.tables import Column, TableError, read_table, write_xlsx
from portal.domain import RuleViolation
from portal.extensions import db
from portal.people.columns import SHEET_TITLES, columns_for, importable_columns
from portal.people.models import ImportBatch, Person, PersonTag
from portal.people.registry import (
    LABELS,
    PERSON_FIELDS,
    TAG_FIELDS,
    bulk_insert_people,
    clean_person,
    find_tags,
    split_fio,
)
from portal.statuses import PersonCategory, PersonStatus
from portal.text import fold
from portal.timeutil import utcnow

MAX_ROWS = 10_000
# Which column an error about a person's field belongs to, when the field is not a column.
_FIELD_COLUMNS = {
    "last_name": "fio",
    "first_name": "fio",
    "middle_name": "fio",
    "desired_age_min": "desired_age",
    "desired_age_max": "desired_age",
    "training_completed": "training",
}


@dataclass
class RowResult:
    number: int  # the row's number in the spreadsheet
    name: str
    birth_date: date | None
    values: dict[str, Any]
    tags: dict[str, list[str]]
    errors: list[str] = field(default_factory=list)
    duplicate_of: Person | None = None  # already in the database: not created again
    same_as_row: int | None = None  # a repeat of an earlier row of the file

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class ImportReport:
    base: str
    rows: list[RowResult]
    ignored_columns: list[str]
    missing_columns: list[str]

    @property
    def errors(self) -> list[str]:
        return [e for r in self.rows for e in r.errors]

    @property
    def bad_rows(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]

    @property
    def new_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.ok and r.duplicate_of is None]

    @property
    def existing_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.duplicate_of is not None]


def template_xlsx(base: str) -> bytes:
    """An empty base with the importable columns and one example row."""
    columns = [c.table_column() for c in importable_columns(base)]
    example = {
        "mentees": {
            "fio": "Иванова Мария Сергеевна",
            "birth_date": date(2014, 3, 15),
            "category": PersonCategory.STUDENT,
            "club": "Робототехника",
            "study_level": 6,
            "phone": "+7 (915) 123-45-67",
            "interests": "роботы, программирование",
            "key_request": "подготовиться к соревнованиям",
            "entered_on": date(2026, 9, 1),
            "status": PersonStatus.CANDIDATE,
        },
        "mentors": {
            "fio": "Петров Сергей Иванович",
            "birth_date": date(1985, 7, 2),
            "category": PersonCategory.TEACHER,
            "workplace": "МБУ ДО Центр «Эдельвейс»",
            "position": "педагог дополнительного образования",
            "email": "petrov@example.ru",
            "competencies": "робототехника, олимпиады",
            "desired_age": "10–14",
            "capacity": 2,
            "comm_format": "очно",
            "training": "да",
            "status": PersonStatus.MEMBER,
        },
    }[base]
    return write_xlsx(
        f"{SHEET_TITLES[base]}: шаблон для загрузки",
        columns,
        [example],
        sheet_name="Шаблон",
        subtitle="Заполните строки под заголовком; строку-пример удалите. Даты — ДД.ММ.ГГГГ.",
    )


def _raw_row(base: str, values: dict[str, Any], titles: dict[str, Any]) -> tuple[dict, list]:
    """A spreadsheet row as clean_person's input, with errors of unsplittable values."""
    raw: dict[str, Any] = {}
    problems = []
    for column in importable_columns(base):
        if column.title not in titles:
            continue
        value = values.get(column.title)
        if column.kind == "fio":
            try:
                raw["last_name"], raw["first_name"], raw["middle_name"] = split_fio(
                    str(value or "")
                )
            except ValueError as exc:
                problems.append((column.title, str(exc)))
        else:
            raw[column.field] = value
    return raw, problems


def analyse(data: bytes, filename: str, base: str) -> ImportReport:
    """Read and validate a whole file without storing anything; TableError if unreadable."""
    columns = importable_columns(base)
    required = [c.title for c in columns if c.required]
    table = read_table(data, filename, expected_headers=required)
    importable_titles = {c.title for c in columns}
    # Columns the portal fills itself (ФИО наставника…) and foreign ones are shown as skipped.
    ignored = [h for h in table.headers if h not in importable_titles]
    if not table.rows:
        raise TableError("В таблице есть заголовок, но нет ни одной строки с данными.")
    if len(table.rows) > MAX_ROWS:
        raise TableError(f"В файле больше {MAX_ROWS} строк: разделите его на части.")
    present = set(table.headers)
    missing = [c.title for c in columns if c.title not in present]
    by_key = {c.key: c for c in columns_for(base)}
    results = []
    for number, values in table.rows:
        raw, problems = _raw_row(base, values, present)
        cleaned = clean_person(raw, base)
        name = " ".join(
            x for x in (raw.get("last_name"), raw.get("first_name"), raw.get("middle_name")) if x
        )
        row = RowResult(
            number, name, cleaned.values.get("birth_date"), cleaned.values, cleaned.tags
        )
        for title, message in problems:
            row.errors.append(f"Строка {number}, столбец «{title}»: {message}")
        for key, message in cleaned.errors.items():
            if key in ("last_name", "first_name", "middle_name") and problems:
                continue
            column = by_key.get(_FIELD_COLUMNS.get(key, key))
            title = column.title if column is not None and column.title in present else None
            where = f"столбец «{title}»" if title else f"поле «{LABELS.get(key, key)}»"
            row.errors.append(f"Строка {number}, {where}: {message}")
        results.append(row)
    _mark_duplicates(results)
    return ImportReport(base, results, ignored, missing)


def _key(row: RowResult) -> tuple[str, date | None]:
    v = row.values
    return fold(
        f"{v.get('last_name') or ''} {v.get('first_name') or ''} {v.get('middle_name') or ''}"
    ), row.birth_date


def _mark_duplicates(rows: list[RowResult]) -> None:
    seen: dict[tuple, int] = {}
    for row in rows:
        if not row.values.get("last_name") or row.birth_date is None:
            continue
        key = _key(row)
        if key in seen:
            row.same_as_row = seen[key]
            row.errors.append(
                f"Строка {row.number}: повторяет строку {seen[key]} (те же ФИО и дата рождения)"
            )
        else:
            seen[key] = row.number
    keys = [k[0] for k in seen]
    existing: dict[tuple, Person] = {}
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        for person in db.session.scalars(select(Person).where(Person.search_key.in_(chunk))):
            existing[(person.search_key, person.birth_date)] = person
    for row in rows:
        if row.same_as_row is None and row.birth_date is not None:
            row.duplicate_of = existing.get(_key(row))


def start_batch(data: bytes, filename: str, base: str, owner) -> tuple[ImportBatch, ImportReport]:
    """Validate the upload and keep it in the database until the user confirms it."""
    report = analyse(data, filename, base)
    # An upload holds personal data: earlier unconfirmed uploads of the user are dropped.
    db.session.execute(
        delete(ImportBatch).where(
            ImportBatch.owner_id == owner.id, ImportBatch.committed_at.is_(None)
        )
    )
    batch = ImportBatch(
        owner_id=owner.id,
        base=base,
        filename=(filename or "файл")[:200],
        data=data,
        row_count=len(report.rows),
        error_count=len(report.bad_rows),
    )
    db.session.add(batch)
    db.session.flush()
    return batch, report


def commit_batch(batch: ImportBatch, owner) -> tuple[int, int]:
    """Store every row of a checked batch in one transaction: (created, already in the base).

    The file is validated again: the base may have changed since the preview.
    """
    if batch.owner_id != owner.id:
        raise PermissionError("batch of another user")
    if batch.committed_at is not None:
        raise RuleViolation("Этот файл уже загружен в базу.")
    try:
        report = analyse(batch.data, batch.filename, batch.base)
    except TableError as exc:
        raise RuleViolation(exc.message_ru) from exc
    if report.bad_rows:
        raise RuleViolation(
            f"В файле {len(report.bad_rows)} строк с ошибками: ничего не сохранено. "
            "Исправьте файл и загрузите его снова."
        )
    created = import_rows(report, owner)
    batch.committed_at = utcnow()
    batch.created_count = created
    batch.data = b""  # the people are in the base now; the file is not kept
    return created, len(report.existing_rows)


def import_rows(report: ImportReport, actor) -> int:
    """Bulk insert the new people, their tags and their audit events."""
    base = report.base
    rows = report.new_rows
    now = utcnow()
    records = []
    for row in rows:
        values = {k: row.values.get(k) for k in PERSON_FIELDS}
        values.update(
            search_key=fold(
                f"{values['last_name']} {values['first_name']} {values['middle_name'] or ''}"
            ),
            is_mentee=base == "mentees",
            is_mentor=base == "mentors",
            created_at=now,
            updated_at=now,
        )
        records.append(values)
    ids = bulk_insert_people(records)
    names = [n for row in rows for names in row.tags.values() for n in names]
    vocabulary = find_tags(names)
    db.session.flush()
    links = []
    for person_id, row in zip(ids, rows, strict=True):
        seen = set()
        for key, kind in TAG_FIELDS.items():
            for name in row.tags.get(key, []):
                tag = vocabulary[fold(name)]
                if (tag.id, kind) not in seen:
                    seen.add((tag.id, kind))
                    links.append({"person_id": person_id, "tag_id": tag.id, "kind": kind})
    if links:
        db.session.execute(insert(PersonTag), links)
    flag = "is_mentee" if base == "mentees" else "is_mentor"
    events = []
    for row in report.existing_rows:
        person = row.duplicate_of
        if not getattr(person, flag):
            setattr(person, flag, True)
            events.append(
                _event(
                    actor,
                    now,
                    person.id,
                    {flag: [False, True]},
                    "Добавлен(а) в базу при загрузке файла",
                )
            )
    for person_id, record in zip(ids, records, strict=True):
        changes = {
            k: [None, audit._plain(v)]
            for k, v in record.items()
            if v not in (None, "", False) and k in PERSON_FIELDS
        }
        events.append(_event(actor, now, person_id, changes, "Загружен(а) из файла"))
    if events:
        db.session.execute(insert(AuditEvent), events)
    return len(ids)


def _event(actor, at, person_id: int, changes: dict, summary: str) -> dict:
    return {
        "at": at,
        "user_id": getattr(actor, "id", None),
        "user_login": getattr(actor, "login", None),
        "action": "person_imported",
        "object_type": "person",
        "object_id": person_id,
        "changes": changes or None,
        "summary": summary,
        "ip": None,
    }


def columns_of_template(base: str) -> list[Column]:
    return [c.table_column() for c in importable_columns(base)]
