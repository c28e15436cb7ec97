"""Plain factories with keyword defaults: make_<thing>(**overrides) returns a stored object."""

import itertools
from datetime import date

from portal.accounts.models import User
from portal.communication.models import (
    DisseminationEvent,
    MediaChannel,
    MediaItem,
    StrategyMessage,
    TargetGroup,
)
from portal.communication.statuses import DisseminationKind, MediaKind, MediaStatus, MessageStage
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
    for kind, names in (
        ("interest", interests),
        ("competency", competencies),
        ("request", request_tags),
    ):
        for name in names:
            person.tags.append(PersonTag(tag=_tag(name), kind=kind))
    if consent:
        db.session.add(
            Consent(person=person, kind="processing", variant="B", signed_on=date(2026, 9, 1))
        )
    if user is not None:
        user.person_id = person.id
    db.session.commit()
    return person


def make_consent(person: Person, **overrides) -> Consent:
    values = {
        "kind": "processing",
        "variant": "B",
        "signed_on": date(2026, 9, 1),
        "method": "paper",
    }
    values.update(overrides)
    consent = Consent(person=person, **values)
    db.session.add(consent)
    db.session.commit()
    return consent


def make_representative(child: Person, representative: Person, relation: str = "мать", **overrides):
    link = Representative(
        child=child, representative=representative, relation=relation, **overrides
    )
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


# --- plans ---


def make_plan(pair: Pair, goal: str | None = "Развить навыки проектной деятельности", **overrides):
    from portal.plans.editing import ensure_plan

    plan = ensure_plan(pair)
    plan.goal = goal
    for key, value in overrides.items():
        setattr(plan, key, value)
    db.session.commit()
    return plan


def make_plan_item(plan, title: str = "Экскурсия в место обучения наставника", user=None, **values):
    from portal.plans.editing import add_item

    item = add_item(plan, title, user, proposed=values.pop("proposed", False), **values)
    db.session.commit()
    return item


def make_plan_world(mentor_user=None, mentee_user=None, parent_user=None, titles=None):
    """A pair (mentor, 12-year-old mentee, his mother) with a plan of a few activities."""
    from types import SimpleNamespace

    mentor_person, mentee_person, parent_person, pair = make_agreement_parties(
        mentor_user, mentee_user, parent_user
    )
    plan = make_plan(pair)
    items = [
        make_plan_item(plan, title, user=mentor_user)
        for title in (titles or ("Экскурсия в место обучения наставника", "Подготовка к конкурсу"))
    ]
    return SimpleNamespace(
        mentor=mentor_person,
        mentee=mentee_person,
        parent=parent_person,
        pair=pair,
        plan=plan,
        items=items,
    )


def log_in(client, user) -> str:
    """Give a test client a real server-side session of `user`; returns the session key."""
    from portal.accounts import sessions

    _record, key, _token = sessions.start(user, remember=False, ip="127.0.0.1", user_agent="pytest")
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True
    return key


def client_for(app, user):
    """A test client logged in as `user`, for tests where several people take turns."""
    client = app.test_client()
    log_in(client, user)
    return client


# --- agreements ---


def make_agreement(
    pair: Pair,
    mentee: Person | None = None,
    *,
    issue: bool = False,
    by: User | None = None,
    **terms,
):
    """A draft agreement for one mentee of the pair, optionally issued for signing."""
    from portal.agreements import lifecycle

    mentee = mentee or pair.mentees[0]
    existing = lifecycle.open_agreement_for(pair.id, mentee.id)
    if existing is None:
        drafts = lifecycle.create_drafts(pair, by)
        existing = next(a for a in drafts if a.mentee_id == mentee.id)
    for name, value in terms.items():
        setattr(existing, name, value)
    db.session.commit()
    if issue:
        existing = lifecycle.issue(existing.id, by)
        db.session.commit()
    return existing


def make_agreement_parties(
    mentor_user: User | None = None,
    mentee_user: User | None = None,
    parent_user: User | None = None,
    child_birth: date | None = None,
):
    """The demo situation: an adult mentor, a 12-year-old mentee and the mother, all consented.

    The centre has adopted its ПЭП rules and the given accounts hold their signing keys, as
    after a checked hand-over; tests of the hand-over itself start without them.
    """
    adopt_esign()
    mentor = make_person(
        "Кузнецова",
        "Елена",
        "Сергеевна",
        birth_date=date(1985, 3, 2),
        category="педагог",
        is_mentor=True,
        consent=True,
        user=mentor_user,
    )
    child = make_person(
        "Орлов",
        "Дмитрий",
        "Андреевич",
        birth_date=child_birth or date(2014, 4, 10),
        consent=True,
        is_mentee=True,
        user=mentee_user,
    )
    mother = make_person(
        "Орлова",
        "Наталья",
        "Петровна",
        birth_date=date(1988, 6, 1),
        category="родитель",
        consent=True,
        user=parent_user,
    )
    make_representative(child, mother, "мать")
    pair = make_pair(mentor, [child])
    for user in (mentor_user, mentee_user, parent_user):
        if user is not None:
            give_signer_key(user)
    return mentor, child, mother, pair


