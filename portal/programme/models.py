"""The programme around the pairs: the road map of a school year and the appointments."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from portal.extensions import db
from portal.statuses import Status, StatusType
from portal.timeutil import UTCDateTime, utcnow


class Stage(Status):
    """The stages of the Целевая модель a road map is built of (DOMAIN §8), in their order."""

    PREPARATION = "preparation", "Подготовка условий для запуска программы наставничества", "info"
    MENTEES = "mentees", "Формирование базы наставляемых", "info"
    MENTORS = "mentors", "Формирование базы наставников", "info"
    TRAINING = "training", "Отбор и обучение наставников", "info"
    PAIRS = "pairs", "Формирование наставнических пар и групп", "info"
    WORK = "work", "Организация работы наставнических пар и групп", "info"
    COMPLETION = "completion", "Завершение программы и подведение итогов", "info"

    @property
    def number(self) -> int:
        return list(Stage).index(self) + 1


class ActivityStatus(Status):
    PLANNED = "запланировано", None, "info"
    IN_PROGRESS = "в работе", None, "warn"
    DONE = "выполнено", None, "ok"
    CANCELLED = "отменено", None, "muted"

    @classmethod
    def closed(cls) -> tuple["ActivityStatus", ...]:
        return (cls.DONE, cls.CANCELLED)


class AppointmentKind(Status):
    CURATOR = "curator", "Куратор", "info"
    GROUP = "group", "Член рабочей группы", "info"


class RoadMap(db.Model):
    """The road map (дорожная карта) of one school year, 1 September to 31 August."""

    __tablename__ = "road_maps"

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, unique=True)  # the year the school year starts
    order_number: Mapped[str | None] = mapped_column(String(50))
    order_date: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    activities: Mapped[list["RoadMapActivity"]] = relationship(
        back_populates="road_map",
        cascade="all, delete-orphan",
        order_by="RoadMapActivity.deadline, RoadMapActivity.position, RoadMapActivity.id",
    )

    @property
    def title(self) -> str:
        return f"{self.year}/{self.year + 1} учебный год"

    @property
    def starts_on(self) -> date:
        return date(self.year, 9, 1)

    @property
    def ends_on(self) -> date:
        return date(self.year + 1, 8, 31)


class RoadMapActivity(db.Model):
    __tablename__ = "road_map_activities"

    id: Mapped[int] = mapped_column(primary_key=True)
    road_map_id: Mapped[int] = mapped_column(
        ForeignKey("road_maps.id", ondelete="CASCADE"), index=True
    )
    stage: Mapped[Stage] = mapped_column(StatusType(Stage, 20))
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(400))
    responsible_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    deadline: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[ActivityStatus] = mapped_column(
        StatusType(ActivityStatus, 20), default=ActivityStatus.PLANNED
    )
    result: Mapped[str | None] = mapped_column(Text)
    evidence_url: Mapped[str | None] = mapped_column(String(500))
    evidence_file: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))
    evidence_filename: Mapped[str | None] = mapped_column(String(200))
    evidence_mimetype: Mapped[str | None] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    road_map: Mapped[RoadMap] = relationship(back_populates="activities")
    responsible = relationship("User", lazy="joined")

    def is_overdue(self, today: date) -> bool:
        return self.deadline < today and self.status not in ActivityStatus.closed()


class Appointment(db.Model):
    """An order of the director appointing the curator or a member of the working group.

    Rows are never deleted: a dismissal closes the row with `ends_on`, so the history stays.
    """

    __tablename__ = "programme_appointments"
    __table_args__ = (UniqueConstraint("kind", "user_id", "order_number", "order_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[AppointmentKind] = mapped_column(StatusType(AppointmentKind, 10))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    order_number: Mapped[str] = mapped_column(String(50))
    order_date: Mapped[date] = mapped_column(Date)
    duties: Mapped[str | None] = mapped_column(Text)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    end_order: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User", lazy="joined")


class CandidateDecision(Status):
    PENDING = "на рассмотрении", None, "warn"
    ACCEPTED = "принят", "принят в базу наставников", "ok"
    DECLINED = "отклонён", None, "muted"


class MentorCandidate(db.Model):
    """An application to become a mentor, its interview note and the decision (отбор, п. 3.2)."""

    __tablename__ = "mentor_candidates"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    applied_on: Mapped[date] = mapped_column(Date)
    competencies: Mapped[str] = mapped_column(Text)
    motivation: Mapped[str] = mapped_column(Text)
    desired_mentees: Mapped[str | None] = mapped_column(Text)
    interview_on: Mapped[date | None] = mapped_column(Date)
    interview_note: Mapped[str | None] = mapped_column(Text)
    decision: Mapped[CandidateDecision] = mapped_column(
        StatusType(CandidateDecision, 20), default=CandidateDecision.PENDING, index=True
    )
    decision_reason: Mapped[str | None] = mapped_column(Text)
    decided_on: Mapped[date | None] = mapped_column(Date)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person = relationship("Person", lazy="joined")


class TrainingEvent(db.Model):
    """A training event for mentors; the required ones make up «обучение пройдено»."""

    __tablename__ = "training_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    topic: Mapped[str] = mapped_column(String(300))
    programme: Mapped[str | None] = mapped_column(Text)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    hours: Mapped[int] = mapped_column(Integer)
    trainer: Mapped[str] = mapped_column(String(200))
    place: Mapped[str] = mapped_column(String(300))  # an address or a link
    required: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    attendance: Mapped[list["TrainingAttendance"]] = relationship(
        back_populates="event", cascade="all, delete-orphan"
    )


class TrainingAttendance(db.Model):
    __tablename__ = "training_attendance"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("training_events.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[TrainingEvent] = relationship(back_populates="attendance")
    person = relationship("Person", lazy="joined")
