"""Results of a campaign, counted in the database: stage 1 (distributions, averages,
satisfaction, response) and stage 2 (entry against exit), plus the trend of half-years."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.matching.models import MentorshipForm, Pair
from portal.monitoring.campaigns import PAIR_ENDED
from portal.monitoring.models import (
    Answer,
    Assignment,
    Campaign,
    Moment,
    Question,
    QuestionKind,
    Questionnaire,
    Respondent,
)
from portal.people.models import Person
from portal.plans.models import Meeting, Plan, PlanItem, meeting_attendees
from portal.relations import consent_state_clause
from portal.statuses import ConsentState, PairStatus

ANONYMITY_THRESHOLD = 3


def revoked(assignment=Assignment):
    """The respondent has revoked the consent to processing: the answers leave new reports."""
    return and_(
        assignment.person_id.is_not(None),
        consent_state_clause(ConsentState.REVOKED, assignment.person_id),
    )


def counted(assignment=Assignment):
    """Answers that may enter a report: the curator's own, or a person's with consent."""
    return ~revoked(assignment)


# --- stage 1 ---------------------------------------------------------------------------------


@dataclass
class QuestionResult:
    question: Question
    counts: dict[int, int] = field(default_factory=dict)
    answered: int = 0
    text_count: int = 0

    @property
    def average(self) -> float | None:
        if self.question.kind != QuestionKind.SCALE or not self.answered:
            return None
        return sum(v * n for v, n in self.counts.items()) / self.answered

    @property
    def yes_share(self) -> float | None:
        if self.question.kind != QuestionKind.YESNO or not self.answered:
            return None
        return self.counts.get(1, 0) / self.answered

    @property
    def rows(self) -> list[tuple[str, int, float]]:
        """(answer label, count, share of respondents) for every offered answer."""
        total = self.answered or 1
        return [
            (label, self.counts.get(v, 0), self.counts.get(v, 0) / total)
            for v, label in self.question.choices
        ]


@dataclass
class QuestionnaireResult:
    questionnaire: Questionnaire
    assigned: int = 0
    submitted: int = 0
    excluded: int = 0
    questions: list[QuestionResult] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        """Anonymous answers stay unseen until a group is large enough not to point at anyone."""
        return self.questionnaire.anonymous and self.submitted < ANONYMITY_THRESHOLD

    @property
    def rate(self) -> float:
        return self.submitted / self.assigned if self.assigned else 0.0

    @property
    def satisfaction(self) -> float | None:
        values = [r for r in self.questions if r.question.satisfaction and r.average is not None]
        if not values or self.hidden:
            return None
        answered = sum(r.answered for r in values)
        return sum(r.average * r.answered for r in values) / answered


@dataclass
class ResponseRow:
    form_name: str
    respondent: str
    assigned: int
    submitted: int

    @property
    def rate(self) -> float:
        return self.submitted / self.assigned if self.assigned else 0.0

    @property
    def respondent_title(self) -> str:
        return Respondent(self.respondent).title

    @property
    def label(self) -> str:
        if self.respondent == Respondent.CURATOR:
            return "анкета куратора"
        return f"{self.form_name} · {self.respondent_title}"


@dataclass
class StageOne:
    questionnaires: list[QuestionnaireResult]
    responses: list[ResponseRow]
    excluded_people: int

    @property
    def strongest(self) -> list[tuple[QuestionnaireResult, QuestionResult]]:
        return self._ranked()[-3:][::-1]

    @property
    def weakest(self) -> list[tuple[QuestionnaireResult, QuestionResult]]:
        return self._ranked()[:3]

    def _ranked(self):
        items = [
            (qr, r)
            for qr in self.questionnaires
            if not qr.hidden
            for r in qr.questions
            if r.average is not None
        ]
        return sorted(items, key=lambda pair: pair[1].average)

    @property
    def total_rate(self) -> float:
        assigned = sum(r.assigned for r in self.responses)
        return sum(r.submitted for r in self.responses) / assigned if assigned else 0.0


def stage_one(campaign: Campaign) -> StageOne:
    """Four queries whatever the number of answers: per-questionnaire counts, the value
    distribution of every question, the questions themselves, the response per form."""
    in_campaign = Assignment.campaign_id == campaign.id
    submitted = Assignment.submitted_at.is_not(None)
    withdrawn = revoked()
    per_q = db.session.execute(
        select(
            Assignment.questionnaire_id,
            func.count(),
            func.sum(case((and_(submitted, counted()), 1), else_=0)),
            func.sum(case((and_(submitted, withdrawn), 1), else_=0)),
        )
        .where(in_campaign)
        .group_by(Assignment.questionnaire_id)
    ).all()
    ids = [row[0] for row in per_q]
    questionnaires = {
        q.id: q
        for q in db.session.scalars(
            select(Questionnaire)
            .where(Questionnaire.id.in_(ids))
            .options(selectinload(Questionnaire.questions))
        )
    }
    distribution = db.session.execute(
        select(
            Answer.question_id,
            Answer.value,
            func.count(),
            func.sum(case((Answer.text.is_not(None), 1), else_=0)),
        )
        .join(Assignment, Assignment.id == Answer.assignment_id)
        .where(in_campaign, submitted, counted())
        .group_by(Answer.question_id, Answer.value)
    ).all()
    by_question: dict[int, QuestionResult] = {}
    results = []
    for qid, assigned, done, excluded in sorted(per_q, key=lambda r: _order(questionnaires[r[0]])):
        q = questionnaires[qid]
        qr = QuestionnaireResult(q, assigned, int(done or 0), int(excluded or 0))
        for question in q.questions:
            by_question[question.id] = QuestionResult(question)
            qr.questions.append(by_question[question.id])
        results.append(qr)
    for qid, value, n, texts in distribution:
        r = by_question.get(qid)
        if r is None:
            continue
        if value is not None:
            r.counts[value] = n
        r.text_count += int(texts or 0)
    for r in by_question.values():
        if r.question.kind == QuestionKind.MULTI:
            # Everyone who ticked something: the shares are of respondents, not of ticks.
            r.answered = 0
        else:
            r.answered = sum(r.counts.values())
    _count_multi_respondents(campaign, by_question)
    responses = response_by_form(campaign)
    people = db.session.scalar(
        select(func.count(func.distinct(Assignment.person_id))).where(
            in_campaign, submitted, withdrawn
        )
    )
    return StageOne(results, responses, people or 0)


def _count_multi_respondents(campaign: Campaign, by_question: dict[int, QuestionResult]) -> None:
    multi = [qid for qid, r in by_question.items() if r.question.kind == QuestionKind.MULTI]
    if not multi:
        return
    rows = db.session.execute(
        select(Answer.question_id, func.count(func.distinct(Answer.assignment_id)))
        .join(Assignment, Assignment.id == Answer.assignment_id)
        .where(
            Assignment.campaign_id == campaign.id,
            Assignment.submitted_at.is_not(None),
            counted(),
            Answer.question_id.in_(multi),
        )
        .group_by(Answer.question_id)
    )
    for qid, n in rows:
        by_question[qid].answered = n


def _order(q: Questionnaire):
    return (q.form_id or 10**9, q.respondent != Respondent.MENTEE, q.moment, q.family, q.version)


def response_by_form(campaign: Campaign) -> list[ResponseRow]:
    rows = db.session.execute(
        select(
            func.coalesce(MentorshipForm.name, "—"),
            Assignment.respondent,
            func.count(),
            func.count(Assignment.submitted_at),
        )
        .outerjoin(MentorshipForm, MentorshipForm.id == Assignment.form_id)
        .where(Assignment.campaign_id == campaign.id)
        .group_by(MentorshipForm.name, Assignment.respondent)
        .order_by(MentorshipForm.name, Assignment.respondent)
    )
    return [ResponseRow(*row) for row in rows]


def response_by_pair(campaign: Campaign, page: int = 1, per_page: int = 50):
    """Per pair: assigned, submitted and who has not answered, a page at a time."""
    base = (
        select(
            Assignment.pair_id,
            func.count().label("assigned"),
            func.count(Assignment.submitted_at).label("submitted"),
        )
        .where(Assignment.campaign_id == campaign.id, Assignment.pair_id.is_not(None))
        .group_by(Assignment.pair_id)
    )
    total = db.session.scalar(select(func.count()).select_from(base.subquery()))
    rows = db.session.execute(
        base.order_by(Assignment.pair_id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    pair_ids = [r.pair_id for r in rows]
    pairs = {p.id: p for p in db.session.scalars(select(Pair).where(Pair.id.in_(pair_ids)))}
    waiting, answered = defaultdict(list), defaultdict(list)
    for assignment, person, anonymous in db.session.execute(
        select(Assignment, Person, Questionnaire.anonymous)
        .join(Person, Person.id == Assignment.person_id)
        .join(Questionnaire, Questionnaire.id == Assignment.questionnaire_id)
        .where(Assignment.campaign_id == campaign.id, Assignment.pair_id.in_(pair_ids))
        .order_by(Person.last_name, Person.first_name, Assignment.id)
    ):
        if assignment.submitted_at is None:
            if person not in waiting[assignment.pair_id]:
                waiting[assignment.pair_id].append(person)
        elif not anonymous:
            # Only a named questionnaire's answers may be opened, and only by the curator.
            answered[assignment.pair_id].append((assignment, person))
    rows = [
        (pairs[r.pair_id], r.assigned, r.submitted, waiting[r.pair_id], answered[r.pair_id])
        for r in rows
    ]
    return total or 0, rows


def not_answered_curators(campaign: Campaign):
    from portal.accounts.models import User

    return list(
        db.session.scalars(
            select(User)
            .join(Assignment, Assignment.user_id == User.id)
            .where(Assignment.campaign_id == campaign.id, Assignment.submitted_at.is_(None))
        )
    )


def text_answers(campaign: Campaign, question_id: int, limit: int = 200) -> list[str]:
    return list(
        db.session.scalars(
            select(Answer.text)
            .join(Assignment, Assignment.id == Answer.assignment_id)
            .where(
                Assignment.campaign_id == campaign.id,
                Assignment.submitted_at.is_not(None),
                counted(),
                Answer.question_id == question_id,
                Answer.text.is_not(None),
            )
            .order_by(Answer.id)
            .limit(limit)
        )
    )


# --- stage 2 ---------------------------------------------------------------------------------


def _side(moment: Moment, start: date, end: date, name: str):
    """Per person, pair and measure, the submitted value at entry or at exit, for the pairs
    that ended in the half-year: bounded by the half-year and driven by indexes (assignments
    by pair, answers by assignment), so older half-years in the database cost nothing."""
    ended = select(Pair.id).where(Pair.status.in_(PAIR_ENDED), Pair.ended_on.between(start, end))
    return (
        select(
            Assignment.person_id.label("person_id"),
            Assignment.pair_id.label("pair_id"),
            Assignment.form_id.label("form_id"),
            Assignment.respondent.label("respondent"),
            Question.measure.label("measure"),
            func.avg(Answer.value).label("value"),
        )
        .join(Answer, Answer.assignment_id == Assignment.id)
        .join(Question, Question.id == Answer.question_id)
        .where(
            Assignment.pair_id.in_(ended),
            Assignment.moment == moment,
            Assignment.submitted_at.is_not(None),
            Question.kind == QuestionKind.SCALE,
            Question.measure.is_not(None),
            counted(),
        )
        .group_by(
            Assignment.person_id,
            Assignment.pair_id,
            Assignment.form_id,
            Assignment.respondent,
            Question.measure,
        )
    ).subquery(name)


def _measure_rows(start: date, end: date):
    """Per participant, pair and measure: the entry and the exit value side by side."""
    ex = _side(Moment.EXIT, start, end, "exits")
    en = _side(Moment.ENTRY, start, end, "entries")
    return (
        select(
            ex.c.person_id,
            ex.c.pair_id,
            ex.c.form_id,
            ex.c.respondent,
            ex.c.measure,
            en.c.value.label("entry"),
            ex.c.value.label("exit"),
        ).join(
            en,
            and_(
                en.c.person_id == ex.c.person_id,
                en.c.pair_id == ex.c.pair_id,
                en.c.measure == ex.c.measure,
            ),
        )
    ).subquery("measures")


def _participant_rows(start: date, end: date):
    m = _measure_rows(start, end)
    return (
        select(
            m.c.person_id,
            m.c.pair_id,
            m.c.form_id,
            m.c.respondent,
            func.avg(m.c.entry).label("entry"),
            func.avg(m.c.exit).label("exit"),
            func.avg(m.c.exit - m.c.entry).label("change"),
        ).group_by(m.c.person_id, m.c.pair_id, m.c.form_id, m.c.respondent)
    ).subquery("participants")


@dataclass
class FormChange:
    form_name: str
    respondent: str
    participants: int
    entry: float
    exit: float
    change: float
    improved: int
    completed: int
    terminated: int
    meetings: float
    activities: float

    @property
    def improved_share(self) -> float:
        return self.improved / self.participants if self.participants else 0.0

    @property
    def respondent_title(self) -> str:
        return Respondent(self.respondent).title


@dataclass
class MeasureChange:
    form_name: str
    respondent: str
    measure: str
    text: str
    entry: float
    exit: float
    participants: int

    @property
    def group(self) -> str:
        return f"{self.form_name} · {Respondent(self.respondent).title}"


def _facts(p):
    """Meetings the person attended in the pair and the pair's activities done."""
    meetings = (
        select(func.count())
        .select_from(meeting_attendees)
        .join(Meeting, Meeting.id == meeting_attendees.c.meeting_id)
        .where(Meeting.pair_id == p.c.pair_id, meeting_attendees.c.person_id == p.c.person_id)
        .scalar_subquery()
    )
    activities = (
        select(func.count())
        .select_from(PlanItem)
        .join(Plan, Plan.id == PlanItem.plan_id)
        .where(
            Plan.pair_id == p.c.pair_id,
            PlanItem.completed.is_(True),
            PlanItem.deleted_at.is_(None),
        )
        .scalar_subquery()
    )
    return meetings, activities


