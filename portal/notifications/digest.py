"""The daily e-mail digest: unread notifications not yet mailed, one letter per person.

Sent by the `flask send-digest` command from cron or a systemd timer, never from a worker:
rows are claimed (emailed_at set) before sending and released if the server refuses, so two
runs at once do not mail the same notification twice.
"""

import smtplib
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

from flask import current_app
from sqlalchemy import select, update

from portal.accounts.models import User
from portal.extensions import db
from portal.notifications.models import Notification, NotificationPreference
from portal.settings.models import get_settings
from portal.timeutil import utcnow


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    login: str
    password: str
    starttls: bool


def smtp_settings() -> SmtpSettings | None:
    """The SMTP server the administrator configured, or None when e-mail is off."""
    values = get_settings()
    host = (values.get("smtp_host") or "").strip()
    if not host:
        return None
    try:
        port = int(values.get("smtp_port") or 25)
    except ValueError:
        port = 25
    return SmtpSettings(
        host=host,
        port=port,
        sender=(values.get("smtp_from") or "").strip() or f"portal@{host}",
        login=(values.get("smtp_login") or "").strip(),
        # The password stays out of the database and the settings screen: instance config.
        password=current_app.config.get("SMTP_PASSWORD", ""),
        starttls=(values.get("smtp_starttls") or "").strip().lower() in ("да", "yes", "1"),
    )


def _address(pref: NotificationPreference, user: User) -> str | None:
    if pref.email:
        return pref.email
    return user.person.email if user.person is not None else None


def compose(user: User, address: str, items: list[Notification], smtp: SmtpSettings):
    """One letter listing the notifications, each with its address in the portal."""
    base = (get_settings().get("portal_url") or "").rstrip("/")
    # Long lines keep the Russian subject in one encoded word: folding it between encoded
    # words loses the spaces at the fold in some readers (and in Python's own parser).
    message = EmailMessage(policy=policy.SMTP.clone(max_line_length=400))
    message["Subject"] = f"Портал наставничества: новых уведомлений — {len(items)}"
    message["From"] = smtp.sender
    message["To"] = address
    lines = [f"Здравствуйте, {user.full_name}!", "", "Новые уведомления на портале:", ""]
    for n in items:
        lines.append(f"— {n.text}")
        if base:
            lines.append(f"  {base}/notifications/{n.id}")
    lines += ["", "Отключить письма можно на странице «Уведомления» портала."]
    message.set_content("\n".join(lines))
    return message


def send_digests() -> tuple[int, list[str]]:
    """Mail every subscriber their unmailed unread notifications; (letters sent, errors)."""
    smtp = smtp_settings()
    if smtp is None:
        return 0, []
    rows = db.session.execute(
        select(NotificationPreference, User)
        .join(User, User.id == NotificationPreference.user_id)
        .where(NotificationPreference.email_digest.is_(True), User.active.is_(True))
    ).all()
    sent, errors = 0, []
    for pref, user in rows:
        address = _address(pref, user)
        if not address:
            continue
        ids = list(
            db.session.scalars(
                select(Notification.id).where(
                    Notification.user_id == user.id,
                    Notification.read_at.is_(None),
                    Notification.emailed_at.is_(None),
                )
            )
        )
        if not ids:
            continue
        stamp = utcnow()
        db.session.execute(
            update(Notification)
            .where(Notification.id.in_(ids), Notification.emailed_at.is_(None))
            .values(emailed_at=stamp)
        )
        db.session.commit()
        items = list(
            db.session.scalars(
                select(Notification)
                .where(Notification.id.in_(ids), Notification.emailed_at == stamp)
                .order_by(Notification.id)
            )
        )
        if not items:
            continue
        try:
            _send(smtp, compose(user, address, items, smtp))
            sent += 1
        except (OSError, smtplib.SMTPException) as exc:
            db.session.execute(
                update(Notification)
                .where(Notification.id.in_([n.id for n in items]))
                .values(emailed_at=None)
            )
            db.session.commit()
            errors.append(f"{user.login}: {exc}")
    return sent, errors


def _send(smtp: SmtpSettings, message: EmailMessage) -> None:
    with smtplib.SMTP(smtp.host, smtp.port, timeout=30) as server:
        if smtp.starttls:
            server.starttls()
        if smtp.login:
            server.login(smtp.login, smtp.password)
        server.send_message(message)
