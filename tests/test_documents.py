"""Tests of the document layer: PDF rendering, the electronic seal and spreadsheet tables."""

import http.client
import io
import os
import random
import shutil
import socket
import stat
import subprocess
import time
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID
from jinja2 import Environment, FileSystemLoader, select_autoescape
from openpyxl import Workbook, load_workbook
from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics
from xhtml2pdf import files as xhtml2pdf_files

from portal.documents.pdf import PdfRenderError, render_pdf
from portal.documents.seal import (
    CERT_FILE,
    CHAIN_FILE,
    KEY_FILE,
    SealError,
    SealIdentity,
    ensure_seal_identity,
    seal_pdf,
    verify_seal,
)
from portal.documents.tables import (
    Column,
    TableError,
    parse_date,
    read_table,
    write_csv,
    write_xlsx,
)

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "static"
TEMPLATES = ROOT / "templates"
FONT_FILES = ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf")
NAME = "Иванов Пётр Сергеевич, ёлка, Щука"
ORGANISATION = "ЦДТ «Радуга»"
NOISE = random.Random(20261121).randbytes(2048)


# --- helpers ----------------------------------------------------------------------------


def render_template(source: str, **context: object) -> str:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)), autoescape=select_autoescape(default=True)
    )
    return env.from_string(source).render(**context)


def document_html(body: str = "", rows: int = 0) -> str:
    return render_template(
        """{% extends "documents/_pdf_base.html" %}
{% block title %}Проверка{% endblock %}
{% block footer_note %}Портал наставничества{% endblock %}
{% block content %}
<h1>Справка</h1>
<p>{{ name }}</p>
<p><b>Жирная строка: {{ name }}</b></p>
<p class="serif">Шрифт с засечками: <b>жирный</b>.</p>
{{ body|safe }}
{% if rows %}<table><tr><th>№</th><th>ФИО</th></tr>
{% for i in range(rows) %}<tr><td>{{ i }}</td><td>Сидорова Анна</td></tr>{% endfor %}
</table>{% endif %}
{% endblock %}""",
        name=NAME,
        body=body,
        rows=rows,
    )


def pdf_text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def base_fonts(pdf: bytes) -> set[str]:
    names = set()
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
    return names


@pytest.fixture(scope="module")
def private_static(tmp_path_factory) -> Path:
    """A static folder of our own, with the fonts copied in and one image."""
    root = tmp_path_factory.mktemp("static")
    (root / "fonts").mkdir()
    for name in FONT_FILES:
        shutil.copyfile(STATIC / "fonts" / name, root / "fonts" / name)
    (root / "img").mkdir()
    Image.new("RGB", (4, 4), "red").save(root / "img" / "dot.png")
    return root


@pytest.fixture(scope="module")
def sample_pdf() -> bytes:
    return render_pdf(document_html(rows=50), static_root=STATIC)


@pytest.fixture(scope="module")
def identity(tmp_path_factory) -> SealIdentity:
    return ensure_seal_identity(tmp_path_factory.mktemp("seal"), ORGANISATION)


@pytest.fixture(scope="module")
def sealed(sample_pdf, identity) -> bytes:
    return seal_pdf(sample_pdf, identity, reason="Подлинность документа", location="г. Москва")


# --- fonts ------------------------------------------------------------------------------


def test_fonts_and_licence_are_shipped():
    for name in FONT_FILES:
        data = (STATIC / "fonts" / name).read_bytes()
        assert data[:4] == b"\x00\x01\x00\x00", name
    licence = (STATIC / "fonts" / "LICENSE-DejaVu.txt").read_text()
    assert "Bitstream Vera" in licence
    assert "DejaVu changes are in public domain" in licence


# --- PDF --------------------------------------------------------------------------------


