"""Simple electronic signature (ПЭП): rules acceptance, signing by password or code, declining."""

import hashlib
from dataclasses import dataclass

from sqlalchemy import select

from portal import audit
from portal.accounts.security import verify_password
from portal.agreements import lifecycle, render, trail
from portal.agreements.models import (
    CAPACITY_REPRESENTATIVE,
    METHOD_PASSWORD,
    ROUTE_ELECTRONIC,
    SIGNED,
    SIGNING,
    Agreement,
    Decline,
    Signature,
    SignatureRulesAcceptance,
    SignatureSlot,
)
from portal.domain import RuleViolation
from portal.extensions import db
from portal.people.rules import representatives_of, signing_rule
from portal.settings.models import esign_order, get_settings
from portal.statuses import AgreementStatus
from portal.timeutil import to_moscow, utcnow


@dataclass(frozen=True)
class RequestInfo:
    """Where a signature came from: recorded with it, never used to decide who signs."""

    ip: str | None
    user_agent: str | None


ESIGN_OFF = (
    "Электронная подпись в Центре пока не введена: приказ об утверждении правил простой "
    "электронной подписи не указан в настройках. Документ подписывается на бумаге — куратор "
    "распечатает его, а подписанный экземпляр загрузит как скан."
)
NO_SIGNER_KEY = (
    "Подписать электронно можно только паролем, который вы задали сами после проверки "
    "личности у куратора. Обратитесь к куратору: он сверит документ и передаст вам экран, "
    "где вы зададите свой пароль."
)


def esign_adopted() -> bool:
    """A ПЭП is valid in the centre only under the local act (63-ФЗ ст. 9 ч. 2)."""
    return esign_order() is not None


def require_esign_adopted() -> None:
    if not esign_adopted():
        raise RuleViolation(ESIGN_OFF)


def rules_text() -> str:
    values = get_settings()
    order = esign_order(values)
    head = f"Утверждены приказом от {order[1]} № {order[0]}.\n" if order else "Приказ не издан.\n"
    return head + values["signature_rules"]


def rules_hash(text: str | None = None) -> str:
    return render.text_hash(text if text is not None else rules_text())


def has_accepted_rules(user=None, person_id: int | None = None) -> bool:
    """Accepted the CURRENT text of the rules (a changed text must be accepted again)."""
    query = select(SignatureRulesAcceptance.id).where(
        SignatureRulesAcceptance.rules_hash == rules_hash()
    )
    if user is not None:
        query = query.where(SignatureRulesAcceptance.user_id == user.id)
    elif person_id is not None:
        query = query.where(SignatureRulesAcceptance.person_id == person_id)
    else:
        return False
    return db.session.scalar(query.limit(1)) is not None


def accept_rules(user, info: RequestInfo | None = None, person_id: int | None = None):
    acceptance = SignatureRulesAcceptance(
        user_id=getattr(user, "id", None),
        person_id=person_id if person_id is not None else getattr(user, "person_id", None),
        rules_hash=rules_hash(),
        at=utcnow(),
        ip=info.ip if info else None,
    )
    db.session.add(acceptance)
    audit.record(
        "signature_rules_accepted",
        "user",
        getattr(user, "id", None),
        summary=f"Приняты правила ПЭП (хеш {acceptance.rules_hash[:12]}…)",
    )
    return acceptance


def representative_rules_missing(person) -> str | None:
    """A 14–17-year-old accepts the rules together with a parent (ГК ст. 26): the reason the
    child cannot sign yet, or None."""
    if signing_rule(person).mode != "self_with_representative":
        return None
    # An acceptance is recorded with the person of the account, so the person id suffices.
    if any(
        has_accepted_rules(person_id=link.representative_id) for link in representatives_of(person)
    ):
        return None
    return (
        "Вам нет 18 лет: правила простой электронной подписи принимаются вместе с законным "
        "представителем. Пусть родитель (опекун) тоже примет их в своём кабинете."
    )


def slots_for_person(agreement: Agreement, person_id: int | None) -> list[SignatureSlot]:
    """Unsigned slots this person is the required signer of."""
    if person_id is None:
        return []
    return [s for s in agreement.slots if s.person_id == person_id and s.signature is None]


