"""The audit log: one call records who changed what, before and after, when and from where."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_login: Mapped[str | None] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    changes: Mapped[dict | None] = mapped_column(JSON)
    summary: Mapped[str | None] = mapped_column(String(500))
    ip: Mapped[str | None] = mapped_column(String(64))

    __table_args__ = (db.Index("ix_audit_events_object", "object_type", "object_id"),)


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, set | frozenset | tuple):
        return sorted(_plain(v) for v in value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """Return {field: [old, new]} for the fields whose values differ."""
    changed = {}
    # In the order the fields were given (a form's order), not a set's random one.
    keys = [*after, *(k for k in before if k not in after)]
    for key in keys:
        old, new = _plain(before.get(key)), _plain(after.get(key))
        if old != new:
            changed[key] = [old, new]
    return changed


def record(
    action: str,
    object_type: str,
    object_id: int | None = None,
    changes: dict[str, list[Any]] | None = None,
    summary: str | None = None,
    *,
    actor=None,
) -> AuditEvent:
    """Add an audit event to the current transaction; it commits with the change it records."""
    actor = actor if actor is not None else _current_actor()
    event = AuditEvent(
        action=action,
        object_type=object_type,
        object_id=object_id,
        changes=changes or None,
        summary=summary,
        user_id=getattr(actor, "id", None),
        user_login=getattr(actor, "login", None),
        ip=request.remote_addr if has_request_context() else None,
    )
    db.session.add(event)
    return event


def _current_actor():
    if has_request_context() and current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    return None


def history(object_type: str, object_id: int, limit: int = 200) -> list[AuditEvent]:
    """Return the newest events about one object."""
    query = (
        select(AuditEvent)
        .where(AuditEvent.object_type == object_type, AuditEvent.object_id == object_id)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))
