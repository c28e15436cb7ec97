"""Questionnaires as data (versioned), campaigns, assignments, answers and annual reports."""

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.matching.models import MentorshipForm, Pair
from portal.people.models import Person
from portal.timeutil import UTCDateTime, utcnow


class Respondent(StrEnum):
    MENTOR = "mentor"
    MENTEE = "mentee"
    CURATOR = "curator"

    @property
    def title(self) -> str:
        return {"mentor": "наставник", "mentee": "наставляемый", "curator": "куратор"}[self]


class Moment(StrEnum):
    ENTRY = "entry"
    EXIT = "exit"
    HALF_YEAR = "half_year"

    @property
    def title(self) -> str:
        return {"entry": "входная", "exit": "итоговая", "half_year": "полугодовая"}[self]


class QuestionKind(StrEnum):
    SCALE = "scale"
    YESNO = "yesno"
    SINGLE = "single"
    MULTI = "multi"
    TEXT = "text"

    @property
    def title(self) -> str:
        return {
            "scale": "шкала 1–10",
            "yesno": "да / нет",
            "single": "один вариант",
            "multi": "несколько вариантов",
            "text": "открытый ответ",
        }[self]


class Stage(StrEnum):
    QUALITY = "quality"
    GROWTH = "growth"

    @property
    def title(self) -> str:
        return {
            "quality": "этап 1 — качество программы",
            "growth": "этап 2 — рост участников (вход и выход)",
        }[self]


class CampaignStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"

    @property
    def title(self) -> str:
        return {"open": "идёт", "closed": "завершён"}[self]