def test_pdf_renders_cyrillic_bold_and_page_footer(sample_pdf):
    text = pdf_text(sample_pdf)
    assert NAME in text
    assert f"Жирная строка: {NAME}" in text
    for bad in ("■", "?", "\ufffd"):
        assert bad not in text
    assert "стр. 1 из 2" in text
    assert "стр. 2 из 2" in text
    assert {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSerif", "DejaVuSerif-Bold"} <= base_fonts(
        sample_pdf
    )


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils not installed")
def test_pdf_text_reads_back_with_poppler(sample_pdf, tmp_path):
    path = tmp_path / "doc.pdf"
    path.write_bytes(sample_pdf)
    text = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, check=True
    ).stdout.decode()
    assert NAME in text
    assert "■" not in text and "?" not in text


def test_pdf_refuses_everything_outside_static(private_static, tmp_path, monkeypatch):
    secret = tmp_path / "secret.png"
    Image.new("RGB", (4, 4), "blue").save(secret)
    outside = [
        str(secret),
        secret.as_uri(),
        "/etc/passwd",
        "file:///etc/hostname",
        "http://example.com/x.png",
        "https://169.254.169.254/latest/meta-data/",
        "../" + secret.name,
        "img/../../" + secret.name,
    ]
    opened: list[str] = []
    network: list[object] = []
    real_open = open

    def spying_open(file, *args, **kwargs):
        opened.append(str(file))
        return real_open(file, *args, **kwargs)

    def no_network(*args, **kwargs):
        # Recorded, not raised: xhtml2pdf would swallow an exception and carry on.
        network.append(args)
        raise OSError("network is off in this test")

    # files.py reads every resource through the open() it finds in its own globals.
    monkeypatch.setattr(xhtml2pdf_files, "open", spying_open, raising=False)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    monkeypatch.setattr(http.client.HTTPConnection, "connect", no_network)

    images = "".join(f'<img src="{uri}" width="10" height="10">' for uri in outside)
    refused: list[str] = []
    pdf = render_pdf(
        document_html(images + '<img src="img/dot.png">'),
        static_root=private_static,
        on_refused=refused.append,
    )

    assert NAME in pdf_text(pdf)
    assert set(refused) == set(outside)
    assert network == []
    root = str(private_static.resolve())
    assert opened, "the allowed image was not read through xhtml2pdf.files"
    assert all(Path(path).resolve().is_relative_to(root) for path in opened), opened
    assert any(path.endswith("dot.png") for path in opened)


def test_pdf_embeds_allowed_static_image(private_static):
    refused: list[str] = []
    pdf = render_pdf(
        document_html('<img src="img/dot.png" width="20" height="20">'),
        static_root=private_static,
        on_refused=refused.append,
    )
    assert refused == []
    assert PdfReader(io.BytesIO(pdf)).pages[0].images


def test_pdf_font_registration_is_reused():
    render_pdf(document_html(), static_root=STATIC)
    registered = set(pdfmetrics.getRegisteredFontNames())
    render_pdf(document_html(), static_root=STATIC)
    assert set(pdfmetrics.getRegisteredFontNames()) == registered


def test_pdf_render_errors_are_reported_in_russian(tmp_path):
    with pytest.raises(PdfRenderError, match="Не удалось сформировать PDF"):
        render_pdf("<p>x</p>", static_root=tmp_path / "missing")
    too_deep = "<div>" * 400 + "x" + "</div>" * 400
    with pytest.raises(PdfRenderError, match="слишком большой или сложный") as caught:
        render_pdf(too_deep, static_root=STATIC)
    assert caught.value.detail


# --- seal -------------------------------------------------------------------------------


def test_ensure_seal_identity_creates_a_self_issued_root_once(tmp_path):
    directory = tmp_path / "seal"
    first = ensure_seal_identity(directory, ORGANISATION)

    assert stat.S_IMODE(os.stat(directory / KEY_FILE).st_mode) == 0o600
    assert isinstance(first.private_key, rsa.RSAPrivateKey)
    assert first.private_key.key_size == 3072
    cert = first.certificate
    assert cert.subject == cert.issuer
    assert cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value == ORGANISATION
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == ORGANISATION
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment
    lifetime = cert.not_valid_after_utc - cert.not_valid_before_utc
    assert timedelta(days=3650) <= lifetime <= timedelta(days=3660)
    assert first.trust_root_pem == first.certificate_pem

    second = ensure_seal_identity(directory, "Совсем другая организация")
    assert second.certificate == first.certificate
    assert second.certificate_pem == (directory / CERT_FILE).read_bytes()


