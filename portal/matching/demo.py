"""Demo data of the matching area: the forms, pairs and groups in every status, a petition, a
pool of mentees left unmatched, and the pairs of the demo accounts (ctx.extras["pairs"])."""

from datetime import date, timedelta

from sqlalchemy import select

from portal.domain import RuleViolation
from portal.extensions import db
from portal.matching import pairs as service
from portal.matching.candidates import (
    form_rule,
    load_candidates,
    load_weights,
    mentor_pool,
    unmatched_pool,
)
from portal.matching.forms_seed import seed_forms
from portal.matching.models import MentorshipForm, Pair, PairEvent, PairMember
from portal.matching.score import top_suggestions
from portal.people.models import Consent, Person, PersonTag, Representative, Tag
from portal.statuses import PairStatus, PersonCategory, PersonStatus
from portal.text import fold
from portal.timeutil import today_moscow

RESULTS = (
    "Подготовлен и защищён исследовательский проект; диплом II степени муниципального конкурса.",
    "Наставляемый освоил основы программирования роботов, выступил на городском фестивале.",
    "Выбран профиль обучения, составлен план подготовки к олимпиаде, рост уверенности в себе.",
)
END_REASONS = (
    "По соглашению сторон: семья переехала в другой город.",
    "В одностороннем порядке: наставляемый систематически не посещал встречи "
    "(раздел 2 соглашения).",
)


def seed(ctx) -> None:
    forms = seed_forms()
    ctx.extras["forms"] = forms
    persons = ctx.extras.get("persons") or _fallback_people(ctx)
    ctx.extras.setdefault("persons", persons)
    today = today_moscow()
    term_start = date(today.year if today.month >= 9 else today.year - 1, 9, 15)

    demo_pairs = {
        "mentor": _contract_pair(
            forms["teacher-student"], persons["mentor"], persons["mentee"], term_start
        ),
    }
    form2 = _form_for(forms, persons["mentor2"], persons["mentee2"])
    demo_pairs["mentor2"] = _contract_pair(
        form2, persons["mentor2"], persons["mentee2"], term_start + timedelta(days=7)
    )
    ctx.extras["pairs"] = demo_pairs

    reserved = {p.id for p in persons.values()}
    rng = ctx.rng
    plan = [
        # (form code, statuses in order of creation)
        (
            "teacher-student",
            [
                PairStatus.ACTIVE,
                PairStatus.ACTIVE,
                "группа",
                PairStatus.DRAFT,
                PairStatus.DRAFT,
                PairStatus.COMPLETED,
                PairStatus.COMPLETED,
                PairStatus.TERMINATED,
                "внимание",
                "ходатайство",
                "замена",
            ],
        ),
        ("student-student", [PairStatus.ACTIVE, PairStatus.DRAFT, PairStatus.TERMINATED]),
        ("teacher-teacher", [PairStatus.ACTIVE, PairStatus.COMPLETED]),
    ]
    for code, statuses in plan:
        form = forms[code]
        for status in statuses:
            _seed_one(form, status, reserved, rng, term_start)
    db.session.flush()


# --- The demo accounts' pairs ---------------------------------------------------------------------


def _form_for(forms: dict[str, MentorshipForm], mentor: Person, mentee: Person) -> MentorshipForm:
    for code in ("teacher-student", "student-student", "teacher-teacher"):
        form = forms[code]
        if mentor.category in form.mentor_categories and mentee.category in form.mentee_categories:
            return form
    return forms["teacher-student"]


def _contract_pair(form: MentorshipForm, mentor: Person, mentee: Person, started: date) -> Pair:
    """The demo accounts' pair, made directly: the contract holds whatever the people seeder
    chose for capacities."""
    pair = Pair(
        form=form, mentor=mentor, status=PairStatus.ACTIVE, started_on=started, goal=form.goal
    )
    pair.members.append(PairMember(mentee=mentee, joined_on=started))
    db.session.add(pair)
    db.session.flush()
    db.session.add(
        PairEvent(
            pair_id=pair.id,
            kind="created",
            user_login="curator",
            text=f"Сформирована пара: {mentor.short_name} — {mentee.short_name} (демо-данные).",
        )
    )
    db.session.add(
        PairEvent(
            pair_id=pair.id,
            kind=PairStatus.ACTIVE,
            user_login="curator",
            text=f"Пара запущена с {started:%d.%m.%Y}.",
        )
    )
    return pair