class Questionnaire(db.Model):
    """One version of a questionnaire; `family` ties the versions, `current` marks the one
    new assignments get. A version with answers is frozen: editing makes the next one."""

    __tablename__ = "mon_questionnaires"
    __table_args__ = (UniqueConstraint("family", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    family: Mapped[str] = mapped_column(String(80), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    current: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    title: Mapped[str] = mapped_column(String(250))
    intro: Mapped[str | None] = mapped_column(Text)
    respondent: Mapped[str] = mapped_column(String(10))
    moment: Mapped[str] = mapped_column(String(10))
    form_id: Mapped[int | None] = mapped_column(ForeignKey("mentorship_forms.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(80))

    form: Mapped[MentorshipForm | None] = relationship(lazy="joined")
    sections: Mapped[list["QuestionSection"]] = relationship(
        cascade="all, delete-orphan",
        order_by="QuestionSection.position, QuestionSection.id",
        back_populates="questionnaire",
    )
    questions: Mapped[list["Question"]] = relationship(
        cascade="all, delete-orphan",
        order_by="Question.position, Question.id",
        back_populates="questionnaire",
    )

    @property
    def respondent_title(self) -> str:
        return Respondent(self.respondent).title

    @property
    def moment_title(self) -> str:
        return Moment(self.moment).title

    @property
    def label(self) -> str:
        return f"{self.title} (версия {self.version})"


class QuestionSection(db.Model):
    __tablename__ = "mon_sections"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("mon_questionnaires.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(250))

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="sections")
    questions: Mapped[list["Question"]] = relationship(
        order_by="Question.position, Question.id", viewonly=True
    )


class Question(db.Model):
    """A question; `measure` names what it measures, so entry and exit items compare."""

    __tablename__ = "mon_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    questionnaire_id: Mapped[int] = mapped_column(
        ForeignKey("mon_questionnaires.id", ondelete="CASCADE"), index=True
    )
    section_id: Mapped[int | None] = mapped_column(
        ForeignKey("mon_sections.id", ondelete="SET NULL"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    options: Mapped[list] = mapped_column(JSON, default=list)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
    measure: Mapped[str | None] = mapped_column(String(40))
    satisfaction: Mapped[bool] = mapped_column(Boolean, default=False)

    questionnaire: Mapped[Questionnaire] = relationship(back_populates="questions")
    section: Mapped[QuestionSection | None] = relationship()

    @property
    def kind_title(self) -> str:
        return QuestionKind(self.kind).title

    @property
    def choices(self) -> list[tuple[int, str]]:
        """(stored value, label) of every answer the question offers."""
        if self.kind == QuestionKind.SCALE:
            return [(n, str(n)) for n in range(1, 11)]
        if self.kind == QuestionKind.YESNO:
            return [(1, "да"), (0, "нет")]
        return list(enumerate(self.options or []))


class Campaign(db.Model):
    """A half-year's monitoring: forms and stages, a deadline, and the curator's SWOT."""

    __tablename__ = "mon_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    deadline: Mapped[date] = mapped_column(Date)
    form_ids: Mapped[list] = mapped_column(JSON, default=list)
    stages: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default=CampaignStatus.OPEN, index=True)
    strengths: Mapped[str | None] = mapped_column(Text)
    weaknesses: Mapped[str | None] = mapped_column(Text)
    opportunities: Mapped[str | None] = mapped_column(Text)
    threats: Mapped[str | None] = mapped_column(Text)
    conclusions: Mapped[str | None] = mapped_column(Text)
    # Response rate and satisfaction, kept when the campaign closes for the trend chart.
    summary: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(80))

    @property
    def status_title(self) -> str:
        return CampaignStatus(self.status).title

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN


class Assignment(db.Model):
    """One questionnaire one person (or the curator's account) is to answer."""

    __tablename__ = "mon_assignments"
    __table_args__ = (
        Index("ix_mon_assignments_campaign_q", "campaign_id", "questionnaire_id"),
        Index("ix_mon_assignments_person_pair", "person_id", "pair_id", "moment"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("mon_campaigns.id", ondelete="CASCADE")
    )
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("mon_questionnaires.id"), index=True)
    moment: Mapped[str] = mapped_column(String(10))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("persons.id"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    pair_id: Mapped[int | None] = mapped_column(ForeignKey("pairs.id"), index=True)
    form_id: Mapped[int | None] = mapped_column(ForeignKey("mentorship_forms.id"))
    respondent: Mapped[str] = mapped_column(String(10))
    due_on: Mapped[date | None] = mapped_column(Date)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    questionnaire: Mapped[Questionnaire] = relationship(lazy="joined")
    person: Mapped[Person | None] = relationship()
    pair: Mapped[Pair | None] = relationship()
    campaign: Mapped[Campaign | None] = relationship()

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None


class Answer(db.Model):
    """One stored value. A multiple choice stores one row per chosen option (`slot` = option
    number + 1), so distributions of every closed kind are one GROUP BY on `value`."""

    __tablename__ = "mon_answers"
    __table_args__ = (
        UniqueConstraint("assignment_id", "question_id", "slot"),
        Index("ix_mon_answers_question_value", "question_id", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("mon_assignments.id", ondelete="CASCADE"))
    question_id: Mapped[int] = mapped_column(ForeignKey("mon_questions.id"))
    slot: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str | None] = mapped_column(Text)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class PeriodKind(StrEnum):
    CALENDAR = "calendar"
    SCHOOL = "school"

    @property
    def title(self) -> str:
        return {"calendar": "календарный год", "school": "учебный год"}[self]


class AnnualReport(db.Model):
    """The yearly count for the regional mentorship centre; figures are frozen when sent."""

    __tablename__ = "mon_annual_reports"
    __table_args__ = (UniqueConstraint("period_kind", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    period_kind: Mapped[str] = mapped_column(String(10), default=PeriodKind.CALENDAR)
    year: Mapped[int] = mapped_column(Integer)  # a school year is named by its first year
    students_10_plus: Mapped[int | None] = mapped_column(Integer)
    sent_on: Mapped[date | None] = mapped_column(Date)
    figures: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by: Mapped[str | None] = mapped_column(String(80))

    @property
    def period(self) -> tuple[date, date]:
        if self.period_kind == PeriodKind.SCHOOL:
            return date(self.year, 9, 1), date(self.year + 1, 8, 31)
        return date(self.year, 1, 1), date(self.year, 12, 31)

    @property
    def period_title(self) -> str:
        if self.period_kind == PeriodKind.SCHOOL:
            return f"{self.year}/{self.year + 1} учебный год"
        return f"{self.year} год"
