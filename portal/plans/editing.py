"""Saving a plan's fields together: optimistic versions, conflicts, history and restore.

Every save is a compare-and-set on the row version (``UPDATE … WHERE id=? AND version=?``),
so two processes can never overwrite each other. A conflict is decided per field: a save
based on row version N conflicts only if *that field* was changed after N (looked up in the
append-only PlanChange log), so a mentor editing the title and a mentee editing the result of
the same activity never disturb each other. Nothing here commits: the caller does, so the
item update, the plan version bump and the history row land in one transaction.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from portal.domain import RuleViolation
from portal.extensions import db
from portal.matching.models import Pair
from portal.plans.models import (
    ITEM_STATUSES,
    PLAN_APPROVED,
    PLAN_CHANGED,
    RESPONSIBLE,
    Plan,
    PlanChange,
    PlanItem,
)
from portal.timeutil import to_moscow, utcnow
from portal.writelock import begin_write

MAX_ATTEMPTS = 25  # compare-and-set retries while *other* fields keep moving the row version


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str  # text | textarea | date | select | checkbox
    max_length: int | None = None
    required: bool = False
    choices: tuple[str, ...] = ()


ITEM_FIELDS = {
    spec.name: spec
    for spec in (
        FieldSpec("title", "Мероприятие", "text", 300, required=True),
        FieldSpec("format", "Формат работы", "text", 200),
        FieldSpec("start_on", "Начало", "date"),
        FieldSpec("end_on", "Окончание", "date"),
        FieldSpec("responsible", "Ответственный", "select", choices=RESPONSIBLE),
        FieldSpec("responsible_name", "ФИО ответственного", "text", 150),
        FieldSpec("expected_result", "Ожидаемый результат", "textarea", 2000),
        FieldSpec("status", "Статус", "select", choices=ITEM_STATUSES),
        FieldSpec("result", "Достигнутый результат", "textarea", 2000),
        FieldSpec("completed", "Отметка о выполнении", "checkbox"),
    )
}
GOAL = FieldSpec(
    "goal", "Цель реализации Целевой модели наставничества в паре/группе", "textarea", 2000
)
STRUCTURAL_LABELS = {
    "_created": "добавлено мероприятие",
    "_deleted": "мероприятие удалено",
    "_undeleted": "мероприятие возвращено",
    "_position": "изменён порядок",
    "_accepted": "предложение принято наставником",
    "_approved": "план утверждён",
}


def spec_for(name: str, item: bool = True) -> FieldSpec:
    spec = ITEM_FIELDS.get(name) if item else (GOAL if name == "goal" else None)
    if spec is None:
        raise KeyError(name)
    return spec


# --- values: parsed for the column, stored as text in the history ------------------------


def parse_value(spec: FieldSpec, raw: str | None):
    """Turn what the browser sent into the column's value; RuleViolation on bad input."""
    raw = (raw or "").replace("\r\n", "\n")
    if spec.kind == "checkbox":
        return raw.strip().lower() in ("1", "on", "true", "да", "yes")
    text = raw.strip()
    if spec.kind == "date":
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise RuleViolation("Дата указана неверно; нужен формат ДД.ММ.ГГГГ.") from None
    if spec.kind == "select":
        if text not in spec.choices:
            raise RuleViolation(f"«{spec.label}»: выберите значение из списка.")
        return text
    if spec.required and not text:
        raise RuleViolation(f"«{spec.label}» не может быть пустым.")
    if spec.max_length and len(text) > spec.max_length:
        raise RuleViolation(
            f"«{spec.label}»: не больше {spec.max_length} символов (сейчас {len(text)})."
        )
    return text or None


