"""What the programme asks of people: the road map's work for the start page, its reminders.

The start page (portal.notifications.queue) and the bell (portal.notifications.core) list
these providers; the programme does not import them.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from flask import url_for
from sqlalchemy import case, func, select

from portal.access import Role
from portal.accounts.models import User
from portal.extensions import db
from portal.programme.models import (
    ActivityStatus,
    CandidateDecision,
    MentorCandidate,
    RoadMapActivity,
    TrainingEvent,
)
from portal.programme.roadmap import can_edit
from portal.timeutil import today_moscow

SOON_DAYS = 14
REMINDER_DAYS = 3


def _scope(user):
    """The curator follows the whole map; the working group its own activities."""
    if user.has_role(Role.CURATOR):
        return True
    if user.has_role(Role.GROUP):
        return RoadMapActivity.responsible_id == user.id
    return None


def work_items(user) -> list[dict]:
    scope = _scope(user)
    if scope is None:
        return []
    today = today_moscow()
    open_ = RoadMapActivity.status.not_in(ActivityStatus.closed())
    overdue = RoadMapActivity.deadline < today
    row = db.session.execute(
        select(
            func.sum(case((overdue, 1), else_=0)),
            func.sum(case((overdue, 0), else_=1)),
            func.min(case((overdue, RoadMapActivity.id))),
            func.min(case((overdue, None), else_=RoadMapActivity.id)),
            func.min(case((overdue, RoadMapActivity.deadline))),
            func.min(case((overdue, None), else_=RoadMapActivity.deadline)),
        ).where(open_, RoadMapActivity.deadline <= today + timedelta(days=SOON_DAYS), scope)
    ).one()
    late, soon, late_id, soon_id, late_due, soon_due = row
    mine = "" if scope is True else " (вы ответственный)"

    def link(count, activity_id):
        if count == 1:
            return url_for("programme.activity_edit", activity_id=activity_id)
        return url_for("programme.roadmaps")

    pending, upcoming, next_on = db.session.execute(
        select(
            select(func.count(MentorCandidate.id))
            .where(MentorCandidate.decision == CandidateDecision.PENDING)
            .scalar_subquery(),
            select(func.count(TrainingEvent.id))
            .where(TrainingEvent.held_on.between(today, today + timedelta(days=SOON_DAYS)))
            .scalar_subquery(),
            select(func.min(TrainingEvent.held_on))
            .where(TrainingEvent.held_on.between(today, today + timedelta(days=SOON_DAYS)))
            .scalar_subquery(),
        )
    ).one()
    return [
        {
            "title": "Кандидаты в наставники ждут собеседования и решения",
            "count": int(pending or 0),
            "url": url_for("programme.candidates", decision=CandidateDecision.PENDING.value),
            "tone": "warning",
            "due": None,
        },
        {
            "title": f"Обучение наставников в ближайшие {SOON_DAYS} дней",
            "count": int(upcoming or 0),
            "url": url_for("programme.training"),
            "tone": "info",
            "due": _as_date(next_on),
        },
        {
            "title": f"Просроченные мероприятия дорожной карты{mine}",
            "count": int(late or 0),
            "url": link(late, late_id),
            "tone": "danger",
            "due": _as_date(late_due),
        },
        {
            "title": f"Мероприятия дорожной карты в ближайшие {SOON_DAYS} дней{mine}",
            "count": int(soon or 0),
            "url": link(soon, soon_id),
            "tone": "warning",
            "due": _as_date(soon_due),
        },
    ]


def _as_date(value):
    if isinstance(value, str):  # SQLite returns MIN over a CASE as text
        return date.fromisoformat(value[:10])
    return value


def can_see_activity(user, activity: RoadMapActivity) -> bool:
    return can_edit(user) or activity.responsible_id == user.id


@dataclass(frozen=True)
class Reminder:
    user: User
    text: str
    object_type: str
    obj: object
    endpoint: str
    key: str
    url_args: dict


def reminders(on: date) -> list[Reminder]:
    """The responsible person of an open activity due in three days."""
    due = on + timedelta(days=REMINDER_DAYS)
    activities = db.session.scalars(
        select(RoadMapActivity).where(
            RoadMapActivity.deadline == due,
            RoadMapActivity.status.not_in(ActivityStatus.closed()),
        )
    )
    return [
        Reminder(
            a.responsible,
            f"Через {REMINDER_DAYS} дня, {due:%d.%m.%Y}, срок мероприятия дорожной карты "
            f"«{a.title}».",
            "road_map_activity",
            a,
            "programme.activity_edit",
            f"deadline:road_map_activity:{a.id}:{due.isoformat()}",
            {"activity_id": a.id},
        )
        for a in activities
    ]
