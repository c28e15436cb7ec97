"""Demo agreements in every state; the demo accounts' agreement is signed, sealed and traced."""

import logging
from datetime import timedelta

from sqlalchemy import select

from portal.agreements import lifecycle, signing
from portal.agreements.models import Agreement
from portal.domain import RuleViolation
from portal.extensions import db
from portal.matching.models import Pair
from portal.people.rules import consent_state, representatives_of
from portal.statuses import AgreementMark, AgreementStatus, PairStatus
from portal.timeutil import today_moscow

log = logging.getLogger(__name__)
DEMO_REQUEST = signing.RequestInfo(ip="127.0.0.1", user_agent="демонстрационные данные")


def seed(ctx) -> None:
    pairs = ctx.extras.get("pairs") or {}
    curator = ctx.users.get("curator")
    main_pair = pairs.get("mentor")
    if main_pair is not None:
        _seed_demo_accounts_agreement(ctx, main_pair, curator)
    if pairs.get("mentor2") is not None:
        _try(lambda: _signed_by_code(_draft(pairs["mentor2"], curator), curator), "mentor2")
    used = {p.id for p in pairs.values()}
    others = [
        p
        for p in db.session.scalars(
            select(Pair).where(Pair.status == PairStatus.ACTIVE).order_by(Pair.id)
        )
        if p.id not in used and _ready(p)
    ]
    # The demo accounts' pairs are already in force; the rest show the other states.
    states = [
        AgreementStatus.DRAFT,
        AgreementStatus.SIGNING,
        AgreementStatus.EXTENDED,
        AgreementStatus.TERMINATED,
        AgreementStatus.EXPIRED,
        AgreementStatus.ACTIVE,
        AgreementMark.TO_TERMINATE,
    ]
    targets = [(pair, mentee) for pair in others for mentee in pair.mentees]
    for (pair, mentee), state in zip(targets, states, strict=False):
        _try(lambda p=pair, m=mentee, s=state: _make_state(p, m, s, curator), state)
    db.session.flush()


def _ready(pair: Pair) -> bool:
    """The registry's data allows issuing: consents valid, representatives of minors on file."""
    people = [pair.mentor, *pair.mentees]
    if any(consent_state(p) != "valid" for p in people):
        return False
    return all(p.age is None or p.age >= 18 or representatives_of(p) for p in people)


def _try(action, label: str) -> None:
    try:
        with db.session.begin_nested():
            action()
    except RuleViolation as exc:
        log.warning("Демо-соглашение (%s) не создано: %s", label, exc.message)


def _draft(pair: Pair, curator, mentee=None) -> Agreement:
    mentee = mentee or pair.mentees[0]
    existing = lifecycle.open_agreement_for(pair.id, mentee.id)
    if existing is not None:
        return existing
    lifecycle.create_drafts(pair, curator)
    return lifecycle.open_agreement_for(pair.id, mentee.id)


def _issue(agreement: Agreement, curator) -> Agreement:
    return lifecycle.issue(agreement.id, curator)


def _signed_by_code(agreement: Agreement, curator) -> Agreement:
    if agreement.status == AgreementStatus.DRAFT:
        agreement = _issue(agreement, curator)
    for slot in list(signing.code_slots(agreement)):
        _, code = signing.issue_code(agreement.id, slot.person_id, curator)
        signing.sign_with_code(
            agreement.id, slot.id, code, agreement.text_hash, True, curator, DEMO_REQUEST
        )
    return db.session.get(Agreement, agreement.id)


def _seed_demo_accounts_agreement(ctx, pair: Pair, curator) -> None:
    """Issued by the curator, signed by `mentor` and by `parent` for the 12-year-old."""
    agreement = _issue(_draft(pair, curator), curator)
    for login in ("mentor", "mentee", "parent"):
        user = ctx.users.get(login)
        if user is None or not signing.slots_for_person(agreement, user.person_id):
            continue
        signing.accept_rules(user, DEMO_REQUEST)
        db.session.flush()
        for slot in signing.slots_for_person(agreement, user.person_id):
            signing.sign_with_password(
                agreement.id, user, ctx.password, agreement.text_hash, DEMO_REQUEST, slot_id=slot.id
            )
    if signing.code_slots(agreement):  # someone without an account: the kiosk, as in life
        _signed_by_code(agreement, curator)


def _shift_into_past(agreement: Agreement, days_ago: int) -> None:
    """Demo only: move the term back so the dates show an expired or extended agreement."""
    agreement.starts_on = today_moscow() - timedelta(days=days_ago)
    agreement.ends_on = lifecycle.add_months(agreement.starts_on, agreement.months)
    lifecycle.refresh_status(agreement)


def _make_state(pair: Pair, mentee, state: str, curator) -> None:
    draft = _draft(pair, curator, mentee)
    if state == AgreementStatus.DRAFT:
        return
    if state == AgreementStatus.SIGNING:
        agreement = _issue(draft, curator)
        slot = agreement.slots[0]
        _, code = signing.issue_code(agreement.id, slot.person_id, curator)
        signing.sign_with_code(
            agreement.id, slot.id, code, agreement.text_hash, True, curator, DEMO_REQUEST
        )
        return
    if state in (AgreementStatus.EXPIRED, AgreementStatus.EXTENDED):
        draft.months = 3
    agreement = _signed_by_code(draft, curator)
    if state == AgreementStatus.EXPIRED:
        _shift_into_past(agreement, 120)
    elif state == AgreementStatus.TERMINATED:
        lifecycle.terminate(
            agreement.id,
            "breach",
            "Наставляемый систематически пропускал встречи по индивидуальному плану (п. 2.3.1).",
            curator,
        )
    elif state == AgreementStatus.EXTENDED:
        _shift_into_past(agreement, 100)
        extension = lifecycle.start_extension(agreement.id, 6, curator)
        _signed_by_code(extension, curator)
    elif state == AgreementMark.TO_TERMINATE:
        from portal.agreements.handlers import on_pair_replaced

        on_pair_replaced(pair, pair)
