"""Plain factories with keyword defaults: make_<thing>(**overrides) returns a stored object."""

import itertools
from datetime import date

from portal.accounts.models import User
from portal.extensions import db
from portal.matching.models import MentorshipForm, Pair, PairMember
from portal.people.models import Consent, Person, PersonTag, Representative, Tag
from portal.text import fold

DEFAULT_PASSWORD = "Secret123"
_seq = itertools.count(1)


def make_user(
    login: str | None = None,
    roles=("mentor",),
    password: str = DEFAULT_PASSWORD,
    full_name: str = "Тестов Тест Тестович",
    person: Person | None = None,
    **overrides,
) -> User:
    overrides.setdefault("must_change_password", False)
    user = User(login=login or f"user{next(_seq)}", **overrides)
    user.set_full_name(full_name)
    user.set_password(password)
    user.set_roles(roles)
    if person is not None:
        user.person_id = person.id
    db.session.add(user)
    db.session.commit()
    return user


def _tag(name: str) -> Tag:
    tag = db.session.query(Tag).filter_by(folded=fold(name)).one_or_none()
    if tag is None:
        tag = Tag.make(name)
        db.session.add(tag)
        db.session.flush()
    return tag


def make_person(
    last_name: str = "Иванов",
    first_name: str = "Иван",
    middle_name: str | None = "Иванович",
    birth_date: date | None = date(2013, 5, 20),
    category: str = "обучающийся",
    interests=(),
    competencies=(),
    request_tags=(),
    consent: bool = False,
    user: User | None = None,
    **overrides,
) -> Person:
    person = Person(
        last_name=last_name,
        first_name=first_name,
        middle_name=middle_name,
        birth_date=birth_date,
        category=category,
        **overrides,
    )
    person.refresh_search_key()
    db.session.add(person)
    db.session.flush()
    for kind, names in (("interest", interests), ("competency", competencies), ("request", request_tags)):
        for name in names:
            person.tags.append(PersonTag(tag=_tag(name), kind=kind))
    if consent:
        db.session.add(Consent(person=person, kind="processing", variant="B", signed_on=date(2026, 9, 1)))
    if user is not None:
        user.person_id = person.id
    db.session.commit()
    return person


def make_consent(person: Person, **overrides) -> Consent:
    values = {"kind": "processing", "variant": "B", "signed_on": date(2026, 9, 1), "method": "paper"}
    values.update(overrides)
    consent = Consent(person=person, **values)
    db.session.add(consent)
    db.session.commit()
    return consent


def make_representative(child: Person, representative: Person, relation: str = "мать", **overrides):
    link = Representative(child=child, representative=representative, relation=relation, **overrides)
    db.session.add(link)
    db.session.commit()
    return link


def make_form(code: str = "teacher-student", **overrides) -> MentorshipForm:
    existing = db.session.query(MentorshipForm).filter_by(code=code).one_or_none()
    if existing is not None:
        return existing
    values = {
        "name": "педагог – ученик",
        "scope": "local",
        "mentor_categories": ["педагог", "специалист"],
        "mentee_categories": ["обучающийся"],
        "formats": ["Проектная деятельность", "Мероприятия Центра"],
    }
    values.update(overrides)
    form = MentorshipForm(code=code, **values)
    db.session.add(form)
    db.session.commit()
    return form


def make_pair(
    mentor: Person,
    mentees: list[Person],
    form: MentorshipForm | None = None,
    status: str = "действует",
    **overrides,
) -> Pair:
    pair = Pair(
        form=form or make_form(),
        mentor=mentor,
        status=status,
        started_on=overrides.pop("started_on", date(2026, 9, 15)),
        **overrides,
    )
    for mentee in mentees:
        pair.members.append(PairMember(mentee=mentee, joined_on=pair.started_on))
    db.session.add(pair)
    db.session.commit()
    return pair