def adopt_esign(number: str = "112/3", on: str = "01.09.2026") -> None:
    """Record the order adopting the ПЭП rules (until then e-signing is off)."""
    from portal.settings.models import save_settings

    save_settings({"esign_order_number": number, "esign_order_date": on})
    db.session.commit()


def give_signer_key(user: User) -> None:
    """The state after the person chose their own password at a checked hand-over."""
    from portal.timeutil import utcnow

    db.session.refresh(user)
    user.signer_key_at = utcnow()
    user.signer_key_person_id = user.person_id
    db.session.commit()


# --- people ---


def make_child_with_parent(
    last_name: str = "Орлов",
    first_name: str = "Дмитрий",
    birth_date: date | None = None,
    consent: bool = True,
    parent_user: User | None = None,
    child_user: User | None = None,
    **overrides,
) -> tuple[Person, Person]:
    """A mentee (12 years old unless told) in the base with the mother linked as representative;
    with consent=True the mother has signed a variant A consent for the child."""
    from portal.timeutil import today_moscow

    today = today_moscow()
    birth = birth_date or date(today.year - 12, 1, 15)
    overrides.setdefault("club", "Робототехника")
    child = make_person(
        last_name,
        first_name,
        "Андреевич",
        birth_date=birth,
        is_mentee=True,
        user=child_user,
        **overrides,
    )
    mother_name = last_name if last_name.endswith("а") else last_name + "а"
    mother = make_person(
        mother_name,
        "Наталья",
        "Петровна",
        birth_date=date(1988, 6, 1),
        category="родитель",
        user=parent_user,
    )
    make_representative(child, mother, "мать")
    if consent:
        make_consent(child, variant="A", signed_by_id=mother.id)
    return child, mother


# --- matching ---


def make_mentor_person(
    last_name: str = "Кузнецова",
    first_name: str = "Елена",
    category: str = "педагог",
    capacity: int = 2,
    consent: bool = True,
    **overrides,
) -> Person:
    """A mentor with a valid consent, competencies and a desired age range 10–14."""
    overrides.setdefault("competencies", ("робототехника",))
    overrides.setdefault("interests", ("робототехника", "шахматы"))
    overrides.setdefault("birth_date", date(1985, 4, 2))
    overrides.setdefault("desired_age_min", 10)
    overrides.setdefault("desired_age_max", 14)
    overrides.setdefault("club", "Робототехника")
    overrides.setdefault("comm_format", "очно")
    overrides.setdefault("comm_time", "пн, ср вечер")
    return make_person(
        last_name,
        first_name,
        "Сергеевна",
        category=category,
        is_mentor=True,
        capacity=capacity,
        consent=consent,
        **overrides,
    )


def make_mentee_person(
    last_name: str = "Орлов",
    first_name: str = "Дмитрий",
    age: int = 12,
    consent: bool = True,
    **overrides,
) -> Person:
    """A pupil of the given age (class = age − 6) with a valid consent and a key request."""
    from portal.timeutil import today_moscow

    today = today_moscow()
    overrides.setdefault("interests", ("робототехника",))
    overrides.setdefault("request_tags", ("робототехника",))
    overrides.setdefault("key_request", "Хочу собрать робота для соревнований")
    overrides.setdefault("club", "Робототехника")
    overrides.setdefault("study_level", age - 6)
    overrides.setdefault("comm_format", "очно")
    return make_person(
        last_name,
        first_name,
        "Андреевич",
        category="обучающийся",
        birth_date=date(today.year - age, 1, 10),
        is_mentee=True,
        consent=consent,
        **overrides,
    )


def make_matching_forms() -> dict:
    """The eight seeded forms of mentorship, by code."""
    from portal.matching.forms_seed import seed_forms

    forms = seed_forms()
    db.session.commit()
    return forms


