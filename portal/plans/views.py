"""Plan pages: the live editor, polling, presence, history, approval, PDF and meetings."""

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from sqlalchemy import case, select

from portal.access import ALL_ROLES, MANAGERS, roles_required
from portal.domain import RuleViolation
from portal.extensions import db
from portal.forms import EmptyForm, choices
from portal.matching.access import visible_pairs
from portal.matching.models import Pair
from portal.plans import approval, editing
from portal.plans import meetings as journal
from portal.plans import presence as presence_rows
from portal.plans.editing import GOAL, ITEM_FIELDS, STRUCTURAL_LABELS, display, short_name, to_text
from portal.plans.formats import GLOSSARY, suggested_formats
from portal.plans.forms import ApproveForm, MeetingForm, NewItemForm
from portal.plans.models import PLAN_APPROVED, Meeting, Plan, PlanChange, PlanItem, PlanRevision
from portal.plans.pdf import render_plan_pdf
from portal.plans.permissions import require, require_plan_version
from portal.settings.models import get_settings
from portal.statuses import PairStatus
from portal.timeutil import today_moscow

bp = Blueprint("plans", __name__, url_prefix="/plans")


@bp.context_processor
def plan_helpers():
    return {
        "item_fields": ITEM_FIELDS,
        "goal_spec": GOAL,
        "display": display,
        "to_text": to_text,
        "short_name": short_name,
    }


def _plan(plan_id: int, need: str = "read"):
    plan = db.session.get(Plan, plan_id)
    if plan is None:
        abort(404)
    return plan, require(current_user, plan.pair, need)


def _item(item_id: int, need: str = "read"):
    item = db.session.get(PlanItem, item_id)
    if item is None:
        abort(404)
    plan, rights = _plan(item.plan_id, need)
    return item, plan, rights


def _fragment(template: str, status: int = 200, **context):
    return make_response(render_template(template, **context), status)


def _plan_diff(plan: Plan):
    if plan.approved_revision is None or plan.status == PLAN_APPROVED:
        return None
    return approval.diff(plan.approved_revision.snapshot, approval.snapshot(plan))


# --- lists and the plan page -----------------------------------------------------------------


@bp.get("")
@roles_required(*ALL_ROLES)
def index():
    visible = visible_pairs(current_user).with_only_columns(Pair.id)
    rows = (
        db.session.execute(
            select(Pair, Plan)
            .outerjoin(Plan, Plan.pair_id == Pair.id)
            .where(Pair.id.in_(visible))
            .order_by(
                case(
                    (Pair.status == PairStatus.ACTIVE, 0),
                    (Pair.status == PairStatus.DRAFT, 1),
                    else_=2,
                ),
                Plan.changed_at.desc().nulls_last(),
                Pair.id,
            )
        )
        .unique()
        .all()
    )
    return render_template("plans/index.html", rows=rows)


@bp.get("/pair/<int:pair_id>")
@roles_required(*ALL_ROLES)
def for_pair(pair_id: int):
    pair = db.get_or_404(Pair, pair_id)
    rights = require(current_user, pair)
    plan = db.session.scalar(select(Plan).where(Plan.pair_id == pair.id))
    if plan is not None:
        return redirect(url_for("plans.show", plan_id=plan.id))
    return render_template(
        "plans/pair_missing.html", pair=pair, form=EmptyForm(), can_create=rights.edit
    )


@bp.post("/pair/<int:pair_id>")
@roles_required(*ALL_ROLES)
def create_for_pair(pair_id: int):
    pair = db.get_or_404(Pair, pair_id)
    require(current_user, pair, "edit")
    if not EmptyForm().validate_on_submit():
        abort(400)
    plan = editing.ensure_plan(pair)
    db.session.commit()
    return redirect(url_for("plans.show", plan_id=plan.id))


@bp.get("/<int:plan_id>")
@roles_required(*ALL_ROLES)
def show(plan_id: int):
    plan, rights = _plan(plan_id)
    # The version is read before the activities: a change landing in between is re-sent by
    # the next poll rather than missed.
    items = plan.live_items
    return render_template(
        "plans/plan.html",
        plan=plan,
        pair=plan.pair,
        rights=rights,
        items=items,
        last=editing.last_change(plan.id),
        others=presence_rows.present(plan.id, current_user.id),
        plan_diff=_plan_diff(plan),
        formats=suggested_formats(plan.pair.form),
        glossary=GLOSSARY,
        new_form=NewItemForm(formdata=None),
        approve_form=ApproveForm(formdata=None),
    )


