"""Spreadsheet export (XLSX, CSV for Russian Excel) and import of tables uploaded by users."""

import csv
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from portal.text import fold

CellValue = str | date | None

DATE_FORMAT = "DD.MM.YYYY"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
KINDS = ("text", "date", "int")

# Layout of an exported sheet: title, subtitle, header, then data.
_TITLE_ROW, _HEADER_ROW = 1, 3
_MIN_WIDTH, _MAX_WIDTH, _HEADER_WRAP_WIDTH = 6, 60, 24
_EXCEL_CELL_LIMIT = 32767
# Stored datetimes are UTC; people read dates in Moscow time.
_MOSCOW = ZoneInfo("Europe/Moscow")
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")

# Excel runs a CSV cell starting with one of these as a formula (OWASP "CSV injection").
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# A phone number (+7 (915) 123-45-67) holds no function or reference, so it is no formula
# payload; it is written as is, without the guard's apostrophe.
_PHONE = re.compile(r"^\+?[\d\s()\-]{5,}$")
_HEADER_SEARCH_ROWS = 20
# An XLSX of 10,000 rows of 30 columns unpacks to about 20 MB; a bomb to gigabytes.
_MAX_UNPACKED_BYTES = 60 * 1024 * 1024
_MAX_ARCHIVE_ENTRIES = 2_000
_MAX_COLUMNS = 200
_CSV_DELIMITERS = (";", ",", "\t")
_CSV_SNIFF_ROWS = 50
_DATE_PATTERNS = ("%d.%m.%Y", "%Y-%m-%d", "%d.%m.%y", "%d/%m/%Y")

_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
# Only signatures no text file can start with; other binaries are caught by their NULs.
_BINARY_MAGIC = (b"\x89PNG", b"\xff\xd8\xff", b"\x1f\x8b", b"7z\xbc\xaf", b"\x7fELF")


class TableError(Exception):
    """An uploaded table cannot be read; the message is in Russian and meant for the user."""

    def __init__(self, message_ru: str) -> None:
        super().__init__(message_ru)
        self.message_ru = message_ru


@dataclass(frozen=True)
class Column:
    """One exported column: the row key it takes its value from and its Russian title."""

    key: str
    title: str
    width: int | None = None
    kind: str = "text"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")


@dataclass
class TableData:
    """An imported table: header titles and (spreadsheet row number, header → value) pairs."""

    headers: list[str]
    rows: list[tuple[int, dict[str, CellValue]]] = field(default_factory=list)


# --- values -----------------------------------------------------------------------------


def _as_date(value: object) -> date | None:
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(_MOSCOW)
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        return _parse_date_text(value)
    return None


def _parse_date_text(text: str) -> date | None:
    text = text.strip()
    for pattern in _DATE_PATTERNS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


