"""Consents: who signs by age, scans by magic bytes, revocation flags pairs, gates, the PDF."""

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.domain import RuleViolation
from portal.extensions import db
from portal.matching.models import PairEvent
from portal.people.consents import Scan, check_scan, record_consent
from portal.people.models import Consent, Person
from portal.people.rules import consent_state, require_consent
from portal.timeutil import today_moscow
from tests import factories

TODAY = today_moscow()
PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 20


def aged(years: int) -> date:
    return (
        date(TODAY.year - years, 1, 10)
        if TODAY >= date(TODAY.year, 1, 10)
        else date(TODAY.year - years - 1, 1, 10)
    )


def adult(**overrides) -> Person:
    values = {"category": "педагог", "birth_date": aged(40), "is_mentor": True}
    values.update(overrides)
    return factories.make_person("Кузнецова", "Елена", "Сергеевна", **values)


# --- who signs ---------------------------------------------------------------------------------


def test_under_14_the_representative_signs_variant_a(app):
    child, mother = factories.make_child_with_parent(birth_date=aged(12), consent=False)
    with pytest.raises(RuleViolation, match="нет 14 лет"):
        record_consent(
            child,
            kind="processing",
            signed_by=child,
            co_signed_by=None,
            signed_on=TODAY,
            method="paper",
        )
    consent = record_consent(
        child,
        kind="processing",
        signed_by=mother,
        co_signed_by=None,
        signed_on=TODAY,
        method="paper",
    )
    db.session.commit()
    assert consent.variant == "A" and consent.signed_by == mother
    assert consent_state(child) == "valid"


def test_14_to_17_sign_themselves_with_the_representative(app):
    child, mother = factories.make_child_with_parent(birth_date=aged(15), consent=False)
    with pytest.raises(RuleViolation, match="вместе с законным"):
        record_consent(
            child,
            kind="processing",
            signed_by=child,
            co_signed_by=None,
            signed_on=TODAY,
            method="paper",
        )
    with pytest.raises(RuleViolation, match="подписывает он"):
        record_consent(
            child,
            kind="processing",
            signed_by=mother,
            co_signed_by=None,
            signed_on=TODAY,
            method="paper",
        )
    consent = record_consent(
        child,
        kind="processing",
        signed_by=child,
        co_signed_by=mother,
        signed_on=TODAY,
        method="paper",
    )
    assert (consent.variant, consent.co_signed_by) == ("B", mother)


def test_a_stranger_cannot_sign_for_a_child(app):
    child, _ = factories.make_child_with_parent(birth_date=aged(12), consent=False)
    stranger = adult()
    with pytest.raises(RuleViolation, match="законный представитель"):
        record_consent(
            child,
            kind="processing",
            signed_by=stranger,
            co_signed_by=None,
            signed_on=TODAY,
            method="paper",
        )


def test_a_minor_without_a_representative_is_told_to_add_one(app):
    child = factories.make_person(birth_date=aged(12))
    with pytest.raises(RuleViolation, match="Сначала добавьте родителя"):
        record_consent(
            child,
            kind="processing",
            signed_by=child,
            co_signed_by=None,
            signed_on=TODAY,
            method="paper",
        )


def test_adult_signs_alone_and_dates_are_checked(app):
    person = adult()
    with pytest.raises(RuleViolation, match="в будущем"):
        record_consent(
            person,
            kind="processing",
            signed_by=person,
            co_signed_by=None,
            signed_on=TODAY + timedelta(days=1),
            method="paper",
        )
    with pytest.raises(RuleViolation, match="ссылка на подпись"):
        record_consent(
            person,
            kind="processing",
            signed_by=person,
            co_signed_by=None,
            signed_on=TODAY,
            method="electronic",
        )
    consent = record_consent(
        person,
        kind="processing",
        signed_by=person,
        co_signed_by=None,
        signed_on=TODAY,
        method="electronic",
        signature_ref="sig-42",
    )
    assert consent.variant == "B" and consent.signature_ref == "sig-42"