# --- live updates ------------------------------------------------------------------------------


@bp.get("/<int:plan_id>/changes")
@roles_required(*ALL_ROLES)
def changes(plan_id: int):
    """Answer 204 while nothing changed since `since`, else the changed pieces out of band."""
    since = request.args.get("since", default=0, type=int)
    version, rights = require_plan_version(current_user, plan_id)
    if version <= since:
        return "", 204
    plan = db.session.get(Plan, plan_id)
    found = editing.changes_since(plan.id, since)
    version = max([plan.version, *(c.plan_version for c in found)])
    goal_changed = any(c.item_id is None and c.field == "goal" for c in found)
    fields: dict[int, list[str]] = {}
    badges, replaced, added, structural = set(), set(), set(), False
    for change in found:
        if change.item_id is None:
            continue
        if change.field in ITEM_FIELDS:
            names = fields.setdefault(change.item_id, [])
            if change.field not in names:
                names.append(change.field)
        elif change.field == "_accepted":
            badges.add(change.item_id)
        elif change.field == "_created":
            added.add(change.item_id)
            structural = True
        elif change.field in ("_deleted", "_undeleted"):
            replaced.add(change.item_id)
            structural = True
            if change.field == "_undeleted":
                added.add(change.item_id)
        elif change.field == "_position":
            structural = True
    ids = set(fields) | badges | replaced | added
    items = (
        {i.id: i for i in db.session.scalars(select(PlanItem).where(PlanItem.id.in_(ids)))}
        if ids
        else {}
    )
    live = lambda i: i is not None and i.deleted_at is None  # noqa: E731
    order = [i.id for i in plan.live_items] if structural else None
    return render_template(
        "plans/_changes.html",
        plan=plan,
        version=version,
        rights=rights,
        last=found[-1] if found else editing.last_change(plan.id),
        goal_changed=goal_changed,
        # Fields and badges of new activities are sent too: the page that added an activity
        # already shows it (the new row is skipped there) and still needs its later changes.
        changed_fields=[(items[i], names) for i, names in fields.items() if live(items.get(i))],
        badge_items=[items[i] for i in badges if live(items.get(i))],
        replaced_items=[items[i] for i in replaced if i in items],
        new_items=[items[i] for i in sorted(added) if live(items.get(i))],
        order=order,
        diff_changed=plan.approved_revision_id is not None,
        plan_diff=_plan_diff(plan),
    )


@bp.post("/<int:plan_id>/presence")
@roles_required(*ALL_ROLES)
def presence(plan_id: int):
    require_plan_version(current_user, plan_id)
    presence_rows.heartbeat(plan_id, current_user.id, request.form.get("item", type=int))
    others = presence_rows.present(plan_id, current_user.id)
    # Rendered before the commit, which would expire the user and cost a reload.
    html = render_template("plans/_presence.html", others=others)
    db.session.commit()
    return html


# --- saving fields -----------------------------------------------------------------------------


def _last_value(values: list[str]) -> str:
    # A checkbox sends a hidden "" and, when ticked, "1" after it: the last value wins.
    return values[-1] if values else ""


def _answer_save(outcome, *, item=None, plan=None, rights, name, spec):
    """Render the field after a save: as saved (200), refused (409) or stale (409)."""
    db.session.commit()
    db.session.expire_all()
    if item is not None:
        item = db.session.get(PlanItem, item.id)
        field_id = f"{item.id}-{name}"
        save_url = url_for("plans.save_field", item_id=item.id, field=name)
        refresh_url = url_for("plans.field", item_id=item.id, field=name)
        version, current = item.version, to_text(getattr(item, name))
    else:
        plan = db.session.get(Plan, plan.id)
        field_id = f"goal-{plan.id}"
        save_url = url_for("plans.save_goal", plan_id=plan.id)
        refresh_url = url_for("plans.goal", plan_id=plan.id)
        version, current = plan.version, plan.goal
    if outcome.status == "deleted":
        deleted = db.session.scalar(
            select(PlanChange)
            .where(PlanChange.item_id == item.id, PlanChange.field == "_deleted")
            .order_by(PlanChange.id.desc())
        )
        return _fragment(
            "plans/_deleted_field.html",
            409,
            item=item,
            spec=spec,
            mine=outcome.mine,
            deleted=deleted,
            field_id=field_id,
            rights=rights,
        )
    if outcome.status == "conflict":
        return _fragment(
            "plans/_conflict.html",
            409,
            spec=spec,
            mine=outcome.mine,
            current=current,
            theirs=outcome.theirs,
            version=version,
            field_id=field_id,
            save_url=save_url,
            refresh_url=refresh_url,
        )
    return _fragment(
        "plans/_field.html",
        item=item,
        plan=plan,
        field_name=name,
        rights=rights,
        value=None,
        error=None,
        version=None,
    )


