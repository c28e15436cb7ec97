"""Demo notifications: every demo login finds at least one in the bell.

The other areas' demo steps already made real ones through their signals (issued agreements,
approved plans); whoever has none gets a reminder about something they may see.
"""

from datetime import timedelta

from sqlalchemy import func, select

from portal.extensions import db
from portal.matching.models import Pair
from portal.notifications.core import make_reminders, notify
from portal.notifications.models import Notification
from portal.plans.models import Plan
from portal.programme.models import ActivityStatus, RoadMapActivity
from portal.programme.roadmap import can_edit
from portal.relations import visible_pairs_clause
from portal.timeutil import today_moscow


def seed(ctx) -> None:
    today = today_moscow()
    make_reminders(today)
    db.session.flush()
    for login, user in ctx.users.items():
        has = db.session.scalar(
            select(func.count(Notification.id)).where(Notification.user_id == user.id)
        )
        if has:
            continue
        if can_edit(user):
            activity = db.session.scalar(
                select(RoadMapActivity)
                .where(RoadMapActivity.status.not_in(ActivityStatus.closed()))
                .order_by(RoadMapActivity.deadline)
                .limit(1)
            )
            if activity is not None:
                notify(
                    user,
                    "deadline",
                    f"Срок мероприятия дорожной карты «{activity.title}» — "
                    f"{activity.deadline:%d.%m.%Y}.",
                    "road_map_activity",
                    activity,
                    "programme.activity_edit",
                    key=f"demo:{login}",
                    activity_id=activity.id,
                )
            continue
        plan = _plan_of(user)
        if plan is not None:
            notify(
                user,
                "plan_approved",
                f"Индивидуальный план обновлён: проверьте мероприятия на "
                f"{today + timedelta(days=7):%d.%m.%Y}.",
                "plan",
                plan,
                "plans.show",
                key=f"demo:{login}",
                plan_id=plan.id,
            )


def _plan_of(user):
    query = (
        select(Plan)
        .join(Pair, Pair.id == Plan.pair_id)
        .where(visible_pairs_clause(user))
        .order_by(Plan.id)
        .limit(1)
    )
    return db.session.scalar(query)
