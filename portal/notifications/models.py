"""Notifications addressed to one user each, and a user's wish to get them by e-mail."""

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.timeutil import UTCDateTime, utcnow


class Notification(db.Model):
    """One message in a user's bell; it links to its object by endpoint and arguments, so the
    address is built when it is shown (no request is needed to create one)."""

    __tablename__ = "notifications"
    __table_args__ = (
        # A deadline reminder is created once per user and object, however often cron runs.
        UniqueConstraint("user_id", "key", name="uq_notifications_user_key"),
        # The poll reads a user's unread count and newest id through this index.
        Index("ix_notifications_user_unread", "user_id", "read_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(String(400))
    endpoint: Mapped[str] = mapped_column(String(80))
    url_args: Mapped[dict] = mapped_column(JSON, default=dict)
    object_type: Mapped[str] = mapped_column(String(30))
    object_id: Mapped[int] = mapped_column(Integer)
    key: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NotificationPreference(db.Model):
    """Whether a user wants the daily e-mail digest, and where to; absent row means no."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    email: Mapped[str | None] = mapped_column(String(150))