def test_long_organisation_name_is_shortened_only_in_cn(tmp_path):
    long_name = (
        "Муниципальное бюджетное учреждение дополнительного образования "
        "«Центр детского творчества «Радуга»»"
    )
    cert = ensure_seal_identity(tmp_path / "a", long_name).certificate
    cn = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    # cryptography counts the 64 allowed in UTF-8 bytes: 32 Cyrillic letters.
    assert cn == "Муниципальное бюджетное…"
    assert cert.subject.get_attributes_for_oid(NameOID.ORGANIZATION_NAME)[0].value == long_name

    named = ensure_seal_identity(tmp_path / "b", long_name, common_name="ЦДТ «Радуга»")
    cn = named.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == "ЦДТ «Радуга»"


def test_seal_errors_are_reported_in_russian(identity):
    with pytest.raises(SealError, match="Не удалось поставить печать"):
        seal_pdf(b"not a pdf", identity, reason="r", location="l")
    with pytest.raises(SealError, match="Корневой сертификат"):
        verify_seal(b"%PDF-1.7", b"not a certificate")


def test_half_installed_identity_is_not_replaced(tmp_path):
    (tmp_path / KEY_FILE).write_bytes(b"-----BEGIN PRIVATE KEY-----\n")
    with pytest.raises(SealError, match="Не найден файл печати"):
        ensure_seal_identity(tmp_path, ORGANISATION)
    assert not (tmp_path / CERT_FILE).exists()


def test_sealed_pdf_verifies(sealed, identity):
    started = datetime.now(UTC)
    report = verify_seal(sealed, identity.trust_root_pem)

    assert report.present and report.intact and report.trusted and report.covers_whole_file
    assert report.ok
    assert report.problem is None
    assert report.signer == ORGANISATION
    assert report.signed_at is not None and report.signed_at.tzinfo is not None
    assert abs(report.signed_at - started) < timedelta(minutes=10)
    assert NAME in pdf_text(sealed)


def test_seal_is_invisible_pades(sealed):
    field = PdfReader(io.BytesIO(sealed)).trailer["/Root"]["/AcroForm"]["/Fields"][0]
    field = field.get_object()
    assert field["/T"] == "Seal"
    assert [float(v) for v in field["/Rect"]] == [0, 0, 0, 0]
    signature = field["/V"].get_object()
    assert signature["/SubFilter"] == "/ETSI.CAdES.detached"
    assert signature["/Reason"] == "Подлинность документа"
    assert signature["/Location"] == "г. Москва"


def test_flipped_byte_in_signed_content_is_detected(sealed, identity):
    signature = PdfReader(io.BytesIO(sealed)).trailer["/Root"]["/AcroForm"]["/Fields"][0]
    first_range_end = signature.get_object()["/V"]["/ByteRange"][1]
    # Inside a page content stream: the file still parses, only the hash changes.
    position = sealed.index(b"stream", 100) + 40
    assert position < first_range_end
    tampered = bytearray(sealed)
    tampered[position] ^= 0x01

    report = verify_seal(bytes(tampered), identity.trust_root_pem)
    assert report.present
    assert not report.intact
    assert not report.ok
    assert "изменён" in report.problem


def test_other_root_is_not_trusted(sealed, tmp_path):
    stranger = ensure_seal_identity(tmp_path, "Посторонняя организация")
    report = verify_seal(sealed, stranger.trust_root_pem)
    assert report.present and report.intact
    assert not report.trusted
    assert "доверенным" in report.problem


