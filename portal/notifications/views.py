"""The bell and the list of notifications; the daily commands for cron."""

import click
from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from htmx_flask import make_response
from sqlalchemy import select

from portal.access import ALL_ROLES, roles_required
from portal.extensions import db
from portal.forms import EmptyForm
from portal.notifications import core, digest
from portal.notifications.forms import PreferenceForm
from portal.notifications.models import Notification, NotificationPreference

# cli_group=None: `flask send-digest`, not `flask notifications send-digest`.
bp = Blueprint("notifications", __name__, url_prefix="/notifications", cli_group=None)
POLL_SECONDS = 30


@bp.app_context_processor
def inject_bell():
    def bell():
        """The current user's bell, read once per page."""
        if "bell" not in g:
            g.bell = core.bell_state(current_user.id)
        return g.bell

    return {"bell": bell, "bell_poll_seconds": POLL_SECONDS}


def _own(notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != current_user.id:
        abort(404)  # someone else's notification does not exist for this user
    return notification


def target_url(notification: Notification) -> str:
    return url_for(notification.endpoint, **(notification.url_args or {}))


@bp.get("/bell")
@roles_required(*ALL_ROLES)
def bell():
    """The poll: 204 while nothing changed (two queries: the user and the state)."""
    count, token = core.bell_state(current_user.id)
    if request.args.get("state") == token:
        return "", 204
    g.bell = (count, token)
    return render_template("notifications/_bell.html")


@bp.get("")
@roles_required(*ALL_ROLES)
def index():
    page = db.paginate(
        select(Notification)
        .where(Notification.user_id == current_user.id)
        .order_by(Notification.read_at.is_not(None), Notification.id.desc()),
        per_page=25,
        error_out=False,
    )
    pref = db.session.get(NotificationPreference, current_user.id)
    form = PreferenceForm(
        email_digest=bool(pref and pref.email_digest), email=pref.email if pref else None
    )
    return render_template(
        "notifications/index.html",
        page=page,
        form=form,
        action=EmptyForm(),
        smtp_on=digest.smtp_settings() is not None,
        person_email=current_user.person.email if current_user.person else None,
    )


@bp.get("/<int:notification_id>")
@roles_required(*ALL_ROLES)
def show(notification_id: int):
    """The address a letter links to: straight to the object (GET marks nothing read)."""
    return redirect(target_url(_own(notification_id)))


@bp.post("/<int:notification_id>/open")
@roles_required(*ALL_ROLES)
def open_(notification_id: int):
    notification = _own(notification_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    core.mark_read(notification)
    db.session.commit()
    return redirect(target_url(notification))


@bp.post("/<int:notification_id>/read")
@roles_required(*ALL_ROLES)
def read(notification_id: int):
    notification = _own(notification_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    core.mark_read(notification)
    db.session.commit()
    if request.htmx:
        response = make_response(
            render_template("notifications/_row.html", n=notification, action=EmptyForm()),
            trigger={"notifications-changed": True},
        )
        return response
    return redirect(url_for("notifications.index"))


@bp.post("/read-all")
@roles_required(*ALL_ROLES)
def read_all():
    if not EmptyForm().validate_on_submit():
        abort(400)
    count = core.mark_all_read(current_user.id)
    db.session.commit()
    flash("Все уведомления отмечены прочитанными." if count else "Непрочитанных нет.", "success")
    return redirect(url_for("notifications.index"))


@bp.post("/preferences")
@roles_required(*ALL_ROLES)
def preferences():
    form = PreferenceForm()
    if not form.validate_on_submit():
        pref = db.session.get(NotificationPreference, current_user.id)
        page = db.paginate(
            select(Notification).where(Notification.user_id == current_user.id),
            per_page=25,
            error_out=False,
        )
        return render_template(
            "notifications/index.html",
            page=page,
            form=form,
            action=EmptyForm(),
            smtp_on=digest.smtp_settings() is not None,
            person_email=current_user.person.email if current_user.person else None,
            pref=pref,
        ), 422
    pref = db.session.get(NotificationPreference, current_user.id)
    if pref is None:
        pref = NotificationPreference(user_id=current_user.id)
        db.session.add(pref)
    pref.email_digest = form.email_digest.data
    pref.email = (form.email.data or "").strip() or None
    db.session.commit()
    flash(
        "Ежедневная сводка на почту включена." if pref.email_digest else "Сводка отключена.",
        "success",
    )
    return redirect(url_for("notifications.index"))


# --- the daily commands --------------------------------------------------------------------------


@bp.cli.command("notify-deadlines")
def notify_deadlines_command() -> None:
    """Create today's reminders of deadlines in three days (run daily from cron)."""
    made = core.make_reminders()
    db.session.commit()
    click.echo(f"Напоминаний о сроках создано: {made}.")


@bp.cli.command("send-digest")
def send_digest_command() -> None:
    """E-mail each subscriber the unread notifications not mailed yet (run daily from cron)."""
    if digest.smtp_settings() is None:
        click.echo("Почтовый сервер не настроен (Настройки → SMTP): письма не отправлялись.")
        return
    sent, errors = digest.send_digests()
    click.echo(f"Писем отправлено: {sent}.")
    for error in errors:
        click.echo(f"Ошибка: {error}", err=True)
    if errors:
        raise SystemExit(1)
