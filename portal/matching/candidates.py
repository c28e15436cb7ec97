"""Turn person rows into the matcher's Candidate objects in a few batch queries (no N+1)."""

import re
from collections.abc import Iterable
from datetime import date
from functools import lru_cache

from sqlalchemy import Select, and_, func, select

from portal.extensions import db
from portal.matching.models import (
    MatchingWeights,
    MentorshipForm,
    Pair,
    PairMember,
)
from portal.matching.score import Candidate, FormRule, Weights
from portal.people.models import Person, PersonTag, Tag
from portal.relations import current_member_clause, open_pair_clause, valid_consent_clause
from portal.statuses import PersonStatus
from portal.text import fold
from portal.timeutil import age_on, today_moscow

# People who left the programme or whose data was anonymised are never matched.
CLOSED_PERSON_STATUSES = PersonStatus.closed()

# Day and part-of-day words as people write them: «пн», «вторник и четверг», «по субботам».
_DAY_STEMS = (
    ("пн", "понед"),
    ("вт", "вторн"),
    ("ср", "сред"),
    ("чт", "четв"),
    ("пт", "пятн"),
    ("сб", "суббот"),
    ("вс", "воскр"),
)
_ALL_DAYS = ("пн", "вт", "ср", "чт", "пт", "сб", "вс")
_ALL_PARTS = ("утро", "день", "вечер")
_WORD = re.compile(r"[а-я]+")
_HOUR = re.compile(r"(после\s+|с\s+)?(\d{1,2})(?:[:.]\d{2})?")


def _part_of_hour(hour: int) -> str:
    return "утро" if hour < 12 else ("день" if hour < 17 else "вечер")


def _day_of(word: str) -> str | None:
    for short, stem in _DAY_STEMS:
        if word == short or word.startswith(stem):
            return short
    return None


@lru_cache(maxsize=4096)  # the same few phrasings repeat across thousands of people
def parse_slots(text: str | None) -> frozenset[str]:
    """Free text about time → weekday-part slots: «пн, ср вечер; сб утро» → {пн-вечер, ср-вечер,
    сб-утро}; «вторник и четверг после 15:00» → вт/чт день и вечер. Each «;» part pairs its days
    with its parts of the day (all days or all parts when one side is not named)."""
    slots: set[str] = set()
    for chunk in re.split(r"[;\n]", (text or "").casefold().replace("ё", "е")):
        words = _WORD.findall(chunk)
        days = {d for d in map(_day_of, words) if d}
        if any(w.startswith("будн") for w in words):
            days.update(_ALL_DAYS[:5])
        if any(w.startswith("выходн") for w in words):
            days.update(("сб", "вс"))
        parts = set()
        for w in words:
            if w.startswith("утр"):
                parts.add("утро")
            elif w in ("день", "днем") or w.startswith("днев"):
                parts.add("день")
            elif w.startswith("вечер"):
                parts.add("вечер")
        if "после урок" in chunk:
            parts.update(("день", "вечер"))
        for match in _HOUR.finditer(chunk):
            hour = int(match.group(2))
            if 6 <= hour <= 23:
                part = _part_of_hour(hour)
                later = _ALL_PARTS[_ALL_PARTS.index(part) :]
                parts.update(later if (match.group(1) or "").startswith("после") else (part,))
        if not days and not parts:
            continue
        for day in days or _ALL_DAYS:
            for part in parts or _ALL_PARTS:
                slots.add(f"{day}-{part}")
    return frozenset(slots)


@lru_cache(maxsize=256)
def parse_formats(value: str | None) -> frozenset[str]:
    """«очно и дистанционно» → {очно, дистанционно}."""
    text = (value or "").casefold()
    found = set()
    if "дистанц" in text:
        found.add("дистанционно")
    if re.search(r"(^|[^а-я])очно", text):
        found.add("очно")
    return frozenset(found)


def form_rule(form: MentorshipForm) -> FormRule:
    return FormRule(
        code=form.code,
        mentor_categories=frozenset(form.mentor_categories or ()),
        mentee_categories=frozenset(form.mentee_categories or ()),
        mentor_higher_level=bool(form.mentor_higher_level),
        min_mentee_age=form.min_mentee_age,
        title=form.name,
    )


def load_weights() -> Weights:
    row = db.session.get(MatchingWeights, 1)
    if row is None:
        return Weights()
    return Weights(
        request=row.request, interests=row.interests, age=row.age, club=row.club, format=row.format
    )


def weights_dict(weights: Weights) -> dict[str, int]:
    return {
        "request": weights.request,
        "interests": weights.interests,
        "age": weights.age,
        "club": weights.club,
        "format": weights.format,
    }


# --- Pools --------------------------------------------------------------------------------------


def _open_members_of_form(form_id: int):
    return (
        select(PairMember.mentee_id)
        .join(Pair, Pair.id == PairMember.pair_id)
        .where(
            Pair.form_id == form_id,
            open_pair_clause(),
            current_member_clause(),
        )
    )


