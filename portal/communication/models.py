"""The media plan: channels the administrator keeps and the publications planned in them."""

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.accounts.models import User
from portal.communication.statuses import (
    ConsultationKind,
    ContactKind,
    DisseminationKind,
    EntryStatus,
    MediaKind,
    MediaStatus,
    MessageStage,
    RequestStatus,
)
from portal.extensions import db
from portal.matching.models import MentorshipForm, Pair
from portal.people.models import Person
from portal.statuses import StatusType
from portal.timeutil import UTCDateTime, utcnow

# The participants a publication names or shows: each needs a publication consent (ст. 10.1).
media_item_people = Table(
    "media_item_people",
    db.metadata,
    Column("item_id", ForeignKey("media_items.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True),
)


class MediaChannel(db.Model):
    """Where the centre publishes: its site, the VK group, others the administrator adds."""

    __tablename__ = "media_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # Channels the regulation (п. 3.6) wants updated at least once a month are watched.
    monthly: Mapped[bool] = mapped_column(Boolean, default=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    position: Mapped[int] = mapped_column(Integer, default=0)


class TargetGroup(db.Model):
    """Whom the strategy addresses (004_…): parents, students, teachers, partners…"""

    __tablename__ = "target_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(150), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    messages: Mapped[list["StrategyMessage"]] = relationship(
        cascade="all, delete-orphan", order_by="StrategyMessage.id", back_populates="target_group"
    )


class StrategyMessage(db.Model):
    """What a target group should learn at a stage, and through which channels."""

    __tablename__ = "strategy_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    target_group_id: Mapped[int] = mapped_column(
        ForeignKey("target_groups.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[MessageStage] = mapped_column(StatusType(MessageStage, 20))
    text: Mapped[str] = mapped_column(Text)
    channels: Mapped[str | None] = mapped_column(String(300))

    target_group: Mapped[TargetGroup] = relationship(back_populates="messages")


class DisseminationEvent(db.Model):
    """A dissemination event recorded as it happened: who was reached and with what."""

    __tablename__ = "dissemination_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    kind: Mapped[DisseminationKind] = mapped_column(StatusType(DisseminationKind, 20))
    title: Mapped[str] = mapped_column(String(250))
    target_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("target_groups.id", ondelete="SET NULL"), index=True
    )
    channel_id: Mapped[int | None] = mapped_column(ForeignKey("media_channels.id"), index=True)
    audience: Mapped[str | None] = mapped_column(String(300))
    reach: Mapped[int] = mapped_column(Integer, default=0)
    materials: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    target_group: Mapped[TargetGroup | None] = relationship(lazy="joined")
    channel: Mapped[MediaChannel | None] = relationship(lazy="joined")


class MediaItem(db.Model):
    """One publication of the media plan, planned for a date and, once out, linked."""

    __tablename__ = "media_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[MediaKind] = mapped_column(StatusType(MediaKind, 20))
    title: Mapped[str] = mapped_column(String(250))
    channel_id: Mapped[int] = mapped_column(ForeignKey("media_channels.id"), index=True)
    target_group_id: Mapped[int | None] = mapped_column(
        ForeignKey("target_groups.id", ondelete="SET NULL"), index=True
    )
    message: Mapped[str | None] = mapped_column(Text)
    responsible_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    event_title: Mapped[str | None] = mapped_column(String(250))
    event_on: Mapped[date | None] = mapped_column(Date)
    planned_on: Mapped[date] = mapped_column(Date, index=True)
    published_on: Mapped[date | None] = mapped_column(Date)
    link: Mapped[str | None] = mapped_column(String(500))
    text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[MediaStatus] = mapped_column(
        StatusType(MediaStatus, 20), default=MediaStatus.PLANNED, index=True
    )
    # Set when a named participant revokes the publication consent: the item must come down.
    takedown_since: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    channel: Mapped[MediaChannel] = relationship(lazy="joined")
    target_group: Mapped["TargetGroup | None"] = relationship(lazy="joined")
    responsible: Mapped[User | None] = relationship(lazy="joined")
    people: Mapped[list[Person]] = relationship(secondary=media_item_people, lazy="selectin")

    @property
    def date(self) -> date:
        """The day the item counts for: when it came out, else when it is planned."""
        return self.published_on or self.planned_on


# --- best practices and contests -------------------------------------------------------------

# The people a practice names: it is public only while each has a valid publication consent.
practice_people = Table(
    "practice_people",
    db.metadata,
    Column("practice_id", ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True),
)


class Practice(db.Model):
    """A described case of the base of best practices (regulation п. 3.6, 003_…)."""

    __tablename__ = "practices"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(250))
    form_id: Mapped[int | None] = mapped_column(ForeignKey("mentorship_forms.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True)
    problem: Mapped[str | None] = mapped_column(Text)
    actions: Mapped[str | None] = mapped_column(Text)  # what was done
    results: Mapped[str | None] = mapped_column(Text)  # with evidence from monitoring and the plan
    materials: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[str | None] = mapped_column(String(500))
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id", ondelete="SET NULL"))
    # The working group wants it public; it is shown beyond the staff only with every consent.
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    search_key: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    form: Mapped[MentorshipForm | None] = relationship(lazy="joined")
    pair: Mapped[Pair | None] = relationship()
    people: Mapped[list[Person]] = relationship(secondary=practice_people, lazy="selectin")
    formats: Mapped[list["PracticeFormat"]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="PracticeFormat.name"
    )

    @property
    def format_names(self) -> list[str]:
        return [f.name for f in self.formats]


class PracticeFormat(db.Model):
    """A work format a practice used (Приложение № 4), one row each so filters are SQL."""

    __tablename__ = "practice_formats"

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200), primary_key=True, index=True)


class Contest(db.Model):
    """An external contest of best practices: organiser, nominations, deadlines."""

    __tablename__ = "contests"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(250))
    organiser: Mapped[str] = mapped_column(String(250))
    applications_until: Mapped[date] = mapped_column(Date, index=True)
    results_by: Mapped[date | None] = mapped_column(Date)
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    nominations: Mapped[list["Nomination"]] = relationship(
        cascade="all, delete-orphan", order_by="Nomination.position", back_populates="contest"
    )
    entries: Mapped[list["ContestEntry"]] = relationship(
        cascade="all, delete-orphan", order_by="ContestEntry.id", back_populates="contest"
    )