# --- The rest: real matches from the pool ---------------------------------------------------------


def _best_match(form: MentorshipForm, reserved: set[int], rng) -> tuple[Person, Person] | None:
    """A random unmatched mentee of the form and the best mentor the score suggests."""
    mentee_ids = [i for i in db.session.scalars(unmatched_pool(form)) if i not in reserved]
    rng.shuffle(mentee_ids)
    mentors = [
        c
        for c in load_candidates(mentor_pool(form), with_capacity=True).values()
        if c.id not in reserved
    ]
    if not mentors:
        return None
    rule, weights = form_rule(form), load_weights()
    for mentee_id in mentee_ids[:40]:
        mentee = load_candidates([mentee_id])[mentee_id]
        top = top_suggestions(mentee, mentors, rule, weights, limit=3)
        if top:
            choice = top[rng.randrange(len(top))]
            return db.session.get(Person, choice.mentor.id), db.session.get(Person, mentee_id)
    return None


def _seed_one(form: MentorshipForm, status: str, reserved: set[int], rng, term: date) -> None:
    match = _best_match(form, reserved, rng)
    if match is None:
        return
    mentor, mentee = match
    started = term + timedelta(days=rng.randint(0, 40))
    if status in (PairStatus.COMPLETED, PairStatus.TERMINATED):
        started = date(term.year - 1, 9, 20) + timedelta(days=rng.randint(0, 30))
    try:
        result = service.assign(form, mentor, mentee, on=started, source="демо-данные")
    except RuleViolation:
        return
    pair = result.pair
    pair.goal = form.goal
    reserved.add(mentor.id)  # one seeded pair per mentor keeps every status on its own pair
    if status == PairStatus.DRAFT:
        return
    if status == "группа":
        # A group needs a mentor who takes several mentees; the demo mentor agrees to three.
        mentor.capacity = max(mentor.capacity or 1, 3)
        for _ in range(2):
            extra = _another_mentee(form, mentor, reserved, rng)
            if extra is not None:
                try:
                    service.add_member(pair, extra, on=started)
                except RuleViolation:
                    pass
    service.activate(pair, on=started)
    if status == PairStatus.COMPLETED:
        service.complete(pair, rng.choice(RESULTS), on=date(term.year, 5, 25))
    elif status == PairStatus.TERMINATED:
        service.terminate(
            pair, rng.choice(END_REASONS), on=started + timedelta(days=rng.randint(40, 120))
        )
    elif status == "внимание":
        _revoke_consent(mentee, pair)
    elif status in ("ходатайство", "замена"):
        petition = service.file_petition(
            pair,
            mentee,
            "Не удаётся установить личный контакт: встречи переносятся, "
            "наставник не отвечает в мессенджере.",
            filed_on=min(today_moscow(), started + timedelta(days=45)),
        )
        if status == "замена":
            other = _best_match_for(form, mentee, exclude={mentor.id} | reserved)
            if other is not None:
                try:
                    service.replace_mentor(petition, other, "Приказ директора о замене наставника.")
                except RuleViolation:
                    pass


def _another_mentee(form, mentor, reserved, rng) -> Person | None:
    ids = [i for i in db.session.scalars(unmatched_pool(form)) if i not in reserved]
    found = load_candidates(ids)
    ok = [c for c in found.values() if c.consent_valid]
    if not ok:
        return None
    return db.session.get(Person, rng.choice(ok).id)


def _best_match_for(form, mentee: Person, exclude: set[int]) -> Person | None:
    mentors = [
        c
        for c in load_candidates(mentor_pool(form), with_capacity=True).values()
        if c.id not in exclude
    ]
    candidate = load_candidates([mentee.id])[mentee.id]
    # The mentee still sits in the old pair here; the form check is done by replace_mentor.
    top = top_suggestions(candidate, mentors, form_rule(form), load_weights(), limit=1)
    return db.session.get(Person, top[0].mentor.id) if top else None


def _revoke_consent(mentee: Person, pair: Pair) -> None:
    consent = db.session.scalar(
        select(Consent).where(
            Consent.person_id == mentee.id,
            Consent.kind == "processing",
            Consent.revoked_on.is_(None),
        )
    )
    day = today_moscow() - timedelta(days=3)
    if consent is not None:
        consent.revoked_on = day
        consent.revoke_reason = "Заявление законного представителя об отзыве согласия."
    service.mark_needs_attention(
        mentee,
        f"{mentee.short_name}: согласие на обработку ПДн отозвано {day:%d.%m.%Y} — "
        f"решите судьбу пары.",
    )


