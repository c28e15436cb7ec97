"""Compression bombs and endless sheets are refused cheaply: time and memory measured."""

import io
import struct
import time
import tracemalloc
import zipfile

import pytest
from openpyxl import Workbook
from werkzeug.test import EnvironBuilder

from portal.documents.tables import TableError, read_sheets

SHEET = "xl/worksheets/sheet1.xml"
ROW = b'<row><c t="inlineStr"><is><t>x</t></is></c></row>'
HEADER = (
    "<row>"
    + "".join(f'<c t="inlineStr"><is><t>{title}</t></is></c>' for title in ("ФИО", "Класс"))
    + "</row>"
)
HEADER = HEADER.encode()


def bomb(unpacked_bytes: int, row: bytes = ROW) -> bytes:
    """A real workbook whose first sheet is ``unpacked_bytes`` of repeated rows."""
    book = Workbook()
    book.active.append(["ФИО"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, content in parts.items():
            if name != SHEET:
                archive.writestr(name, content)
        with archive.open(SHEET, "w") as sheet:
            sheet.write(
                b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                b'spreadsheetml/2006/main"><sheetData>' + HEADER
            )
            chunk = row * (1024 * 1024 // len(row))
            for _ in range(unpacked_bytes // len(chunk)):
                sheet.write(chunk)
            sheet.write(b"</sheetData></worksheet>")
    return out.getvalue()


def lying(data: bytes, declared: int = 4096) -> bytes:
    """The same archive with the sheet's unpacked size understated in both headers."""
    patched = bytearray(data)
    name = SHEET.encode()
    local = patched.find(b"PK\x03\x04")
    while local != -1:
        length = struct.unpack_from("<H", patched, local + 26)[0]
        if patched[local + 30 : local + 30 + length] == name:
            struct.pack_into("<I", patched, local + 22, declared)
        local = patched.find(b"PK\x03\x04", local + 4)
    central = patched.find(b"PK\x01\x02")
    while central != -1:
        length = struct.unpack_from("<H", patched, central + 28)[0]
        if patched[central + 46 : central + 46 + length] == name:
            struct.pack_into("<I", patched, central + 24, declared)
        central = patched.find(b"PK\x01\x02", central + 4)
    return bytes(patched)


def measured(call):
    """Run ``call`` twice: (its result or TableError, CPU seconds, peak traced bytes).

    The machine is shared, so the time is this process's CPU time, not the wall clock;
    tracemalloc slows Python code several times over, so the time is taken without it.
    """

    def run():
        try:
            return call()
        except TableError as exc:
            return exc

    started = time.process_time()
    result = run()
    seconds = time.process_time() - started
    tracemalloc.start()
    try:
        run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return result, seconds, peak


def test_a_bomb_of_190_megabytes_is_refused_in_well_under_a_second():
    data = bomb(190 * 1024 * 1024)
    assert len(data) < 1024 * 1024  # under a megabyte on the wire
    result, seconds, peak = measured(lambda: read_sheets(data, "список.xlsx"))
    assert isinstance(result, TableError)
    assert "после распаковки занимает 19" in result.message_ru
    assert "допустимо до 60 МБ" in result.message_ru
    # Generous bounds: about 1 ms and a few kilobytes on the development machine.
    assert seconds < 1.0
    assert peak < 5 * 1024 * 1024


def test_a_bomb_that_understates_its_size_is_refused_as_damaged():
    data = lying(bomb(100 * 1024 * 1024))
    result, seconds, peak = measured(lambda: read_sheets(data, "список.xlsx"))
    assert isinstance(result, TableError)
    assert "повреждён" in result.message_ru
    assert seconds < 1.0
    assert peak < 20 * 1024 * 1024


def test_reading_stops_at_the_row_limit_without_unpacking_the_rest():
    # 50 MB of rows pass the size check; reading stops after the limit's rows.
    data = bomb(50 * 1024 * 1024)
    result, seconds, peak = measured(lambda: read_sheets(data, "список.xlsx", max_rows=10_000))
    assert not isinstance(result, TableError)
    sheet = result[0]
    assert sheet.truncated and len(sheet.rows) == 10_020
    # About 0.4 s and 3 MB here; reading it all took 4 s and 90 MB before.
    assert seconds < 3.0
    assert peak < 30 * 1024 * 1024


@pytest.mark.parametrize("kind", ["bomb", "rows"])
def test_the_upload_refuses_both_with_a_russian_message(app, client, auth, curator, kind):
    auth.login(curator)
    data = bomb(190 * 1024 * 1024) if kind == "bomb" else bomb(20 * 1024 * 1024)
    # Werkzeug's test builder spools a big body to a temporary file it never closes.
    builder = EnvironBuilder(
        path="/people/import",
        method="POST",
        data={"base": "mentees", "file": (io.BytesIO(data), "список.xlsx")},
    )
    environ = builder.get_environ()
    started = time.perf_counter()
    try:
        response = client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    seconds = time.perf_counter() - started
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    if kind == "bomb":
        assert "после распаковки занимает" in html
    else:
        assert "больше 10000 строк" in html and "«Sheet»" in html
    # Wall time of the whole request: 0.05 s and 0.6 s on a quiet machine; generous here
    # because the development machine is shared.
    assert seconds < 15.0
