"""Plans, their activities, the append-only change log, approved revisions, meetings, presence."""

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.matching.models import Pair
from portal.people.models import Person
from portal.statuses import PlanItemStatus, PlanStatus, StatusType
from portal.timeutil import UTCDateTime, utcnow

# Kept for callers written before the enums; new code uses PlanStatus directly.
PLAN_DRAFT, PLAN_APPROVED, PLAN_CHANGED = PlanStatus.DRAFT, PlanStatus.APPROVED, PlanStatus.CHANGED
PLAN_STATUSES = tuple(PlanStatus)
ITEM_STATUSES = PlanItemStatus.values()
RESPONSIBLE = ("наставник", "наставляемый", "вместе", "другой")
MEETING_FORMATS = (
    "очно",
    "дистанционно — телефон",
    "дистанционно — мессенджер",
    "дистанционно — видеосвязь",
)


class Plan(db.Model):
    """The individual plan of one pair or group; `version` grows with every accepted change."""

    __tablename__ = "plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), unique=True)
    goal: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[PlanStatus] = mapped_column(StatusType(PlanStatus, 30), default=PlanStatus.DRAFT)
    approved_revision_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_revisions.id", use_alter=True, ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pair: Mapped[Pair] = relationship(lazy="joined")
    approved_revision: Mapped["PlanRevision | None"] = relationship(
        foreign_keys=[approved_revision_id], post_update=True
    )
    items: Mapped[list["PlanItem"]] = relationship(
        back_populates="plan", order_by="PlanItem.position, PlanItem.id"
    )

    @property
    def live_items(self) -> list["PlanItem"]:
        return [i for i in self.items if i.deleted_at is None]


class PlanItem(db.Model):
    """One activity (мероприятие); `version` is the row version every field save compares."""

    __tablename__ = "plan_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(300), default="")
    format: Mapped[str | None] = mapped_column(String(200))
    start_on: Mapped[date | None] = mapped_column(Date)
    end_on: Mapped[date | None] = mapped_column(Date)
    responsible: Mapped[str] = mapped_column(String(20), default="вместе")
    responsible_name: Mapped[str | None] = mapped_column(String(150))
    expected_result: Mapped[str | None] = mapped_column(Text)
    status: Mapped[PlanItemStatus] = mapped_column(
        StatusType(PlanItemStatus, 20), default=PlanItemStatus.PLANNED
    )
    result: Mapped[str | None] = mapped_column(Text)
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    proposed_by_mentee: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    plan: Mapped[Plan] = relationship(back_populates="items")


class PlanChange(db.Model):
    """One accepted change, append-only: who, when, which field, old → new, plan version after.

    Fields starting with "_" are structural: _created, _deleted, _undeleted, _position,
    _accepted, _approved.
    """

    __tablename__ = "plan_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_items.id", ondelete="CASCADE"))
    field: Mapped[str] = mapped_column(String(40))
    old: Mapped[str | None] = mapped_column(Text)
    new: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    user_name: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    plan_version: Mapped[int] = mapped_column(Integer)
    item_version: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (
        Index("ix_plan_changes_plan_version", "plan_id", "plan_version"),
        Index("ix_plan_changes_item_field", "item_id", "field", "item_version"),
    )


class PlanRevision(db.Model):
    """An approved, frozen snapshot of the plan (header and activities)."""

    __tablename__ = "plan_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    plan_version: Mapped[int] = mapped_column(Integer)
    snapshot: Mapped[dict] = mapped_column(JSON)
    order_number: Mapped[str] = mapped_column(String(50))
    order_date: Mapped[date] = mapped_column(Date)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    approved_by_name: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("plan_id", "number"),)


meeting_attendees = Table(
    "meeting_attendees",
    db.metadata,
    Column("meeting_id", ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True),
)

meeting_items = Table(
    "meeting_items",
    db.metadata,
    Column("meeting_id", ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True),
    Column("item_id", ForeignKey("plan_items.id", ondelete="CASCADE"), primary_key=True),
)


class Meeting(db.Model):
    """An entry of the meetings journal of a pair or group."""

    __tablename__ = "meetings"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    format: Mapped[str] = mapped_column(String(40))
    topic: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attendees: Mapped[list[Person]] = relationship(secondary=meeting_attendees, lazy="selectin")
    items: Mapped[list[PlanItem]] = relationship(secondary=meeting_items, lazy="selectin")


class PlanPresence(db.Model):
    """Who has a plan open and which activity they edit; advisory, stale after a few seconds."""

    __tablename__ = "plan_presence"

    plan_id: Mapped[int] = mapped_column(
        ForeignKey("plans.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("plan_items.id", ondelete="SET NULL"))
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
