"""Representatives, anonymisation and the audit trail of personal data."""

from datetime import date

from sqlalchemy import func, select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.people.models import Consent, Person, Representative
from portal.timeutil import today_moscow
from tests import factories

TODAY = today_moscow()


def test_link_an_existing_parent_found_by_search(app, client, auth, curator):
    child = factories.make_person(
        "Орлов", "Дмитрий", "Андреевич", is_mentee=True, birth_date=date(TODAY.year - 12, 1, 1)
    )
    mother = factories.make_person(
        "Орлова", "Наталья", "Петровна", category="родитель", birth_date=date(1988, 1, 1)
    )
    auth.login(curator)
    found = client.get("/people/lookup?q=орлова").get_data(as_text=True)
    assert f'value="{mother.id}"' in found and "Орлова Наталья Петровна" in found
    assert "Орлов Дмитрий" not in found  # a child is not offered as a representative
    response = client.post(
        f"/people/{child.id}/representatives",
        data={
            "representative_id": str(mother.id),
            "relation": "мать",
            "authority_document": "свидетельство о рождении",
        },
    )
    assert response.status_code == 302
    link = db.session.scalars(select(Representative)).one()
    assert (link.child_id, link.representative_id, link.relation) == (child.id, mother.id, "мать")
    card = client.get(f"/people/{child.id}").get_data(as_text=True)
    assert "Орлова Наталья Петровна" in card and "подписывает законный представитель" in card
    mother_card = client.get(f"/people/{mother.id}").get_data(as_text=True)
    assert "подписывает за ребёнка" in mother_card


def test_create_a_new_parent_inline_over_htmx(app, client, auth, curator):
    child = factories.make_person(
        "Белова", "Анна", is_mentee=True, birth_date=date(TODAY.year - 15, 1, 1)
    )
    auth.login(curator)
    response = client.post(
        f"/people/{child.id}/representatives",
        data={
            "relation": "опекун",
            "authority_document": "",
            "new_last_name": "Белов",
            "new_first_name": "Игорь",
            "new_phone": "89150001122",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert "документ о полномочиях" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1  # nothing half-saved
    response = client.post(
        f"/people/{child.id}/representatives",
        data={
            "relation": "опекун",
            "authority_document": "распоряжение органа опеки № 12",
            "new_last_name": "Белов",
            "new_first_name": "Игорь",
            "new_phone": "89150001122",
        },
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="representatives"' in html
    assert "Белов Игорь" in html and "опекун" in html
    guardian = db.session.scalar(select(Person).where(Person.first_name == "Игорь"))
    assert guardian.category == "родитель" and guardian.phone == "+7 (915) 000-11-22"


def test_an_adult_needs_no_representative_and_a_child_cannot_represent(app):
    from portal.domain import RuleViolation
    from portal.people.registry import add_representative

    adult = factories.make_person(
        "Взрослый", "Олег", category="педагог", birth_date=date(1980, 1, 1)
    )
    child = factories.make_person("Ребёнок", "Лев", birth_date=date(TODAY.year - 11, 1, 1))
    teen = factories.make_person("Подросток", "Ян", birth_date=date(TODAY.year - 16, 1, 1))
    for args, message in (
        ((adult, child, "отец"), "представитель не нужен"),
        ((child, teen, "опекун"), "младше 18"),
        ((child, child, "мать"), "самого себя"),
    ):
        try:
            add_representative(*args, None)
        except RuleViolation as exc:
            assert message in exc.message
        else:
            raise AssertionError(message)


def test_anonymise_only_after_leaving_and_revoking(app, client, auth, curator):
    person = factories.make_person(
        "Соловьёв",
        "Пётр",
        "Ильич",
        is_mentee=True,
        club="Шахматы",
        birth_date=date(TODAY.year - 13, 5, 17),
        status="участник",
        phone="+7 (915) 123-45-67",
        email="p@example.ru",
        notes="любит шахматы",
        interests=["шахматы"],
    )
    consent = factories.make_consent(
        person, scan=b"%PDF-1", scan_filename="s.pdf", scan_mimetype="application/pdf"
    )
    auth.login(curator)
    client.post(f"/people/{person.id}/anonymise")
    db.session.expire_all()
    assert person.last_name == "Соловьёв"  # still a participant with a valid consent
    person.status = "выбыл"
    consent.revoked_on, consent.revoke_reason = TODAY, "заявление"
    db.session.commit()
    response = client.post(f"/people/{person.id}/anonymise")
    assert response.status_code == 302
    db.session.expire_all()
    assert person.full_name == f"Обезличено №{person.id}"
    assert person.phone is None and person.email is None and person.notes is None
    assert person.birth_date == date(TODAY.year - 13, 1, 1)  # the year stays for reports
    assert person.club == "Шахматы" and person.status == "выбыл" and person.tags == []
    assert db.session.scalar(select(Consent.scan).where(Consent.id == consent.id)) is None
    # Neither the card nor the audit log keeps the old name.
    card = client.get(f"/people/{person.id}").get_data(as_text=True)
    assert "Соловьёв" not in card and "Обезличено" in card
    logged = " ".join(
        str(e.changes) + str(e.summary) for e in db.session.scalars(select(AuditEvent))
    )
    assert "Соловьёв" not in logged and "123-45-67" not in logged
    assert "person_anonymised" in set(db.session.scalars(select(AuditEvent.action)))
    assert client.get("/people/mentees?q=соловьев").get_data(as_text=True).count("Обезличено") == 0
