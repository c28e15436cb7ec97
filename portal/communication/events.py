"""The programme's events a publication can be planned against: the road map's activities,
the mentors' trainings, the half-year monitoring and the pairs that finished."""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.matching.models import Pair
from portal.monitoring.models import Campaign
from portal.programme.models import RoadMapActivity, TrainingEvent
from portal.statuses import PairStatus

BEFORE_DAYS, AFTER_DAYS = 60, 180  # the window of events offered around today


@dataclass(frozen=True)
class ProgrammeEvent:
    key: str  # «activity:5», «training:2», «monitoring:3», «pair:9»
    source: str
    title: str
    on: date


def programme_events(today: date) -> list[ProgrammeEvent]:
    """Events from today − 60 days to today + 180 days, by date: four queries."""
    low, high = today - timedelta(days=BEFORE_DAYS), today + timedelta(days=AFTER_DAYS)
    found = [
        ProgrammeEvent(f"activity:{a.id}", "Дорожная карта", a.title, a.deadline)
        for a in db.session.scalars(
            select(RoadMapActivity).where(RoadMapActivity.deadline.between(low, high))
        )
    ]
    found += [
        ProgrammeEvent(f"training:{t.id}", "Обучение наставников", t.topic, t.held_on)
        for t in db.session.scalars(
            select(TrainingEvent).where(TrainingEvent.held_on.between(low, high))
        )
    ]
    found += [
        ProgrammeEvent(
            f"monitoring:{c.id}",
            "Мониторинг",
            f"Итоги мониторинга полугодия (до {c.deadline:%d.%m.%Y})",
            c.deadline,
        )
        for c in db.session.scalars(select(Campaign).where(Campaign.deadline.between(low, high)))
    ]
    found += [
        ProgrammeEvent(
            f"pair:{p.id}",
            "Завершение пары",
            f"Завершение: {p.form.name}, наставник {p.mentor.short_name}",
            p.ended_on,
        )
        for p in db.session.scalars(
            select(Pair)
            .options(joinedload(Pair.form), joinedload(Pair.mentor))
            .where(Pair.status == PairStatus.COMPLETED, Pair.ended_on.between(low, high))
        )
    ]
    return sorted(found, key=lambda e: (e.on, e.title))


def find_event(key: str | None, today: date) -> ProgrammeEvent | None:
    return next((e for e in programme_events(today) if e.key == key), None) if key else None
