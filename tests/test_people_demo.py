"""The people demo seeder: the contract persons, realistic bases and consents in every state."""

import random

from sqlalchemy import select

from portal.demo import DEMO_ACCOUNTS, DemoContext
from portal.extensions import db
from portal.people import demo
from portal.people.models import Consent, Person, Representative
from portal.people.registry import clean_person
from portal.people.rules import consent_state, representatives_of, signing_rule
from tests import factories


def test_seed_builds_the_contract_and_valid_records(app):
    ctx = DemoContext(password="x", people_count=150, rng=random.Random(7))
    for login, full_name, roles in DEMO_ACCOUNTS:
        ctx.users[login] = factories.make_user(
            login=login, roles=[r.value for r in roles], full_name=full_name
        )
    demo.seed(ctx)
    db.session.commit()
    persons = ctx.extras["persons"]
    assert set(persons) == {"mentor", "mentee", "parent", "mentor2", "mentee2"}
    assert persons["mentee"].age == 12 and persons["mentee2"].age == 15
    assert persons["mentee"].full_name == "Орлов Дмитрий Андреевич"
    link = representatives_of(persons["mentee"])[0]
    assert (link.representative, link.relation) == (persons["parent"], "мать")
    assert representatives_of(persons["mentee2"])  # a parent person for the 15-year-old too
    for login, person in persons.items():
        assert ctx.users[login].person_id == person.id
        assert consent_state(person) == "valid", login
    people = db.session.scalars(select(Person)).all()
    assert 140 <= len(people) <= 160
    states = {consent_state(p) for p in people if p.is_mentee}
    assert states == {"valid", "revoked", "missing"}
    assert db.session.scalar(select(Consent).where(Consent.kind == "publication")) is not None
    assert {p.club for p in people if p.is_mentee} >= {"Робототехника", "Шахматы"}
    # Every valid consent was signed by whoever the age requires.
    for consent in db.session.scalars(select(Consent)):
        rule = signing_rule(consent.person, consent.signed_on)
        reps = {
            link.representative_id
            for link in db.session.scalars(
                select(Representative).where(Representative.child_id == consent.person_id)
            )
        }
        if rule.mode == "representative":
            assert consent.variant == "A" and consent.signed_by_id in reps
        else:
            assert consent.variant == "B" and consent.signed_by_id == consent.person_id
            assert (consent.co_signed_by_id in reps) == (rule.mode != "self")
    # The demo records pass the same validation as the forms and the import.
    for person in people:
        base = "mentees" if person.is_mentee else ("mentors" if person.is_mentor else "parents")
        raw = {
            k: getattr(person, k)
            for k in (
                "last_name",
                "first_name",
                "middle_name",
                "birth_date",
                "category",
                "club",
                "study_level",
                "workplace",
                "phone",
                "email",
                "status",
                "entered_on",
                "completed_on",
                "capacity",
                "desired_age_min",
                "desired_age_max",
                "comm_format",
                "preferred_channel",
            )
        }
        assert clean_person(raw, base).errors == {}, (person.full_name, person.category)
