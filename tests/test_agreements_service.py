"""Agreements without a browser: hashing, freezing, parties, ПЭП attacks, trail, PDF and seal."""

import hashlib
import io
import zipfile
from datetime import date, timedelta

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import SignatureCoverageLevel, validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pypdf import PdfReader
from sqlalchemy import select, text, update

from portal.accounts.models import User
from portal.agreements import (
    archive,
    codes,
    handlers,
    lifecycle,
    parties,
    render,
    signing,
    templates,
    trail,
    verify,
)
from portal.agreements.models import (
    Agreement,
    AppendOnlyError,
    FrozenAgreementError,
    Signature,
    SigningCode,
)
from portal.domain import RuleViolation
from portal.extensions import db
from portal.people.models import Consent
from portal.timeutil import today_moscow, utcnow
from tests import factories

INFO = signing.RequestInfo(ip="10.0.0.7", user_agent="pytest")


@pytest.fixture
def world(app, curator, mentor, parent):
    mentor_person, child, mother, pair = factories.make_agreement_parties(mentor, None, parent)
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    for user in (mentor, parent):
        signing.accept_rules(user, INFO)
    db.session.commit()
    return {
        "agreement": agreement,
        "pair": pair,
        "mentor": mentor_person,
        "child": child,
        "mother": mother,
    }


def _reload(agreement):
    db.session.expire_all()
    return db.session.get(type(agreement), agreement.id)


def _sign_all(agreement, mentor, parent):
    signing.sign_with_password(
        agreement.id, mentor, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
    )
    db.session.commit()
    signing.sign_with_password(
        agreement.id, parent, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
    )
    db.session.commit()
    return _reload(agreement)


# --- the text and its hash -------------------------------------------------------------


def test_hash_is_stable_for_the_same_text_and_changes_with_any_change():
    body = "СОГЛАШЕНИЕ № 1\nСтороны «договорились».\n"
    assert render.text_hash(body) == render.text_hash(body)
    # Normalisation: CRLF, trailing spaces and a decomposed «й» give the same canonical text.
    assert render.text_hash("СОГЛАШЕНИЕ № 1  \r\nСтороны «договорились».") == render.text_hash(body)
    assert render.text_hash(body.replace("й", "и\u0306")) == render.text_hash(body)
    changed = {
        body.replace("1", "2"),
        body.replace("«", '"'),
        body.replace("Стороны", "стороны"),
        body.replace(".", ","),
        body + "x",
        body.replace("№ 1", "№1"),
    }
    assert all(render.text_hash(c) != render.text_hash(body) for c in changed)
    assert render.text_hash(body) == hashlib.sha256(body.encode()).hexdigest()


def test_issue_freezes_the_text_its_hash_and_the_signers(world):
    agreement = world["agreement"]
    assert agreement.status == "на подписании"
    assert agreement.text_hash == render.text_hash(agreement.text)
    assert (
        "Орлов Дмитрий Андреевич, от имени которого(ой) действует законный представитель "
        "(мать) Орлова Наталья Петровна" in agreement.text
    )
    assert [(s.role_label, s.person.full_name, s.capacity) for s in agreement.slots] == [
        ("Наставник", "Кузнецова Елена Сергеевна", "self"),
        (
            "Мать (законный представитель) Наставляемого",
            "Орлова Наталья Петровна",
            "representative",
        ),
    ]
    assert [e.kind for e in trail.events(agreement)] == ["created", "issued"]


def test_issued_text_cannot_be_edited_by_the_service(world, curator):
    agreement = world["agreement"]
    with pytest.raises(RuleViolation, match="уже выпущено"):
        lifecycle.edit_draft(agreement, {"tasks": "другое"}, curator)
    assert _reload(agreement).tasks.startswith("осознание")


@pytest.mark.parametrize(
    "column, value",
    [
        ("text", "Подменённый текст\n"),
        ("tasks", "другое"),
        ("months", 99),
        ("text_hash", "0" * 64),
        ("city", "Москва"),
    ],
)
def test_issued_text_cannot_be_edited_in_the_database_layer(world, column, value):
    agreement = world["agreement"]
    before = (agreement.text, agreement.text_hash)
    setattr(agreement, column, value)
    with pytest.raises(FrozenAgreementError, match="изменять нельзя"):
        db.session.commit()
    db.session.rollback()
    agreement = _reload(agreement)
    assert (agreement.text, agreement.text_hash) == before