def to_text(value) -> str | None:
    """The value as the history stores it."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def display(spec_name: str, text: str | None) -> str:
    """A stored history value as a person reads it."""
    spec = ITEM_FIELDS.get(spec_name)
    if text is None or text == "":
        return "—" if not (spec and spec.kind == "checkbox") else "нет"
    if spec and spec.kind == "checkbox":
        return "выполнено" if text == "1" else "нет"
    if spec and spec.kind == "date":
        try:
            return date.fromisoformat(text).strftime("%d.%m.%Y")
        except ValueError:
            return text
    return text


def check_dates(start: date | None, end: date | None) -> None:
    if start and end and end < start:
        raise RuleViolation(
            f"Окончание ({end:%d.%m.%Y}) не может быть раньше начала ({start:%d.%m.%Y})."
        )


# --- outcomes -----------------------------------------------------------------------------


@dataclass
class SaveOutcome:
    """What happened to one save: saved, unchanged, conflict or deleted."""

    status: str
    mine: str | None = None  # the value the editor sent, as text
    theirs: PlanChange | None = None  # the change the editor had not seen
    plan_version: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.status in ("saved", "unchanged")


# --- the plan ------------------------------------------------------------------------------


def ensure_plan(pair: Pair) -> Plan:
    """Return the pair's plan, creating it (goal taken from the pair) on first use."""
    plan = db.session.scalar(select(Plan).where(Plan.pair_id == pair.id))
    if plan is not None:
        return plan
    try:
        with db.session.begin_nested():
            plan = Plan(pair_id=pair.id, goal=pair.goal or pair.form.goal, version=0)
            db.session.add(plan)
    except IntegrityError:  # another process created it at the same moment
        plan = db.session.scalar(select(Plan).where(Plan.pair_id == pair.id))
    return plan


def _bump_plan(plan_id: int) -> int:
    """Count one accepted change on the plan; an approved plan becomes a new draft."""
    plans = Plan.__table__
    db.session.execute(
        update(plans)
        .where(plans.c.id == plan_id)
        .values(
            version=plans.c.version + 1,
            changed_at=utcnow(),
            status=case((plans.c.status == PLAN_APPROVED, PLAN_CHANGED), else_=plans.c.status),
        )
    )
    return db.session.scalar(select(plans.c.version).where(plans.c.id == plan_id))


def _record(plan_id, item_id, name, old, new, user, plan_version, item_version=None, note=None):
    change = PlanChange(
        plan_id=plan_id,
        item_id=item_id,
        field=name,
        old=old,
        new=new,
        note=note,
        user_id=getattr(user, "id", None),
        user_name=getattr(user, "full_name", None),
        at=utcnow(),
        plan_version=plan_version,
        item_version=item_version,
    )
    db.session.add(change)
    db.session.flush()
    return change


def _field_changed_since(item_id: int | None, plan_id: int, name: str, base: int):
    """The latest change of this field after version `base` (row version, or plan version)."""
    query = select(PlanChange).where(PlanChange.field == name)
    if item_id is None:
        query = query.where(
            PlanChange.plan_id == plan_id,
            PlanChange.item_id.is_(None),
            PlanChange.plan_version > base,
        )
    else:
        query = query.where(PlanChange.item_id == item_id, PlanChange.item_version > base)
    return db.session.scalar(query.order_by(PlanChange.id.desc()).limit(1))


def save_field(item_id: int, name: str, raw, base_version: int | None, user, note=None):
    """Save one field of an activity against the version the editor started from.

    `base_version=None` skips the conflict check (restoring from history is deliberate).
    Raises RuleViolation for invalid values and LookupError when the activity never existed.
    """
    begin_write()  # SQLite: queue behind another save instead of failing
    spec = spec_for(name)
    value = parse_value(spec, raw)
    mine = to_text(value)
    items = PlanItem.__table__
    column = items.c[name]
    for _attempt in range(MAX_ATTEMPTS):
        row = db.session.execute(
            select(
                items.c.version,
                items.c.plan_id,
                items.c.deleted_at,
                items.c.start_on,
                items.c.end_on,
                column.label("current"),
            ).where(items.c.id == item_id)
        ).one_or_none()
        if row is None:
            raise LookupError(item_id)
        if row.deleted_at is not None:
            return SaveOutcome("deleted", mine=mine)
        current = to_text(row.current)
        if current == mine:
            return SaveOutcome("unchanged", mine=mine)
        if base_version is not None:
            theirs = _field_changed_since(item_id, row.plan_id, name, base_version)
            if theirs is not None:
                return SaveOutcome("conflict", mine=mine, theirs=theirs)
        if name == "start_on":
            check_dates(value, row.end_on)
        elif name == "end_on":
            check_dates(row.start_on, value)
        result = db.session.execute(
            update(items)
            .where(items.c.id == item_id, items.c.version == row.version)
            .values({name: value, "version": items.c.version + 1})
        )
        if result.rowcount != 1:
            continue  # someone saved this row meanwhile: look again
        plan_version = _bump_plan(row.plan_id)
        _record(
            row.plan_id, item_id, name, current, mine, user, plan_version, row.version + 1, note
        )
        return SaveOutcome("saved", mine=mine, plan_version=plan_version)
    raise RuleViolation("Слишком много одновременных изменений. Повторите сохранение.")


