"""Importing a base from XLSX or CSV: find the header, map the columns, check every row,
let the user correct cells in the preview, and store all or nothing."""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, insert, select

from portal import audit
from portal.audit import AuditEvent
from portal.documents.tables import Column, TableError, read_sheets, write_xlsx
from portal.domain import RuleViolation
from portal.extensions import db
from portal.people.columns import SHEET_TITLES, columns_for, importable_columns
from portal.people.headers import (
    NAME_PARTS,
    Header,
    find_header,
    guess_by_wording,
    guess_mapping,
    is_row_number,
    portal_exact,
    signature,
    target_titles,
)
from portal.people.models import ImportBatch, ImportMapping, Person, PersonTag
from portal.people.names import clean_name
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
SKIP = "_skip"  # a fix that leaves a row out of the import («Итого», a signature line)
# Which column an error about a person's field belongs to, when the field is not a column.
_FIELD_COLUMNS = {
    "last_name": "fio",
    "first_name": "fio",
    "middle_name": "fio",
    "desired_age_min": "desired_age",
    "desired_age_max": "desired_age",
    "training_completed": "training",
}


# --- cells as stored in the batch ---------------------------------------------------------


def _stored(cell: Any) -> Any:
    if isinstance(cell, datetime):
        return {"date": cell.date().isoformat()}
    if isinstance(cell, date):
        return {"date": cell.isoformat()}
    return cell


def _loaded(cell: Any) -> Any:
    if isinstance(cell, dict):
        return date.fromisoformat(cell["date"])
    return cell


def _display(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d.%m.%Y")
    return str(value)


# --- the upload: sheets and their headers --------------------------------------------------


@dataclass
class SheetChoice:
    name: str
    header: Header | None
    active: bool


def sheet_choices(batch: ImportBatch) -> list[SheetChoice]:
    """Every sheet of the upload with the header found on it."""
    choices = []
    for sheet in batch.sheets:
        rows = sheet["rows"]
        header = find_header(sheet["name"], rows, batch.base, truncated=sheet["truncated"])
        choices.append(SheetChoice(sheet["name"], header, sheet["active"]))
    return choices


def candidate_sheets(choices: list[SheetChoice]) -> list[SheetChoice]:
    """Sheets that hold a table with data; those naming people's names come first."""
    with_data = [c for c in choices if c.header is not None and c.header.data_rows > 0]
    named = [c for c in with_data if c.header.names]
    return named or with_data


def default_sheet(choices: list[SheetChoice]) -> SheetChoice | None:
    candidates = candidate_sheets(choices)
    if not candidates:
        return None
    return next((c for c in candidates if c.active), candidates[0])


def _no_table_message(choices: list[SheetChoice]) -> str:
    names = ", ".join(f"«{c.name}»" for c in choices if c.name)
    headed = [c for c in choices if c.header is not None]
    if headed:
        return f"В таблице ({headed[0].header.where}) нет ни одной строки с данными."
    if not names:
        sheets = "в файле"
    else:
        sheets = f"на листе {names}" if len(choices) == 1 else f"ни на одном из листов {names}"
    return (
        f"Не найдена строка заголовков: {sheets} в первых 20 строках нет строки "
        "хотя бы с двумя заполненными ячейками. Таблица должна начинаться со строки "
        "названий столбцов (например, «ФИО», «Дата рождения»)."
    )


def too_many_rows(choice: SheetChoice) -> str:
    place = f"На листе «{choice.name}»" if choice.name else "В файле"
    return (
        f"{place} больше {MAX_ROWS} строк с данными: разделите файл на части и загрузите "
        "их по очереди."
    )


def start_batch(data: bytes, filename: str, base: str, owner) -> ImportBatch:
    """Read every sheet once and keep the cells in the database for the next steps.

    When the file's header is exactly the portal's (its template or export) on its only
    table, the mapping is set at once and the batch goes straight to the preview.
    """
    sheets = read_sheets(data, filename, max_rows=MAX_ROWS)
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
        sheets=[
            {
                "name": s.name,
                "active": s.active,
                "truncated": s.truncated,
                "rows": [[n, [_stored(c) for c in cells]] for n, cells in s.rows],
            }
            for s in sheets
        ],
        fixes={},
    )
    choices = sheet_choices(batch)
    chosen = default_sheet(choices)
    if chosen is None:
        raise TableError(_no_table_message(choices))
    if chosen.header.truncated:
        raise TableError(too_many_rows(chosen))
    if len(candidate_sheets(choices)) == 1 and portal_exact(chosen.header, base):
        guesses = [guess_by_wording(t, base) for t in chosen.header.titles]
        _set_mapping(batch, chosen.header, [g.key for g in guesses])
        report = analyse(batch)
        batch.row_count, batch.error_count = len(report.rows), len(report.bad_rows)
    db.session.add(batch)
    db.session.flush()
    return batch