def test_a_draft_can_be_edited_and_recomposes_at_issue(app, curator):
    *_, pair = factories.make_agreement_parties()
    draft = factories.make_agreement(pair, by=curator)
    lifecycle.edit_draft(
        draft, {"tasks": "научиться программировать роботов", "months": 4}, curator
    )
    db.session.commit()
    issued = lifecycle.issue(draft.id, curator)
    assert "— научиться программировать роботов." in issued.text
    assert "действует на протяжении 4 месяца" in issued.text


# --- parties ---------------------------------------------------------------------------


def _age(years: int, on: date) -> date:
    return date(on.year - years, 1, 1) if on.month > 1 else date(on.year - years - 1, 1, 1)


@pytest.mark.parametrize(
    "years, expected",
    [
        (12, [("representative", "Орлова")]),
        (15, [("self", "Орлов"), ("representative", "Орлова")]),
        (19, [("self", "Орлов")]),
    ],
)
def test_who_signs_for_the_mentee_follows_the_age(app, years, expected):
    on = date(2026, 11, 21)
    _, child, _, pair = factories.make_agreement_parties(child_birth=_age(years, on))
    signers = parties.required_signers(pair.mentor, child, on)
    mentee_side = [(s.capacity, s.person.last_name) for s in signers if s.side == "mentee"]
    assert mentee_side == expected


def test_a_minor_mentor_signs_with_a_parent(app):
    on = date(2026, 11, 21)
    teen = factories.make_person("Зайцев", "Пётр", None, birth_date=date(2010, 3, 1), consent=True)
    dad = factories.make_person(
        "Зайцев", "Олег", None, birth_date=date(1980, 3, 1), category="родитель", consent=True
    )
    factories.make_representative(teen, dad, "отец")
    kid = factories.make_person("Малов", "Иван", None, birth_date=date(2016, 3, 1), consent=True)
    # The child has no representative on file yet.
    with pytest.raises(RuleViolation, match="нет законного представителя"):
        parties.required_signers(teen, kid, on)
    mum = factories.make_person(
        "Малова", "Анна", None, birth_date=date(1990, 3, 1), category="родитель", consent=True
    )
    factories.make_representative(kid, mum)
    signers = parties.required_signers(teen, kid, on)
    assert [(s.side, s.capacity, s.role_label) for s in signers] == [
        ("mentor", "self", "Наставник"),
        ("mentor", "representative", "Отец (законный представитель) Наставника"),
        ("mentee", "representative", "Мать (законный представитель) Наставляемого"),
    ]
    assert (
        "действующий(ая) с согласия законного представителя (отец) Зайцев Олег"
        in parties.party_text("mentor", teen, signers)
    )


@pytest.mark.parametrize("state", ["revoked", "missing"])
def test_a_missing_or_revoked_consent_blocks_issuing(app, curator, state):
    *_, pair = factories.make_agreement_parties()
    child = pair.mentees[0]
    if state == "revoked":
        for consent in child.consents:
            consent.revoked_on = date(2026, 10, 1)
    else:
        db.session.execute(Consent.__table__.delete().where(Consent.person_id == child.id))
    db.session.commit()
    draft = factories.make_agreement(pair, by=curator)
    word = "отозвано" if state == "revoked" else "не оформлено"
    with pytest.raises(RuleViolation, match=f"согласие на обработку персональных данных {word}"):
        lifecycle.issue(draft.id, curator)
    db.session.rollback()
    assert _reload(draft).status == "черновик" and _reload(draft).text is None


# --- signing and its attacks -----------------------------------------------------------


