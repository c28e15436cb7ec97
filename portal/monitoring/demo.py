"""Demo monitoring: last December's and last May's finished campaigns with most answers,
the open one due 20 December with some, entry and exit questionnaires of finished pairs,
and last year's report to the region."""

from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select

from portal.extensions import db
from portal.matching.models import MentorshipForm, Pair, PairMember
from portal.monitoring import campaigns as service
from portal.monitoring.annual import mark_sent, open_report
from portal.monitoring.defaults import install_defaults
from portal.monitoring.models import (
    Answer,
    Assignment,
    Campaign,
    Moment,
    PeriodKind,
    QuestionKind,
    Stage,
)
from portal.timeutil import MOSCOW, today_moscow

TEXTS = (
    "Больше всего понравилась совместная подготовка проекта.",
    "Хотелось бы встречаться чаще и больше заниматься практикой.",
    "Ценно, что наставник всегда был на связи.",
    "Не хватило времени из-за загрузки в конце четверти.",
    "Стал увереннее выступать перед группой.",
)


def seed(ctx) -> None:
    install_defaults()
    rng = ctx.rng
    today = today_moscow()
    query = select(MentorshipForm.id).where(MentorshipForm.scope == "local")
    local = list(db.session.scalars(query))
    may = date(today.year if today > date(today.year, 5, 20) else today.year - 1, 5, 20)
    december_before = date(may.year - 1, 12, 20)
    for deadline in (december_before, may):
        campaign = _past_campaign(deadline, local)
        _answer_all(campaign, rng, share=0.85)
        _entry_exit(campaign, rng)
        campaign.strengths = (
            "85 % наставляемых рады участию и хотят продолжить; наставники отмечают "
            "комфортное общение в парах."
        )
        campaign.weaknesses = "Групповые встречи оценены ниже личных; план выполнен не везде."
        campaign.opportunities = (
            "Привлечь выпускников Центра наставниками в форме «ученик – ученик»."
        )
        campaign.threats = "Загрузка педагогов в конце учебного года."
        campaign.conclusions = "Программа работает устойчиво; усилить групповые форматы."
        db.session.flush()
        service.close_campaign(campaign)

    if today <= date(today.year, 12, 20):
        current = service.create_campaign(
            date(today.year, 12, 20), local, [Stage.QUALITY, Stage.GROWTH], by="curator"
        )
        service.assign_campaign(current)
        db.session.flush()
        keep_open = {p.id for p in ctx.extras.get("persons", {}).values() if p is not None}
        _answer_all(current, rng, share=0.4, skip_persons=keep_open)

    report = open_report(PeriodKind.CALENDAR, today.year - 1, by="curator")
    report.students_10_plus = 180
    mark_sent(report, date(today.year - 1, 12, 26))
    db.session.flush()


def _past_campaign(deadline: date, form_ids: list[int]) -> Campaign:
    """A campaign as it was opened then: everyone whose pair worked in that half-year."""
    campaign = service.create_campaign(
        deadline,
        form_ids,
        [Stage.QUALITY, Stage.GROWTH],
        by="curator",
        today=deadline - timedelta(days=40),
    )
    start, end = campaign.period_start, campaign.period_end
    worked = and_(
        Pair.form_id.in_(form_ids),
        Pair.status.in_(service.PAIR_STARTED),
        Pair.started_on <= end,
        or_(Pair.ended_on.is_(None), Pair.ended_on >= start),
    )
    stayed = or_(PairMember.left_on.is_(None), PairMember.left_on >= start)
    rows = service._pair_people(worked, stayed)
    result = service.AssignResult()
    service._add(
        result,
        set(),
        service._current_by_family(),
        campaign=campaign,
        moment=Moment.HALF_YEAR,
        rows=rows,
        due=deadline,
    )
    service._assign_curators(campaign, service._current_by_family(), result)
    db.session.flush()
    return campaign


def _entry_exit(campaign: Campaign, rng) -> None:
    """Entry questionnaires answered when the pairs began, exit ones when they ended."""
    existing = {
        tuple(row)
        for row in db.session.execute(
            select(Assignment.person_id, Assignment.pair_id, Assignment.moment).where(
                Assignment.moment.in_([Moment.ENTRY, Moment.EXIT])
            )
        )
    }
    ended = and_(
        Pair.form_id.in_(campaign.form_ids),
        Pair.status.in_(service.PAIR_ENDED),
        Pair.ended_on.between(campaign.period_start, campaign.period_end),
    )
    rows = service._pair_people(ended, PairMember.left_on.is_(None))
    family = service._current_by_family()
    result = service.AssignResult()
    service._add(result, existing, family, campaign=None, moment=Moment.ENTRY, rows=rows, due=None)
    service._add(
        result,
        existing,
        family,
        campaign=campaign,
        moment=Moment.EXIT,
        rows=rows,
        due=campaign.deadline,
    )
    db.session.flush()
    pairs = {p.id: p for p in db.session.scalars(select(Pair).where(ended))}
    for assignment in db.session.scalars(
        select(Assignment).where(
            Assignment.pair_id.in_(pairs), Assignment.moment.in_([Moment.ENTRY, Moment.EXIT])
        )
    ):
        pair = pairs[assignment.pair_id]
        entry = assignment.moment == Moment.ENTRY
        day = pair.started_on if entry else pair.ended_on
        # Growth is the demo's story: entry answers lower, exit ones higher.
        _fill(assignment, rng, low=3 if entry else 6, high=6 if entry else 10, day=day)


def _answer_all(campaign: Campaign, rng, share: float, skip_persons=frozenset()) -> None:
    rows = db.session.scalars(
        select(Assignment).where(
            Assignment.campaign_id == campaign.id, Assignment.moment == Moment.HALF_YEAR
        )
    ).all()
    for assignment in rows:
        if assignment.person_id in skip_persons:
            continue
        if rng.random() < share:
            day = campaign.deadline - timedelta(days=rng.randint(3, 25))
            _fill(assignment, rng, 5, 10, day=day)
        elif rng.random() < 0.3:
            _fill(assignment, rng, 5, 10, day=None, partial=True)


def _fill(assignment, rng, low, high, day: date | None, partial=False) -> None:
    questions = assignment.questionnaire.questions
    if partial:
        questions = questions[: len(questions) // 2]
    for q in questions:
        if q.kind == QuestionKind.SCALE:
            rows = [(0, rng.randint(low, high), None)]
        elif q.kind == QuestionKind.YESNO:
            rows = [(0, 1 if rng.random() < 0.8 else 0, None)]
        elif q.kind == QuestionKind.SINGLE:
            rows = [(0, rng.randrange(len(q.options)), None)]
        elif q.kind == QuestionKind.MULTI:
            picked = sorted(rng.sample(range(len(q.options)), k=rng.randint(1, 2)))
            rows = [(n + 1, n, None) for n in picked]
        elif rng.random() < 0.5:
            rows = [(0, None, rng.choice(TEXTS))]
        else:
            continue
        for slot, value, text in rows:
            db.session.add(
                Answer(
                    assignment_id=assignment.id, question_id=q.id, slot=slot, value=value, text=text
                )
            )
    moment = datetime.combine(day or today_moscow(), time(15, 0), MOSCOW)
    assignment.started_at = moment
    if not partial:
        assignment.submitted_at = moment
