"""Verification of an agreement PDF or code: the seal, the stored copy, the record and trail."""

import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import or_, select

from portal.agreements import render, trail
from portal.agreements.models import Agreement, Signature
from portal.documents.seal import SealReport, verify_seal
from portal.extensions import db
from portal.text import Case, full_name_in

_CODE = re.compile(r"\b([A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4}-[A-HJ-NP-Z2-9]{4})\b")


@dataclass
class Verdict:
    """What the page shows: a headline, the findings, the agreement and its signatures."""

    ok: bool
    headline: str
    problems: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    agreement: Agreement | None = None
    seal: SealReport | None = None


def trust_roots() -> list[bytes]:
    """The current seal's root and those of seals the administrator replaced."""
    identity = render.seal_identity()
    roots = [identity.trust_root_pem]
    retired = Path(render.seal_directory()) / "retired"
    if retired.is_dir():
        roots.extend(p.read_bytes() for p in sorted(retired.glob("*.pem")))
    return roots


def check_seal(pdf: bytes) -> SealReport:
    report = None
    for root in trust_roots():
        report = verify_seal(pdf, root)
        if report.ok or not report.present or not report.intact:
            return report
    return report


def record_problems(agreement: Agreement) -> list[str]:
    """Signs that the database record was changed behind the portal's back."""
    problems = []
    if agreement.text is None:
        return problems
    if render.text_hash(agreement.text) != agreement.text_hash:
        problems.append(
            "Запись в базе подделана: текст соглашения не совпадает с контрольной суммой, "
            "сохранённой при выпуске."
        )
    for signature in agreement.signatures:
        if signature.document_hash != agreement.text_hash:
            problems.append(
                f"Подпись {full_name_in(signature.signer_name, Case.GENITIVE)} относится "
                "к другой редакции текста "
                "(хеш документа в подписи не совпадает)."
            )
    chain = trail.verify_chain(agreement)
    if not chain.ok:
        problems.append(chain.problem)
    if agreement.pdf_hash:
        stored = agreement.pdf
        if stored is None or hashlib.sha256(stored).hexdigest() != agreement.pdf_hash:
            problems.append("Хранимая копия PDF изменена: её контрольная сумма не совпадает.")
    return problems


def _claimed_code(pdf: bytes) -> str | None:
    """The verification code printed in the PDF, if its text can still be read."""
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(pdf))
        text = "\n".join(page.extract_text() or "" for page in reader.pages[:6])
    except Exception:
        return None
    match = re.search(r"Код проверки соглашения:\s*" + _CODE.pattern, text)
    return match.group(1) if match else None


def by_code(code: str) -> Agreement | None:
    code = code.strip().upper().replace(" ", "")
    if not _CODE.fullmatch(code):
        return None
    agreement = db.session.scalar(select(Agreement).where(Agreement.verify_code == code))
    if agreement is None:
        signature = db.session.scalar(select(Signature).where(or_(Signature.verify_code == code)))
        agreement = signature.agreement if signature else None
    return agreement


def verify_pdf(pdf: bytes) -> Verdict:
    seal = check_seal(pdf)
    digest = hashlib.sha256(pdf).hexdigest()
    agreement = db.session.scalar(select(Agreement).where(Agreement.pdf_hash == digest))
    verdict = Verdict(ok=False, headline="", seal=seal, agreement=agreement)
    if not seal.present:
        verdict.problems.append(seal.problem or "В документе нет электронной печати.")
    elif not seal.intact:
        verdict.problems.append(
            "Документ повреждён или изменён после наложения печати: контрольная сумма не совпадает."
        )
    elif not seal.trusted:
        verdict.problems.append(seal.problem or "Печать не принадлежит Центру.")
    elif not seal.covers_whole_file:
        verdict.problems.append("После наложения печати в документ вносились изменения.")
    else:
        verdict.findings.append(f"Печать цела и принадлежит Центру ({seal.signer}).")
    if agreement is None:
        claimed = by_code(_claimed_code(pdf) or "")
        if claimed is not None:
            verdict.agreement = claimed
            verdict.problems.append(
                f"Файл выдаёт себя за {claimed.title}, но не совпадает с копией, хранящейся в "
                "Центре: это другой или изменённый документ."
            )
        else:
            verdict.problems.append("Такого документа нет среди соглашений, хранящихся в Центре.")
    else:
        verdict.findings.append(
            f"Файл совпадает байт в байт с копией {agreement.title}, хранящейся в Центре."
        )
        verdict.problems.extend(record_problems(agreement))
    verdict.ok = not verdict.problems
    verdict.headline = (
        "Документ подлинный и не изменялся." if verdict.ok else _headline(verdict.problems)
    )
    return verdict


def verify_code(code: str) -> Verdict:
    agreement = by_code(code)
    if agreement is None:
        return Verdict(
            False,
            "Код не найден.",
            ["Соглашения или подписи с таким кодом нет. Проверьте, что код введён без ошибок."],
        )
    problems = record_problems(agreement)
    findings = [f"Код относится к документу {agreement.title}."]
    if agreement.text_hash:
        findings.append(f"Контрольная сумма текста (SHA-256): {agreement.text_hash}.")
    ok = not problems
    return Verdict(
        ok, "Запись о документе цела." if ok else _headline(problems), problems, findings, agreement
    )


def _headline(problems: list[str]) -> str:
    first = problems[0]
    if "повреждён" in first:
        return "Документ повреждён."
    if "подделана" in first or "Журнал" in first or "Хранимая" in first:
        return "Запись в базе подделана."
    return "Документ не прошёл проверку."