def parse_date(value: CellValue) -> date | None:
    """Read an imported date cell: a real date, or text such as 21.11.2026 or 2026-11-21."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    parsed = _as_date(value)
    if parsed is None:
        raise TableError(f"Не удалось распознать дату «{value}»: ожидается ДД.ММ.ГГГГ.")
    return parsed


def _as_int(value: object) -> object:
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        return int(value)
    return value


def _as_text(value: object) -> str:
    if isinstance(value, datetime | date):
        return _as_date(value).strftime("%d.%m.%Y")  # type: ignore[union-attr]
    text = str(value)
    # openpyxl refuses control characters that XML cannot carry; pasted text has them.
    return ILLEGAL_CHARACTERS_RE.sub("", text)[:_EXCEL_CELL_LIMIT]


def _typed(column: Column, value: object) -> object:
    """The value to export for a column: date, int or str (None stays None)."""
    if value is None:
        return None
    if column.kind == "date":
        return _as_date(value) or _as_text(value)
    if column.kind == "int":
        converted = _as_int(value)
        return converted if isinstance(converted, int) else _as_text(converted)
    return _as_text(value)


def _display_width(value: object) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    return max((len(line) for line in str(value).splitlines()), default=0)


# --- XLSX export ------------------------------------------------------------------------


def _sheet_title(name: str) -> str:
    cleaned = _SHEET_NAME_FORBIDDEN.sub("_", name).strip("'").strip()
    return cleaned[:31] or "Лист1"


def _column_widths(columns: Sequence[Column], rows: Sequence[Sequence[object]]) -> list[float]:
    widths = []
    for index, column in enumerate(columns):
        if column.width is not None:
            widths.append(float(column.width))
            continue
        content = max((_display_width(row[index]) for row in rows), default=0)
        # The header wraps, so it only needs room for its longest word, up to a point.
        header_words = max((len(word) for word in column.title.split()), default=0)
        header = max(header_words, min(len(column.title), _HEADER_WRAP_WIDTH))
        widths.append(float(min(max(content, header, _MIN_WIDTH) + 2, _MAX_WIDTH)))
    return widths


class _CellFactory:
    """Builds write-only cells, sharing style objects so 10,000 rows stay cheap."""

    def __init__(self, sheet: WriteOnlyWorksheet) -> None:
        self.sheet = sheet
        self.title_font = Font(bold=True, size=14)
        self.header_font = Font(bold=True)
        self.header_fill = PatternFill(fill_type="solid", start_color="FFE8E8E8")
        self.header_alignment = Alignment(wrap_text=True, vertical="center")

    def title(self, text: str) -> WriteOnlyCell:
        cell = self.text(text)
        cell.font = self.title_font
        return cell

    def header(self, text: str) -> WriteOnlyCell:
        cell = self.text(text)
        cell.font = self.header_font
        cell.fill = self.header_fill
        cell.alignment = self.header_alignment
        return cell

    def text(self, text: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.sheet, value=text)
        # openpyxl turns any string starting with "=" into a formula; user data is data.
        cell.data_type = "s"
        return cell

    def data(self, value: object) -> object:
        if isinstance(value, date):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.number_format = DATE_FORMAT
            return cell
        if isinstance(value, str) and value.startswith("="):
            return self.text(value)
        return value


def write_xlsx(
    title: str,
    columns: list[Column],
    rows: Iterable[Mapping[str, Any]],
    *,
    sheet_name: str = "Лист1",
    subtitle: str | None = None,
) -> bytes:
    """Export rows as an XLSX sheet: bold title, optional subtitle, frozen filtered header.

    Uses openpyxl's write-only mode, which streams rows and still supports merged
    cells, freeze panes, auto-filter, column widths and per-cell formats.
    """
    if not columns:
        raise ValueError("write_xlsx needs at least one column")
    values = [[_typed(column, row.get(column.key)) for column in columns] for row in rows]
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "Портал наставничества"
    workbook.properties.title = title
    sheet = workbook.create_sheet(_sheet_title(sheet_name))
    _lay_out_sheet(sheet, columns, values)
    cells = _CellFactory(sheet)
    sheet.append([cells.title(title)])
    sheet.append([cells.text(subtitle)] if subtitle else [])
    sheet.append([cells.header(column.title) for column in columns])
    for row in values:
        sheet.append([cells.data(value) for value in row])
    last_column = get_column_letter(len(columns))
    if len(columns) > 1:
        sheet.merged_cells.add(f"A{_TITLE_ROW}:{last_column}{_TITLE_ROW}")
    sheet.auto_filter.ref = f"A{_HEADER_ROW}:{last_column}{_HEADER_ROW + len(values)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _lay_out_sheet(
    sheet: WriteOnlyWorksheet, columns: Sequence[Column], values: Sequence[Sequence[object]]
) -> None:
    # A write-only sheet writes its column widths and panes before the first row.
    for index, width in enumerate(_column_widths(columns, values), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"A{_HEADER_ROW + 1}"
    sheet.print_title_rows = f"{_HEADER_ROW}:{_HEADER_ROW}"
    # The bases are wide tables: printed landscape, all columns on the page's width.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    # openpyxl writes <dimension> only for sheets that can calculate it, which a write-only
    # one cannot; without it a read-only load parses the whole sheet twice to find it.
    dimension = f"A1:{get_column_letter(len(columns))}{_HEADER_ROW + len(values)}"
    sheet.calculate_dimension = lambda: dimension


# --- CSV export -------------------------------------------------------------------------


def _csv_text(column: Column, value: object) -> str:
    typed = _typed(column, value)
    if typed is None:
        return ""
    if isinstance(typed, date):
        return typed.strftime("%d.%m.%Y")
    text = str(typed)
    if column.kind == "text" and text.startswith(_FORMULA_PREFIXES) and not _PHONE.match(text):
        return "'" + text
    return text


def write_csv(columns: list[Column], rows: Iterable[Mapping[str, Any]]) -> bytes:
    """Export rows as CSV the way Russian Excel opens it: UTF-8 with BOM, «;» separated."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.title for column in columns])
    for row in rows:
        writer.writerow([_csv_text(column, row.get(column.key)) for column in columns])
    return buffer.getvalue().encode("utf-8-sig")