def _can_be_signed(agreement: Agreement) -> None:
    if agreement.status == AgreementStatus.DRAFT or not agreement.issued:
        raise RuleViolation(
            "Соглашение ещё не выпущено на подписание: подписывать черновик нельзя."
        )
    if agreement.status == AgreementStatus.TERMINATED:
        raise RuleViolation("Соглашение расторгнуто: подписать его уже нельзя.")
    if agreement.status != SIGNING:
        raise RuleViolation("Соглашение уже подписано всеми сторонами.")
    if agreement.declines:
        raise RuleViolation(
            "Один из подписантов отказался подписать соглашение. Куратор должен расторгнуть "
            "его и подготовить новую редакцию."
        )
    if render.text_hash(agreement.text) != agreement.text_hash:
        raise RuleViolation(
            "Текст соглашения в базе не совпадает с выпущенным (контрольная сумма нарушена). "
            "Подписание остановлено; сообщите администратору."
        )


def _require_same_document(agreement: Agreement, shown_hash: str | None) -> None:
    # The signer confirms the text they saw; if it is not the frozen one, nothing is signed.
    if shown_hash != agreement.text_hash:
        raise RuleViolation(
            "Текст, который вы видели, не совпадает с выпущенным. Обновите страницу и прочитайте "
            "соглашение ещё раз."
        )


def _pick_slot(agreement: Agreement, person_id: int, slot_id: int | None) -> SignatureSlot:
    mine = slots_for_person(agreement, person_id)
    if slot_id is not None:
        chosen = [s for s in mine if s.id == slot_id]
        if not chosen:
            raise RuleViolation(
                "Подписать можно только от своего имени: выбранная подпись вам не назначена."
            )
        return chosen[0]
    if not mine:
        signed = [s for s in agreement.slots if s.person_id == person_id]
        if signed:
            raise RuleViolation("Вы уже подписали это соглашение.")
        raise RuleViolation("Ваша подпись под этим соглашением не требуется.")
    return mine[0]


def _record_signature(agreement, slot, *, method, user, operator, info, code_id=None):
    person = slot.person
    signature = Signature(
        agreement_id=agreement.id,
        slot_id=slot.id,
        signer_person_id=person.id,
        signer_user_id=getattr(user, "id", None),
        on_behalf_of_id=slot.on_behalf_of_id,
        capacity=slot.capacity,
        signer_name=person.full_name,
        on_behalf_of_name=slot.on_behalf_of.full_name,
        role_label=slot.role_label,
        method=method,
        code_id=code_id,
        operator_user_id=getattr(operator, "id", None),
        signed_at=utcnow(),
        ip=info.ip,
        user_agent=(info.user_agent or "")[:400],
        document_hash=agreement.text_hash,
        verify_code=lifecycle.new_verify_code(),
    )
    db.session.add(signature)
    agreement.signatures.append(signature)
    trail.append(
        agreement,
        "signed",
        actor=user or operator,
        actor_name=person.full_name,
        ip=info.ip,
        data={
            "signer": person.full_name,
            "role": slot.role_label,
            "on_behalf_of": slot.on_behalf_of.full_name,
            "method": method,
            "document_hash": agreement.text_hash,
            "code": signature.verify_code,
            "operator": getattr(operator, "full_name", None),
        },
    )
    db.session.flush()
    if all(s.signature is not None for s in agreement.slots):
        complete_signing(agreement, user or operator)
    return signature


def complete_signing(
    agreement: Agreement,
    actor,
    *,
    signed_at=None,
    route: str = ROUTE_ELECTRONIC,
    pdf: bytes | None = None,
) -> None:
    """All signatures present: set the term, keep the centre's copy, announce it.

    Both routes end here, so a paper-signed agreement is signed for every gate exactly like an
    electronic one; only the copy differs (the sealed PDF, or the uploaded scan).
    """
    last = signed_at or max(s.signed_at for s in agreement.signatures)
    agreement.signed_at = last
    signed_on = to_moscow(last).date()
    if agreement.is_extension:
        # The term is the one written in the signed text (fixed at issue), never recomputed.
        agreement.starts_on, agreement.ends_on = lifecycle.extension_term(agreement)
    else:
        agreement.starts_on = signed_on
        agreement.ends_on = lifecycle.add_months(agreement.starts_on, agreement.months)
    agreement.status = SIGNED
    agreement.signed_route = route
    lifecycle.refresh_status(agreement)
    if pdf is None:
        pdf = render.render_agreement_pdf(agreement)
        agreement.sealed_at = utcnow()
    agreement.pdf = pdf
    agreement.pdf_hash = hashlib.sha256(pdf).hexdigest()
    trail.append(
        agreement,
        "fully_signed",
        actor=actor,
        data={
            "pdf_hash": agreement.pdf_hash,
            "ends_on": agreement.ends_on.isoformat(),
            "route": route,
        },
    )
    if agreement.is_extension:
        lifecycle.complete_extension(agreement, actor)


