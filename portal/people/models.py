"""Person records, the shared tag vocabulary, legal representatives and consents."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.statuses import PersonCategory, PersonStatus, StatusType
from portal.text import fold
from portal.timeutil import UTCDateTime, age_on, utcnow

CATEGORIES = tuple(c.value for c in PersonCategory)
STATUSES = PersonStatus.values()
COMM_FORMATS = ("очно", "дистанционно", "очно и дистанционно")
CHANNELS = ("телефон", "электронная почта", "мессенджер")
TAG_KINDS = ("interest", "competency", "request")


class Person(db.Model):
    __tablename__ = "persons"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_name: Mapped[str] = mapped_column(String(100))
    first_name: Mapped[str] = mapped_column(String(100))
    middle_name: Mapped[str | None] = mapped_column(String(100))
    search_key: Mapped[str] = mapped_column(String(320), default="", index=True)
    birth_date: Mapped[date | None] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(30))
    is_mentor: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    is_mentee: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    club: Mapped[str | None] = mapped_column(String(150), index=True)  # объединение
    study_level: Mapped[int | None] = mapped_column(Integer)  # класс / год обучения
    workplace: Mapped[str | None] = mapped_column(String(250))  # место работы / учёбы
    position: Mapped[str | None] = mapped_column(String(150))
    phone: Mapped[str | None] = mapped_column(String(30))
    email: Mapped[str | None] = mapped_column(String(150))
    messenger: Mapped[str | None] = mapped_column(String(150))
    preferred_channel: Mapped[str | None] = mapped_column(String(30))
    key_request: Mapped[str | None] = mapped_column(Text)  # ключевой запрос наставляемого
    achievements: Mapped[str | None] = mapped_column(Text)  # ключевые компетенции и достижения
    desired_age_min: Mapped[int | None] = mapped_column(Integer)
    desired_age_max: Mapped[int | None] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer, default=1)
    comm_time: Mapped[str | None] = mapped_column(String(200))  # время общения
    comm_format: Mapped[str | None] = mapped_column(String(30))  # очно / дистанционно
    entered_on: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    results: Mapped[str | None] = mapped_column(Text)
    case_url: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[PersonStatus] = mapped_column(
        StatusType(PersonStatus, 20), default=PersonStatus.CANDIDATE, index=True
    )
    training_completed: Mapped[bool] = mapped_column(Boolean, default=False)
    # Derived by the programme from attendance of the required training events.
    training_completed_on: Mapped[date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    tags: Mapped[list["PersonTag"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", back_populates="person"
    )
    consents: Mapped[list["Consent"]] = relationship(
        cascade="all, delete-orphan",
        foreign_keys="Consent.person_id",
        back_populates="person",
        order_by="Consent.signed_on.desc()",
    )

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    @property
    def short_name(self) -> str:
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.middle_name) if p)
        return f"{self.last_name} {initials}".strip()

    @property
    def age(self) -> int | None:
        return age_on(self.birth_date)

    def refresh_search_key(self) -> None:
        self.search_key = fold(f"{self.last_name} {self.first_name} {self.middle_name or ''}")

    def tag_names(self, kind: str) -> list[str]:
        return sorted(t.tag.name for t in self.tags if t.kind == kind)


class Tag(db.Model):
    """A word of the shared vocabulary of interests and competencies."""

    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    folded: Mapped[str] = mapped_column(String(80), unique=True)

    @classmethod
    def make(cls, name: str) -> "Tag":
        return cls(name=name.strip(), folded=fold(name))


class PersonTag(db.Model):
    __tablename__ = "person_tags"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True
    )
    tag_id: Mapped[int] = mapped_column(ForeignKey("tags.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)

    person: Mapped[Person] = relationship(back_populates="tags")
    tag: Mapped[Tag] = relationship(lazy="joined")


class Representative(db.Model):
    """A parent or guardian who is the legal representative of a minor."""

    __tablename__ = "representatives"
    __table_args__ = (UniqueConstraint("child_id", "representative_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    representative_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    relation: Mapped[str] = mapped_column(String(30))  # мать, отец, опекун, попечитель
    authority_document: Mapped[str | None] = mapped_column(String(250))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    child: Mapped[Person] = relationship(foreign_keys=[child_id])
    representative: Mapped[Person] = relationship(foreign_keys=[representative_id])


class Consent(db.Model):
    """A consent under 152-ФЗ: to processing (Приложение № 2) or to publication (ст. 10.1)."""

    __tablename__ = "consents"
    # Covers "has a valid / any consent of this kind" without reading the rows: the start
    # page asks it for every person of the bases at once.
    __table_args__ = (Index("ix_consents_person_kind_revoked", "person_id", "kind", "revoked_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="processing")  # processing | publication
    variant: Mapped[str | None] = mapped_column(String(1))  # A: representative; B: the person
    signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    co_signed_by_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    signed_on: Mapped[date] = mapped_column(Date)
    method: Mapped[str] = mapped_column(String(20), default="paper")  # paper | electronic
    # Deferred: lists load consents for the badge and must not drag 10 MB scans along.
    scan: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    scan_filename: Mapped[str | None] = mapped_column(String(200))
    scan_mimetype: Mapped[str | None] = mapped_column(String(100))
    signature_ref: Mapped[str | None] = mapped_column(String(100))  # electronic signature id
    revoked_on: Mapped[date | None] = mapped_column(Date)
    revoke_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    person: Mapped[Person] = relationship(foreign_keys=[person_id], back_populates="consents")
    signed_by: Mapped[Person | None] = relationship(foreign_keys=[signed_by_id])
    co_signed_by: Mapped[Person | None] = relationship(foreign_keys=[co_signed_by_id])

    @property
    def is_valid(self) -> bool:
        return self.revoked_on is None


class ImportBatch(db.Model):
    """An uploaded base file kept between the preview and the commit.

    The portal runs in several worker processes, so the file lives in the database, not in
    memory; the commit re-reads it and checks that the batch belongs to the same user.
    """

    __tablename__ = "person_import_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    base: Mapped[str] = mapped_column(String(10))  # mentees | mentors
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    row_count: Mapped[int] = mapped_column(Integer, default=0)
    error_count: Mapped[int] = mapped_column(Integer, default=0)
    committed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_count: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