def test_changes_after_sealing_are_reported(sealed, identity):
    writer = IncrementalPdfFileWriter(io.BytesIO(sealed))
    writer.root["/Lang"] = generic.TextStringObject("ru")
    writer.update_root()
    output = io.BytesIO()
    writer.write(output)

    report = verify_seal(output.getvalue(), identity.trust_root_pem)
    assert report.present and report.intact and report.trusted
    assert not report.covers_whole_file
    assert "изменения" in report.problem


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda pdf, sealed: b"", "не является PDF"),
        (lambda pdf, sealed: "Иванов Пётр".encode(), "не является PDF"),
        (lambda pdf, sealed: NOISE * 2, "не является PDF"),
        (lambda pdf, sealed: sealed[: len(sealed) // 2], "повреждён"),
        (lambda pdf, sealed: b"%PDF-1.7\n" + NOISE, "повреждён"),
        (lambda pdf, sealed: pdf, "нет электронной печати"),
    ],
    ids=["empty", "text", "random", "truncated", "pdf-header-garbage", "unsealed"],
)
def test_bad_input_is_reported_not_raised(make, problem, sample_pdf, sealed, identity):
    report = verify_seal(make(sample_pdf, sealed), identity.trust_root_pem)
    assert not report.present
    assert not report.ok
    assert problem in report.problem


def _certificate(subject, issuer, public_key, signing_key, *, ca: bool) -> x509.Certificate:
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(signing_key, hashes.SHA256())
    )


