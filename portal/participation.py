"""Who took part in which pair or group, when: one row per participation, finished ones too.

The bases (Приложение № 1) keep a programme's history: a mentee whose programme is
completed still shows the mentor, workplace, form, dates, results and case link of it. Like
``portal.relations`` this sits below the areas and reads the pairs tables (models only).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload

from portal.extensions import db
from portal.matching.models import Pair, PairMember
from portal.people.models import Person
from portal.statuses import PairStatus


@dataclass(frozen=True)
class Period:
    """Inclusive dates; a participation counts if it overlaps them."""

    start: date
    end: date

    @classmethod
    def year(cls, year: int) -> "Period":
        return cls(date(year, 1, 1), date(year, 12, 31))


@dataclass(frozen=True)
class Participation:
    pair_id: int
    status: PairStatus
    form: str
    mentor: Person
    mentees: tuple[Person, ...]
    started_on: date | None
    ended_on: date | None
    results: str | None
    case_url: str | None

    @property
    def term(self) -> str:
        start = self.started_on.strftime("%d.%m.%Y") if self.started_on else "…"
        end = self.ended_on.strftime("%d.%m.%Y") if self.ended_on else "по настоящее время"
        return f"{start} – {end}"


def _overlaps(start: date | None, end: date | None, period: Period | None) -> bool:
    if period is None:
        return True
    return (start is None or start <= period.end) and (end is None or end >= period.start)


def _pairs(condition) -> list[Pair]:
    # Drafts never ran: they are not a participation. Two queries for any number of people.
    query = (
        select(Pair)
        .where(Pair.status != PairStatus.DRAFT, condition)
        .order_by(Pair.started_on, Pair.id)
        .options(
            joinedload(Pair.mentor).lazyload(Person.tags),
            joinedload(Pair.form),
            selectinload(Pair.members).joinedload(PairMember.mentee).lazyload(Person.tags),
        )
    )
    return list(db.session.scalars(query).unique())


def _chunks(ids: list[int]):
    return [ids[i : i + 900] for i in range(0, len(ids), 900)]


def of_mentees(
    person_ids: list[int], period: Period | None = None
) -> dict[int, list[Participation]]:
    """Each mentee's participations (their own membership's dates), oldest first."""
    found: dict[int, list[Participation]] = defaultdict(list)
    for chunk in _chunks(list(person_ids)):
        members = select(PairMember.pair_id).where(PairMember.mentee_id.in_(chunk))
        wanted = set(chunk)
        for pair in _pairs(Pair.id.in_(members)):
            for member in pair.members:
                if member.mentee_id not in wanted:
                    continue
                start = member.joined_on or pair.started_on
                end = member.left_on or pair.ended_on
                if not _overlaps(start, end, period):
                    continue
                found[member.mentee_id].append(
                    Participation(
                        pair.id,
                        pair.status,
                        pair.form.name,
                        pair.mentor,
                        (member.mentee,),
                        start,
                        end,
                        pair.results,
                        pair.case_url,
                    )
                )
    return found


def of_mentors(
    person_ids: list[int], period: Period | None = None
) -> dict[int, list[Participation]]:
    """Each mentor's pairs and groups with everyone who was a member, oldest first."""
    found: dict[int, list[Participation]] = defaultdict(list)
    for chunk in _chunks(list(person_ids)):
        for pair in _pairs(Pair.mentor_id.in_(chunk)):
            if not _overlaps(pair.started_on, pair.ended_on, period):
                continue
            mentees = tuple(
                m.mentee
                for m in pair.members
                if _overlaps(m.joined_on, m.left_on or pair.ended_on, period)
            )
            found[pair.mentor_id].append(
                Participation(
                    pair.id,
                    pair.status,
                    pair.form.name,
                    pair.mentor,
                    mentees,
                    pair.started_on,
                    pair.ended_on,
                    pair.results,
                    pair.case_url,
                )
            )
    return found


def took_part_clause(period: Period, *, as_mentor: bool):
    """SQL: the person (Person.id) took part in a pair overlapping the period."""
    pair_overlaps = and_(
        Pair.status != PairStatus.DRAFT,
        or_(Pair.started_on.is_(None), Pair.started_on <= period.end),
        or_(Pair.ended_on.is_(None), Pair.ended_on >= period.start),
    )
    if as_mentor:
        return Person.id.in_(select(Pair.mentor_id).where(pair_overlaps))
    member_overlaps = and_(
        PairMember.joined_on <= period.end,
        or_(PairMember.left_on.is_(None), PairMember.left_on >= period.start),
    )
    return Person.id.in_(
        select(PairMember.mentee_id)
        .join(Pair, Pair.id == PairMember.pair_id)
        .where(pair_overlaps, member_overlaps)
    )