def _set_mapping(batch: ImportBatch, header: Header, mapping: list[str]) -> None:
    # Corrected cells belong to rows of one sheet: they survive a changed mapping only.
    if (batch.sheet, batch.header_row) != (header.sheet, header.row):
        batch.fixes = {}
    batch.sheet = header.sheet
    batch.header_row = header.row
    batch.columns = [[index, title] for index, title in header.columns]
    batch.mapping = list(mapping)


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


# --- the mapping step -----------------------------------------------------------------------


@dataclass
class ColumnView:
    """One column of the file on the mapping screen."""

    position: int
    title: str
    filled: int  # cells with data under the header
    samples: list[str]
    choice: str  # a field key or "" (не загружать)
    how: str  # exact | wording | values | portal | remembered | confirmed | ""


@dataclass
class MappingPage:
    batch: ImportBatch
    sheets: list[SheetChoice]  # the sheets holding a table, to choose among
    sheet: SheetChoice
    header: Header
    columns: list[ColumnView]
    targets: list[tuple[str, str]]
    remembered: ImportMapping | None = None
    errors: list[str] = field(default_factory=list)
    needs_drop_confirmation: bool = False

    @property
    def dropped(self) -> list[ColumnView]:
        return [c for c in self.columns if not c.choice and c.filled and c.how != "number"]


def _sheet_rows(batch: ImportBatch, name: str) -> list:
    return next(s["rows"] for s in batch.sheets if s["name"] == name)


def _column_values(rows: list, header: Header) -> list[list]:
    below = [cells for number, cells in rows if number > header.row]
    return [
        [_loaded(cells[index]) if index < len(cells) else None for cells in below]
        for index, _ in header.columns
    ]


def remembered_mapping(base: str, header: Header) -> ImportMapping | None:
    """The mapping confirmed before for exactly this header, if any."""
    found = db.session.scalar(
        select(ImportMapping).where(
            ImportMapping.base == base, ImportMapping.signature == signature(header.titles)
        )
    )
    if found is None or found.headers != header.titles or len(found.mapping) != len(header.columns):
        return None
    return found


def mapping_page(
    batch: ImportBatch, sheet_name: str | None = None, submitted: list[str] | None = None
) -> MappingPage:
    """What the mapping screen shows: the sheet, its header and a field for each column."""
    choices = sheet_choices(batch)
    candidates = candidate_sheets(choices)
    wanted = sheet_name or batch.sheet
    sheet = next((c for c in candidates if c.name == wanted), None) or default_sheet(choices)
    header = sheet.header
    values = _column_values(_sheet_rows(batch, sheet.name), header)
    titles = header.titles
    remembered = remembered_mapping(batch.base, header)
    guesses = guess_mapping(titles, values, batch.base)
    if submitted is not None:
        keys, how = submitted, ""
    elif (
        batch.mapping is not None
        and batch.sheet == sheet.name
        and batch.columns == [[i, t] for i, t in header.columns]
    ):
        keys, how = batch.mapping, "confirmed"
    elif remembered is not None:
        keys, how = remembered.mapping, "remembered"
    else:
        keys, how = [g.key for g in guesses], None
    allowed = target_titles(batch.base)
    columns = []
    for position, title in enumerate(titles):
        cells = [v for v in values[position] if v not in (None, "")]
        key = keys[position] if position < len(keys) and keys[position] in allowed else ""
        columns.append(
            ColumnView(
                position,
                title,
                len(cells),
                [_display(v) for v in cells[:3]],
                key,
                how if how is not None else guesses[position].how,
            )
        )
        if guesses[position].how == "portal":
            columns[-1].how = "portal"
        elif not key and is_row_number(title, values[position]):
            columns[-1].how = "number"
    return MappingPage(
        batch,
        candidates,
        sheet,
        header,
        columns,
        list(allowed.items()),
        remembered if submitted is None else None,
    )