def test_mentor_by_password_and_parent_by_code_sign_seal_and_keep_the_copy(world, curator, mentor):
    agreement = world["agreement"]
    signing.sign_with_password(
        agreement.id, mentor, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
    )
    db.session.commit()
    assert _reload(agreement).status == "на подписании"
    slot, code = signing.issue_code(agreement.id, world["mother"].id, curator)
    db.session.commit()
    stored = db.session.scalar(select(SigningCode))
    assert code not in stored.code_hash and len(stored.code_hash) == 64
    signing.sign_with_code(
        agreement.id, slot.id, code.upper(), agreement.text_hash, True, curator, INFO
    )
    db.session.commit()
    agreement = _reload(agreement)
    assert agreement.status == "действует"
    assert agreement.starts_on == today_moscow()
    assert agreement.pdf_hash == hashlib.sha256(agreement.pdf).hexdigest()
    sig = {s.method: s for s in agreement.signatures}
    assert sig["пароль учётной записи"].signer_user_id == mentor.id
    assert sig["одноразовый код"].signer_user_id is None
    assert sig["одноразовый код"].operator_user_id == curator.id
    assert sig["одноразовый код"].on_behalf_of_name == "Орлов Дмитрий Андреевич"
    assert all(
        s.document_hash == agreement.text_hash and s.ip == "10.0.0.7" for s in agreement.signatures
    )
    assert trail.verify_chain(agreement).ok
    assert verify.record_problems(agreement) == []


def _assert_untouched(agreement, signatures=0, status="на подписании"):
    agreement = _reload(agreement)
    assert agreement.status == status
    assert len(agreement.signatures) == signatures
    if agreement.text is not None:
        assert agreement.text_hash == render.text_hash(agreement.text)
    return agreement


def test_wrong_password_is_refused_and_counts_toward_the_lock_out(world, mentor):
    agreement = world["agreement"]
    with pytest.raises(RuleViolation, match="Неверный пароль. Соглашение не подписано."):
        signing.sign_with_password(agreement.id, mentor, "wrong-1", agreement.text_hash, INFO)
    assert db.session.get(User, mentor.id).failed_logins == 1
    for _ in range(4):
        with pytest.raises(RuleViolation):
            signing.sign_with_password(agreement.id, mentor, "wrong", agreement.text_hash, INFO)
    locked = db.session.get(User, mentor.id)
    assert locked.failed_logins == 5 and locked.locked_until > utcnow()
    # Locked: even the right password signs nothing.
    with pytest.raises(RuleViolation, match="заблокирована"):
        signing.sign_with_password(
            agreement.id, mentor, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
        )
    agreement = _assert_untouched(agreement)
    assert [e.kind for e in trail.events(agreement)].count("sign_refused") == 6
    assert trail.verify_chain(agreement).ok


def _code_for_mother(world, curator):
    slot, code = signing.issue_code(world["agreement"].id, world["mother"].id, curator)
    db.session.commit()
    return slot, code


def test_wrong_code_is_refused_and_five_lock_the_code(world, curator):
    agreement = world["agreement"]
    slot, code = _code_for_mother(world, curator)
    for attempt in range(1, 6):
        with pytest.raises(RuleViolation, match="Неверный код"):
            signing.sign_with_code(
                agreement.id, slot.id, "aaaaa-bbbbb", agreement.text_hash, True, curator, INFO
            )
        assert db.session.scalar(select(SigningCode.failed_attempts)) == attempt
    with pytest.raises(RuleViolation, match="заблокирован"):
        signing.sign_with_code(
            agreement.id, slot.id, code, agreement.text_hash, True, curator, INFO
        )
    _assert_untouched(agreement)


def test_a_code_works_once(world, curator, mentor, parent):
    agreement = world["agreement"]
    slot, code = _code_for_mother(world, curator)
    signing.sign_with_code(agreement.id, slot.id, code, agreement.text_hash, True, curator, INFO)
    db.session.commit()
    # Pretend the slot were open again: the code itself is spent.
    check = codes.check_code(agreement.id, world["mother"].id, code)
    assert not check.ok and "уже использован" in check.problem
    with pytest.raises(RuleViolation, match="Выберите подписанта"):
        signing.sign_with_code(
            agreement.id, slot.id, code, agreement.text_hash, True, curator, INFO
        )
    _assert_untouched(agreement, signatures=1)