def save_goal(plan_id: int, raw, base_version: int | None, user, note=None) -> SaveOutcome:
    """Save the plan's goal; `base_version` is the plan version the editor started from."""
    begin_write()  # SQLite: queue behind another save instead of failing
    value = parse_value(GOAL, raw)
    mine = to_text(value)
    plans = Plan.__table__
    for _attempt in range(MAX_ATTEMPTS):
        row = db.session.execute(
            select(plans.c.version, plans.c.goal).where(plans.c.id == plan_id)
        ).one_or_none()
        if row is None:
            raise LookupError(plan_id)
        if row.goal == mine:
            return SaveOutcome("unchanged", mine=mine)
        if base_version is not None:
            theirs = _field_changed_since(None, plan_id, "goal", base_version)
            if theirs is not None:
                return SaveOutcome("conflict", mine=mine, theirs=theirs)
        result = db.session.execute(
            update(plans)
            .where(plans.c.id == plan_id, plans.c.version == row.version)
            .values(
                goal=value,
                version=plans.c.version + 1,
                changed_at=utcnow(),
                status=case((plans.c.status == PLAN_APPROVED, PLAN_CHANGED), else_=plans.c.status),
            )
        )
        if result.rowcount != 1:
            continue
        _record(plan_id, None, "goal", row.goal, mine, user, row.version + 1, note=note)
        return SaveOutcome("saved", mine=mine, plan_version=row.version + 1)
    raise RuleViolation("Слишком много одновременных изменений. Повторите сохранение.")


# --- activities as a whole -----------------------------------------------------------------


def add_item(plan: Plan, title: str, user, proposed: bool = False, **values) -> PlanItem:
    """Add an activity at the end; a mentee's activity is a proposal until the mentor accepts."""
    begin_write()  # SQLite: queue behind another save instead of failing
    title = parse_value(ITEM_FIELDS["title"], title)
    unknown = set(values) - set(ITEM_FIELDS)
    if unknown:
        raise KeyError(sorted(unknown))
    check_dates(values.get("start_on"), values.get("end_on"))
    last = db.session.scalar(select(func.max(PlanItem.position)).where(PlanItem.plan_id == plan.id))
    item = PlanItem(
        plan_id=plan.id,
        title=title,
        position=(last or 0) + 1,
        proposed_by_mentee=proposed,
        created_by_id=getattr(user, "id", None),
        version=1,
        **values,
    )
    db.session.add(item)
    db.session.flush()
    plan_version = _bump_plan(plan.id)
    _record(plan.id, item.id, "_created", None, title, user, plan_version, 1)
    return item


def _structural(item_id: int, name: str, condition, values: dict, user, old=None, new=None):
    """Apply a whole-activity change if `condition` still holds; False when it did not."""
    begin_write()  # SQLite: queue behind another save instead of failing
    items = PlanItem.__table__
    row = db.session.execute(
        select(items.c.plan_id, items.c.title).where(items.c.id == item_id)
    ).one_or_none()
    if row is None:
        raise LookupError(item_id)
    result = db.session.execute(
        update(items)
        .where(items.c.id == item_id, condition)
        .values(version=items.c.version + 1, **values)
    )
    if result.rowcount != 1:
        return False
    item_version = db.session.scalar(select(items.c.version).where(items.c.id == item_id))
    plan_version = _bump_plan(row.plan_id)
    _record(
        row.plan_id,
        item_id,
        name,
        old,
        new if new is not None else row.title,
        user,
        plan_version,
        item_version,
    )
    return True


