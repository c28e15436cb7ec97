"""The yearly count for the regional mentorship centre (п. 3.4: by 30 December).

The region counts everyone who took part during the period — finished and terminated
programmes included — and each person once per (federal) form. The centre's forms are mapped
to the federal ones by `MentorshipForm.reported_as`, which the curator sets in the forms'
editor; a form without it is reported apart with a warning.
"""

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, func, literal, or_, select, union_all

from portal.domain import RuleViolation
from portal.extensions import db
from portal.matching.models import MentorshipForm, Pair, PairMember
from portal.monitoring.campaigns import PAIR_STARTED
from portal.monitoring.models import AnnualReport, PeriodKind, Respondent
from portal.people.models import Person
from portal.statuses import PersonCategory

TARGET_SHARE = 0.70
STUDENT = PersonCategory.STUDENT
MIN_AGE = 10
UNMAPPED = ""


def _participation(start: date, end: date):
    """(person, form, role) of everyone in a started pair during [start, end]; one SELECT."""
    took_part = and_(
        Pair.status.in_(PAIR_STARTED),
        Pair.started_on <= end,
        or_(Pair.ended_on.is_(None), Pair.ended_on >= start),
    )
    mentors = select(
        Pair.mentor_id.label("person_id"),
        Pair.form_id.label("form_id"),
        literal(Respondent.MENTOR.value).label("role"),
    ).where(took_part)
    mentees = (
        select(
            PairMember.mentee_id.label("person_id"),
            Pair.form_id.label("form_id"),
            literal(Respondent.MENTEE.value).label("role"),
        )
        .join(PairMember, PairMember.pair_id == Pair.id)
        .where(
            took_part,
            PairMember.joined_on <= end,
            or_(PairMember.left_on.is_(None), PairMember.left_on >= start),
        )
    )
    return union_all(mentors, mentees).subquery("participation")


def _category():
    return func.coalesce(func.nullif(MentorshipForm.reported_as, ""), UNMAPPED)


@dataclass
class Line:
    category: str
    mentors: int = 0
    mentees: int = 0
    local_forms: list[str] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.category or "не сопоставлено с федеральной формой"


@dataclass
class AnnualFigures:
    start: date
    end: date
    lines: list[Line]
    unmapped_forms: list[str]
    mentors_total: int
    mentees_total: int
    students_involved: int
    students_10_plus: int | None

    @property
    def share(self) -> float | None:
        if not self.students_10_plus:
            return None
        return self.students_involved / self.students_10_plus

    @property
    def target_met(self) -> bool | None:
        share = self.share
        return None if share is None else share >= TARGET_SHARE

    def as_dict(self) -> dict:
        return {
            "lines": [
                {"category": li.category, "mentors": li.mentors, "mentees": li.mentees}
                for li in self.lines
            ],
            "mentors_total": self.mentors_total,
            "mentees_total": self.mentees_total,
            "students_involved": self.students_involved,
            "students_10_plus": self.students_10_plus,
        }


def _ten_by(end: date) -> date:
    """Born on or before this day means aged 10 or over at the end of the period."""
    try:
        return end.replace(year=end.year - MIN_AGE)
    except ValueError:  # 29 February
        return end.replace(year=end.year - MIN_AGE, day=28)


def _students_clause(person_id, end: date):
    return (
        select(Person.id)
        .where(
            Person.id == person_id,
            Person.category == STUDENT,
            Person.birth_date <= _ten_by(end),
        )
        .exists()
    )


def figures(report: AnnualReport) -> AnnualFigures:
    """The report's numbers in four queries, whatever the size of the bases."""
    start, end = report.period
    part = _participation(start, end)
    category = _category()
    rows = db.session.execute(
        select(category, part.c.role, func.count(func.distinct(part.c.person_id)))
        .join(MentorshipForm, MentorshipForm.id == part.c.form_id)
        .group_by(category, part.c.role)
    ).all()
    lines: dict[str, Line] = {}
    for cat, role, n in rows:
        line = lines.setdefault(cat, Line(cat))
        if role == Respondent.MENTOR:
            line.mentors = n
        else:
            line.mentees = n
    forms = db.session.execute(
        select(MentorshipForm.name, MentorshipForm.reported_as, MentorshipForm.scope)
        .where(MentorshipForm.id.in_(select(part.c.form_id)))
        .order_by(MentorshipForm.name)
    ).all()
    unmapped = [name for name, reported, _scope in forms if not reported]
    for name, reported, _scope in forms:
        lines.setdefault(reported or UNMAPPED, Line(reported or UNMAPPED)).local_forms.append(name)
    totals = dict(
        db.session.execute(
            select(part.c.role, func.count(func.distinct(part.c.person_id))).group_by(part.c.role)
        ).all()
    )
    students = db.session.scalar(
        select(func.count(func.distinct(part.c.person_id))).where(
            _students_clause(part.c.person_id, end)
        )
    )
    ordered = sorted(lines.values(), key=lambda li: (li.category == UNMAPPED, li.category))
    return AnnualFigures(
        start,
        end,
        ordered,
        unmapped,
        totals.get(Respondent.MENTOR.value, 0),
        totals.get(Respondent.MENTEE.value, 0),
        students or 0,
        report.students_10_plus,
    )


FIGURES = {
    "mentors": "наставники",
    "mentees": "наставляемые",
    "students": "обучающиеся 10 лет и старше, вовлечённые в наставничество",
}


def people_behind(
    report: AnnualReport, figure: str, category: str | None = None
) -> list[tuple[Person, list[str]]]:
    """The people a figure counts, each once, with the Centre's forms they took part in."""
    if figure not in FIGURES:
        raise RuleViolation("Такого показателя в отчёте нет.")
    start, end = report.period
    part = _participation(start, end)
    query = (
        select(Person, func.min(MentorshipForm.name), func.max(MentorshipForm.name))
        .join(part, part.c.person_id == Person.id)
        .join(MentorshipForm, MentorshipForm.id == part.c.form_id)
    )
    if figure == "students":
        query = query.where(Person.category == STUDENT, Person.birth_date <= _ten_by(end))
    else:
        role = Respondent.MENTOR if figure == "mentors" else Respondent.MENTEE
        query = query.where(part.c.role == role.value)
    if category is not None:
        query = query.where(_category() == category)
    query = query.group_by(Person.id).order_by(Person.last_name, Person.first_name, Person.id)
    return [(person, sorted({a, b})) for person, a, b in db.session.execute(query)]


def period_of(kind: str, year: int) -> tuple[date, date]:
    return AnnualReport(period_kind=kind, year=year).period


def open_report(kind: str, year: int, by: str | None = None) -> AnnualReport:
    kind = PeriodKind(kind)
    if not 2000 <= year <= 2100:
        raise RuleViolation("Укажите год числом, например 2026.")
    report = db.session.scalar(
        select(AnnualReport).where(AnnualReport.period_kind == kind, AnnualReport.year == year)
    )
    if report is None:
        report = AnnualReport(period_kind=kind, year=year, created_by=by)
        db.session.add(report)
        db.session.flush()
    return report


def mark_sent(report: AnnualReport, sent_on: date) -> None:
    """Record the sending and freeze the figures as they were sent."""
    if report.students_10_plus is None:
        raise RuleViolation(
            "Укажите число обучающихся Центра 10 лет и старше: без него не посчитать долю."
        )
    report.figures = figures(report).as_dict()
    report.sent_on = sent_on
