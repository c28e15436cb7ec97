"""Server-side sessions: the cookie names a record in the database, and ending it ends it.

The signed Flask session carries only a random key (its SHA-256 is stored), so a copied
cookie stops working the moment its record is ended, on every worker. «Запомнить меня» is a
second random token of the same record, replaced at each use and good for 30 days.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask import g, session
from flask_login import login_user
from sqlalchemy import or_, select, update
from sqlalchemy.orm import defaultload, joinedload

from portal.accounts.models import User, UserSession
from portal.extensions import db
from portal.timeutil import utcnow

# A session without «Запомнить меня» ends after this long without a request.
IDLE_LIFETIME = timedelta(hours=8)
REMEMBER_LIFETIME = timedelta(days=30)
# «last seen» is written at most this often: an idle poll must not write every second.
LAST_SEEN_STEP = timedelta(minutes=5)
# A replaced remember token still passes this long (two tabs restoring at the same moment).
REMEMBER_GRACE = timedelta(minutes=1)
REMEMBER_COOKIE = "portal_remember"

END_REASONS = {
    "logout": "выход",
    "password_changed": "смена пароля",
    "password_reset": "сброс пароля администратором",
    "deactivated": "учётная запись отключена",
    "ended_by_admin": "завершён администратором",
    "ended_by_user": "завершён владельцем",
    "expired": "истёк срок",
}


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    user: User, *, remember: bool, ip: str | None, user_agent: str | None
) -> tuple[UserSession, str, str | None]:
    """Create a session record; returns it, its key and (with remember) its remember token."""
    now = utcnow()
    key = secrets.token_urlsafe(32)
    token = secrets.token_urlsafe(32) if remember else None
    record = UserSession(
        user_id=user.id,
        key_hash=digest(key),
        remember_hash=digest(token) if token else None,
        remember_until=now + REMEMBER_LIFETIME if token else None,
        created_at=now,
        last_seen_at=now,
        ip=(ip or "")[:64] or None,
        user_agent=(user_agent or "")[:300] or None,
    )
    db.session.add(record)
    db.session.flush()
    return record, key, token


def _alive(record: UserSession, now: datetime) -> bool:
    if record.ended_at is not None:
        return False
    if record.remember_until is not None:
        return record.remember_until > now
    return record.last_seen_at > now - IDLE_LIFETIME


def _touch(record: UserSession, now: datetime) -> None:
    if record.last_seen_at <= now - LAST_SEEN_STEP:
        db.session.execute(
            update(UserSession).where(UserSession.id == record.id).values(last_seen_at=now)
        )
        db.session.commit()


def _with_user():
    # One query: the session, its user, the user's roles and linked person; the person's
    # tags load only if a page asks for them (an idle poll does not).
    return (
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .options(
            joinedload(User.role_rows),
            defaultload(User.person).lazyload("*"),
        )
        .where(UserSession.ended_at.is_(None), User.active.is_(True))
    )


def load(key: str) -> User | None:
    """The user of a live session key, remembering the record in `g` for this request."""
    now = utcnow()
    row = db.session.execute(_with_user().where(UserSession.key_hash == digest(key))).first()
    if row is None:
        return None
    record, user = row
    if not _alive(record, now):
        return None
    _touch(record, now)
    g.user_session = record
    return user


def restore(token: str) -> tuple[User, str, str] | None:
    """Sign in again from a remember token: a new key and a new token for the same record."""
    now = utcnow()
    hashed = digest(token)
    row = db.session.execute(
        _with_user().where(
            or_(
                UserSession.remember_hash == hashed,
                (UserSession.previous_remember_hash == hashed)
                & (UserSession.remember_rotated_at > now - REMEMBER_GRACE),
            )
        )
    ).first()
    if row is None:
        return None
    record, user = row
    if not _alive(record, now):
        return None
    key, new_token = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    db.session.execute(
        update(UserSession)
        .where(UserSession.id == record.id)
        .values(
            key_hash=digest(key),
            previous_remember_hash=record.remember_hash,
            remember_hash=digest(new_token),
            remember_rotated_at=now,
            last_seen_at=now,
        )
    )
    db.session.commit()
    g.user_session = db.session.get(UserSession, record.id)
    return user, key, new_token


def end(record_id: int, reason: str) -> None:
    db.session.execute(
        update(UserSession)
        .where(UserSession.id == record_id, UserSession.ended_at.is_(None))
        .values(ended_at=utcnow(), ended_reason=reason)
    )


def end_all(user_id: int, reason: str, keep: int | None = None) -> int:
    """End every live session of a user (but `keep`); returns how many were ended."""
    query = update(UserSession).where(
        UserSession.user_id == user_id, UserSession.ended_at.is_(None)
    )
    if keep is not None:
        query = query.where(UserSession.id != keep)
    return db.session.execute(query.values(ended_at=utcnow(), ended_reason=reason)).rowcount


def live_sessions(user_id: int) -> list[UserSession]:
    now = utcnow()
    rows = db.session.scalars(
        select(UserSession)
        .where(UserSession.user_id == user_id, UserSession.ended_at.is_(None))
        .order_by(UserSession.last_seen_at.desc())
    )
    return [r for r in rows if _alive(r, now)]


def current() -> UserSession | None:
    return g.get("user_session")


def begin(user: User, *, remember: bool, ip: str | None, user_agent: str | None) -> str | None:
    """Start a session for this request's browser; returns the remember token to set, if any."""
    record, key, token = start(user, remember=remember, ip=ip, user_agent=user_agent)
    db.session.commit()
    # A fresh signed cookie: nothing from before the sign-in survives into the session.
    session.clear()
    login_user(user, remember=False, fresh=True)
    # Flask-Login keeps the user's id here; the session key takes its place.
    session["_user_id"] = key
    g.user_session = record
    return token


_BROWSERS = (
    ("YaBrowser/", "Яндекс Браузер"),
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
)
_SYSTEMS = (
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def describe_browser(user_agent: str | None) -> str:
    """«Chrome · Windows» from a User-Agent string, so a person recognises their computer."""
    text = user_agent or ""
    browser = next((name for token, name in _BROWSERS if token in text), None)
    system = next((name for token, name in _SYSTEMS if token in text), None)
    parts = [p for p in (browser, system) if p]
    return " · ".join(parts) if parts else "неизвестный браузер"