def _refuse_save(message, *, item=None, plan=None, rights, name, raw, base):
    """422: the typed value and the version the editor started from stay in the field, so the
    corrected save is still checked against what this editor had seen."""
    db.session.rollback()
    return _fragment(
        "plans/_field.html",
        422,
        item=item,
        plan=plan,
        field_name=name,
        rights=rights,
        value=raw,
        error=message,
        version=base,
    )


@bp.get("/items/<int:item_id>/<field>")
@roles_required(*ALL_ROLES)
def field(item_id: int, field: str):
    if field not in ITEM_FIELDS:
        abort(404)
    item, plan, rights = _item(item_id)
    return _fragment(
        "plans/_field.html",
        item=item,
        plan=plan,
        field_name=field,
        rights=rights,
        value=None,
        error=None,
        version=None,
    )


@bp.post("/items/<int:item_id>/<field>")
@roles_required(*ALL_ROLES)
def save_field(item_id: int, field: str):
    if field not in ITEM_FIELDS:
        abort(404)
    item, plan, rights = _item(item_id, "edit")
    raw = _last_value(request.form.getlist("value"))
    base = request.form.get("base", type=int)
    try:
        outcome = editing.save_field(item.id, field, raw, base, current_user)
    except RuleViolation as exc:
        return _refuse_save(
            exc.message, item=item, plan=plan, rights=rights, name=field, raw=raw, base=base
        )
    return _answer_save(
        outcome, item=item, plan=plan, rights=rights, name=field, spec=ITEM_FIELDS[field]
    )


@bp.get("/<int:plan_id>/goal")
@roles_required(*ALL_ROLES)
def goal(plan_id: int):
    plan, rights = _plan(plan_id)
    return _fragment(
        "plans/_field.html",
        item=None,
        plan=plan,
        field_name="goal",
        rights=rights,
        value=None,
        error=None,
        version=None,
    )


@bp.post("/<int:plan_id>/goal")
@roles_required(*ALL_ROLES)
def save_goal(plan_id: int):
    plan, rights = _plan(plan_id, "edit")
    raw = _last_value(request.form.getlist("value"))
    base = request.form.get("base", type=int)
    try:
        outcome = editing.save_goal(plan.id, raw, base, current_user)
    except RuleViolation as exc:
        return _refuse_save(exc.message, plan=plan, rights=rights, name="goal", raw=raw, base=base)
    return _answer_save(outcome, plan=plan, rights=rights, name="goal", spec=GOAL)


# --- activities as a whole ---------------------------------------------------------------------


@bp.post("/<int:plan_id>/items")
@roles_required(*ALL_ROLES)
def add_item(plan_id: int):
    plan, rights = _plan(plan_id, "edit")
    form = NewItemForm()
    added = None
    status = 200
    if form.validate_on_submit():
        try:
            added = editing.add_item(plan, form.title.data, current_user, proposed=rights.proposes)
            db.session.commit()
            form = NewItemForm(formdata=None)
        except RuleViolation as exc:
            db.session.rollback()
            form.title.errors = [exc.message]
            status = 422
    else:
        status = 422
    return _fragment(
        "plans/_new_item.html", status, plan=plan, rights=rights, new_form=form, added=added
    )


def _item_response(item_id: int, rights):
    db.session.expire_all()
    item = db.session.get(PlanItem, item_id)
    return _fragment("plans/_item.html", item=item, rights=rights, oob=False)