def _with_facts(start: date, end: date):
    p = _participant_rows(start, end)
    meetings, activities = _facts(p)
    return (
        select(
            p,
            Pair.status.label("status"),
            meetings.label("meetings"),
            activities.label("activities"),
        ).join(Pair, Pair.id == p.c.pair_id)
    ).subquery("facts")


def stage_two(start: date, end: date) -> tuple[list[FormChange], list[MeasureChange]]:
    """Per form and role: average change, share improved and the facts; per measure the
    average entry and exit. Two queries; the people are counted in SQL, not in Python."""
    f = _with_facts(start, end)
    rows = db.session.execute(
        select(
            MentorshipForm.name,
            f.c.respondent,
            func.count(),
            func.avg(f.c.entry),
            func.avg(f.c.exit),
            func.avg(f.c.change),
            func.sum(case((f.c.change > 0, 1), else_=0)),
            func.sum(case((f.c.status == PairStatus.COMPLETED, 1), else_=0)),
            func.sum(case((f.c.status == PairStatus.TERMINATED, 1), else_=0)),
            func.avg(f.c.meetings * 1.0),
            func.avg(f.c.activities * 1.0),
        )
        .join(MentorshipForm, MentorshipForm.id == f.c.form_id)
        .group_by(MentorshipForm.name, f.c.respondent)
        .order_by(MentorshipForm.name, f.c.respondent)
    ).all()
    forms = [
        FormChange(
            name,
            role,
            n,
            float(entry),
            float(exit_),
            float(change),
            int(up or 0),
            int(done or 0),
            int(term or 0),
            float(meet or 0),
            float(act or 0),
        )
        for name, role, n, entry, exit_, change, up, done, term, meet, act in rows
    ]
    m = _measure_rows(start, end)
    # A measure's wording belongs to its form and role: "goals" reads differently for a
    # young teacher than for a pupil.
    texts = (
        select(
            Questionnaire.form_id,
            Questionnaire.respondent,
            Question.measure,
            func.min(Question.text).label("text"),
        )
        .join(Questionnaire, Questionnaire.id == Question.questionnaire_id)
        .where(Questionnaire.moment == Moment.EXIT, Question.measure.is_not(None))
        .group_by(Questionnaire.form_id, Questionnaire.respondent, Question.measure)
        .subquery()
    )
    measure_rows = db.session.execute(
        select(
            MentorshipForm.name,
            m.c.respondent,
            m.c.measure,
            func.min(texts.c.text),
            func.avg(m.c.entry),
            func.avg(m.c.exit),
            func.count(),
        )
        .join(MentorshipForm, MentorshipForm.id == m.c.form_id)
        .outerjoin(
            texts,
            and_(
                texts.c.measure == m.c.measure,
                texts.c.form_id == m.c.form_id,
                texts.c.respondent == m.c.respondent,
            ),
        )
        .group_by(MentorshipForm.name, m.c.respondent, m.c.measure)
        .order_by(MentorshipForm.name, m.c.respondent, m.c.measure)
    ).all()
    measures = [
        MeasureChange(name, role, measure, text or measure, float(a), float(b), n)
        for name, role, measure, text, a, b, n in measure_rows
    ]
    return forms, measures


