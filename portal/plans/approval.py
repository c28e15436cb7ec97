"""Approval by the curator: a frozen snapshot, and what changed since it."""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select, update

from portal import signals
from portal.domain import RuleViolation
from portal.extensions import db
from portal.plans.editing import ITEM_FIELDS, _record, display, to_text
from portal.plans.models import PLAN_APPROVED, Plan, PlanItem, PlanRevision
from portal.timeutil import utcnow

SNAPSHOT_FIELDS = tuple(ITEM_FIELDS)


def snapshot(plan: Plan) -> dict:
    """The plan as plain data: the header of Приложение № 4 and the live activities."""
    pair = plan.pair
    items = db.session.scalars(
        select(PlanItem)
        .where(PlanItem.plan_id == plan.id, PlanItem.deleted_at.is_(None))
        .order_by(PlanItem.position, PlanItem.id)
        .execution_options(populate_existing=True)  # saves update rows behind the ORM's back
    )
    return {
        "form": pair.form.name,
        "mentor": pair.mentor.full_name,
        "mentees": [m.full_name for m in pair.mentees],
        "goal": plan.goal,
        "items": [
            {
                "id": item.id,
                "proposed_by_mentee": item.proposed_by_mentee,
                **{name: to_text(getattr(item, name)) for name in SNAPSHOT_FIELDS},
            }
            for item in items
        ],
    }


def approve(plan: Plan, expected_version: int, order_number: str, order_date: date, user):
    """Freeze the plan as the curator saw it (version `expected_version`)."""
    pending = db.session.scalar(
        select(func.count()).where(
            PlanItem.plan_id == plan.id,
            PlanItem.deleted_at.is_(None),
            PlanItem.proposed_by_mentee.is_(True),
        )
    )
    if pending:
        raise RuleViolation(
            "В плане есть мероприятия, предложенные наставляемым и ещё не принятые "
            "наставником. Примите или удалите их, затем утвердите план."
        )
    plans = Plan.__table__
    result = db.session.execute(
        update(plans)
        .where(plans.c.id == plan.id, plans.c.version == expected_version)
        .values(version=plans.c.version + 1, status=PLAN_APPROVED, changed_at=utcnow())
    )
    if result.rowcount != 1:
        raise RuleViolation(
            "Пока вы смотрели план, его изменили. Проверьте последние изменения и утвердите снова."
        )
    db.session.refresh(plan)
    number = (
        db.session.scalar(
            select(func.max(PlanRevision.number)).where(PlanRevision.plan_id == plan.id)
        )
        or 0
    ) + 1
    revision = PlanRevision(
        plan_id=plan.id,
        number=number,
        plan_version=plan.version,
        snapshot=snapshot(plan),
        order_number=order_number.strip(),
        order_date=order_date,
        approved_by_id=getattr(user, "id", None),
        approved_by_name=getattr(user, "full_name", None),
        at=utcnow(),
    )
    db.session.add(revision)
    db.session.flush()
    db.session.execute(
        update(plans).where(plans.c.id == plan.id).values(approved_revision_id=revision.id)
    )
    _record(
        plan.id,
        None,
        "_approved",
        None,
        f"приказ от {order_date:%d.%m.%Y} № {revision.order_number}",
        user,
        plan.version,
    )
    db.session.refresh(plan)
    signals.plan_approved.send(plan, revision=revision)
    return revision


@dataclass
class PlanDiff:
    """Differences of the current draft from the approved snapshot."""

    goal: tuple[str | None, str | None] | None = None
    added: list[dict] = field(default_factory=list)
    removed: list[dict] = field(default_factory=list)
    changed: list[tuple[dict, list[tuple[str, str, str]]]] = field(default_factory=list)
    moved: bool = False

    @property
    def empty(self) -> bool:
        return not (self.goal or self.added or self.removed or self.changed or self.moved)


def diff(approved: dict, current: dict) -> PlanDiff:
    result = PlanDiff()
    if (approved.get("goal") or None) != (current.get("goal") or None):
        result.goal = (approved.get("goal"), current.get("goal"))
    before = {i["id"]: i for i in approved["items"]}
    after = {i["id"]: i for i in current["items"]}
    result.added = [i for i in current["items"] if i["id"] not in before]
    result.removed = [i for i in approved["items"] if i["id"] not in after]
    for item in current["items"]:
        old = before.get(item["id"])
        if old is None:
            continue
        fields = [
            (spec.label, display(name, old.get(name)), display(name, item.get(name)))
            for name, spec in ITEM_FIELDS.items()
            if old.get(name) != item.get(name)
        ]
        if fields:
            result.changed.append((item, fields))
    kept_before = [i for i in before if i in after]
    kept_after = [i for i in after if i in before]
    result.moved = kept_before != kept_after
    return result