# --- import -----------------------------------------------------------------------------


@dataclass
class SheetRows:
    """The raw rows of one sheet: (row number, cell values), fully empty rows left out."""

    name: str
    rows: list[tuple[int, list[CellValue]]] = field(default_factory=list)
    active: bool = False
    truncated: bool = False  # the sheet holds more rows than the limit: reading stopped


def read_sheets(
    data: bytes,
    filename: str,
    *,
    max_rows: int = 10_000,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> list[SheetRows]:
    """Every sheet of an XLSX file (or the one table of a CSV file) uploaded by a user.

    XLSX is streamed (openpyxl's read-only mode) after the archive's unpacked sizes are
    checked, and each sheet stops being read ``_HEADER_SEARCH_ROWS`` rows past ``max_rows``
    filled rows, so a compression bomb or a million-row sheet is refused without being
    unpacked into memory. Cell values are stripped strings, dates or None.
    Raises :class:`TableError`.
    """
    _check_size(data, max_bytes)
    limit = max_rows + _HEADER_SEARCH_ROWS
    if data.startswith(_ZIP_MAGIC):
        sheets = _xlsx_sheets(data, limit)
    else:
        sheets = [_csv_sheet(data, filename, limit)]
    if not any(sheet.rows for sheet in sheets):
        raise TableError("В таблице нет данных.")
    return sheets


def read_table(
    data: bytes,
    filename: str,
    *,
    expected_headers: Sequence[str] | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> TableData:
    """Read a CSV file or the active sheet of an XLSX file uploaded by a user.

    The header row is the first row holding all ``expected_headers`` (matched ignoring
    case, ё/е and spacing, and then named as in ``expected_headers``), or without them the
    first row with at least two filled cells. Values are stripped strings, dates (XLSX
    date cells) or None; fully empty rows are skipped. Raises :class:`TableError`.
    """
    sheets = read_sheets(data, filename, max_rows=10 * 10_000, max_bytes=max_bytes)
    sheet = next((s for s in sheets if s.active), sheets[0])
    if not sheet.rows:
        raise TableError("В таблице нет данных.")
    return _build_table(sheet.rows, expected_headers)


def _check_size(data: bytes, max_bytes: int) -> None:
    if not data:
        raise TableError("Файл пустой.")
    if len(data) > max_bytes:
        raise TableError(f"Файл больше {_megabytes(max_bytes)} МБ: разделите его на части.")


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}".replace(".", ",")


RawRow = tuple[int, list[object]]


def _trimmed(values: Sequence[object], *, from_csv: bool) -> list[CellValue]:
    cells = [
        None if value is None else _cell(value, from_csv=from_csv)
        for value in values[:_MAX_COLUMNS]
    ]
    while cells and cells[-1] is None:
        cells.pop()
    return cells


class _StreamingSheet(ReadOnlyWorksheet):
    """A read-only sheet that does not read the whole sheet when the workbook is opened.

    openpyxl looks for a sheet's <dimension> with an "end"-event parse that, when the
    element is missing, only stops at the end of <sheetData>: the whole sheet is parsed
    (and kept) before the first row is read. The sheets here are read row by row with
    ``reset_dimensions()``, so their size is not needed.
    """

    def _get_size(self) -> None:
        return None


class _StreamingReader(ExcelReader):
    """openpyxl's reader in read-only mode with :class:`_StreamingSheet` sheets."""

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            worksheet = _StreamingSheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


def _open_workbook(data: bytes):
    reader = _StreamingReader(io.BytesIO(data), read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _xlsx_sheets(data: bytes, limit: int) -> list[SheetRows]:
    _check_xlsx_archive(data)
    try:
        workbook = _open_workbook(data)
    except Exception as exc:
        raise TableError("Файл Excel повреждён и не открывается.") from exc
    try:
        active = workbook.active
        sheets = []
        for sheet in workbook.worksheets:
            found = SheetRows(sheet.title, active=sheet is active)
            # Some programs write a wrong <dimension>, which would cut rows short.
            sheet.reset_dimensions()
            # No max_col: openpyxl would pad every row to it; rows are cut in _trimmed.
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = _trimmed(values, from_csv=False)
                if not cells:
                    continue
                if len(found.rows) >= limit:
                    found.truncated = True
                    break
                found.rows.append((number, cells))
            sheets.append(found)
    except Exception as exc:
        raise TableError("Файл Excel повреждён: не удалось прочитать лист.") from exc
    finally:
        workbook.close()
    if not sheets:
        raise TableError("В файле Excel нет листов с таблицами.")
    if not any(s.active for s in sheets):
        sheets[0].active = True
    return sheets


def _check_xlsx_archive(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TableError("Файл повреждён: архив Excel не читается.") from exc
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise TableError(
                "Файл в формате OpenDocument (.ods): сохраните его как .xlsx или .csv."
            )
        raise TableError("Это ZIP-архив, а не таблица Excel: загрузите файл .xlsx или .csv.")
    # A few kilobytes of zip can unpack into gigabytes of XML. The sizes in the archive's
    # directory are checked before anything is unpacked, and they cannot lie: zipfile
    # stops at the declared size and then fails the CRC check.
    unpacked = sum(entry.file_size for entry in entries)
    if len(entries) > _MAX_ARCHIVE_ENTRIES or unpacked > _MAX_UNPACKED_BYTES:
        raise TableError(
            f"Файл Excel после распаковки занимает {_megabytes(unpacked)} МБ "
            f"(допустимо до {_megabytes(_MAX_UNPACKED_BYTES)} МБ): так бывает, когда в листе "
            "много пустых отформатированных строк или это не настоящая таблица. Скопируйте "
            "нужные строки в новый файл или сохраните его как CSV."
        )


def _csv_sheet(data: bytes, filename: str, limit: int) -> SheetRows:
    _reject_binary(data, filename)
    text = _decode(data)
    if any(ch < " " and ch not in "\t\r\n" for ch in text[:4096]):
        raise TableError("Файл не похож на таблицу: загрузите файл .xlsx или .csv.")
    sheet = SheetRows("", active=True)  # a CSV file has one unnamed table
    try:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=_sniff_delimiter(text))
        for number, values in enumerate(reader, start=1):
            cells = _trimmed(values, from_csv=True)
            if not cells:
                continue
            if len(sheet.rows) >= limit:
                sheet.truncated = True
                break
            sheet.rows.append((number, cells))
    except csv.Error as exc:
        raise TableError("Файл CSV повреждён и не читается.") from exc
    return sheet


def _reject_binary(data: bytes, filename: str) -> None:
    if data.startswith(_OLE_MAGIC):
        raise TableError(
            "Файл в старом формате Excel (.xls) или защищён паролем: "
            "сохраните его как .xlsx без пароля или как .csv."
        )
    if data.lstrip()[:5] == b"%PDF-":
        raise TableError("Это PDF-документ, а не таблица: загрузите файл .xlsx или .csv.")
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise TableError("Файл повреждён: это не таблица Excel, хотя имя оканчивается на .xlsx.")
    utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
    if data.startswith(_BINARY_MAGIC) or (not utf16 and b"\x00" in data[:4096]):
        raise TableError("Файл не похож на таблицу: загрузите файл .xlsx или .csv.")


def _decode(data: bytes) -> str:
    # Excel saves "Unicode text" as UTF-16 with a BOM, CSV as UTF-8 or Windows-1251.
    encodings = ("utf-16",) if data.startswith((b"\xff\xfe", b"\xfe\xff")) else ()
    for encoding in (*encodings, "utf-8-sig", "cp1251"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableError("Не удалось определить кодировку файла: сохраните CSV в UTF-8.")


def _sniff_delimiter(text: str) -> str:
    def score(delimiter: str) -> tuple[int, int]:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        rows = list(islice(reader, _CSV_SNIFF_ROWS))
        widths = [len(row) for row in rows if len(row) > 1]
        return len(widths), sum(widths)

    try:
        return max(_CSV_DELIMITERS, key=score)
    except csv.Error as exc:
        raise TableError("Файл CSV повреждён и не читается.") from exc


def _cell(value: object, *, from_csv: bool) -> CellValue:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date() if value.time() == time(0) else value
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "ИСТИНА" if value else "ЛОЖЬ"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, timedelta):
        return str(value)
    text = str(value).strip()
    if from_csv and len(text) > 1 and text[0] == "'" and text[1] in "=+-@\t\r":
        text = text[1:]  # undo the formula guard write_csv adds
    return text or None


def header_text(value: object) -> str:
    """A header cell as one line of single-spaced text."""
    if value is None:
        return ""
    return " ".join(str(value).split())


def _build_table(raw_rows: list[RawRow], expected: Sequence[str] | None) -> TableData:
    position = _find_header(raw_rows, expected)
    headers = _headers(raw_rows[position][1], expected)
    rows = []
    for number, values in raw_rows[position + 1 :]:
        record = {name: values[index] if index < len(values) else None for index, name in headers}
        if any(value is not None for value in record.values()):
            rows.append((number, record))
    return TableData(headers=[name for _, name in headers], rows=rows)


def _find_header(raw_rows: list[RawRow], expected: Sequence[str] | None) -> int:
    wanted = {fold(name) for name in expected or ()}
    for position, (_, values) in enumerate(raw_rows[:_HEADER_SEARCH_ROWS]):
        texts = [header_text(value) for value in values]
        if wanted:
            if wanted <= {fold(text) for text in texts if text}:
                return position
        elif sum(1 for text in texts if text) >= 2:
            return position
    if expected:
        names = ", ".join(f"«{name}»" for name in expected)
        raise TableError(
            f"Не найдена строка заголовков со столбцами {names} "
            f"в первых {_HEADER_SEARCH_ROWS} строках."
        )
    raise TableError(
        "Не найдена строка заголовков: в первых "
        f"{_HEADER_SEARCH_ROWS} строках нет строки хотя бы с двумя заполненными ячейками."
    )


def _headers(values: list[object], expected: Sequence[str] | None) -> list[tuple[int, str]]:
    canonical = {fold(name): name for name in expected or ()}
    headers: list[tuple[int, str]] = []
    seen: set[str] = set()
    for index, value in enumerate(values):
        text = header_text(value)
        if not text:
            continue
        name = canonical.get(fold(text), text)
        if fold(name) in seen:
            raise TableError(f"Столбец «{name}» встречается в заголовке дважды.")
        seen.add(fold(name))
        headers.append((index, name))
    return headers