def make_leaver(pair: Pair, leaver_user: User | None = None, parent_user: User | None = None):
    """A mentee (with the mother) who was in the pair's group and has left it (left_on set).

    Neither may reach the pair, its plan, meetings or agreements any more."""
    from datetime import timedelta

    child, mother = make_child_with_parent(
        "Белов", "Артём", child_user=leaver_user, parent_user=parent_user
    )
    joined = pair.started_on or date(2026, 9, 15)
    pair.members.append(
        PairMember(
            mentee=child,
            joined_on=joined,
            left_on=joined + timedelta(days=30),
            leave_reason="Перешёл в другое объединение",
        )
    )
    db.session.commit()
    return child, mother


# --- monitoring ---


def make_campaign(form_ids, deadline: date = date(2026, 12, 20), stages=("quality", "growth")):
    """An open campaign, created as the curator would a few weeks before its deadline."""
    from datetime import timedelta

    from portal.monitoring.campaigns import create_campaign

    campaign = create_campaign(
        deadline, list(form_ids), list(stages), by="curator", today=deadline - timedelta(days=30)
    )
    db.session.commit()
    return campaign


def make_questionnaire(sections, respondent="mentee", moment="half_year", form=None, **overrides):
    """A questionnaire from (section title, [(kind, text, options, required, measure)])."""
    from portal.monitoring.defaults import build

    family = overrides.pop("family", f"test-{next(_seq)}")
    questionnaire = build(
        family,
        overrides.pop("title", "Тестовая анкета"),
        respondent,
        moment,
        sections,
        form,
        **overrides,
    )
    db.session.add(questionnaire)
    db.session.commit()
    return questionnaire


def make_assignment(questionnaire, person=None, pair=None, campaign=None, user=None, **values):
    from portal.monitoring.models import Assignment

    assignment = Assignment(
        campaign_id=campaign.id if campaign else None,
        questionnaire_id=questionnaire.id,
        moment=values.pop("moment", questionnaire.moment),
        person_id=person.id if person else None,
        user_id=user.id if user else None,
        pair_id=pair.id if pair else None,
        form_id=pair.form_id if pair else questionnaire.form_id,
        respondent=values.pop("respondent", questionnaire.respondent),
        due_on=campaign.deadline if campaign else None,
        **values,
    )
    db.session.add(assignment)
    db.session.commit()
    return assignment


def answer_questionnaire(assignment, values: dict, submit: bool = True):
    """Answer by question position: {1: "7", 2: ["0", "2"], ...}; optionally submit."""
    from portal.monitoring import campaigns

    by_position = {q.position: q for q in assignment.questionnaire.questions}
    for position, value in values.items():
        raw = value if isinstance(value, list) else [value]
        campaigns.save_answer(assignment, by_position[position], raw)
    db.session.commit()
    if submit:
        campaigns.submit(assignment)
        db.session.commit()
    return assignment


def make_channel(name: str = "Сайт Центра", **overrides):
    channel = db.session.query(MediaChannel).filter_by(name=name).one_or_none()
    if channel is None:
        channel = MediaChannel(name=name, **overrides)
        db.session.add(channel)
        db.session.commit()
    return channel


def make_media_item(channel=None, **overrides):
    people = overrides.pop("people", [])
    values = {
        "kind": MediaKind.NEWS,
        "title": "Новость о программе наставничества",
        "planned_on": date(2026, 12, 10),
        "status": MediaStatus.PLANNED,
    }
    values.update(overrides)
    item = MediaItem(channel=channel or make_channel(), **values)
    item.people = list(people)
    db.session.add(item)
    db.session.commit()
    return item


def make_target_group(name: str = "Родители обучающихся", **overrides) -> TargetGroup:
    group = db.session.query(TargetGroup).filter_by(name=name).one_or_none()
    if group is None:
        group = TargetGroup(name=name, **overrides)
        db.session.add(group)
        db.session.commit()
    return group


def make_strategy_message(group=None, **overrides) -> StrategyMessage:
    values = {"stage": MessageStage.AWARENESS, "text": "В Центре работает программа наставничества"}
    values.update(overrides)
    message = StrategyMessage(target_group=group or make_target_group(), **values)
    db.session.add(message)
    db.session.commit()
    return message


def make_dissemination_event(**overrides) -> DisseminationEvent:
    values = {
        "held_on": date(2026, 10, 5),
        "kind": DisseminationKind.EVENT,
        "title": "Родительское собрание о наставничестве",
        "reach": 40,
    }
    values.update(overrides)
    event = DisseminationEvent(**values)
    db.session.add(event)
    db.session.commit()
    return event
