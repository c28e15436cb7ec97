"""Forms of mentorship as data, and pairs or groups (one mentor, one or more mentees)."""

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.people.models import Person
from portal.statuses import (
    PairStatus,
    PetitionStatus,
    ProposalItemStatus,
    ProposalStatus,
    StatusType,
)
from portal.timeutil import UTCDateTime, utcnow

# Kept for callers written before the enums; new code uses PairStatus directly.
PAIR_STATUSES = PairStatus.values()
OPEN_PAIR_STATUSES = PairStatus.open()


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
    min_mentee_age: Mapped[int | None] = mapped_column(Integer)  # students take part from 10
    description: Mapped[str | None] = mapped_column(Text)  # who the parties are, in words

    @property
    def scope_title(self) -> str:
        return "федеральная" if self.scope == "federal" else "Центра"


class Pair(db.Model):
    """A mentorship pair, or a group when it has several mentees."""

    __tablename__ = "pairs"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("mentorship_forms.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    status: Mapped[PairStatus] = mapped_column(
        StatusType(PairStatus, 20), default=PairStatus.DRAFT, index=True
    )
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
        cascade="all, delete-orphan",
        lazy="selectin",
        back_populates="pair",
        order_by="PairMember.id",
    )

    @property
    def is_open(self) -> bool:
        return self.status in PairStatus.open()

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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mentee: Mapped[Person] = relationship(lazy="joined")


class PairEvent(db.Model):
    """One step in the life of a pair, shown on its card as the history (the audit log keeps
    the raw changes; this is the readable story)."""

    __tablename__ = "pair_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(30))
    text: Mapped[str] = mapped_column(Text)
    user_login: Mapped[str | None] = mapped_column(String(80))


class MatchingWeights(db.Model):
    """The curator's weights of the five criteria: one row, id 1."""

    __tablename__ = "matching_weights"

    id: Mapped[int] = mapped_column(primary_key=True)
    request: Mapped[int] = mapped_column(Integer, default=35)
    interests: Mapped[int] = mapped_column(Integer, default=25)
    age: Mapped[int] = mapped_column(Integer, default=15)
    club: Mapped[int] = mapped_column(Integer, default=10)
    format: Mapped[int] = mapped_column(Integer, default=15)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_by: Mapped[str | None] = mapped_column(String(80))


PETITION_STATUSES = PetitionStatus.values()


class Petition(db.Model):
    """A mentee's petition to the director to replace the mentor (п. 6.2 of the regulation)."""

    __tablename__ = "petitions"

    id: Mapped[int] = mapped_column(primary_key=True)
    pair_id: Mapped[int] = mapped_column(ForeignKey("pairs.id", ondelete="CASCADE"), index=True)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    filed_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    status: Mapped[PetitionStatus] = mapped_column(
        StatusType(PetitionStatus, 20), default=PetitionStatus.PENDING
    )
    resolved_on: Mapped[date | None] = mapped_column(Date)
    resolution: Mapped[str | None] = mapped_column(Text)
    new_pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    pair: Mapped[Pair] = relationship(foreign_keys=[pair_id])
    mentee: Mapped[Person] = relationship(lazy="joined")


PROPOSAL_STATUSES = ProposalStatus.values()
ITEM_STATUSES = ProposalItemStatus.values()


class CohortProposal(db.Model):
    """A computed cohort assignment kept as a draft until the curator decides on it."""

    __tablename__ = "cohort_proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("mentorship_forms.id"), index=True)
    status: Mapped[ProposalStatus] = mapped_column(
        StatusType(ProposalStatus, 20), default=ProposalStatus.DRAFT
    )
    total: Mapped[int] = mapped_column(Integer, default=0)
    weights: Mapped[dict] = mapped_column(JSON, default=dict)
    unmatched: Mapped[list] = mapped_column(JSON, default=list)  # [{mentee_id, name, reason}]
    mentee_count: Mapped[int] = mapped_column(Integer, default=0)
    mentor_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    form: Mapped[MentorshipForm] = relationship(lazy="joined")
    items: Mapped[list["ProposalItem"]] = relationship(
        cascade="all, delete-orphan",
        lazy="selectin",
        back_populates="proposal",
        order_by="ProposalItem.position",
    )


class ProposalItem(db.Model):
    """One proposed pair; a curator's change keeps the original mentor and the reason."""

    __tablename__ = "proposal_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("cohort_proposals.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    mentee_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    mentor_id: Mapped[int] = mapped_column(ForeignKey("persons.id"))
    score: Mapped[int] = mapped_column(Integer, default=0)
    parts: Mapped[list] = mapped_column(JSON, default=list)  # [{label, points, max, reason}]
    original_mentor_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    original_score: Mapped[int | None] = mapped_column(Integer)
    change_reason: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ProposalItemStatus] = mapped_column(
        StatusType(ProposalItemStatus, 20), default=ProposalItemStatus.PROPOSED
    )
    error: Mapped[str | None] = mapped_column(Text)
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id", ondelete="SET NULL"))

    proposal: Mapped[CohortProposal] = relationship(back_populates="items")
    mentee: Mapped[Person] = relationship(foreign_keys=[mentee_id], lazy="joined")
    mentor: Mapped[Person] = relationship(foreign_keys=[mentor_id], lazy="joined")
    original_mentor: Mapped[Person | None] = relationship(
        foreign_keys=[original_mentor_id], lazy="joined"
    )
