"""Password checks with a lock-out kept in the database, so it holds across worker processes."""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, func, literal, select, update

from portal.accounts.models import User
from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow

MAX_FAILED_LOGINS = 5
LOCK_DURATION = timedelta(minutes=15)
# No 0/O, 1/l/I: the slip is read off paper by a child or a parent.
_SLIP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class PasswordCheck:
    ok: bool
    locked_until: datetime | None = None


def find_user(login: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.login) == login.strip().lower()))


def is_locked(user: User, now: datetime | None = None) -> bool:
    now = now or utcnow()
    return user.locked_until is not None and user.locked_until > now


def verify_password(user: User, password: str) -> PasswordCheck:
    """Check a password, counting failures toward the lock-out; commits the count."""
    now = utcnow()
    if is_locked(user, now):
        return PasswordCheck(ok=False, locked_until=user.locked_until)
    if user.check_password(password):
        if user.failed_logins:
            user.failed_logins = 0
            user.locked_until = None
        return PasswordCheck(ok=True)
    register_failure(user, now)
    return PasswordCheck(ok=False, locked_until=user.locked_until if is_locked(user, now) else None)


def register_failure(user: User, now: datetime | None = None) -> None:
    """Count one failed attempt atomically in SQL, so parallel workers cannot lose a count."""
    now = now or utcnow()
    # A lock that has run out starts a fresh count.
    now_value = literal(now, UTCDateTime)
    lock_end = literal(now + LOCK_DURATION, UTCDateTime)
    expired = (User.locked_until.is_not(None)) & (User.locked_until <= now_value)
    base = case((expired, 0), else_=User.failed_logins)
    db.session.execute(
        update(User)
        .where(User.id == user.id)
        .values(
            failed_logins=base + 1,
            locked_until=case(
                (base + 1 >= MAX_FAILED_LOGINS, lock_end),
                else_=case((expired, literal(None, UTCDateTime)), else_=User.locked_until),
            ),
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(user)


def generate_one_time_password() -> str:
    """A readable temporary password: 10 characters, about 49 bits of entropy."""
    raw = "".join(secrets.choice(_SLIP_ALPHABET) for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


PASSWORD_RULES = "не короче 8 символов, хотя бы одна буква и одна цифра"


def password_problem(password: str, login: str = "") -> str | None:
    """Return a Russian reason the password is too weak, or None."""
    if len(password) < 8:
        return "Пароль должен быть не короче 8 символов."
    if not any(c.isalpha() for c in password) or not any(c.isdigit() for c in password):
        return "Пароль должен содержать хотя бы одну букву и одну цифру."
    if login and login.lower() in password.lower():
        return "Пароль не должен содержать логин."
    return None
