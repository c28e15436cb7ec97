"""The paper route (Приложение № 3: «в двух экземплярах»): print the blanks, record the
handwritten signing with its scan; the agreement is then signed like an electronic one."""

import hashlib
import io
from datetime import UTC, date, datetime, time

from flask import current_app
from PIL import Image, UnidentifiedImageError

from portal import audit
from portal.agreements import lifecycle, render, signing, trail
from portal.agreements.models import ROUTE_PAPER, SIGNED_STATUSES, SIGNING, Agreement
from portal.documents.pdf import render_pdf
from portal.domain import RuleViolation
from portal.people.consents import Scan, check_scan
from portal.settings.models import get_settings
from portal.timeutil import MOSCOW, to_moscow, today_moscow


def paper_html(agreement: Agreement) -> str:
    return current_app.jinja_env.get_template("agreements/paper_pdf.html").render(
        agreement=agreement,
        blocks=render.layout(agreement.text),
        settings=get_settings(),
    )


def paper_pdf(agreement: Agreement) -> bytes:
    """Two copies of the frozen text with blank signature lines; no seal, no e-signature marks."""
    if not agreement.text:
        raise RuleViolation("Черновик ещё не выпущен: распечатать можно выпущенный текст.")
    return render_pdf(paper_html(agreement), static_root=current_app.static_folder)


def scan_as_pdf(scan: Scan) -> tuple[bytes, str]:
    """The centre's copy as PDF: a PDF scan as is, an image wrapped into a one-page PDF."""
    mimetype = check_scan(scan)
    if mimetype == "application/pdf":
        return scan.data, mimetype
    try:
        image = Image.open(io.BytesIO(scan.data))
        image.load()
    except (UnidentifiedImageError, OSError) as exc:
        raise RuleViolation("Изображение скана повреждено или не читается.") from exc
    out = io.BytesIO()
    image.convert("RGB").save(out, "PDF", resolution=150)
    return out.getvalue(), mimetype


def sign_on_paper(agreement_id: int, signed_on: date | None, scan: Scan, user) -> Agreement:
    """Record that every party signed the printed copy on a date; the scan is the copy kept."""
    agreement = lifecycle.lock(agreement_id)
    if agreement.status in SIGNED_STATUSES:
        raise RuleViolation(
            "Соглашение уже подписано: повторно отметить подписание на бумаге нельзя."
        )
    if agreement.status != SIGNING:
        raise RuleViolation("Отметить подписание на бумаге можно, когда соглашение выпущено.")
    if agreement.declines:
        raise RuleViolation(
            "Один из подписантов отказался подписать: подготовьте новую редакцию соглашения."
        )
    if signed_on is None:
        raise RuleViolation("Укажите дату подписания на бумаге.")
    issued_on = to_moscow(agreement.issued_at).date()
    if signed_on > today_moscow():
        raise RuleViolation("Дата подписания не может быть в будущем.")
    if signed_on < issued_on:
        raise RuleViolation(
            f"Дата подписания раньше выпуска соглашения ({issued_on:%d.%m.%Y}): "
            "подписать невыпущенный текст нельзя."
        )
    pdf, mimetype = scan_as_pdf(scan)
    agreement.paper_signed_on = signed_on
    agreement.paper_scan_type = mimetype
    # Noon Moscow time of the day written on paper: the exact hour is not on the document.
    signed_at = datetime.combine(signed_on, time(12), MOSCOW).astimezone(UTC)
    trail.append(
        agreement,
        "signed_on_paper",
        actor=user,
        data={
            "signed_on": signed_on.isoformat(),
            "scan_sha256": hashlib.sha256(scan.data).hexdigest(),
            "scan_type": mimetype,
            "electronic_before": len(agreement.signatures),
        },
    )
    signing.complete_signing(agreement, user, signed_at=signed_at, route=ROUTE_PAPER, pdf=pdf)
    audit.record(
        "agreement_signed_on_paper",
        "agreement",
        agreement.id,
        summary=f"{agreement.title}: подписано на бумаге {signed_on:%d.%m.%Y}, скан загружен",
        actor=user,
    )
    return agreement