def test_a_code_is_useless_for_another_person(app, curator):
    # A 15-year-old signs himself and his mother co-signs: two slots, one code for the mother.
    _, child, mother, pair = factories.make_agreement_parties(child_birth=date(2011, 2, 1))
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    child_slot = next(s for s in agreement.slots if s.person_id == child.id)
    _, code = signing.issue_code(agreement.id, mother.id, curator)
    db.session.commit()
    with pytest.raises(RuleViolation, match="код не выдавался"):
        signing.sign_with_code(
            agreement.id, child_slot.id, code, agreement.text_hash, True, curator, INFO
        )
    _, child_code = signing.issue_code(agreement.id, child.id, curator)
    db.session.commit()
    with pytest.raises(RuleViolation, match="Неверный код"):
        signing.sign_with_code(
            agreement.id, child_slot.id, code, agreement.text_hash, True, curator, INFO
        )
    _assert_untouched(agreement)
    assert child_code != code


def test_a_code_is_useless_for_another_agreement(app, curator):
    mentor_person, child, mother, pair = factories.make_agreement_parties()
    brother = factories.make_person(
        "Орлов", "Павел", "Андреевич", birth_date=date(2015, 1, 1), consent=True
    )
    factories.make_representative(brother, mother)
    second_pair = factories.make_pair(mentor_person, [brother])
    first = factories.make_agreement(pair, issue=True, by=curator)
    second = factories.make_agreement(second_pair, issue=True, by=curator)
    _, code = signing.issue_code(first.id, mother.id, curator)
    signing.issue_code(second.id, mother.id, curator)
    db.session.commit()
    second_slot = next(s for s in second.slots if s.person_id == mother.id)
    with pytest.raises(RuleViolation, match="Неверный код"):
        signing.sign_with_code(
            second.id, second_slot.id, code, second.text_hash, True, curator, INFO
        )
    _assert_untouched(second)


def test_an_expired_code_is_refused(world, curator):
    agreement = world["agreement"]
    slot, code = _code_for_mother(world, curator)
    db.session.execute(update(SigningCode).values(expires_at=utcnow() - timedelta(minutes=1)))
    db.session.commit()
    with pytest.raises(RuleViolation, match="Срок действия кода истёк"):
        signing.sign_with_code(
            agreement.id, slot.id, code, agreement.text_hash, True, curator, INFO
        )
    _assert_untouched(agreement)


def test_a_draft_cannot_be_signed(app, curator, mentor):
    *_, pair = factories.make_agreement_parties(mentor_user=mentor)
    draft = factories.make_agreement(pair, by=curator)
    signing.accept_rules(mentor, INFO)
    db.session.commit()
    with pytest.raises(RuleViolation, match="подписывать черновик нельзя"):
        signing.sign_with_password(draft.id, mentor, factories.DEFAULT_PASSWORD, None, INFO)
    _assert_untouched(draft, status="черновик")


def test_a_terminated_agreement_cannot_be_signed(world, curator, mentor):
    agreement = world["agreement"]
    lifecycle.terminate(agreement.id, "mutual", "", curator)
    db.session.commit()
    with pytest.raises(RuleViolation, match="расторгнуто"):
        signing.sign_with_password(
            agreement.id, mentor, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
        )
    _assert_untouched(agreement, status="расторгнуто")


def test_nobody_signs_for_another_signer(world, mentor):
    agreement = world["agreement"]
    parents_slot = next(s for s in agreement.slots if s.capacity == "representative")
    with pytest.raises(RuleViolation, match="только от своего имени"):
        signing.sign_with_password(
            agreement.id,
            mentor,
            factories.DEFAULT_PASSWORD,
            agreement.text_hash,
            INFO,
            slot_id=parents_slot.id,
        )
    _assert_untouched(agreement)


def test_a_text_other_than_the_frozen_one_is_not_signed(world, mentor):
    agreement = world["agreement"]
    with pytest.raises(RuleViolation, match="не совпадает с выпущенным"):
        signing.sign_with_password(
            agreement.id, mentor, factories.DEFAULT_PASSWORD, render.text_hash("другой текст"), INFO
        )
    _assert_untouched(agreement)


