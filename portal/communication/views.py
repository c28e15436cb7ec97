"""Pages of the communication area: the media plan, its calendar and exports, the channels."""

import calendar
from datetime import date, timedelta

from babel.dates import format_date as babel_date
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select

from portal.access import STAFF, Role, roles_required
from portal.accounts.models import User, UserRole
from portal.communication import events, plan, rules
from portal.communication.forms import ChannelForm, MediaItemForm, PublishForm
from portal.communication.models import MediaChannel, MediaItem, TargetGroup
from portal.communication.statuses import MediaKind, MediaStatus
from portal.documents.pdf import render_pdf
from portal.documents.tables import Column, write_xlsx
from portal.domain import RuleViolation
from portal.extensions import db
from portal.forms import EmptyForm
from portal.people.models import Person
from portal.timeutil import today_moscow

bp = Blueprint("communication", __name__, url_prefix="/communication")

# Only the working group and the curator (and the administrator) edit the media plan.
EDITORS = STAFF
STATUS_FILTERS = {
    "overdue": "просроченные",
    "due": "в ближайшие дни",
    "takedown": "снять с публикации",
    "flagged": "с нарушением правил",
}


def month_title(year: int, month: int) -> str:
    return babel_date(date(year, month, 1), "LLLL yyyy", locale="ru").capitalize()


def _year_arg() -> int:
    year = request.args.get("year", type=int) or today_moscow().year
    if not 2000 <= year <= 2100:
        abort(404)
    return year


def _item_or_404(item_id: int) -> MediaItem:
    return db.first_or_404(select(MediaItem).where(MediaItem.id == item_id))


def _filtered(items, status: str | None, today: date) -> list:
    rows = [(item, rules.flags(item, today)) for item in items]
    if status == "overdue":
        rows = [r for r in rows if any(f.code == "overdue" for f in r[1])]
    elif status == "due":
        soon = today + timedelta(days=3)
        rows = [
            r
            for r in rows
            if r[0].status == MediaStatus.PLANNED and today <= r[0].planned_on <= soon
        ]
    elif status == "takedown":
        rows = [r for r in rows if any(f.code == "takedown" for f in r[1])]
    elif status == "flagged":
        rows = [r for r in rows if r[1]]
    return rows


@bp.get("/media")
@roles_required(*STAFF)
def media():
    """The year's media plan: every item with the rules it breaks, and the silent months."""
    year, today = _year_arg(), today_moscow()
    status = request.args.get("status") if request.args.get("status") in STATUS_FILTERS else None
    items = plan.items_between(date(year, 1, 1), date(year, 12, 31))
    return render_template(
        "communication/media.html",
        year=year,
        today=today,
        status=status,
        status_filters=STATUS_FILTERS,
        rows=_filtered(items, status, today),
        silent=plan.silent_months(year, today),
        month_title=month_title,
    )


@bp.get("/media/calendar")
@roles_required(*STAFF)
def media_calendar():
    """One month as a calendar of weeks, each day with its publications and their flags."""
    today = today_moscow()
    year = _year_arg()
    month = request.args.get("month", type=int) or today.month
    if not 1 <= month <= 12:
        abort(404)
    last = calendar.monthrange(year, month)[1]
    items = plan.items_between(date(year, month, 1), date(year, month, last))
    by_day: dict[date, list] = {}
    for item in items:
        by_day.setdefault(item.date, []).append((item, rules.flags(item, today)))
    silent = [s for s in plan.silent_months(year, today) if s.month == month]
    prev_month = date(year, month, 1) - timedelta(days=1)
    next_month = date(year, month, last) + timedelta(days=1)
    return render_template(
        "communication/calendar.html",
        year=year,
        month=month,
        title=month_title(year, month),
        weeks=calendar.Calendar(0).monthdatescalendar(year, month),
        by_day=by_day,
        today=today,
        silent=silent,
        prev_month=prev_month,
        next_month=next_month,
    )


def _form_choices(form: MediaItemForm, item: MediaItem | None) -> None:
    form.channel_id.choices = [(c.id, c.name) for c in plan.channels()]
    if item is not None and item.channel_id not in {c for c, _ in form.channel_id.choices}:
        form.channel_id.choices.append((item.channel_id, item.channel.name))
    staff = db.session.scalars(
        select(User)
        .where(
            User.active.is_(True),
            User.id.in_(
                select(UserRole.user_id).where(UserRole.role.in_([r.value for r in STAFF]))
            ),
        )
        .order_by(User.full_name)
    )
    groups = db.session.execute(
        select(TargetGroup.id, TargetGroup.name).order_by(TargetGroup.position, TargetGroup.name)
    )
    form.target_group_id.choices = [(0, "— не указана —")] + [(i, n) for i, n in groups]
    form.responsible_id.choices = [(0, "— не назначен —")] + [(u.id, u.full_name) for u in staff]
    people = db.session.execute(
        select(Person.id, Person.last_name, Person.first_name, Person.middle_name)
        .where(Person.anonymised_at.is_(None), (Person.is_mentor | Person.is_mentee))
        .order_by(Person.last_name, Person.first_name)
    )
    form.people.choices = [(pid, " ".join(p for p in names if p)) for pid, *names in people]


