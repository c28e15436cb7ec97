"""Consents to the processing of personal data (Приложение № 2) and to publication (ст. 10.1)."""

from dataclasses import dataclass
from datetime import date

from portal import audit
from portal.domain import RuleViolation
from portal.extensions import db
from portal.people.models import Consent, Person
from portal.people.rules import (
    consent_state,
    consent_variant,
    representatives_of,
    signing_rule,
)
from portal.signals import consent_revoked
from portal.statuses import ConsentState
from portal.timeutil import today_moscow

KINDS = {
    "processing": "на обработку персональных данных",
    "publication": "на публикацию (ст. 10.1)",
}
METHODS = {"paper": "на бумаге", "electronic": "электронная подпись"}
MAX_SCAN_BYTES = 10 * 1024 * 1024
_SCAN_TYPES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


@dataclass(frozen=True)
class Scan:
    filename: str
    data: bytes


def check_scan(scan: Scan) -> str:
    """The scan's MIME type by its first bytes; RuleViolation for anything else or too big."""
    if not scan.data:
        raise RuleViolation("Файл скана пустой.")
    if len(scan.data) > MAX_SCAN_BYTES:
        raise RuleViolation("Скан больше 10 МБ: уменьшите разрешение или сожмите файл.")
    for magic, mimetype, _ in _SCAN_TYPES:
        if scan.data.startswith(magic):
            return mimetype
    raise RuleViolation("Скан должен быть в формате PDF, JPEG или PNG.")


def allowed_signers(person: Person, on: date | None = None) -> tuple[list[Person], list[Person]]:
    """Who may sign and who must co-sign the person's consent on a date, by age."""
    rule = signing_rule(person, on)
    reps = [link.representative for link in representatives_of(person)]
    if rule.mode == "self":
        return [person], []
    if rule.mode == "self_with_representative":
        return [person], reps
    return reps, []


def record_consent(
    person: Person,
    *,
    kind: str,
    signed_by: Person | None,
    co_signed_by: Person | None,
    signed_on: date,
    method: str,
    signature_ref: str | None = None,
    scan: Scan | None = None,
    actor=None,
) -> Consent:
    """Record a signed consent after checking who signed against the age and the representatives.

    The agreements area calls this with ``method="electronic"`` and the signature's id.
    """
    if kind not in KINDS:
        raise RuleViolation("Неизвестный вид согласия.")
    if method not in METHODS:
        raise RuleViolation("Неизвестный способ подписания.")
    if signed_on is None:
        raise RuleViolation("Укажите дату подписания согласия.")
    if signed_on > today_moscow():
        raise RuleViolation("Дата подписания согласия в будущем.")
    if person.birth_date and signed_on < person.birth_date:
        raise RuleViolation("Дата подписания согласия раньше даты рождения.")
    if person.anonymised_at is not None:
        raise RuleViolation("Запись обезличена: согласие к ней не оформляется.")
    if method == "electronic" and not signature_ref:
        raise RuleViolation("Для электронного согласия нужна ссылка на подпись.")
    rule = signing_rule(person, signed_on)
    signers, co_signers = allowed_signers(person, signed_on)
    name = person.short_name
    if rule.mode == "representative":
        if not signers:
            raise RuleViolation(
                f"{name} нет 14 лет: согласие подписывает законный представитель, "
                "а он не указан. Сначала добавьте родителя или опекуна."
            )
        if signed_by is None or signed_by.id not in {p.id for p in signers}:
            raise RuleViolation(
                f"{name} нет 14 лет: согласие подписывает законный представитель "
                f"({', '.join(p.short_name for p in signers)})."
            )
        if co_signed_by is not None:
            raise RuleViolation("Согласие за ребёнка до 14 лет подписывает только представитель.")
    elif rule.mode == "self_with_representative":
        if signed_by is None or signed_by.id != person.id:
            raise RuleViolation(f"{name} от 14 до 18 лет: согласие подписывает он(а) сам(а).")
        if not co_signers:
            raise RuleViolation(
                f"{name} от 14 до 18 лет: нужна подпись законного представителя, "
                "а он не указан. Сначала добавьте родителя или опекуна."
            )
        if co_signed_by is None or co_signed_by.id not in {p.id for p in co_signers}:
            raise RuleViolation(
                f"{name} от 14 до 18 лет: согласие подписывается вместе с законным "
                f"представителем ({', '.join(p.short_name for p in co_signers)})."
            )
    else:
        if signed_by is None or signed_by.id != person.id:
            raise RuleViolation(f"{name} совершеннолетний(-яя): согласие подписывает он(а) сам(а).")
        if co_signed_by is not None:
            raise RuleViolation("Совершеннолетний подписывает согласие без представителя.")
    consent = Consent(
        person=person,
        kind=kind,
        variant=consent_variant(person, signed_on),
        signed_by=signed_by,
        co_signed_by=co_signed_by,
        signed_on=signed_on,
        method=method,
        signature_ref=signature_ref,
        created_by_id=getattr(actor, "id", None),
    )
    if scan is not None:
        consent.scan_mimetype = check_scan(scan)
        consent.scan = scan.data
        consent.scan_filename = scan.filename[:200] or "scan"
    db.session.add(consent)
    db.session.flush()
    audit.record(
        "consent_recorded",
        "person",
        person.id,
        audit.diff(
            {},
            {
                "consent": KINDS[kind],
                "signed_by": signed_by.full_name if signed_by else None,
                "co_signed_by": co_signed_by.full_name if co_signed_by else None,
                "signed_on": signed_on,
                "method": METHODS[method],
                "scan": consent.scan_filename,
            },
        ),
        summary=f"Согласие {KINDS[kind]} (вариант {consent.variant})",
        actor=actor,
    )
    return consent


def revoke_consent(consent: Consent, *, revoked_on: date, reason: str, actor=None) -> list:
    """Revoke a consent and announce it (``signals.consent_revoked``).

    Returns what the handlers flagged for the curator (matching: the person's open pairs,
    when no valid processing consent remains).
    """
    if consent.revoked_on is not None:
        raise RuleViolation("Это согласие уже отозвано.")
    if revoked_on is None:
        raise RuleViolation("Укажите дату отзыва.")
    if revoked_on > today_moscow():
        raise RuleViolation("Дата отзыва в будущем.")
    if revoked_on < consent.signed_on:
        raise RuleViolation("Дата отзыва раньше даты подписания согласия.")
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation("Укажите причину или основание отзыва (например, заявление).")
    if len(reason) > 500:
        raise RuleViolation("Причина отзыва — не длиннее 500 символов.")
    consent.revoked_on = revoked_on
    consent.revoke_reason = reason
    person = consent.person
    db.session.flush()
    db.session.refresh(person, ["consents"])
    audit.record(
        "consent_revoked",
        "person",
        person.id,
        audit.diff(
            {"consent": KINDS[consent.kind]},
            {"consent": "отозвано", "revoked_on": revoked_on, "revoke_reason": reason},
        ),
        summary=f"Отзыв согласия {KINDS[consent.kind]}",
        actor=actor,
    )
    results = consent_revoked.send(
        person,
        consent=consent,
        revoked_on=revoked_on,
        no_valid_left=consent_state(person, consent.kind) != ConsentState.VALID,
        actor=actor,
    )
    return [flagged for _, found in results for flagged in (found or [])]