@bp.post("/items/<int:item_id>/delete")
@roles_required(*ALL_ROLES)
def delete_item(item_id: int):
    item, _plan_, rights = _item(item_id, "edit")
    editing.delete_item(item.id, current_user)
    db.session.commit()
    return _item_response(item.id, rights)


@bp.post("/items/<int:item_id>/undelete")
@roles_required(*ALL_ROLES)
def undelete_item(item_id: int):
    item, _plan_, rights = _item(item_id, "edit")
    editing.undelete_item(item.id, current_user)
    db.session.commit()
    return _item_response(item.id, rights)


@bp.post("/items/<int:item_id>/accept")
@roles_required(*ALL_ROLES)
def accept_item(item_id: int):
    item, _plan_, rights = _item(item_id, "accept")
    editing.accept_item(item.id, current_user)
    db.session.commit()
    db.session.expire_all()
    item = db.session.get(PlanItem, item_id)
    return render_template("plans/_badge.html", item=item, rights=rights)


@bp.post("/items/<int:item_id>/move")
@roles_required(*ALL_ROLES)
def move_item(item_id: int):
    item, plan, rights = _item(item_id, "edit")
    direction = request.form.get("direction")
    if direction not in ("up", "down"):
        abort(400)
    editing.move_item(item.id, -1 if direction == "up" else 1, current_user)
    db.session.commit()
    db.session.expire_all()
    plan = db.session.get(Plan, plan.id)
    return render_template("plans/_items.html", items=plan.live_items, rights=rights)


# --- history -----------------------------------------------------------------------------------


def _label_of(change: PlanChange) -> str:
    if change.field in STRUCTURAL_LABELS:
        return STRUCTURAL_LABELS[change.field]
    if change.field == "goal":
        return "цель"
    return ITEM_FIELDS[change.field].label if change.field in ITEM_FIELDS else change.field


def _history_page(plan, rights, item=None):
    changes = editing.history(plan.id, item.id if item else None)
    titles = {
        item_id: title
        for item_id, title in db.session.execute(
            select(PlanItem.id, PlanItem.title).where(PlanItem.plan_id == plan.id)
        )
    }
    return render_template(
        "plans/history.html",
        plan=plan,
        pair=plan.pair,
        item=item,
        changes=changes,
        titles=titles,
        label_of=_label_of,
        can_restore=rights.edit,
        form=EmptyForm(),
    )


@bp.get("/<int:plan_id>/history")
@roles_required(*ALL_ROLES)
def history(plan_id: int):
    plan, rights = _plan(plan_id)
    return _history_page(plan, rights)


@bp.get("/items/<int:item_id>/history")
@roles_required(*ALL_ROLES)
def item_history(item_id: int):
    item, plan, rights = _item(item_id)
    return _history_page(plan, rights, item)


@bp.post("/changes/<int:change_id>/restore")
@roles_required(*ALL_ROLES)
def restore(change_id: int):
    change = db.get_or_404(PlanChange, change_id)
    plan, _rights = _plan(change.plan_id, "edit")
    try:
        outcome = editing.restore_change(change, current_user)
    except RuleViolation as exc:
        db.session.rollback()
        flash(exc.message, "error")
    else:
        db.session.commit()
        if outcome.status == "deleted":
            flash("Мероприятие удалено — сначала верните его.", "error")
        elif outcome.status == "unchanged":
            flash("Это значение уже стоит в плане.", "info")
        else:
            flash("Значение восстановлено; восстановление записано в историю.", "success")
    if change.item_id:
        return redirect(url_for("plans.item_history", item_id=change.item_id))
    return redirect(url_for("plans.history", plan_id=plan.id))


# --- approval and PDF --------------------------------------------------------------------------


@bp.post("/<int:plan_id>/approve")
@roles_required(*MANAGERS)
def approve(plan_id: int):
    plan, rights = _plan(plan_id, "approve")
    form = ApproveForm()
    message = None
    if form.validate_on_submit():
        try:
            approval.approve(
                plan,
                int(form.version.data),
                form.order_number.data,
                form.order_date.data,
                current_user,
            )
            db.session.commit()
        except (RuleViolation, ValueError) as exc:
            db.session.rollback()
            message = getattr(exc, "message", "Форма устарела; обновите страницу.")
        else:
            flash("План утверждён.", "success")
            target = url_for("plans.show", plan_id=plan.id)
            if request.headers.get("HX-Request"):
                response = make_response("", 204)
                response.headers["HX-Redirect"] = target
                return response
            return redirect(target)
    db.session.expire_all()
    plan = db.session.get(Plan, plan_id)
    return _fragment("plans/_approval.html", 422, plan=plan, approve_form=form, message=message)