def _values(form: MediaItemForm) -> dict:
    return {
        "kind": MediaKind(form.kind.data),
        "title": form.title.data.strip(),
        "channel_id": form.channel_id.data,
        "target_group_id": form.target_group_id.data or None,
        "message": (form.message.data or "").strip() or None,
        "responsible_id": form.responsible_id.data or None,
        "event_title": (form.event_title.data or "").strip() or None,
        "event_on": form.event_on.data,
        "planned_on": form.planned_on.data,
        "text": (form.text.data or "").strip() or None,
    }


def _show_errors(form, errors: dict[str, str]) -> None:
    for name, message in errors.items():
        field = getattr(form, name, None)
        if field is None:
            form.form_errors.append(message)
        else:
            field.errors = [*field.errors, message]


def _render_item(form, item, publish_form=None, code=200):
    today = today_moscow()
    return render_template(
        "communication/item.html",
        programme_events=events.programme_events(today) if item is None else [],
        form=form,
        item=item,
        publish_form=publish_form or PublishForm(published_on=today),
        action=EmptyForm(),
        flags=rules.flags(item, today) if item else [],
        lacking=plan.lacking_publication_consent(item.people, item.channel) if item else [],
        MediaStatus=MediaStatus,
    ), code


def _save(item: MediaItem | None):
    form = MediaItemForm(obj=item) if request.method == "GET" else MediaItemForm()
    _form_choices(form, item)
    if request.method == "GET":
        if item is None:
            form.responsible_id.data = current_user.id
            form.kind.data = request.args.get("kind") or MediaKind.NEWS.value
            form.planned_on.data = today_moscow()
            chosen = events.find_event(request.args.get("event"), today_moscow())
            if chosen is not None:
                form.event_title.data, form.event_on.data = chosen.title, chosen.on
        else:
            form.kind.data = item.kind.value
            form.responsible_id.data = item.responsible_id or 0
            form.target_group_id.data = item.target_group_id or 0
            form.people.data = [p.id for p in item.people]
        return _render_item(form, item)
    if not form.validate_on_submit():
        return _render_item(form, item, code=422)
    people = (
        list(db.session.scalars(select(Person).where(Person.id.in_(form.people.data))))
        if form.people.data
        else []
    )
    try:
        saved = plan.save_item(item, _values(form), people, actor=current_user)
    except plan.PlanErrors as exc:
        db.session.rollback()
        _show_errors(form, exc.errors)
        return _render_item(form, item, code=422)
    db.session.commit()
    broken = rules.flags(saved, today_moscow())
    flash("Материал сохранён.", "success")
    for flag in broken:
        flash(flag.text, "warning")
    return redirect(url_for("communication.edit_item", item_id=saved.id))


@bp.route("/media/new", methods=["GET", "POST"])
@roles_required(*EDITORS)
def new_item():
    return _save(None)


@bp.route("/media/<int:item_id>/edit", methods=["GET", "POST"])
@roles_required(*EDITORS)
def edit_item(item_id: int):
    return _save(_item_or_404(item_id))


@bp.post("/media/<int:item_id>/publish")
@roles_required(*EDITORS)
def publish(item_id: int):
    item = _item_or_404(item_id)
    publish_form = PublishForm()
    form = MediaItemForm(obj=item, formdata=None)
    _form_choices(form, item)
    form.kind.data = item.kind.value
    form.people.data = [p.id for p in item.people]
    if not publish_form.validate_on_submit():
        return _render_item(form, item, publish_form, 422)
    try:
        plan.publish(
            item, publish_form.published_on.data, publish_form.link.data, actor=current_user
        )
    except plan.PlanErrors as exc:
        db.session.rollback()
        item = _item_or_404(item_id)
        _show_errors(publish_form, exc.errors)
        return _render_item(form, item, publish_form, 422)
    db.session.commit()
    flash("Материал отмечен опубликованным.", "success")
    for flag in rules.flags(item, today_moscow()):
        flash(flag.text, "warning")
    return redirect(url_for("communication.edit_item", item_id=item.id))


def _act(item_id: int, operation, done: str):
    item = _item_or_404(item_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        operation(item, actor=current_user)
    except RuleViolation as exc:
        flash(str(exc), "error")
        return redirect(url_for("communication.edit_item", item_id=item.id))
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("communication.edit_item", item_id=item.id))


