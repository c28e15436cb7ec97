"""The user account, separate from the person record it may be linked to."""

from collections.abc import Iterable
from datetime import datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from portal.access import Role
from portal.extensions import db
from portal.text import fold
from portal.timeutil import UTCDateTime, utcnow


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200))
    search_key: Mapped[str] = mapped_column(String(300), default="", index=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("persons.id", ondelete="SET NULL"), unique=True
    )
    # The signing key (63-ФЗ ст. 9): a password the person chose alone after a checked
    # hand-over, for that person only. A password staff set or reset never carries it.
    signer_key_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signer_key_person_id: Mapped[int | None] = mapped_column(Integer)

    role_rows: Mapped[list["UserRole"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )
    person = relationship("Person", foreign_keys=[person_id], lazy="joined")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users at login and reload
        return self.active

    @property
    def roles(self) -> frozenset[Role]:
        return frozenset(Role(row.role) for row in self.role_rows)

    def set_roles(self, roles: Iterable[Role | str]) -> None:
        wanted = {Role(r) for r in roles}
        self.role_rows = [row for row in self.role_rows if Role(row.role) in wanted]
        have = self.roles
        self.role_rows.extend(UserRole(role=r.value) for r in sorted(wanted - have))

    def has_role(self, role: Role) -> bool:
        return role in self.roles

    def has_any_role(self, roles: Iterable[Role]) -> bool:
        return not self.roles.isdisjoint(roles)

    @property
    def role_titles(self) -> list[str]:
        return [r.title for r in Role if r in self.roles]

    @property
    def holds_signer_key(self) -> bool:
        return (
            self.signer_key_at is not None
            and self.person_id is not None
            and self.signer_key_person_id == self.person_id
        )

    def set_password(self, password: str, *, keeps_signer_key: bool = False) -> None:
        """Store a new password; unless its owner set it knowing the old one, the signing key
        goes with it (staff may have seen a temporary password)."""
        if not keeps_signer_key:
            self.signer_key_at = None
            self.signer_key_person_id = None
        # scrypt by default; the test suite sets a cheap method, as it creates hundreds of users.
        method = "scrypt"
        if has_app_context():
            method = current_app.config.get("PASSWORD_HASH_METHOD", method)
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def set_full_name(self, full_name: str) -> None:
        self.full_name = full_name.strip()
        self.search_key = fold(f"{self.full_name} {self.login}")


class UserRole(db.Model):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class UserSession(db.Model):
    """One sign-in: the cookie carries a random key whose hash is stored here.

    Ending the record (logout, password change or reset, deactivation, «завершить все
    сеансы») refuses the cookie on the next request of every worker, as every request reads
    it. «Запомнить меня» is a second secret of the same record that changes at every use.
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    remember_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The token just replaced stays good for a moment: two tabs reopening at once both pass.
    previous_remember_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    remember_rotated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    remember_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_reason: Mapped[str | None] = mapped_column(String(40))


class LoginThrottle(db.Model):
    """Failed sign-ins counted per login name, per address and per known browser.

    Keyed by text, not by account, so an unknown login is throttled exactly like a real one
    and the answers cannot tell them apart.
    """

    __tablename__ = "login_throttles"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # How many locks in a row: each next lock lasts twice as long, up to a ceiling.
    level: Mapped[int] = mapped_column(Integer, default=0)