def stage_two_people(start: date, end: date, page: int = 1, per_page: int = 50):
    """Every participant with an entry and an exit questionnaire, a page at a time."""
    p = _participant_rows(start, end)
    meetings, activities = _facts(p)
    base = (
        select(
            Person,
            MentorshipForm.name,
            p.c.respondent,
            p.c.entry,
            p.c.exit,
            p.c.change,
            Pair.status,
            meetings,
            activities,
        )
        .join(Person, Person.id == p.c.person_id)
        .join(MentorshipForm, MentorshipForm.id == p.c.form_id)
        .join(Pair, Pair.id == p.c.pair_id)
    )
    total = db.session.scalar(select(func.count()).select_from(p))
    rows = db.session.execute(
        base.order_by(MentorshipForm.name, Person.last_name, Person.first_name)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return total or 0, rows


def ended_in_period(start: date, end: date) -> int:
    return db.session.scalar(
        select(func.count()).where(Pair.status.in_(PAIR_ENDED), Pair.ended_on.between(start, end))
    )


# --- the trend over half-years ---------------------------------------------------------------


def summarise(campaign: Campaign | None, one: StageOne | None = None) -> dict:
    """What the trend needs of a campaign: kept on the campaign when it closes."""
    one = one or stage_one(campaign)
    satisfaction = defaultdict(list)
    for qr in one.questionnaires:
        if qr.satisfaction is not None:
            satisfaction[qr.questionnaire.respondent].append((qr.satisfaction, qr.submitted))
    return {
        "rate": round(one.total_rate, 4),
        "satisfaction": {
            role: round(sum(v * n for v, n in values) / sum(n for _, n in values), 2)
            for role, values in satisfaction.items()
            if sum(n for _, n in values)
        },
    }


def trend(current: Campaign, current_summary: dict) -> list[tuple[Campaign, dict]]:
    """Past campaigns from their kept summaries, then this one as it stands."""
    past = db.session.scalars(
        select(Campaign)
        .where(Campaign.period_start < current.period_start, Campaign.summary.is_not(None))
        .order_by(Campaign.period_start.desc())
        .limit(9)
    ).all()
    return [(c, c.summary) for c in reversed(past)] + [(current, current_summary)]