MONTHS = (
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
)


@bp.get("/<int:plan_id>.pdf")
@roles_required(*ALL_ROLES)
def pdf(plan_id: int):
    plan, _rights = _plan(plan_id)
    revision_id = request.args.get("revision", type=int)
    revision, draft_note = None, None
    if revision_id is not None:
        revision = db.session.get(PlanRevision, revision_id)
        if revision is None or revision.plan_id != plan.id:
            abort(404)
        snapshot = revision.snapshot
    elif plan.status == PLAN_APPROVED and plan.approved_revision is not None:
        revision = plan.approved_revision
        snapshot = revision.snapshot
    else:
        snapshot = approval.snapshot(plan)
        if plan.approved_revision is not None:
            draft_note = (
                "Проект изменений: план утверждён приказом от "
                f"{plan.approved_revision.order_date:%d.%m.%Y} № "
                f"{plan.approved_revision.order_number}, изменения ещё не утверждены."
            )
    data = render_plan_pdf(
        snapshot,
        get_settings(),
        revision=revision,
        draft_note=draft_note,
        month_name=MONTHS[revision.order_date.month - 1] if revision else None,
    )
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="plan-{plan.id}.pdf"'
    return response


# --- meetings journal --------------------------------------------------------------------------


def _meeting_form(plan: Plan, meeting: Meeting | None):
    form = MeetingForm(obj=meeting) if meeting else MeetingForm()
    form.attendees.choices = choices((m.mentee_id, m.mentee.full_name) for m in plan.pair.members)
    form.items.choices = choices((i.id, i.title) for i in plan.live_items)
    if request.method == "GET":
        if meeting:
            form.attendees.data = [p.id for p in meeting.attendees]
            form.items.data = [i.id for i in meeting.items]
        else:
            form.held_on.data = today_moscow()
            form.attendees.data = [m.mentee_id for m in plan.pair.current_members]
    return form


def _save_meeting(plan, meeting):
    form = _meeting_form(plan, meeting)
    message = None
    if form.validate_on_submit():
        try:
            journal.save_meeting(
                meeting,
                plan.pair,
                plan,
                held_on=form.held_on.data,
                format=form.format.data,
                topic=form.topic.data,
                summary=form.summary.data,
                attendee_ids=form.attendees.data or [],
                item_ids=form.items.data or [],
                user=current_user,
            )
            db.session.commit()
        except RuleViolation as exc:
            db.session.rollback()
            message = exc.message
        else:
            flash("Встреча записана в журнал.", "success")
            return redirect(url_for("plans.meetings", plan_id=plan.id))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "plans/meeting_form.html", plan=plan, meeting=meeting, form=form, message=message
    ), status


@bp.get("/<int:plan_id>/meetings")
@roles_required(*ALL_ROLES)
def meetings(plan_id: int):
    plan, rights = _plan(plan_id)
    rows = db.session.scalars(
        select(Meeting)
        .where(Meeting.pair_id == plan.pair_id)
        .order_by(Meeting.held_on.desc(), Meeting.id.desc())
    ).all()
    return render_template(
        "plans/meetings.html", plan=plan, pair=plan.pair, rights=rights, meetings=rows
    )


@bp.route("/<int:plan_id>/meetings/new", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
def new_meeting(plan_id: int):
    plan, _rights = _plan(plan_id, "journal")
    return _save_meeting(plan, None)


@bp.route("/meetings/<int:meeting_id>", methods=["GET", "POST"])
@roles_required(*ALL_ROLES)
def edit_meeting(meeting_id: int):
    meeting = db.get_or_404(Meeting, meeting_id)
    plan = db.session.scalar(select(Plan).where(Plan.pair_id == meeting.pair_id))
    if plan is None:
        abort(404)
    plan, _rights = _plan(plan.id, "journal")
    return _save_meeting(plan, meeting)
