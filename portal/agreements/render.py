"""The agreement's text: fill, normalise and hash it; lay it out; render the PDF and seal it."""

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from portal.documents.pdf import render_pdf
from portal.documents.seal import SealIdentity, ensure_seal_identity, seal_pdf
from portal.settings.models import get_settings
from portal.text import long_date, plural


def canonical_text(text: str) -> str:
    """NFC, \\n line endings, no trailing spaces, no runs of blank lines, one final newline."""
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    lines = [line.rstrip() for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip("\n") + "\n"


def text_hash(text: str) -> str:
    """SHA-256 of the canonical text in UTF-8, hex."""
    return hashlib.sha256(canonical_text(text).encode()).hexdigest()


def date_text(value) -> str:
    """«1» сентября 2026 г. — the agreement's date line."""
    return long_date(value)


def months_word(n: int) -> str:
    return plural(n, "месяц", "месяца", "месяцев")


# --- layout of the frozen text ---------------------------------------------------------


@dataclass(frozen=True)
class Block:
    kind: str  # head | title | place | heading | para | item | signers
    lines: tuple[str, ...]


_HEADING = re.compile(r"^\d+\.\s+[А-ЯЁ][^.]*$")


def layout(text: str) -> list[Block]:
    """Split the frozen text into blocks the page and the PDF style; the words are untouched."""
    blocks: list[Block] = []
    paragraphs = [p.split("\n") for p in canonical_text(text).strip().split("\n\n")]
    for index, lines in enumerate(paragraphs):
        first = lines[0]
        if blocks and blocks[-1].kind == "signers":
            # Everything after «Подписи Сторон» is the list of signers.
            blocks[-1] = Block("signers", blocks[-1].lines + tuple(lines))
            continue
        if index == 0 and first.startswith("Приложение"):
            kind = "head"
        elif first.isupper() and len(first) > 8:
            kind = "title"
        elif "\t" in first and first.startswith("г."):
            kind = "place"
        elif first.startswith("— "):
            kind = "item"
        elif first == "Подписи Сторон":
            kind = "signers"
        elif _HEADING.match(first) and len(lines) == 1:
            kind = "heading"
        else:
            kind = "para"
        if kind == "para" and len(lines) > 1:
            # A paragraph followed by a list of tasks: the lead line, then items.
            blocks.append(Block("para", (lines[0],)))
            blocks.extend(Block("item", (line,)) for line in lines[1:])
            continue
        blocks.append(Block(kind, tuple(lines)))
    return blocks


# --- the seal and the PDF --------------------------------------------------------------


def seal_directory() -> Path:
    return Path(current_app.instance_path) / "seal"


def seal_identity() -> SealIdentity:
    """The centre's seal, generated into the instance folder on first use."""
    settings = get_settings()
    return ensure_seal_identity(
        seal_directory(), settings["org_full_name"], common_name=settings["org_short_name"]
    )


def agreement_html(agreement) -> str:
    # Straight through the environment: a PDF needs no request, user or menu (the demo
    # seeder and the benchmark render outside any request).
    return current_app.jinja_env.get_template("agreements/pdf.html").render(
        agreement=agreement,
        blocks=layout(agreement.text),
        settings=get_settings(),
    )


def render_agreement_pdf(agreement, identity: SealIdentity | None = None) -> bytes:
    """The sealed PDF of an issued agreement with its signing sheet."""
    pdf = render_pdf(agreement_html(agreement), static_root=current_app.static_folder)
    identity = identity or seal_identity()
    return seal_pdf(
        pdf,
        identity,
        reason=f"{agreement.title}: копия Организации, подписи проверены порталом",
        location=f"г. {agreement.city}",
    )


def install_seal(key_pem: bytes, cert_pem: bytes, chain_pem: bytes | None = None) -> SealIdentity:
    """Install the centre's own key and certificate, keeping the old root for old documents."""
    from datetime import UTC, datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    from portal.documents.seal import (
        CERT_FILE,
        CHAIN_FILE,
        KEY_FILE,
        SealError,
        load_seal_identity,
    )

    try:
        key = serialization.load_pem_private_key(key_pem, password=None)
    except TypeError as exc:
        raise SealError("Ключ защищён паролем: загрузите ключ без пароля.") from exc
    except ValueError as exc:
        raise SealError("Файл ключа не читается: нужен закрытый ключ в формате PEM.") from exc
    try:
        certificate = x509.load_pem_x509_certificates(cert_pem)[0]
    except (ValueError, IndexError) as exc:
        raise SealError("Файл сертификата не читается: нужен сертификат в формате PEM.") from exc
    spki = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    if certificate.public_key().public_bytes(der, spki) != key.public_key().public_bytes(der, spki):
        raise SealError("Ключ не соответствует сертификату: загрузите пару из одного комплекта.")
    now = datetime.now(UTC)
    if certificate.not_valid_after_utc <= now:
        raise SealError("Срок действия сертификата истёк.")
    if chain_pem:
        try:
            x509.load_pem_x509_certificates(chain_pem)
        except ValueError as exc:
            raise SealError("Файл цепочки сертификатов не читается.") from exc
    directory = seal_directory()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    retired = directory / "retired"
    if (directory / CERT_FILE).exists():
        try:
            old = load_seal_identity(directory)
            retired.mkdir(exist_ok=True)
            name = hashlib.sha256(old.trust_root_pem).hexdigest()[:16]
            (retired / f"{name}.pem").write_bytes(old.trust_root_pem)
        except SealError:
            pass
    files = [
        (
            KEY_FILE,
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            ),
        ),
        (CERT_FILE, cert_pem),
    ]
    for name, data in files:
        tmp = directory / f".{name}.upload"
        tmp.write_bytes(data)
        tmp.chmod(0o600 if name == KEY_FILE else 0o644)
        tmp.replace(directory / name)
    chain_path = directory / CHAIN_FILE
    if chain_pem:
        chain_path.write_bytes(chain_pem)
    elif chain_path.exists():
        chain_path.unlink()
    return load_seal_identity(directory)
