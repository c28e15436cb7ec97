"""Notifications: made from the areas' signals, addressed only to people who may see the object.

Every notification passes through `notify`, which asks the object's own area whether the user
may see it; a notification that would leak an object is never created. The bell's state is one
query (unread count and newest id), so a poll that finds nothing new costs almost nothing.
"""

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.agreements.access import can_view as can_view_agreement
from portal.communication import help as communication_help
from portal.communication.work import media_reminders
from portal.extensions import db
from portal.matching.access import can_view_pair
from portal.matching.models import Pair
from portal.notifications.models import Notification
from portal.people.models import Representative
from portal.plans.models import Plan, PlanItem
from portal.plans.permissions import plan_rights
from portal.programme import work as programme_work
from portal.relations import current_member_ids, open_pair_clause
from portal.statuses import PlanItemStatus
from portal.timeutil import today_moscow, utcnow

REMINDER_DAYS = 3  # «срок через 3 дня»

# object_type → the owning area's check "may this user see this object".
VISIBILITY: dict[str, Callable[[User, object], bool]] = {
    "agreement": can_view_agreement,
    "pair": can_view_pair,
    "plan": lambda user, plan: plan_rights(user, plan.pair).read,
    "plan_item": lambda user, item: plan_rights(user, item.plan.pair).read,
    "road_map_activity": programme_work.can_see_activity,
}


def register_visibility(object_type: str, check: Callable[[User, object], bool]) -> None:
    """Let a higher area (monitoring, the programme) notify about its own objects."""
    VISIBILITY[object_type] = check


def notify(
    user: User,
    kind: str,
    text: str,
    object_type: str,
    obj,
    endpoint: str,
    key: str | None = None,
    **url_args,
) -> Notification | None:
    """Add a notification for the user, or nothing when they may not see the object.

    `key` makes a reminder idempotent: the same key is never added twice for a user.
    """
    check = VISIBILITY.get(object_type)
    if check is None:
        raise KeyError(f"No visibility check for {object_type!r}")
    if not user.active or not check(user, obj):
        return None
    if key is not None:
        known = db.session.scalar(
            select(Notification.id).where(Notification.user_id == user.id, Notification.key == key)
        )
        if known is not None:
            return None
    notification = Notification(
        user_id=user.id,
        kind=kind,
        text=text[:400],
        endpoint=endpoint,
        url_args=url_args,
        object_type=object_type,
        object_id=obj.id,
        key=key,
        created_at=utcnow(),
    )
    if key is None:
        db.session.add(notification)
        return notification
    # Two reminder runs at once (two servers' timers) may race for the same key: the unique
    # constraint decides, and the loser's savepoint is rolled back without harm.
    try:
        with db.session.begin_nested():
            db.session.add(notification)
    except IntegrityError:
        return None
    return notification


def users_of(person_ids: Iterable[int]) -> list[User]:
    """The active accounts linked to these people."""
    ids = {i for i in person_ids if i is not None}
    if not ids:
        return []
    query = select(User).where(User.person_id.in_(ids), User.active.is_(True)).order_by(User.id)
    return list(db.session.scalars(query))


def representatives_of(person_ids: Iterable[int]) -> set[int]:
    ids = set(person_ids)
    if not ids:
        return set()
    query = select(Representative.representative_id).where(Representative.child_id.in_(ids))
    return set(db.session.scalars(query))


# --- state of the bell ---------------------------------------------------------------------------


def bell_state(user_id: int) -> tuple[int, str]:
    """The unread count and a token that changes whenever the bell should change."""
    count, newest = db.session.execute(
        select(func.count(Notification.id), func.coalesce(func.max(Notification.id), 0)).where(
            Notification.user_id == user_id, Notification.read_at.is_(None)
        )
    ).one()
    return count, f"{count}.{newest}"


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(user_id: int) -> int:
    result = db.session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
    return result.rowcount


# --- reminders of deadlines, made by the daily command ------------------------------------------


def plan_item_reminders(on: date) -> int:
    """Mentor and mentees of open pairs: a planned activity falls due in three days."""
    due = on + timedelta(days=REMINDER_DAYS)
    items = db.session.scalars(
        select(PlanItem)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .join(Pair, Pair.id == Plan.pair_id)
        .where(
            open_pair_clause(),
            PlanItem.deleted_at.is_(None),
            PlanItem.status == PlanItemStatus.PLANNED,
            PlanItem.completed.is_(False),
            func.coalesce(PlanItem.end_on, PlanItem.start_on) == due,
        )
    )
    made = 0
    for item in items:
        pair = item.plan.pair
        people = {pair.mentor_id, *current_member_ids(pair)}
        for user in users_of(people):
            made += bool(
                notify(
                    user,
                    "deadline",
                    f"Через {REMINDER_DAYS} дня, {due:%d.%m.%Y}, срок мероприятия плана "
                    f"«{item.title}».",
                    "plan_item",
                    item,
                    "plans.show",
                    key=f"deadline:plan_item:{item.id}:{due.isoformat()}",
                    plan_id=item.plan_id,
                )
            )
    return made


def _from_area(source: Callable[[date], Iterable]) -> Callable[[date], int]:
    """Adapt an area's reminder list (objects with user, text, object_type, obj, endpoint,
    key, url_args) to notifications made here, so the area need not import this one."""

    def make(on: date) -> int:
        return sum(
            notify(
                r.user,
                "deadline",
                r.text,
                r.object_type,
                r.obj,
                r.endpoint,
                key=r.key,
                **r.url_args,
            )
            is not None
            for r in source(on)
        )

    return make


# Every source of deadline reminders; monitoring adds its own at merge.
REMINDER_SOURCES: tuple[Callable[[date], int], ...] = (
    plan_item_reminders,
    _from_area(programme_work.reminders),
    media_reminders,
    _from_area(communication_help.reminders),
)


def make_reminders(on: date | None = None, sources=None) -> int:
    """Create today's deadline reminders; running it twice a day adds nothing new."""
    on = on or today_moscow()
    return sum(source(on) for source in sources or REMINDER_SOURCES)