@pytest.mark.parametrize(
    ("data", "ok"),
    [
        (PDF, True),
        (PNG, True),
        (b"\xff\xd8\xff\xe0" + b"0" * 10, True),
        (b"MZ\x90\x00 a windows program", False),
        (b"", False),
        (b"<html>", False),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), False),
    ],
)
def test_scans_are_checked_by_their_first_bytes(data, ok):
    if ok:
        assert check_scan(Scan("x.pdf", data)).startswith(("application/pdf", "image/"))
    else:
        with pytest.raises(RuleViolation):
            check_scan(Scan("scan.pdf", data))


# --- over HTTP ---------------------------------------------------------------------------------


def test_curator_records_a_parent_consent_with_a_scan(app, client, auth, curator):
    child, mother = factories.make_child_with_parent(birth_date=aged(12), consent=False)
    auth.login(curator)
    page = client.get(f"/people/{child.id}/consents/new").get_data(as_text=True)
    assert "вариант <strong>A</strong>" in page
    response = client.post(
        f"/people/{child.id}/consents/new",
        data={
            "kind": "processing",
            "signed_by": str(mother.id),
            "co_signed_by": "",
            "signed_on": TODAY.isoformat(),
            "scan": (io.BytesIO(PDF), "скан.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    consent = db.session.scalars(select(Consent)).one()
    assert consent.signed_by_id == mother.id and consent.scan_mimetype == "application/pdf"
    scan = client.get(f"/people/{child.id}/consents/{consent.id}/scan")
    assert scan.data == PDF and scan.mimetype == "application/pdf"
    assert scan.headers["Content-Disposition"] == (
        "attachment; filename*=UTF-8''%D1%81%D0%BA%D0%B0%D0%BD.pdf"
    )
    card = client.get(f"/people/{child.id}").get_data(as_text=True)
    assert "Согласие действует" in card


def test_a_fake_scan_is_refused_and_nothing_is_stored(app, client, auth, curator):
    person = adult()
    auth.login(curator)
    response = client.post(
        f"/people/{person.id}/consents/new",
        data={
            "kind": "processing",
            "signed_by": str(person.id),
            "co_signed_by": "",
            "signed_on": TODAY.isoformat(),
            "scan": (io.BytesIO(b"MZ not a pdf"), "согласие.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "PDF, JPEG или PNG" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Consent)) == 0


def test_wrong_signer_over_http_is_refused_with_the_reason(app, client, auth, curator):
    child, mother = factories.make_child_with_parent(birth_date=aged(15), consent=False)
    auth.login(curator)
    response = client.post(
        f"/people/{child.id}/consents/new",
        data={
            "kind": "processing",
            "signed_by": str(child.id),
            "co_signed_by": "",
            "signed_on": TODAY.isoformat(),
        },
    )
    assert response.status_code == 422
    assert "вместе с законным представителем" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Consent)) == 0


def test_revoking_flags_the_open_pairs_and_blocks_matching(app, client, auth, curator):
    mentor = adult(consent=True)
    child, _ = factories.make_child_with_parent(birth_date=aged(12))
    pair = factories.make_pair(mentor, [child])
    closed = factories.make_pair(mentor, [child], status="завершена")
    consent = db.session.scalars(select(Consent).where(Consent.person_id == child.id)).one()
    auth.login(curator)
    response = client.post(
        f"/people/{child.id}/consents/{consent.id}/revoke",
        data={"revoked_on": TODAY.isoformat(), "reason": "заявление матери"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert consent.revoked_on == TODAY
    assert "Отозвано согласие" in pair.needs_attention
    assert closed.needs_attention is None
    with pytest.raises(RuleViolation, match="отозвано"):
        require_consent(child, "включить в пару")
    # The curator sees the flag in the list and on the card.
    rows = client.get("/people/mentees").get_data(as_text=True)
    assert "Требует внимания" in rows and "Согласие отозвано" in rows
    card = client.get(f"/people/{child.id}").get_data(as_text=True)
    assert "Пара требует внимания куратора" in card
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"consent_revoked", "pair_flagged"} <= actions
    # Matching heard the fact (signals.consent_revoked): the pair's story shows it.
    pair_card = client.get(f"/matching/pairs/{pair.id}").get_data(as_text=True)
    assert "Отозвано согласие на обработку персональных данных" in pair_card
    events = db.session.scalars(select(PairEvent).where(PairEvent.pair_id == pair.id)).all()
    assert [(e.kind, e.user_login) for e in events] == [("consent_revoked", "curator")]
    assert not db.session.scalars(select(PairEvent).where(PairEvent.pair_id == closed.id)).all()


def test_revocation_needs_a_reason_and_a_sane_date(app, client, auth, curator):
    person = adult(consent=True)
    consent = person.consents[0]
    auth.login(curator)
    client.post(
        f"/people/{person.id}/consents/{consent.id}/revoke",
        data={"revoked_on": TODAY.isoformat(), "reason": ""},
    )
    client.post(
        f"/people/{person.id}/consents/{consent.id}/revoke",
        data={"revoked_on": (TODAY + timedelta(days=2)).isoformat(), "reason": "x"},
    )
    db.session.expire_all()
    assert consent.revoked_on is None
    card = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Укажите причину или основание отзыва" in card and "Дата отзыва в будущем" in card


def test_case_url_needs_the_publication_consent(app, client, auth, curator):
    person = factories.make_person(
        "Иванова",
        "Мария",
        "Сергеевна",
        birth_date=aged(12),
        is_mentee=True,
        club="Шахматы",
        consent=True,
    )
    auth.login(curator)
    data = {
        "last_name": "Иванова",
        "first_name": "Мария",
        "middle_name": "Сергеевна",
        "birth_date": person.birth_date.isoformat(),
        "category": "обучающийся",
        "club": "Шахматы",
        "status": "участник",
        "preferred_channel": "",
        "comm_format": "",
        "case_url": "https://edelweiss.example.ru/cases/7",
    }
    response = client.post(f"/people/{person.id}/edit?base=mentees", data=data)
    assert response.status_code == 422
    assert "ст. 10.1" in response.get_data(as_text=True)
    db.session.expire_all()
    assert person.case_url is None
    factories.make_consent(person, kind="publication")
    response = client.post(f"/people/{person.id}/edit?base=mentees", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert person.case_url == "https://edelweiss.example.ru/cases/7"


# --- the PDF -----------------------------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_consent_pdf_variant_a_names_the_parent_and_the_child(app, client, auth, curator):
    child, _ = factories.make_child_with_parent("Королёв", "Дмитрий", birth_date=aged(12))
    auth.login(curator)
    response = client.get(f"/people/{child.id}/consent.pdf?kind=processing")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data)
    flat = " ".join(text.split())
    assert "Согласие на обработку персональных данных" in flat
    assert "Королёва Наталья Петровна" in flat  # the mother signs
    assert "Королёв Дмитрий Андреевич" in flat
    assert "МБУ ДО Центр «Эдельвейс»" in flat
    assert "■" not in text
    assert "Вариант A" in flat


def test_consent_pdf_for_14_to_17_has_the_co_signature(app, client, auth, curator):
    child, _ = factories.make_child_with_parent("Смирнова", "Алина", birth_date=aged(15))
    auth.login(curator)
    flat = " ".join(pdf_text(client.get(f"/people/{child.id}/consent.pdf").data).split())
    assert "Вариант B" in flat
    assert "Согласие законного представителя" in flat and "Смирнова Наталья Петровна" in flat


def test_publication_pdf_and_unknown_kind(app, client, auth, curator):
    person = adult()
    auth.login(curator)
    flat = " ".join(
        pdf_text(client.get(f"/people/{person.id}/consent.pdf?kind=publication").data).split()
    )
    assert "разрешённых для распространения" in flat and "Кузнецова Елена Сергеевна" in flat
    assert client.get(f"/people/{person.id}/consent.pdf?kind=other").status_code == 404