def delete_item(item_id: int, user) -> bool:
    """Remove an activity softly, so a late save to it is answered clearly."""
    items = PlanItem.__table__
    return _structural(
        item_id, "_deleted", items.c.deleted_at.is_(None), {"deleted_at": utcnow()}, user
    )


def undelete_item(item_id: int, user) -> bool:
    items = PlanItem.__table__
    return _structural(
        item_id, "_undeleted", items.c.deleted_at.is_not(None), {"deleted_at": None}, user
    )


def accept_item(item_id: int, user) -> bool:
    """The mentor accepts an activity the mentee proposed."""
    items = PlanItem.__table__
    return _structural(
        item_id,
        "_accepted",
        items.c.proposed_by_mentee.is_(True),
        {"proposed_by_mentee": False},
        user,
    )


def move_item(item_id: int, direction: int, user) -> bool:
    """Move an activity one place up (-1) or down (+1) among the live ones."""
    begin_write()  # SQLite: queue behind another save instead of failing
    item = db.session.get(PlanItem, item_id)
    if item is None:
        raise LookupError(item_id)
    if item.deleted_at is not None:
        return False
    siblings = list(
        db.session.scalars(
            select(PlanItem)
            .where(PlanItem.plan_id == item.plan_id, PlanItem.deleted_at.is_(None))
            .order_by(PlanItem.position, PlanItem.id)
            .with_for_update()
        )
    )
    index = next(i for i, s in enumerate(siblings) if s.id == item.id)
    target = index + direction
    if not 0 <= target < len(siblings):
        return False
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings, start=1):
        sibling.position = position
    db.session.flush()
    plan_version = _bump_plan(item.plan_id)
    _record(
        item.plan_id,
        item.id,
        "_position",
        str(index + 1),
        str(target + 1),
        user,
        plan_version,
        item.version,
    )
    return True


def restore_change(change: PlanChange, user) -> SaveOutcome:
    """Put back the value a field had before `change`; the restore is itself a change."""
    if change.field.startswith("_"):
        raise RuleViolation("Это изменение нельзя отменить восстановлением значения.")
    note = f"восстановлено значение до изменения от {to_moscow(change.at):%d.%m.%Y %H:%M} (МСК)"
    if change.item_id is None:
        return save_goal(change.plan_id, change.old, None, user, note=note)
    spec = spec_for(change.field)
    raw = change.old
    if spec.kind == "checkbox":
        raw = "1" if change.old == "1" else ""
    return save_field(change.item_id, change.field, raw, None, user, note=note)


# --- reading -------------------------------------------------------------------------------


def plan_version(plan_id: int) -> int | None:
    """The one cheap query a poll makes."""
    return db.session.scalar(select(Plan.version).where(Plan.id == plan_id))


def changes_since(plan_id: int, since: int, limit: int = 500) -> list[PlanChange]:
    return list(
        db.session.scalars(
            select(PlanChange)
            .where(PlanChange.plan_id == plan_id, PlanChange.plan_version > since)
            .order_by(PlanChange.plan_version, PlanChange.id)
            .limit(limit)
        )
    )


def history(plan_id: int, item_id: int | None = None, limit: int = 300) -> list[PlanChange]:
    query = select(PlanChange).where(PlanChange.plan_id == plan_id)
    if item_id is not None:
        query = query.where(PlanChange.item_id == item_id)
    return list(db.session.scalars(query.order_by(PlanChange.id.desc()).limit(limit)))


def last_change(plan_id: int) -> PlanChange | None:
    return db.session.scalar(
        select(PlanChange).where(PlanChange.plan_id == plan_id).order_by(PlanChange.id.desc())
    )


def short_name(full_name: str | None) -> str:
    """«Кузнецова Елена Сергеевна» → «Кузнецова Е. С.»."""
    if not full_name:
        return "—"
    parts = full_name.split()
    return " ".join([parts[0], *(f"{p[0]}." for p in parts[1:3])])