def check_mapping(page: MappingPage, drop_confirmed: bool) -> list[str]:
    """Russian errors of a mapping: a field chosen twice, no name, data dropped unasked."""
    titles = dict(page.targets)
    errors = []
    by_key: dict[str, list[str]] = {}
    for column in page.columns:
        if column.choice:
            by_key.setdefault(column.choice, []).append(column.title)
    for key, columns in by_key.items():
        if len(columns) > 1:
            listed = " и ".join(f"«{c}»" for c in columns)
            errors.append(
                f"Поле «{titles[key]}» выбрано для нескольких столбцов: {listed}. "
                "Оставьте его у одного, у остальных выберите другое поле или «не загружать»."
            )
    parts = [k for k in NAME_PARTS if k in by_key]
    if "fio" in by_key and parts:
        errors.append(
            f"Выбраны и «{titles['fio']}», и отдельные «Фамилия», «Имя», «Отчество»: "
            "оставьте что-то одно."
        )
    elif "fio" not in by_key and not {"last_name", "first_name"} <= set(parts):
        errors.append(
            f"Не выбран столбец для поля «{titles['fio']}» (или два столбца «Фамилия» и "
            "«Имя»): без него людей не загрузить. Укажите, в каком столбце имена."
        )
    if page.dropped and not drop_confirmed:
        listed = ", ".join(f"«{c.title}»" for c in page.dropped)
        one = len(page.dropped) == 1
        errors.append(
            f"В {'столбце' if one else 'столбцах'} {listed} есть данные, но они не будут "
            f"загружены. Выберите для {'него' if one else 'них'} поле или подтвердите, что "
            f"{'этот столбец' if one else 'эти столбцы'} загружать не нужно."
        )
        page.needs_drop_confirmation = True
    return errors


def confirm_mapping(
    batch: ImportBatch,
    sheet_name: str,
    header_row: int | None,
    keys: list[str],
    drop_confirmed: bool,
    actor,
) -> MappingPage:
    """Check and store the mapping; it is remembered for the next file with this header."""
    page = mapping_page(batch, sheet_name, submitted=keys)
    if page.sheet.name != sheet_name or page.header.row != header_row:
        page.errors.append("Лист или строка заголовка изменились: проверьте столбцы ещё раз.")
        return page
    if page.header.truncated:
        page.errors.append(too_many_rows(page.sheet))
        return page
    page.errors = check_mapping(page, drop_confirmed)
    if page.errors:
        return page
    mapping = [c.choice for c in page.columns]
    _set_mapping(batch, page.header, mapping)
    sig = signature(page.header.titles)
    memory = db.session.scalar(
        select(ImportMapping).where(
            ImportMapping.base == batch.base, ImportMapping.signature == sig
        )
    )
    if memory is None:
        memory = ImportMapping(base=batch.base, signature=sig)
        db.session.add(memory)
    memory.headers = page.header.titles
    memory.mapping = mapping
    memory.filename = batch.filename
    memory.confirmed_by_id = getattr(actor, "id", None)
    memory.confirmed_at = utcnow()
    # The rows are checked when the preview is drawn; here they are only counted.
    batch.row_count = page.header.data_rows
    return page


# --- checking the rows ----------------------------------------------------------------------


@dataclass
class RowResult:
    number: int  # the row's number in the spreadsheet
    name: str
    birth_date: date | None
    values: dict[str, Any]
    tags: dict[str, list[str]]
    errors: list[str] = field(default_factory=list)
    row_errors: list[str] = field(default_factory=list)  # not about one cell: repeats
    cell_errors: dict[str, str] = field(default_factory=dict)  # column key → message
    cells: dict[str, str] = field(default_factory=dict)  # column key → text, to correct
    notes: list[str] = field(default_factory=list)  # what was cleaned («Иванoва» → …)
    fixed: set[str] = field(default_factory=set)  # cells corrected in the preview
    duplicate_of: Person | None = None  # already in the database: not created again
    same_as_row: int | None = None  # a repeat of an earlier row of the file
    skipped: bool = False  # left out by the user

    @property
    def ok(self) -> bool:
        return not self.errors and not self.cell_errors


@dataclass
class DroppedColumn:
    title: str
    filled: int
    portal: bool  # a column the portal fills itself (ФИО наставника, согласие…)