def _person_in_programme():
    return and_(Person.status.notin_(CLOSED_PERSON_STATUSES), Person.anonymised_at.is_(None))


def mentor_pool(form: MentorshipForm) -> Select:
    """Ids of the people who may mentor in the form (capacity and consent are judged later)."""
    query = select(Person.id).where(
        Person.is_mentor.is_(True),
        Person.category.in_(form.mentor_categories or ["—"]),
        _person_in_programme(),
    )
    if form.mentor_higher_level:
        query = query.where(Person.study_level.is_not(None))
    return query


def unmatched_pool(
    form: MentorshipForm,
    *,
    club: str | None = None,
    age_min: int | None = None,
    age_max: int | None = None,
    q: str | None = None,
) -> Select:
    """Ids of the mentees of the form's categories with no open pair in this form."""
    query = select(Person.id).where(
        Person.is_mentee.is_(True),
        Person.category.in_(form.mentee_categories or ["—"]),
        _person_in_programme(),
        Person.id.notin_(_open_members_of_form(form.id)),
    )
    if club:
        query = query.where(Person.club == club)
    today = today_moscow()
    if age_min is not None:
        query = query.where(Person.birth_date <= _years_before(today, age_min))
    if age_max is not None:
        query = query.where(Person.birth_date > _years_before(today, age_max + 1))
    if q:
        query = query.where(Person.search_key.contains(fold(q), autoescape=True))
    return query


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def paired_in_form(form_id: int, mentee_ids: Iterable[int] | Select | None = None) -> set:
    """(mentee_id, mentor_id) of every pair ever made in the form: not suggested again."""
    query = (
        select(PairMember.mentee_id, Pair.mentor_id)
        .join(Pair, Pair.id == PairMember.pair_id)
        .where(Pair.form_id == form_id)
    )
    if mentee_ids is not None:
        query = query.where(PairMember.mentee_id.in_(mentee_ids))
    return {(a, b) for a, b in db.session.execute(query)}


def active_mentee_counts(mentor_ids) -> dict[int, int]:
    """Current mentees of each mentor in open pairs of every form (capacity is per person)."""
    query = (
        select(Pair.mentor_id, func.count(PairMember.id))
        .join(PairMember, PairMember.pair_id == Pair.id)
        .where(
            open_pair_clause(),
            current_member_clause(),
            Pair.mentor_id.in_(mentor_ids),
        )
        .group_by(Pair.mentor_id)
    )
    return dict(db.session.execute(query).all())


# --- Candidates ---------------------------------------------------------------------------------

_COLUMNS = (
    Person.id,
    Person.last_name,
    Person.first_name,
    Person.middle_name,
    Person.category,
    Person.birth_date,
    Person.study_level,
    Person.club,
    Person.key_request,
    Person.desired_age_min,
    Person.desired_age_max,
    Person.comm_format,
    Person.comm_time,
    Person.capacity,
)


def load_candidates(ids, *, with_capacity: bool = False) -> dict[int, Candidate]:
    """Candidates for the person ids (a list or a Select of ids), in four queries whatever
    their number: persons, tags, valid consents and, for mentors, active mentee counts."""
    if not isinstance(ids, Select):
        ids = list(ids)
        if not ids:
            return {}
    rows = db.session.execute(select(*_COLUMNS).where(Person.id.in_(ids))).all()
    if not rows:
        return {}
    tags: dict[tuple[int, str], list[str]] = {}
    tag_rows = db.session.execute(
        select(PersonTag.person_id, PersonTag.kind, Tag.name)
        .join(Tag, Tag.id == PersonTag.tag_id)
        .where(PersonTag.person_id.in_(ids))
    )
    for person_id, kind, name in tag_rows:
        tags.setdefault((person_id, kind), []).append(name)
    consented = set(
        db.session.scalars(
            select(Person.id).where(Person.id.in_(ids), valid_consent_clause(Person.id))
        )
    )
    counts = active_mentee_counts(ids) if with_capacity else {}
    today = today_moscow()
    result = {}
    empty: list[str] = []
    for row in rows:
        result[row.id] = Candidate(
            id=row.id,
            full_name=" ".join(p for p in (row.last_name, row.first_name, row.middle_name) if p),
            category=row.category,
            age=age_on(row.birth_date, today),
            level=row.study_level,
            club=row.club,
            interests=frozenset(tags.get((row.id, "interest"), empty)),
            competencies=frozenset(tags.get((row.id, "competency"), empty)),
            key_request=row.key_request or "",
            request_tags=frozenset(tags.get((row.id, "request"), empty)),
            desired_age_min=row.desired_age_min,
            desired_age_max=row.desired_age_max,
            formats=parse_formats(row.comm_format),
            availability=parse_slots(row.comm_time),
            consent_valid=row.id in consented,
            capacity=row.capacity or 0,
            active_mentees=counts.get(row.id, 0),
        )
    return result