def test_rules_must_be_accepted_before_the_first_signature(app, curator, mentor):
    *_, pair = factories.make_agreement_parties(mentor_user=mentor)
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    with pytest.raises(RuleViolation, match="примите правила"):
        signing.sign_with_password(
            agreement.id, mentor, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
        )
    signing.accept_rules(mentor, INFO)
    db.session.commit()
    assert signing.has_accepted_rules(mentor)
    stored = db.session.scalar(text("select rules_hash from signature_rules_acceptances"))
    assert stored == render.text_hash(signing.rules_text())


def test_a_decline_is_recorded_and_stops_signing(world, parent, mentor):
    agreement = world["agreement"]
    signing.decline(agreement.id, parent, "Не согласна с задачами п. 1.2", INFO)
    db.session.commit()
    with pytest.raises(RuleViolation, match="отказался подписать"):
        signing.sign_with_password(
            agreement.id, mentor, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
        )
    agreement = _assert_untouched(agreement)
    assert agreement.declines[0].reason == "Не согласна с задачами п. 1.2"


# --- tampering with the database -------------------------------------------------------


def test_a_forged_text_in_the_database_is_detected_and_blocks_signing(world, mentor):
    agreement = world["agreement"]
    db.session.execute(
        text("update agreements set text = replace(text, '9 месяцев', '90 месяцев')")
    )
    db.session.commit()
    agreement = _reload(agreement)
    assert any("подделана" in p for p in verify.record_problems(agreement))
    with pytest.raises(RuleViolation, match="контрольная сумма нарушена"):
        signing.sign_with_password(
            agreement.id, mentor, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
        )


def test_the_audit_chain_detects_an_edited_event(world, mentor, parent):
    agreement = _sign_all(world["agreement"], mentor, parent)
    assert trail.verify_chain(agreement).ok
    db.session.execute(text("update agreement_events set actor_name = 'Иванов Иван' where seq = 3"))
    db.session.commit()
    report = trail.verify_chain(_reload(agreement))
    assert not report.ok and report.seq == 3
    assert "событие № 3 изменено" in report.problem
    verdict = verify.verify_code(agreement.verify_code)
    assert not verdict.ok and verdict.headline == "Запись в базе подделана."


def test_the_audit_chain_detects_deleted_and_inserted_events(world, mentor, parent):
    agreement = _sign_all(world["agreement"], mentor, parent)
    last = agreement.trail_length
    db.session.execute(text(f"delete from agreement_events where seq = {last}"))
    db.session.commit()
    assert "последние события удалены" in trail.verify_chain(_reload(agreement)).problem
    db.session.execute(text("delete from agreement_events where seq = 2"))
    db.session.commit()
    assert "удалено или вставлено" in trail.verify_chain(_reload(agreement)).problem


def test_events_and_signatures_refuse_update_and_delete_through_the_orm(world, mentor, parent):
    agreement = _sign_all(world["agreement"], mentor, parent)
    event = trail.events(agreement)[0]
    event.kind = "issued"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    db.session.delete(db.session.scalar(select(Signature)))
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    assert trail.verify_chain(_reload(agreement)).ok


# --- the PDF ---------------------------------------------------------------------------