@bp.post("/media/<int:item_id>/take-down")
@roles_required(*EDITORS)
def take_down(item_id: int):
    return _act(item_id, plan.take_down, "Материал снят с публикации.")


@bp.post("/media/<int:item_id>/cancel")
@roles_required(*EDITORS)
def cancel(item_id: int):
    return _act(item_id, plan.cancel, "Материал отменён.")


# --- exports -------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    Column("planned_on", "Плановая дата", kind="date"),
    Column("published_on", "Дата публикации", kind="date"),
    Column("kind", "Вид"),
    Column("title", "Тема"),
    Column("channel", "Канал"),
    Column("event", "Событие"),
    Column("target_group", "Целевая группа"),
    Column("responsible", "Ответственный"),
    Column("status", "Статус"),
    Column("link", "Ссылка"),
    Column("flags", "Нарушения правил"),
]


def _short(full_name: str) -> str:
    """«Лебедев И. Н.» for the narrow PDF column."""
    last, *rest = full_name.split()
    return " ".join([last, *(f"{part[0]}." for part in rest)])


def _export_rows(year: int) -> list[dict]:
    today = today_moscow()
    rows = []
    for item in plan.items_between(date(year, 1, 1), date(year, 12, 31)):
        event = ""
        if item.event_on:
            event = f"{item.event_title or 'Событие'} ({item.event_on:%d.%m.%Y})"
        rows.append(
            {
                "planned_on": item.planned_on,
                "published_on": item.published_on,
                "kind": item.kind.title,
                "title": item.title,
                "channel": item.channel.name,
                "event": event,
                "target_group": item.target_group.name if item.target_group else "",
                "responsible": item.responsible.full_name if item.responsible else "",
                "responsible_short": _short(item.responsible.full_name) if item.responsible else "",
                "status": item.status.title,
                "link": item.link or "",
                "flags": " ".join(f.text for f in rules.flags(item, today)),
            }
        )
    return rows


@bp.get("/media/export.xlsx")
@roles_required(*STAFF)
def export_xlsx():
    year = _year_arg()
    data = write_xlsx(
        f"Медиаплан на {year} год",
        EXPORT_COLUMNS,
        _export_rows(year),
        sheet_name=f"Медиаплан {year}",
        subtitle=f"Сформирован {today_moscow():%d.%m.%Y}",
    )
    return current_app.response_class(
        data,
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f"attachment; filename=mediaplan-{year}.xlsx"},
    )


@bp.get("/media/export.pdf")
@roles_required(*STAFF)
def export_pdf():
    year, today = _year_arg(), today_moscow()
    html = render_template(
        "communication/media_pdf.html",
        year=year,
        rows=_export_rows(year),
        silent=plan.silent_months(year, today),
        month_title=month_title,
        today=today,
    )
    data = render_pdf(html, static_root=current_app.static_folder)
    return current_app.response_class(
        data,
        mimetype="application/pdf",
        headers={"Content-Disposition": f"inline; filename=mediaplan-{year}.pdf"},
    )


# --- channels ------------------------------------------------------------------------------------


@bp.route("/channels", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def channels():
    """The administrator adds channels and switches them on and off."""
    form = ChannelForm()
    code = 200
    if request.method == "POST":
        if form.validate_on_submit():
            name = form.name.data.strip()
            exists = db.session.scalar(select(MediaChannel.id).where(MediaChannel.name == name))
            if exists:
                form.name.errors = ["Такой канал уже есть."]
                code = 422
            else:
                position = len(plan.channels(active_only=False))
                db.session.add(
                    MediaChannel(name=name, monthly=form.monthly.data, position=position)
                )
                db.session.commit()
                flash(f"Канал «{name}» добавлен.", "success")
                return redirect(url_for("communication.channels"))
        else:
            code = 422
    return render_template(
        "communication/channels.html",
        form=form,
        channels=plan.channels(active_only=False),
        action=EmptyForm(),
    ), code


@bp.post("/channels/<int:channel_id>/toggle")
@roles_required(Role.ADMIN)
def toggle_channel(channel_id: int):
    channel = db.first_or_404(select(MediaChannel).where(MediaChannel.id == channel_id))
    if not EmptyForm().validate_on_submit():
        abort(400)
    channel.active = not channel.active
    db.session.commit()
    flash(f"Канал «{channel.name}» {'включён' if channel.active else 'выключен'}.", "success")
    return redirect(url_for("communication.channels"))


# The strategy's pages register on this blueprint.
from portal.communication import help_views, practices_views, strategy_views  # noqa: E402, F401