def sign_with_password(
    agreement_id: int,
    user,
    password: str,
    shown_hash: str | None,
    info: RequestInfo,
    slot_id: int | None = None,
) -> Signature:
    """Sign as the logged-in user; the signer is the user's person and nobody else.

    The password must be the signer's own key (chosen by them after an identity check), so a
    temporary password staff saw can never make a signature.
    """
    require_esign_adopted()
    agreement = lifecycle.lock(agreement_id)
    _can_be_signed(agreement)
    if user.person_id is None:
        raise RuleViolation(
            "Ваша учётная запись не связана с записью в реестре: подпись невозможна."
        )
    slot = _pick_slot(agreement, user.person_id, slot_id)
    if not user.holds_signer_key:
        raise RuleViolation(NO_SIGNER_KEY)
    if not has_accepted_rules(user):
        raise RuleViolation("Сначала примите правила использования простой электронной подписи.")
    missing = representative_rules_missing(slot.person)
    if slot.capacity != CAPACITY_REPRESENTATIVE and missing:
        raise RuleViolation(missing)
    _require_same_document(agreement, shown_hash)
    check = verify_password(user, password or "")  # commits the attempt count
    if not check.ok:
        db.session.rollback()
        _log_refusal(agreement_id, user, info, "неверный пароль")
        if check.locked_until:
            raise RuleViolation(
                "Слишком много неверных паролей: учётная запись временно заблокирована. "
                "Соглашение не подписано."
            )
        raise RuleViolation("Неверный пароль. Соглашение не подписано.")
    # The password check committed its attempt count, which ended the lock: take it again
    # and look again, as another signer may have acted meanwhile.
    agreement = lifecycle.lock(agreement_id)
    _can_be_signed(agreement)
    slot = _pick_slot(agreement, user.person_id, slot_id)
    _require_same_document(agreement, shown_hash)
    return _record_signature(
        agreement, slot, method=METHOD_PASSWORD, user=user, operator=None, info=info
    )


def _log_refusal(agreement_id: int, actor, info: RequestInfo, why: str) -> None:
    # A refused attempt is part of the history too; recorded in its own transaction.
    agreement = lifecycle.lock(agreement_id)
    trail.append(agreement, "sign_refused", actor=actor, ip=info.ip, data={"reason": why})
    db.session.commit()


def decline(
    agreement_id: int, user, reason: str, info: RequestInfo, slot_id: int | None = None
) -> Decline:
    agreement = lifecycle.lock(agreement_id)
    _can_be_signed(agreement)
    if user.person_id is None:
        raise RuleViolation("Ваша учётная запись не связана с записью в реестре.")
    slot = _pick_slot(agreement, user.person_id, slot_id)
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise RuleViolation("Укажите причину отказа.")
    record = Decline(
        agreement_id=agreement.id,
        slot_id=slot.id,
        person_id=slot.person_id,
        person_name=slot.person.full_name,
        user_id=user.id,
        reason=reason,
        at=utcnow(),
    )
    db.session.add(record)
    agreement.declines.append(record)
    trail.append(
        agreement,
        "declined",
        actor=user,
        ip=info.ip,
        data={"signer": slot.person.full_name, "reason": reason},
    )
    return record


def signature_ref(signature: Signature) -> str:
    """How another record (e.g. an electronic consent, Consent.signature_ref) cites a signature."""
    return f"ПЭП {signature.verify_code} (соглашение № {signature.agreement.number})"


def representative_slot(slot: SignatureSlot) -> bool:
    return slot.capacity == CAPACITY_REPRESENTATIVE