# --- A small population, only when the people seeder did not run --------------------------------

_MENTORS = (
    (
        "Кузнецова",
        "Елена",
        "Сергеевна",
        PersonCategory.TEACHER,
        "Робототехника «Техноёжик»",
        3,
        ["робототехника", "программирование"],
        ["робототехника", "олимпиады", "программирование"],
    ),
    (
        "Васильев",
        "Павел",
        "Олегович",
        PersonCategory.TEACHER,
        "Шахматная школа",
        2,
        ["шахматы", "история"],
        ["шахматы", "публичные выступления"],
    ),
    (
        "Никитина",
        "Ольга",
        "Павловна",
        PersonCategory.TEACHER,
        "Театральная студия «Маска»",
        3,
        ["театр", "литература"],
        ["театр", "публичные выступления", "проектная деятельность"],
    ),
    (
        "Григорьев",
        "Антон",
        "Ильич",
        PersonCategory.SPECIALIST,
        "IT-куб",
        2,
        ["программирование", "3d-моделирование"],
        ["программирование", "3d-моделирование"],
    ),
    (
        "Белова",
        "Ирина",
        "Андреевна",
        PersonCategory.TEACHER,
        "Экологический отряд",
        3,
        ["экология", "биология"],
        ["экология", "исследовательская работа", "олимпиады"],
    ),
    (
        "Соловьёв",
        "Денис",
        "Маркович",
        PersonCategory.TEACHER,
        "Фотостудия",
        2,
        ["фотография", "видеомонтаж"],
        ["фотография", "журналистика"],
    ),
    (
        "Зайцева",
        "Мария",
        "Олеговна",
        PersonCategory.TEACHER,
        "Вокал",
        1,
        ["вокал", "музыка"],
        ["вокал"],
    ),
    (
        "Фролов",
        "Олег",
        "Петрович",
        PersonCategory.TEACHER,
        "Краеведы",
        2,
        ["история", "краеведение", "туризм"],
        ["краеведение", "исследовательская работа"],
    ),
)
_PUPIL_INTERESTS = (
    "робототехника",
    "шахматы",
    "театр",
    "программирование",
    "экология",
    "фотография",
    "вокал",
    "история",
    "краеведение",
    "3d-моделирование",
    "биология",
    "литература",
    "туризм",
    "музыка",
)
_REQUESTS = (
    ("подготовка к олимпиаде", "олимпиады"),
    ("исследовательский проект", "исследовательская работа"),
    ("выступать без страха", "публичные выступления"),
    ("сделать свой проект", "проектная деятельность"),
)
_SURNAMES = (
    "Иванов",
    "Смирнов",
    "Попов",
    "Лебедев",
    "Козлов",
    "Новиков",
    "Морозов",
    "Волков",
    "Соколов",
    "Павлов",
    "Семёнов",
    "Голубев",
    "Виноградов",
    "Богданов",
    "Воробьёв",
)
_BOYS = ("Артём", "Максим", "Иван", "Михаил", "Тимофей", "Егор", "Лев", "Марк")
_GIRLS = ("Анна", "София", "Мария", "Ева", "Полина", "Алиса", "Варвара", "Дарья")
_TIMES = ("пн, ср вечер", "вт, чт день", "сб утро", "пт вечер; сб день", "будни вечер")


def _tagged(person: Person, kind: str, names) -> None:
    for name in names:
        tag = db.session.scalar(select(Tag).where(Tag.folded == fold(name)))
        if tag is None:
            tag = Tag.make(name)
            db.session.add(tag)
            db.session.flush()
        person.tags.append(PersonTag(tag=tag, kind=kind))


def _person(rng, **values) -> Person:
    person = Person(status=PersonStatus.MEMBER, **values)
    person.refresh_search_key()
    db.session.add(person)
    db.session.flush()
    return person


