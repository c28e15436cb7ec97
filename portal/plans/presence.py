"""Who else has a plan open, and which activity they edit: advisory rows that expire."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from portal.accounts.models import User
from portal.extensions import db
from portal.plans.editing import short_name
from portal.plans.models import PlanItem, PlanPresence
from portal.timeutil import utcnow

PRESENCE_TTL = timedelta(seconds=12)


@dataclass(frozen=True)
class Presence:
    name: str
    item_title: str | None


def heartbeat(plan_id: int, user_id: int, item_id: int | None) -> None:
    """Upsert the user's presence; an item of another plan is ignored."""
    if item_id is not None:
        owner = db.session.scalar(select(PlanItem.plan_id).where(PlanItem.id == item_id))
        if owner != plan_id:
            item_id = None
    table = PlanPresence.__table__
    values = {"item_id": item_id, "last_seen": utcnow()}
    where = (table.c.plan_id == plan_id, table.c.user_id == user_id)
    if db.session.execute(update(table).where(*where).values(**values)).rowcount:
        return
    try:
        with db.session.begin_nested():
            db.session.execute(insert(table).values(plan_id=plan_id, user_id=user_id, **values))
    except IntegrityError:  # the same user's other tab inserted first
        db.session.execute(update(table).where(*where).values(**values))


def present(plan_id: int, exclude_user_id: int | None = None) -> list[Presence]:
    """People seen on the plan during the last few seconds, except `exclude_user_id`."""
    query = (
        select(User.full_name, PlanItem.title)
        .select_from(PlanPresence)
        .join(User, User.id == PlanPresence.user_id)
        .outerjoin(PlanItem, PlanItem.id == PlanPresence.item_id)
        .where(
            PlanPresence.plan_id == plan_id,
            PlanPresence.last_seen >= utcnow() - PRESENCE_TTL,
        )
        .order_by(User.full_name)
    )
    if exclude_user_id is not None:
        query = query.where(PlanPresence.user_id != exclude_user_id)
    return [Presence(short_name(name), title) for name, title in db.session.execute(query)]