@dataclass
class ImportReport:
    base: str
    rows: list[RowResult]
    sheet: str = ""
    where: str = ""  # «лист «…», заголовок — строка N»
    shown: list[tuple[str, str]] = field(default_factory=list)  # (column key, title)
    dropped: list[DroppedColumn] = field(default_factory=list)
    header_problems: list[str] = field(default_factory=list)
    skipped: list[RowResult] = field(default_factory=list)

    @property
    def errors(self) -> list[str]:
        return self.header_problems + [e for r in self.rows for e in r.errors]

    @property
    def bad_rows(self) -> list[RowResult]:
        return [r for r in self.rows if not r.ok]

    @property
    def new_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.ok and r.duplicate_of is None]

    @property
    def existing_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.duplicate_of is not None]

    @property
    def cleaned_rows(self) -> list[RowResult]:
        return [r for r in self.rows if r.notes]

    def filtered(self, show: str) -> list[RowResult]:
        return {
            "errors": self.bad_rows,
            "new": self.new_rows,
            "existing": self.existing_rows,
            "cleaned": self.cleaned_rows,
        }.get(show, self.rows)


def _cell_text(value: Any) -> str:
    return _display(value).strip()


def analyse(batch: ImportBatch) -> ImportReport:
    """Check every row of a mapped batch without storing anything.

    The corrected cells replace the file's; duplicates are looked for in the file and in
    the base on the cleaned name and the date of birth.
    """
    base = batch.base
    columns = {c.key: c for c in importable_columns(base)}
    titles = target_titles(base)
    mapped: dict[str, tuple[int, str]] = {}  # column key → (cell index, the file's title)
    dropped_positions = []
    for (index, title), key in zip(batch.columns, batch.mapping, strict=True):
        if key:
            mapped[key] = (index, title)
        else:
            dropped_positions.append((index, title))
    name_key = "fio" if "fio" in mapped else None
    rows = [(n, cells) for n, cells in _sheet_rows(batch, batch.sheet) if n > batch.header_row]
    report = ImportReport(base, [], batch.sheet)
    header = Header(batch.sheet, batch.header_row, [tuple(c) for c in batch.columns])
    report.where = header.where
    filled = {index: 0 for index, _ in dropped_positions}
    numbering = {index: [] for index, _ in dropped_positions}
    fixes = batch.fixes or {}
    results = []
    mapped_cells = [(key, index) for key, (index, _) in mapped.items()]
    for number, cells in rows:
        width = len(cells)
        for index in filled:
            if index < width and cells[index] not in (None, ""):
                filled[index] += 1
                numbering[index].append(cells[index])
        values = {
            key: _loaded(cells[index]) if index < width else None for key, index in mapped_cells
        }
        row_fixes = fixes.get(str(number), {})
        if not any(v not in (None, "") for v in values.values()) and not row_fixes:
            continue  # data only in columns not loaded: counted above, not a person
        if name_key:
            name_text = _cell_text(values.get("fio"))
        else:
            name_text = " ".join(
                _cell_text(values.get(k)) for k in NAME_PARTS if _cell_text(values.get(k))
            )
        display = {key: _display(v) for key, v in values.items() if key not in NAME_PARTS}
        display["fio"] = name_text
        for key, text in row_fixes.items():
            if key != SKIP:
                display[key] = text
        if row_fixes.get(SKIP):
            report.skipped.append(RowResult(number, display["fio"], None, {}, {}, skipped=True))
            continue
        name, notes = clean_name(display["fio"])
        raw: dict[str, Any] = {}
        problems: dict[str, str] = {}
        try:
            raw["last_name"], raw["first_name"], raw["middle_name"] = split_fio(name)
        except ValueError as exc:
            problems["fio"] = str(exc)
        for key, column in columns.items():
            if key == "fio" or (key not in mapped and key not in row_fixes):
                continue
            raw[column.field] = row_fixes[key] if key in row_fixes else values.get(key)
        cleaned = clean_person(raw, base)
        row = RowResult(
            number,
            name,
            cleaned.values.get("birth_date"),
            cleaned.values,
            cleaned.tags,
            notes=notes,
            cells=display,
            fixed=set(row_fixes),
        )
        for key, message in cleaned.errors.items():
            if key in ("last_name", "first_name", "middle_name") and problems:
                continue
            problems.setdefault(_FIELD_COLUMNS.get(key, key), message)
        for key, message in problems.items():
            row.cell_errors[key] = message
            if key in mapped and key not in row_fixes:
                where = f"столбец «{mapped[key][1]}»"
            elif key == "fio" and not name_key and mapped:
                where = "столбцы «Фамилия», «Имя», «Отчество»"
            else:
                where = f"поле «{titles.get(key) or LABELS.get(key, key)}»"
            row.errors.append(f"Строка {number}, {where}: {message}")
        results.append(row)
    _report_header_problems(results, mapped, titles, header, report)
    _mark_duplicates(results)
    report.rows = results
    portal_titles = {fold(c.title) for c in columns_for(base) if not c.importable}
    report.dropped = [
        DroppedColumn(title, filled[index], fold(title) in portal_titles)
        for index, title in dropped_positions
        if filled[index] and not is_row_number(title, numbering[index])
    ]
    shown = ["fio", *[k for k in columns if k != "fio" and k in mapped]]
    for row in results:
        for key in row.cell_errors:
            if key not in shown:
                shown.append(key)
    report.shown = [(k, titles.get(k, k)) for k in shown]
    return report