def _fallback_people(ctx) -> dict[str, Person]:
    """The contract people and a small pool, for a build without the people area's seeder."""
    rng = ctx.rng
    today = today_moscow()
    signed = today - timedelta(days=60)
    made = []
    for last, first, middle, category, club, capacity, interests, comps in _MENTORS:
        mentor = _person(
            rng,
            last_name=last,
            first_name=first,
            middle_name=middle,
            category=category,
            is_mentor=True,
            club=club,
            capacity=capacity,
            birth_date=date(1975 + rng.randint(0, 20), rng.randint(1, 12), 10),
            desired_age_min=10 + rng.randint(0, 3),
            desired_age_max=14 + rng.randint(0, 3),
            comm_format=rng.choice(("очно", "очно и дистанционно")),
            comm_time=rng.choice(_TIMES),
            training_completed=True,
        )
        _tagged(mentor, "interest", interests)
        _tagged(mentor, "competency", comps)
        made.append(mentor)
    teachers = [
        _person(
            rng,
            last_name=last,
            first_name=first,
            middle_name=middle,
            category=PersonCategory.TEACHER,
            is_mentee=True,
            birth_date=date(1999, 3, 3),
            capacity=0,
            club=club,
        )
        for last, first, middle, club in (
            ("Королёва", "Юлия", "Игоревна", "Вокал"),
            ("Мельников", "Глеб", "Андреевич", "IT-куб"),
        )
    ]
    pupils = []
    for k in range(46):
        girl = k % 2 == 0
        surname = rng.choice(_SURNAMES) + ("а" if girl else "")
        age = rng.randint(10, 17)
        request, request_tag = rng.choice(_REQUESTS)
        interests = rng.sample(_PUPIL_INTERESTS, rng.randint(1, 3))
        pupil = _person(
            rng,
            last_name=surname,
            first_name=rng.choice(_GIRLS if girl else _BOYS),
            middle_name=rng.choice(("Андреевич", "Игоревич", "Олегович"))
            if not girl
            else rng.choice(("Андреевна", "Игоревна", "Олеговна")),
            category=PersonCategory.STUDENT,
            is_mentee=True,
            is_mentor=age >= 15,
            capacity=1 if age >= 15 else 0,
            study_level=age - 6,
            birth_date=date(today.year - age, rng.randint(1, 12), rng.randint(1, 28)),
            club=rng.choice([m.club for m in made]),
            key_request=f"{request}: {interests[0]}",
            comm_format=rng.choice(("очно", "дистанционно", "очно и дистанционно")),
            comm_time=rng.choice(_TIMES),
            entered_on=today - timedelta(days=30),
        )
        _tagged(pupil, "interest", interests)
        _tagged(pupil, "request", [request_tag, interests[0]])
        if pupil.is_mentor:
            _tagged(pupil, "competency", interests[:2])
            pupil.desired_age_min, pupil.desired_age_max = 10, 13
        pupils.append(pupil)
    mentee = _person(
        rng,
        last_name="Орлов",
        first_name="Дмитрий",
        middle_name="Андреевич",
        category=PersonCategory.STUDENT,
        is_mentee=True,
        study_level=6,
        capacity=0,
        birth_date=date(today.year - 12, 3, 14),
        club=made[0].club,
        key_request="Хочу собрать робота для соревнований",
        comm_format="очно",
        comm_time="пн, ср вечер",
    )
    _tagged(mentee, "interest", ["робототехника", "шахматы"])
    _tagged(mentee, "request", ["робототехника"])
    parent = _person(
        rng,
        last_name="Орлова",
        first_name="Наталья",
        middle_name="Петровна",
        category=PersonCategory.PARENT,
        birth_date=date(1986, 7, 2),
    )
    db.session.add(Representative(child=mentee, representative=parent, relation="мать"))
    mentee2 = _person(
        rng,
        last_name="Смирнова",
        first_name="Алина",
        middle_name="Игоревна",
        category=PersonCategory.STUDENT,
        is_mentee=True,
        study_level=8,
        capacity=0,
        birth_date=date(today.year - 14, 1, 20),
        club=made[1].club,
        key_request="Подготовка к шахматному турниру",
        comm_format="очно",
    )
    _tagged(mentee2, "interest", ["шахматы"])
    everyone = [*made, *teachers, *pupils, mentee, parent, mentee2]
    for person in everyone:
        if person is parent or rng.random() < 0.93 or person in (mentee, mentee2, made[0], made[1]):
            variant = "A" if (person.age or 99) < 14 else "B"
            db.session.add(
                Consent(
                    person=person,
                    kind="processing",
                    variant=variant,
                    signed_on=signed,
                    method="paper",
                )
            )
    persons = {
        "mentor": made[0],
        "mentee": mentee,
        "parent": parent,
        "mentor2": made[1],
        "mentee2": mentee2,
    }
    for login, person in persons.items():
        user = ctx.users.get(login)
        if user is not None:
            user.person_id = person.id
    db.session.flush()
    return persons