class Nomination(db.Model):
    __tablename__ = "contest_nominations"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(250))
    position: Mapped[int] = mapped_column(Integer, default=0)

    contest: Mapped[Contest] = relationship(back_populates="nominations")


class ContestEntry(db.Model):
    """A practice the centre enters in a contest, in one nomination, with its package."""

    __tablename__ = "contest_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contests.id", ondelete="CASCADE"), index=True
    )
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practices.id", ondelete="CASCADE"), index=True
    )
    nomination_id: Mapped[int] = mapped_column(ForeignKey("contest_nominations.id"))
    status: Mapped[EntryStatus] = mapped_column(
        StatusType(EntryStatus, 20), default=EntryStatus.DRAFT
    )
    submitted_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contest: Mapped[Contest] = relationship(back_populates="entries")
    practice: Mapped[Practice] = relationship(lazy="joined")
    nomination: Mapped[Nomination] = relationship(lazy="joined")
    files: Mapped[list["EntryFile"]] = relationship(
        cascade="all, delete-orphan", order_by="EntryFile.id", lazy="selectin"
    )


class EntryFile(db.Model):
    """A file of the application package; kept in the database like consent scans."""

    __tablename__ = "contest_entry_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("contest_entries.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    mimetype: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


# --- remote methodical help (002_…) ---------------------------------------------------------


class TeacherProfile(db.Model):
    """A teacher's channels and consultation hours, shown to the students of their club."""

    __tablename__ = "teacher_profiles"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), primary_key=True
    )
    phone: Mapped[str | None] = mapped_column(String(30))
    messenger: Mapped[str | None] = mapped_column(String(150))
    email: Mapped[str | None] = mapped_column(String(150))
    profile_url: Mapped[str | None] = mapped_column(String(500))
    hours: Mapped[str | None] = mapped_column(String(300))  # «вторник и четверг, 16:00–17:00»


class Consultation(db.Model):
    """An individual or group consultation a teacher schedules in answer to requests."""

    __tablename__ = "consultations"

    id: Mapped[int] = mapped_column(primary_key=True)
    teacher_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[ConsultationKind] = mapped_column(StatusType(ConsultationKind, 20))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    at: Mapped[str] = mapped_column(String(5))  # «16:30», Moscow time
    channel: Mapped[ContactKind] = mapped_column(StatusType(ContactKind, 20))
    where: Mapped[str | None] = mapped_column(String(300))  # a link or a room
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    teacher: Mapped[Person] = relationship(lazy="joined")


class ConsultationRequest(db.Model):
    """A student's (or a parent's for the child) request to a teacher of the student's club."""

    __tablename__ = "consultation_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    teacher_id: Mapped[int] = mapped_column(
        ForeignKey("persons.id", ondelete="CASCADE"), index=True
    )
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    topic: Mapped[str] = mapped_column(Text)
    channel: Mapped[ContactKind] = mapped_column(StatusType(ContactKind, 20))
    preferred_time: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[RequestStatus] = mapped_column(
        StatusType(RequestStatus, 20), default=RequestStatus.WAITING, index=True
    )
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consultation_id: Mapped[int | None] = mapped_column(
        ForeignKey("consultations.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    student: Mapped[Person] = relationship(foreign_keys=[student_id], lazy="joined")
    teacher: Mapped[Person] = relationship(foreign_keys=[teacher_id], lazy="joined")
    consultation: Mapped[Consultation | None] = relationship(lazy="joined")


class MethodMaterial(db.Model):
    """A methodical material of a club's library: a link, with what it is for."""

    __tablename__ = "method_materials"

    id: Mapped[int] = mapped_column(primary_key=True)
    club: Mapped[str] = mapped_column(String(150), index=True)
    title: Mapped[str] = mapped_column(String(250))
    link: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
