"""Sign-in checks that cannot be turned against the people they protect.

The design (the reasons are in the commit that introduced it):

- Failures are counted per *login name* (whether or not such an account exists), per
  *address*, and per *known browser*, in the database, so every worker process sees them.
  An unknown login runs the same hash (of a dummy password), gets the same words and the
  same pauses as a real one: the answers do not tell which logins exist.
- After five failures a name pauses for one minute, then two, four, eight, fifteen at most;
  a pause always ends, and failures older than the window are forgotten.
- A browser in which the person has signed in before carries a signed «known browser»
  cookie. Its attempts are counted on that browser alone, not on the name or the address,
  so a stranger hammering «admin» from elsewhere cannot keep the administrator out of their
  own computer; the browser has its own five-attempt pauses, so a stolen cookie does not
  unlock guessing.
- An address gets thirty failures per window: enough for a classroom behind one router,
  few for someone trying many names.
- An attempt is *claimed* before the password is checked, by a conditional UPDATE that only
  succeeds while the count is under the limit; PostgreSQL re-checks the condition under the
  row lock and SQLite runs the claim as the one writer, so forty parallel guesses get exactly
  five checks. The claim is committed at once: the slow hash runs outside any lock.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from flask import current_app, has_app_context
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import and_, case, func, literal, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.security import check_password_hash, generate_password_hash

from portal.accounts.models import LoginThrottle, User
from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow
from portal.writelock import begin_write

MAX_FAILED_LOGINS = 5
MAX_FAILED_PER_ADDRESS = 30
FAILURE_WINDOW = timedelta(minutes=15)
FIRST_PAUSE = timedelta(minutes=1)
LONGEST_PAUSE = timedelta(minutes=15)
# A name left alone for a day starts again from the shortest pause.
LEVEL_MEMORY = timedelta(days=1)
KNOWN_BROWSER_COOKIE = "portal_known_browser"
KNOWN_BROWSER_LIFETIME = timedelta(days=365)
# No 0/O, 1/l/I: the slip is read off paper by a child or a parent.
_SLIP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class PasswordCheck:
    ok: bool
    locked_until: datetime | None = None


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: the user, or a pause end, or neither (wrong login/password)."""

    user: User | None = None
    paused_until: datetime | None = None
    known_browser: str | None = None  # the nonce of a known-browser cookie to (re)issue


def find_user(login: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.login) == login.strip().lower()))


@cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def dummy_hash() -> str:
    """A hash made the same way as real ones, so an unknown login costs the same time."""
    method = "scrypt"
    if has_app_context():
        method = current_app.config.get("PASSWORD_HASH_METHOD", method)
    return _dummy_hash(method)


# --- the counters ----------------------------------------------------------------------


def _pause_end(level, now: datetime):
    """SQL for the end of the next pause: FIRST_PAUSE doubled per earlier lock, capped."""
    steps = []
    pause = FIRST_PAUSE
    for n in range(8):
        steps.append((level == n, literal(now + min(pause, LONGEST_PAUSE), UTCDateTime)))
        pause *= 2
    return case(*steps, else_=literal(now + LONGEST_PAUSE, UTCDateTime))


def _ensure_counter(key: str) -> None:
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    db.session.execute(
        insert(LoginThrottle)
        .values(key=key, failures=0, level=0)
        .on_conflict_do_nothing(index_elements=["key"])
    )


def claim_attempt(key: str, limit: int, now: datetime | None = None) -> datetime | None:
    """Count one attempt against `key`, if it may be made; else return when the pause ends.

    The caller commits. The count only grows while the key is not paused; the attempt that
    reaches the limit starts the pause.
    """
    now = now or utcnow()
    _ensure_counter(key)
    t = LoginThrottle.__table__
    now_v = literal(now, UTCDateTime)
    restart = or_(
        t.c.window_started_at.is_(None),
        t.c.window_started_at <= literal(now - FAILURE_WINDOW, UTCDateTime),
        and_(t.c.locked_until.is_not(None), t.c.locked_until <= now_v),
    )
    forgotten = or_(
        t.c.window_started_at.is_(None),
        t.c.window_started_at <= literal(now - LEVEL_MEMORY, UTCDateTime),
    )
    level = case((forgotten, 0), else_=t.c.level)
    failures = case((restart, 1), else_=t.c.failures + 1)
    reached = failures >= limit
    counted = db.session.execute(
        update(t)
        .where(t.c.key == key, or_(t.c.locked_until.is_(None), t.c.locked_until <= now_v))
        .values(
            failures=failures,
            window_started_at=case((restart, now_v), else_=t.c.window_started_at),
            locked_until=case((reached, _pause_end(level, now)), else_=None),
            level=case((reached, level + 1), else_=level),
        )
    ).rowcount
    if counted == 1:
        return None
    return db.session.scalar(select(t.c.locked_until).where(t.c.key == key))