def _report_header_problems(results, mapped, titles, header, report) -> None:
    """An error every row has because a column is missing is said once, as a header problem."""
    missing: dict[str, int] = {}
    for row in results:
        for key in row.cell_errors:
            if key not in mapped and not (key == "fio" and ("last_name" in mapped)):
                missing[key] = missing.get(key, 0) + 1
    for key, count in missing.items():
        title = titles.get(key, key)
        example = next(r.cell_errors[key] for r in results if key in r.cell_errors)
        report.header_problems.append(
            f"В файле ({header.where}) нет столбца для поля «{title}», а оно нужно "
            f"в {count} {_rows_word(count)} ({example}). Вернитесь к шагу «Столбцы» и "
            "выберите столбец, в котором оно записано, или впишите значения в строках ниже."
        )
        # The rows keep the error in the cell, where it can be filled in, not in the list.
        for row in results:
            if key in row.cell_errors:
                row.errors = [e for e in row.errors if f"поле «{title}»" not in e]


def _rows_word(count: int) -> str:
    if count % 10 == 1 and count % 100 != 11:
        return "строке"
    return "строках"


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
            message = (
                f"Строка {row.number}: повторяет строку {seen[key]} (те же ФИО и дата рождения)"
            )
            row.errors.append(message)
            row.row_errors.append(message)
        else:
            seen[key] = row.number
    keys = list({k[0] for k in seen})
    existing: dict[tuple, Person] = {}
    for start in range(0, len(keys), 900):
        chunk = keys[start : start + 900]
        for person in db.session.scalars(select(Person).where(Person.search_key.in_(chunk))):
            existing[(person.search_key, person.birth_date)] = person
    for row in rows:
        if row.same_as_row is None and row.birth_date is not None:
            row.duplicate_of = existing.get(_key(row))


# --- corrections in the preview and the commit ---------------------------------------------


def fix_cell(batch: ImportBatch, number: int, key: str, text: str) -> None:
    """Keep a corrected cell (or, with key SKIP, leave the row out); the row is re-checked
    with the whole file when the preview is drawn."""
    allowed = set(target_titles(batch.base)) | {SKIP}
    if key not in allowed or key in NAME_PARTS:
        raise RuleViolation("Этот столбец нельзя исправить здесь.")
    numbers = {n for n, _ in _sheet_rows(batch, batch.sheet) if n > batch.header_row}
    if number not in numbers:
        raise RuleViolation(f"В файле нет строки {number}.")
    text = " ".join(str(text or "").split())[:2000]
    fixes = {k: dict(v) for k, v in (batch.fixes or {}).items()}
    row = fixes.setdefault(str(number), {})
    if key == SKIP:
        if text:
            row[SKIP] = "1"
        else:
            row.pop(SKIP, None)
    else:
        row[key] = text
    if not row:
        fixes.pop(str(number))
    batch.fixes = fixes  # a new object, so the JSON column is written


def commit_batch(batch: ImportBatch, owner) -> tuple[int, int]:
    """Store every row of a checked batch in one transaction: (created, already in the base).

    The rows are checked again: the base may have changed since the preview.
    """
    if batch.owner_id != owner.id:
        raise PermissionError("batch of another user")
    if batch.committed_at is not None:
        raise RuleViolation("Этот файл уже загружен в базу.")
    if batch.mapping is None:
        raise RuleViolation("Сначала сопоставьте столбцы файла с полями портала.")
    report = analyse(batch)
    if report.bad_rows:
        raise RuleViolation(
            f"В файле {len(report.bad_rows)} строк с ошибками: ничего не сохранено. "
            "Исправьте их в таблице проверки."
        )
    if not report.rows:
        raise RuleViolation("В файле не осталось строк для загрузки.")
    created = import_rows(report, owner)
    batch.committed_at = utcnow()
    batch.created_count = created
    batch.row_count = len(report.rows)
    batch.error_count = 0
    # The people are in the base now; the cells of the file are not kept.
    batch.sheets = []
    batch.fixes = {}
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