def test_the_pdf_validates_with_pyhanko_against_the_portal_root(world, mentor, parent):
    agreement = _sign_all(world["agreement"], mentor, parent)
    root = render.seal_identity().trust_root_pem
    from asn1crypto import pem
    from asn1crypto import x509 as asn1_x509

    _, _, der = pem.unarmor(root)
    context = ValidationContext(trust_roots=[asn1_x509.Certificate.load(der)], allow_fetching=False)
    reader = PdfFileReader(io.BytesIO(agreement.pdf))
    status = validate_pdf_signature(reader.embedded_signatures[0], context)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE

    tampered = bytearray(agreement.pdf)
    tampered[len(tampered) // 4] ^= 0x01
    reader = PdfFileReader(io.BytesIO(bytes(tampered)), strict=False)
    try:
        bad = validate_pdf_signature(reader.embedded_signatures[0], context)
        assert not (bad.intact and bad.valid)
    except Exception:  # a byte flipped in the structure: unreadable is invalid too
        pass
    verdict = verify.verify_pdf(bytes(tampered))
    assert not verdict.ok and verdict.headline == "Документ повреждён."
    assert any("повреждён" in p for p in verdict.problems)
    good = verify.verify_pdf(agreement.pdf)
    assert good.ok and good.agreement.id == agreement.id


def test_names_read_back_from_the_pdf_as_text(world, mentor, parent):
    agreement = _sign_all(world["agreement"], mentor, parent)
    reader = PdfReader(io.BytesIO(agreement.pdf))
    content = " ".join((page.extract_text() or "") for page in reader.pages)
    content = " ".join(content.split())
    for expected in (
        "Кузнецова Елена Сергеевна",
        "Орлова Наталья Петровна",
        "Орлов Дмитрий Андреевич",
        "Лист подписания",
        "СОГЛАШЕНИЕ № Н-2026/001",
        "пароль учётной",
        agreement.verify_code,
        "Мать (законный представитель) Наставляемого",
    ):
        assert expected in content, expected
    assert "■" not in content
    for signature in agreement.signatures:
        assert signature.verify_code in content


def test_a_different_document_is_not_taken_for_the_stored_copy(world, mentor, parent):
    agreement = _sign_all(world["agreement"], mentor, parent)
    # The same agreement sealed again is a valid seal but not the centre's copy.
    resealed = render.render_agreement_pdf(agreement)
    verdict = verify.verify_pdf(resealed)
    assert not verdict.ok
    assert any("не совпадает с копией" in p for p in verdict.problems)


def test_a_forged_stored_copy_is_reported(world, mentor, parent):
    agreement = _sign_all(world["agreement"], mentor, parent)
    agreement.pdf = agreement.pdf + b"\n%forged"
    db.session.commit()
    assert any(
        "Хранимая копия PDF изменена" in p for p in verify.record_problems(_reload(agreement))
    )


# --- life cycle after signing ----------------------------------------------------------


def test_status_follows_the_dates(world, mentor, parent):
    agreement = _sign_all(world["agreement"], mentor, parent)
    start, end = agreement.starts_on, agreement.ends_on
    assert end == lifecycle.add_months(start, 9)
    assert lifecycle.effective_status(agreement, start) == "действует"
    assert lifecycle.effective_status(agreement, end) == "действует"
    assert lifecycle.effective_status(agreement, end + timedelta(days=1)) == "истекло"
    assert lifecycle.add_months(date(2026, 1, 31), 1) == date(2026, 2, 27)
    assert lifecycle.add_months(date(2026, 9, 1), 9) == date(2027, 5, 31)


def test_an_extension_is_a_new_document_signed_the_same_way(world, curator, mentor, parent):
    agreement = _sign_all(world["agreement"], mentor, parent)
    extension = lifecycle.start_extension(agreement.id, 6, curator)
    db.session.commit()
    lifecycle.issue(extension.id, curator)
    db.session.commit()
    assert "ДОПОЛНИТЕЛЬНОЕ СОГЛАШЕНИЕ № ДС-2026/001" in extension.text
    assert f"№ {agreement.number}" in extension.text
    extension = _sign_all(extension, mentor, parent)
    original = _reload(agreement)
    assert original.extended_until == extension.ends_on
    assert lifecycle.effective_status(original, original.ends_on + timedelta(days=1)) == "продлено"
    assert "extended" in [e.kind for e in trail.events(original)]
    assert extension.pdf_hash and verify.verify_pdf(extension.pdf).ok


def test_termination_needs_a_reason_for_a_breach(world, curator):
    agreement = world["agreement"]
    with pytest.raises(RuleViolation, match="опишите нарушение"):
        lifecycle.terminate(agreement.id, "breach", "", curator)
    lifecycle.terminate(agreement.id, "breach", "Пропущено 6 встреч подряд без причины", curator)
    db.session.commit()
    agreement = _reload(agreement)
    assert agreement.status == "расторгнуто" and agreement.termination_kind == "breach"
    assert trail.events(agreement)[-1].kind == "terminated"


def test_replacing_the_mentor_marks_the_old_agreement(world, curator):
    old_pair = world["pair"]
    other_mentor = factories.make_person(
        "Новиков", "Пётр", None, birth_date=date(1980, 1, 1), category="педагог", consent=True
    )
    new_pair = factories.make_pair(other_mentor, [world["child"]], status="черновик")
    marked = handlers.on_pair_replaced(old_pair, new_pair)
    db.session.commit()
    assert [a.id for a in marked] == [world["agreement"].id]
    agreement = _reload(world["agreement"])
    assert "ходатайствовал о замене наставника" in agreement.to_terminate
    assert agreement.status == "на подписании"  # marked, not terminated
    assert trail.verify_chain(agreement).ok


# --- template, archive, seal -----------------------------------------------------------


def test_a_new_template_version_leaves_issued_agreements_alone(world, admin, curator):
    issued = world["agreement"]
    new_body = templates.DEFAULT_BODY.replace("о сотрудничестве", "О СОТРУДНИЧЕСТВЕ")
    saved = templates.save_template(new_body, "заглавные", admin)
    db.session.commit()
    assert saved.version == 2
    assert "о сотрудничестве между" in _reload(issued).text
    with pytest.raises(RuleViolation, match="неизвестное поле"):
        templates.save_template("{{ no_such_field }}", None, admin)
    with pytest.raises(RuleViolation, match="Ошибка в шаблоне"):
        templates.save_template("{% for %}", None, admin)


def test_the_archive_streams_every_signed_copy(world, mentor, parent):
    agreement = _sign_all(world["agreement"], mentor, parent)
    chunks = list(archive.stream_zip([agreement.id, agreement.id + 999]))
    assert len(chunks) >= 2
    with zipfile.ZipFile(io.BytesIO(b"".join(chunks))) as zipped:
        names = zipped.namelist()
        assert names == ["Н-2026-001 Орлов.pdf"]
        assert zipped.read(names[0]) == agreement.pdf


def test_the_administrator_installs_the_centres_own_seal(world, mentor, parent, tmp_path):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    from portal.documents.seal import SealError

    agreement = _sign_all(world["agreement"], mentor, parent)

    def pair():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Центр «Эдельвейс»")])
        now = utcnow()
        cert = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(1)
            .not_valid_before(now - timedelta(days=1))
            .not_valid_after(now + timedelta(days=9))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(True, True, False, False, False, True, False, False, False),
                critical=True,
            )
            .sign(key, hashes.SHA256())
        )
        key_pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        return key_pem, cert.public_bytes(serialization.Encoding.PEM)

    key_a, cert_a = pair()
    key_b, cert_b = pair()
    with pytest.raises(SealError, match="не соответствует"):
        render.install_seal(key_a, cert_b)
    try:
        render.install_seal(key_a, cert_a)
        assert render.seal_identity().certificate_pem == cert_a
        # Documents sealed before the change still verify on the portal.
        assert verify.verify_pdf(agreement.pdf).ok
    finally:
        import shutil

        shutil.rmtree(render.seal_directory())


def test_two_curators_creating_drafts_at_once_get_one(app, curator, monkeypatch):
    _mentor, child, _mother, pair = factories.make_agreement_parties()
    first = lifecycle.create_drafts(pair, curator)
    db.session.commit()
    # The second curator's check ran before the first commit: it saw no agreement yet.
    real = lifecycle.open_agreement_for
    calls = []

    def raced(pair_id, mentee_id):
        calls.append(pair_id)
        return None if len(calls) == 1 else real(pair_id, mentee_id)

    monkeypatch.setattr(lifecycle, "open_agreement_for", raced)
    with pytest.raises(RuleViolation, match="уже создано"):
        lifecycle.create_drafts(pair, curator)
    db.session.rollback()
    numbers = db.session.scalars(
        select(Agreement.number).where(
            Agreement.pair_id == pair.id, Agreement.mentee_id == child.id
        )
    ).all()
    assert numbers == [first[0].number]
