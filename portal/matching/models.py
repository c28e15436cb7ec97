"""Forms of mentorship as data, and pairs or groups (one mentor, one or more mentees)."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.people.models import Person
from portal.timeutil import UTCDateTime, utcnow

PAIR_STATUSES = ("черновик", "действует", "завершена", "расторгнута")
OPEN_PAIR_STATUSES = ("черновик", "действует")


class MentorshipForm(db.Model):
    __tablename__ = "mentorship_forms"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(150))
    scope: Mapped[str] = mapped_column(String(10), default="local")  # local | federal
    mentor_categories: Mapped[list] = mapped_column(JSON, default=list)
    mentee_categories: Mapped[list] = mapped_column(JSON, default=list)
    mentor_higher_level: Mapped[bool] = mapped_column(Boolean, default=False)
    goal: Mapped[str | None] = mapped_column(Text)
    tasks: Mapped[str | None] = mapped_column(Text)
    formats: Mapped[list] = mapped_column(JSON, default=list)  # примерные форматы работы
    documents: Mapped[str | None] = mapped_column(Text)
    reported_as: Mapped[str | None] = mapped_column(String(150))  # federal form for reports
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Pair(db.Model):
    """A mentorship pair, or a group when it has several mentees."""

    __tablename__ = "pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("mentorship_forms.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="черновик", index=True)
    goal: Mapped[str | None] = mapped_column(Text)
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(Text)
    results: Mapped[str | None] = mapped_column(Text)
    case_url: Mapped[str | None] = mapped_column(String(500))
    needs_attention: Mapped[str | None] = mapped_column(String(300))  # e.g. a consent revoked
    replaces_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    form: Mapped[MentorshipForm] = relationship(lazy="joined")
    mentor: Mapped[Person] = relationship(foreign_keys=[mentor_id], lazy="joined")
    members: Mapped[list["PairMember"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="pair"
    )

    @property
    def is_group(self) -> bool:
        return len(self.current_members) > 1

    @property
    def current_members(self) -> list["PairMember"]:
        return [m for m in self.members if m.left_on is None]

    @property
    def mentees(self) -> list[Person]:
        return [m.mentee for m in self.current_members]


class PairMember(db.Model):
    __tablename__ = "pair_members"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    joined_on: Mapped[date] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)
    leave_reason: Mapped[str | None] = mapped_column(Text)

    pair: Mapped[Pair] = relationship(back_populates="members")
    mentee: Mapped[Person] = relationship(lazy="joined")