def _forgive(keys: list[str]) -> None:
    """The right password: these counters start from nothing."""
    t = LoginThrottle.__table__
    db.session.execute(
        update(t)
        .where(t.c.key.in_(keys))
        .values(failures=0, locked_until=None, level=0, window_started_at=None)
    )


def _give_back(key: str) -> None:
    """Take back the claim of an attempt that turned out right (the address's count)."""
    t = LoginThrottle.__table__
    db.session.execute(
        update(t).where(t.c.key == key, t.c.failures > 0).values(failures=t.c.failures - 1)
    )


def _prune(now: datetime) -> None:
    """Forget counters idle for a day, so names tried once by a stranger do not pile up."""
    t = LoginThrottle.__table__
    stale = literal(now - LEVEL_MEMORY, UTCDateTime)
    db.session.execute(
        t.delete().where(
            or_(t.c.window_started_at.is_(None), t.c.window_started_at < stale),
            or_(t.c.locked_until.is_(None), t.c.locked_until < literal(now, UTCDateTime)),
        )
    )


def login_key(login: str) -> str:
    return "login:" + login.strip().lower()[:150]


def clear_login_pause(login: str) -> None:
    """An administrator's reset lets the person in at once."""
    _forgive([login_key(login)])


def paused_logins(logins: list[str]) -> set[str]:
    """Which of these logins are paused right now (for the accounts list)."""
    keys = {login_key(name): name for name in logins}
    if not keys:
        return set()
    rows = db.session.scalars(
        select(LoginThrottle.key).where(
            LoginThrottle.key.in_(list(keys)), LoginThrottle.locked_until > utcnow()
        )
    )
    return {keys[k] for k in rows}


# --- known browsers --------------------------------------------------------------------


def _browser_serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="known-browser")


def known_browser_cookie(user_id: int, nonce: str) -> str:
    return _browser_serializer().dumps({"u": user_id, "n": nonce})


def read_known_browser(cookie: str | None) -> tuple[int, str] | None:
    if not cookie:
        return None
    try:
        data = _browser_serializer().loads(cookie)
        return int(data["u"]), str(data["n"])
    except (BadSignature, KeyError, TypeError, ValueError):
        return None


# --- the checks ------------------------------------------------------------------------


def sign_in(login: str, password: str, address: str | None, browser_cookie: str | None) -> SignIn:
    """Check a login and password under the throttles; commits the counts."""
    now = utcnow()
    begin_write()  # SQLite: claim under the write lock, so parallel attempts count exactly
    user = find_user(login)
    browser = read_known_browser(browser_cookie)
    known = user is not None and browser is not None and browser[0] == user.id
    usable = user is not None and user.active
    stored_hash = user.password_hash if usable else dummy_hash()
    if known:
        claims = [(f"browser:{browser[1]}", MAX_FAILED_LOGINS)]
    else:
        claims = [
            (f"address:{address or '-'}", MAX_FAILED_PER_ADDRESS),
            (login_key(login), MAX_FAILED_LOGINS),
        ]
    for key, limit in claims:
        paused = claim_attempt(key, limit, now)
        if paused is not None:
            db.session.commit()
            return SignIn(paused_until=paused)
    db.session.commit()
    if not (check_password_hash(stored_hash, password) and usable):
        return SignIn()
    begin_write()
    _prune(now)
    if known:
        _forgive([claims[0][0]])
        nonce = browser[1]
    else:
        _forgive([claims[1][0]])
        _give_back(claims[0][0])
        nonce = secrets.token_urlsafe(16)
    db.session.commit()
    return SignIn(user=user, known_browser=nonce)


def verify_password(user: User, password: str) -> PasswordCheck:
    """Check a signed-in person's password again (signing, changing it); commits the count.

    Only that person's session can reach this check, so it has its own counter.
    """
    begin_write()
    key = f"user:{user.id}"
    paused = claim_attempt(key, MAX_FAILED_LOGINS)
    db.session.commit()
    if paused is not None:
        return PasswordCheck(ok=False, locked_until=paused)
    if user.check_password(password):
        begin_write()
        _forgive([key])
        db.session.commit()
        return PasswordCheck(ok=True)
    locked = db.session.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.key == key))
    return PasswordCheck(ok=False, locked_until=locked if locked and locked > utcnow() else None)


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