def test_administrator_key_with_chain_is_used(tmp_path, sample_pdf):
    def name(text: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, text)])

    root_key, ca_key, seal_key = (ec.generate_private_key(ec.SECP256R1()) for _ in range(3))
    root = _certificate(
        name("Корневой УЦ"), name("Корневой УЦ"), root_key.public_key(), root_key, ca=True
    )
    ca = _certificate(
        name("Промежуточный УЦ"), root.subject, ca_key.public_key(), root_key, ca=True
    )
    leaf = _certificate(name("ЦДТ «Радуга»"), ca.subject, seal_key.public_key(), ca_key, ca=False)
    pem = serialization.Encoding.PEM
    (tmp_path / KEY_FILE).write_bytes(
        seal_key.private_bytes(pem, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    (tmp_path / CERT_FILE).write_bytes(leaf.public_bytes(pem))
    (tmp_path / CHAIN_FILE).write_bytes(ca.public_bytes(pem) + root.public_bytes(pem))

    installed = ensure_seal_identity(tmp_path, ORGANISATION)
    assert installed.certificate == leaf
    assert installed.chain == (ca, root)
    assert installed.trust_root_pem == root.public_bytes(pem)

    report = verify_seal(
        seal_pdf(sample_pdf, installed, reason="Проверка", location="Москва"),
        root.public_bytes(pem),
    )
    assert report.ok, report.problem
    assert report.signer == "ЦДТ «Радуга»"


# --- tables -----------------------------------------------------------------------------

COLUMNS = [
    Column("number", "№", width=6, kind="int"),
    Column("name", "ФИО наставляемого"),
    Column("born", "Дата рождения", kind="date"),
    Column("note", "Примечание"),
]
ROWS = [
    {"number": 1, "name": "Иванов Пётр Сергеевич", "born": date(2014, 3, 8), "note": "ёлка"},
    {"number": 2, "name": "Щукина Анна", "born": date(2015, 12, 31), "note": "=HYPERLINK(1)"},
    {"number": 3, "name": "Сидоров Илья", "born": None, "note": "+7 999 123-45-67"},
]


def test_xlsx_layout():
    data = write_xlsx("Список наставляемых", COLUMNS, ROWS, subtitle="Сформировано 21.11.2026")
    sheet = load_workbook(io.BytesIO(data)).active

    assert sheet.title == "Лист1"
    assert sheet["A1"].value == "Список наставляемых"
    assert sheet["A1"].font.b
    assert [str(r) for r in sheet.merged_cells.ranges] == ["A1:D1"]
    assert sheet["A2"].value == "Сформировано 21.11.2026"
    assert [cell.value for cell in sheet[3]] == [column.title for column in COLUMNS]
    assert all(cell.font.b and cell.alignment.wrap_text for cell in sheet[3])
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref == "A3:D6"
    assert sheet["C4"].value == datetime(2014, 3, 8)
    assert sheet["C4"].number_format == "DD.MM.YYYY"
    assert sheet["A4"].value == 1
    # Text that looks like a formula stays text.
    assert sheet["D5"].value == "=HYPERLINK(1)" and sheet["D5"].data_type == "s"
    assert sheet.column_dimensions["A"].width == 6
    assert 10 <= sheet.column_dimensions["B"].width <= 60


def test_xlsx_without_subtitle_leaves_row_two_blank():
    sheet = load_workbook(io.BytesIO(write_xlsx("Отчёт", COLUMNS[:1], ROWS))).active
    assert sheet["A2"].value is None
    assert not sheet.merged_cells.ranges
    assert sheet.auto_filter.ref == "A3:A6"


def test_xlsx_round_trip_keeps_dates_and_cyrillic():
    table = read_table(write_xlsx("Список", COLUMNS, ROWS), "список.xlsx")

    assert table.headers == [column.title for column in COLUMNS]
    assert [number for number, _ in table.rows] == [4, 5, 6]
    first = table.rows[0][1]
    assert first == {
        "№": "1",
        "ФИО наставляемого": "Иванов Пётр Сергеевич",
        "Дата рождения": date(2014, 3, 8),
        "Примечание": "ёлка",
    }
    assert type(first["Дата рождения"]) is date
    assert table.rows[2][1]["Дата рождения"] is None
    assert table.rows[1][1]["Примечание"] == "=HYPERLINK(1)"


def test_xlsx_long_values_are_capped_in_width():
    rows = [{"name": "Щ" * 200}]
    sheet = load_workbook(io.BytesIO(write_xlsx("Т", [Column("name", "Имя")], rows))).active
    assert sheet.column_dimensions["A"].width == 60


def test_xlsx_ten_thousand_rows_are_written_and_read_quickly():
    rows = [
        {"number": i, "name": f"Иванов Пётр {i}", "born": date(2010, 1, 1) + timedelta(i)}
        for i in range(10_000)
    ]
    started = time.perf_counter()
    data = write_xlsx("Большой список", COLUMNS, rows)
    written = time.perf_counter() - started
    started = time.perf_counter()
    table = read_table(data, "big.xlsx")
    read = time.perf_counter() - started

    assert len(table.rows) == 10_000
    assert table.rows[-1] == (
        10_003,
        {
            "№": "9999",
            "ФИО наставляемого": "Иванов Пётр 9999",
            "Дата рождения": date(2010, 1, 1) + timedelta(9999),
            "Примечание": None,
        },
    )
    # Generous bounds: about 0.8 s and 0.7 s on the development machine.
    assert written < 10 and read < 10


def test_csv_has_bom_semicolons_and_round_trips():
    data = write_csv(COLUMNS, ROWS)

    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "№;ФИО наставляемого;Дата рождения;Примечание"
    assert lines[1] == "1;Иванов Пётр Сергеевич;08.03.2014;ёлка"
    assert lines[2].endswith(";'=HYPERLINK(1)")

    table = read_table(data, "список.csv")
    assert table.headers == [column.title for column in COLUMNS]
    assert table.rows[0] == (
        2,
        {
            "№": "1",
            "ФИО наставляемого": "Иванов Пётр Сергеевич",
            "Дата рождения": "08.03.2014",
            "Примечание": "ёлка",
        },
    )
    assert table.rows[1][1]["Примечание"] == "=HYPERLINK(1)"
    assert table.rows[2][1]["Примечание"] == "+7 999 123-45-67"
    assert parse_date(table.rows[0][1]["Дата рождения"]) == date(2014, 3, 8)


@pytest.mark.parametrize("encoding", ["cp1251", "utf-8", "utf-16"])
@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
def test_csv_encodings_and_delimiters(encoding, delimiter):
    text = "\r\n".join(
        delimiter.join(row)
        for row in [["ФИО", "Группа"], ["Ёлкина Щука", "7-А"], ["", ""], ["Пётр", "5-Б"]]
    )
    table = read_table(text.encode(encoding), "дети.csv")
    assert table.headers == ["ФИО", "Группа"]
    assert table.rows == [
        (2, {"ФИО": "Ёлкина Щука", "Группа": "7-А"}),
        (4, {"ФИО": "Пётр", "Группа": "5-Б"}),
    ]


def _xlsx(rows: list[list[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_header_is_found_below_a_title_and_matched_loosely():
    data = _xlsx(
        [
            ["Сведения о детях"],
            [None],
            ["  фио  ", "ДАТА РОЖДЕНИЯ", "Лишний"],
            ["Иванов", datetime(2015, 5, 1), None],
            [None, None, None],
            ["Петров", "01.02.2016", 5.0],
        ]
    )
    table = read_table(data, "дети.xlsx", expected_headers=["ФИО", "Дата рождения"])
    assert table.headers == ["ФИО", "Дата рождения", "Лишний"]
    assert table.rows == [
        (4, {"ФИО": "Иванов", "Дата рождения": date(2015, 5, 1), "Лишний": None}),
        (6, {"ФИО": "Петров", "Дата рождения": "01.02.2016", "Лишний": "5"}),
    ]
    assert read_table(data, "дети.xlsx").headers == ["фио", "ДАТА РОЖДЕНИЯ", "Лишний"]


def test_parse_date():
    assert parse_date(None) is None
    assert parse_date(" ") is None
    assert parse_date(date(2020, 1, 2)) == date(2020, 1, 2)
    assert parse_date("2020-01-02") == date(2020, 1, 2)
    with pytest.raises(TableError, match="Не удалось распознать дату"):
        parse_date("вчера")


def _zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def _broken_xlsx() -> bytes:
    good = _xlsx([["А", "Б"], ["1", "2"]])
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    entries["xl/workbook.xml"] = b"<workbook><oops"
    return _zip(entries)


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "пусто.csv", "Файл пустой"),
        (NOISE, "шум.csv", "не похож на таблицу"),
        (bytes(range(256)) * 8, "шум.xlsx", "не таблица Excel"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "справка.pdf", "PDF"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "старый.xls", ".xls"),
        (_zip({"readme.txt": b"hello"}), "архив.zip", "ZIP-архив"),
        (_zip({"content.xml": b"<x/>", "mimetype": b"x"}), "таблица.ods", "OpenDocument"),
        (_broken_xlsx(), "битый.xlsx", "повреждён"),
        (_xlsx([["А", "Б"]])[:300], "обрезан.xlsx", "повреждён"),
        ("Список\nИванов\nПетров\n".encode(), "один.csv", "Не найдена строка заголовков"),
        ("ФИО;ФИО\nА;Б\n".encode(), "дубль.csv", "встречается в заголовке дважды"),
        (b"\n;;\n\n", "pustaya.csv", "нет данных"),
    ],
    ids=[
        "empty",
        "random",
        "random-named-xlsx",
        "pdf",
        "xls",
        "zip",
        "ods",
        "broken-xml",
        "truncated-zip",
        "no-header",
        "duplicate-header",
        "only-separators",
    ],
)
def test_read_table_rejects_bad_files_in_russian(data, filename, message):
    with pytest.raises(TableError, match=message) as caught:
        read_table(data, filename)
    assert caught.value.message_ru == str(caught.value)
    assert caught.value.__cause__ is None or not isinstance(caught.value.__cause__, TableError)


def test_read_table_size_limit():
    with pytest.raises(TableError, match="Файл больше 10 МБ"):
        read_table(b"a;b\n" * (10 * 1024 * 1024 // 4 + 1), "big.csv")
    with pytest.raises(TableError, match="Файл больше 1 МБ"):
        read_table(b"a;b\n" * 300_000, "big.csv", max_bytes=1024 * 1024)


def test_read_table_missing_expected_headers():
    with pytest.raises(TableError, match="«Дата рождения»"):
        read_table(
            "ФИО;Группа\nИванов;1\n".encode(), "a.csv", expected_headers=["ФИО", "Дата рождения"]
        )
