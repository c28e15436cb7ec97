"""Campaigns of a half-year, who is asked what, and answering: save as you go, submit once."""

from dataclasses import dataclass, field
from datetime import date

from babel.dates import format_date
from sqlalchemy import and_, delete, exists, or_, select, update

from portal.access import Role
from portal.accounts.models import User, UserRole
from portal.domain import RuleViolation
from portal.extensions import db
from portal.matching.models import MentorshipForm, Pair, PairMember
from portal.monitoring.models import (
    Answer,
    Assignment,
    Campaign,
    CampaignStatus,
    Moment,
    Question,
    QuestionKind,
    Questionnaire,
    Respondent,
    Stage,
)
from portal.relations import current_member_clause
from portal.signals import questionnaires_assigned
from portal.statuses import PairStatus
from portal.timeutil import today_moscow, utcnow

PAIR_ENDED = (PairStatus.COMPLETED, PairStatus.TERMINATED)
PAIR_STARTED = (PairStatus.ACTIVE, *PAIR_ENDED)  # launched at some time: counted in reports

MAX_TEXT = 4000


def ru_day_month(day: date) -> str:
    return format_date(day, "d MMMM", locale="ru")


def ru_full_date(day: date) -> str:
    return format_date(day, "d MMMM y 'г.'", locale="ru")


# --- half-years ------------------------------------------------------------------------------


def next_deadline(today: date | None = None) -> date:
    """The nearest of 20 May and 20 December not yet past (п. 3.4 of the regulation)."""
    today = today or today_moscow()
    for candidate in (date(today.year, 5, 20), date(today.year, 12, 20)):
        if candidate >= today:
            return candidate
    return date(today.year + 1, 5, 20)


def half_year(deadline: date) -> tuple[date, date]:
    """The half-year a deadline closes: January–June for May, July–December for December."""
    if deadline.month <= 6:
        return date(deadline.year, 1, 1), date(deadline.year, 6, 30)
    return date(deadline.year, 7, 1), date(deadline.year, 12, 31)


def half_year_title(start: date) -> str:
    if start.month == 1:
        return f"II полугодие {start.year - 1}/{start.year} учебного года"
    return f"I полугодие {start.year}/{start.year + 1} учебного года"


def _check_deadline(deadline: date | None, today: date) -> None:
    if deadline is None:
        raise RuleViolation("Укажите срок мониторинга.")
    if deadline < today:
        raise RuleViolation(
            f"Срок {deadline:%d.%m.%Y} уже прошёл: укажите сегодняшнюю или будущую дату "
            f"(по положению — до 20 мая или до 20 декабря)."
        )


def create_campaign(
    deadline: date | None,
    form_ids: list[int],
    stages: list[str],
    *,
    by: str | None = None,
    today: date | None = None,
) -> Campaign:
    today = today or today_moscow()
    _check_deadline(deadline, today)
    if not form_ids:
        raise RuleViolation("Выберите хотя бы одну форму наставничества.")
    if not stages:
        raise RuleViolation("Выберите хотя бы один этап мониторинга.")
    stages = [Stage(s) for s in stages]
    query = select(MentorshipForm.id).where(MentorshipForm.id.in_(form_ids))
    known = set(db.session.scalars(query))
    if known != set(form_ids):
        raise RuleViolation("Среди выбранных форм есть неизвестная.")
    start, end = half_year(deadline)
    same = db.session.scalar(
        select(Campaign).where(
            Campaign.period_start == start, Campaign.status == CampaignStatus.OPEN
        )
    )
    if same is not None:
        raise RuleViolation(f"Мониторинг за {half_year_title(start)} уже идёт: «{same.title}».")
    campaign = Campaign(
        title=f"Мониторинг за {half_year_title(start)}",
        period_start=start,
        period_end=end,
        deadline=deadline,
        form_ids=sorted(form_ids),
        stages=[str(s) for s in stages],
        status=CampaignStatus.OPEN,
        created_by=by,
    )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def change_deadline(campaign: Campaign, deadline: date | None, today: date | None = None) -> None:
    if not campaign.is_open:
        raise RuleViolation("Мониторинг завершён: срок уже не меняют.")
    _check_deadline(deadline, today or today_moscow())
    campaign.deadline = deadline
    db.session.execute(
        update(Assignment)
        .where(Assignment.campaign_id == campaign.id, Assignment.submitted_at.is_(None))
        .values(due_on=deadline)
    )


def close_campaign(campaign: Campaign) -> None:
    from portal.monitoring.results import summarise

    if not campaign.is_open:
        raise RuleViolation("Мониторинг уже завершён.")
    campaign.summary = summarise(campaign)
    campaign.status = CampaignStatus.CLOSED


# --- who is asked what -----------------------------------------------------------------------


def _current_by_family() -> dict[tuple, Questionnaire]:
    """The current questionnaire for (form id, respondent, moment)."""
    query = select(Questionnaire).where(Questionnaire.current.is_(True))
    return {(q.form_id, q.respondent, q.moment): q for q in db.session.scalars(query)}


@dataclass
class AssignResult:
    created: int = 0
    assignments: list = field(default_factory=list)  # the new ones, announced when flushed
    missing: set = field(default_factory=set)  # (form name, role title, moment title) w/o form


def _pair_people(pair_filter, member_filter) -> list[tuple[int, int, int, str]]:
    mentors = select(Pair.id, Pair.form_id, Pair.mentor_id).where(pair_filter)
    mentees = (
        select(Pair.id, Pair.form_id, PairMember.mentee_id)
        .join(PairMember, PairMember.pair_id == Pair.id)
        .where(pair_filter, member_filter)
    )
    rows = [(p, f, person, Respondent.MENTOR) for p, f, person in db.session.execute(mentors)]
    rows += [(p, f, person, Respondent.MENTEE) for p, f, person in db.session.execute(mentees)]
    return rows


def _add(result, existing, questionnaires, *, campaign, moment, rows, due) -> None:
    for pair_id, form_id, person_id, respondent in rows:
        key = (person_id, pair_id, str(moment))
        if key in existing:
            continue
        questionnaire = questionnaires.get((form_id, str(respondent), str(moment)))
        if questionnaire is None:
            result.missing.add((form_id, respondent, moment))
            continue
        existing.add(key)
        assignment = Assignment(
            campaign_id=campaign.id if campaign else None,
            questionnaire_id=questionnaire.id,
            moment=moment,
            person_id=person_id,
            pair_id=pair_id,
            form_id=form_id,
            respondent=respondent,
            due_on=due,
        )
        db.session.add(assignment)
        result.assignments.append(assignment)
        result.created += 1


def assign_campaign(campaign: Campaign) -> AssignResult:
    """Give every current participant of the campaign's forms their questionnaires.

    Safe to run again (after new pairs start or end): it adds only what is missing.
    Stage 1 asks mentors, mentees and curators the half-year questionnaire; stage 2 gives an
    entry questionnaire to everyone in a working pair who has none for that pair, and an exit
    questionnaire to everyone whose pair ended in the half-year.
    """
    if not campaign.is_open:
        raise RuleViolation("Мониторинг завершён: новых анкет он не раздаёт.")
    result = AssignResult()
    questionnaires = _current_by_family()
    in_forms = Pair.form_id.in_(campaign.form_ids)
    active = _pair_people(and_(in_forms, Pair.status == PairStatus.ACTIVE), current_member_clause())
    if Stage.QUALITY in campaign.stages:
        existing = {
            (person, pair, moment)
            for person, pair, moment in db.session.execute(
                select(Assignment.person_id, Assignment.pair_id, Assignment.moment).where(
                    Assignment.campaign_id == campaign.id
                )
            )
        }
        _add(
            result,
            existing,
            questionnaires,
            campaign=campaign,
            moment=Moment.HALF_YEAR,
            rows=active,
            due=campaign.deadline,
        )
        _assign_curators(campaign, questionnaires, result)
    if Stage.GROWTH in campaign.stages:
        existing = {
            (person, pair, moment)
            for person, pair, moment in db.session.execute(
                select(Assignment.person_id, Assignment.pair_id, Assignment.moment).where(
                    Assignment.moment.in_([Moment.ENTRY, Moment.EXIT]),
                    Assignment.pair_id.is_not(None),
                )
            )
        }
        _add(
            result,
            existing,
            questionnaires,
            campaign=campaign,
            moment=Moment.ENTRY,
            rows=active,
            due=campaign.deadline,
        )
        ended = _pair_people(
            and_(
                in_forms,
                Pair.status.in_(PAIR_ENDED),
                Pair.ended_on.between(campaign.period_start, campaign.period_end),
            ),
            or_(current_member_clause(), PairMember.left_on >= campaign.period_start),
        )
        _add(
            result,
            existing,
            questionnaires,
            campaign=campaign,
            moment=Moment.EXIT,
            rows=ended,
            due=campaign.deadline,
        )
    _announce(result)
    return result


def _assign_curators(campaign: Campaign, questionnaires, result: AssignResult) -> None:
    questionnaire = questionnaires.get((None, Respondent.CURATOR.value, Moment.HALF_YEAR.value))
    if questionnaire is None:
        return
    curators = db.session.scalars(
        select(User.id)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.CURATOR.value, User.active.is_(True))
    )
    have = set(
        db.session.scalars(
            select(Assignment.user_id).where(
                Assignment.campaign_id == campaign.id, Assignment.user_id.is_not(None)
            )
        )
    )
    for user_id in curators:
        if user_id in have:
            continue
        assignment = Assignment(
            campaign_id=campaign.id,
            questionnaire_id=questionnaire.id,
            moment=Moment.HALF_YEAR,
            user_id=user_id,
            respondent=Respondent.CURATOR,
            due_on=campaign.deadline,
        )
        db.session.add(assignment)
        result.assignments.append(assignment)
        result.created += 1


def _announce(result: AssignResult) -> None:
    """Flush the new assignments and tell the other areas who now has a questionnaire."""
    db.session.flush()
    if result.assignments:
        questionnaires_assigned.send(None, assignments=result.assignments)


def assign_pair_moment(pair: Pair, moment: Moment) -> int:
    """Entry questionnaires when a pair starts, exit ones when it ends (for the pair signals)."""
    questionnaires = _current_by_family()
    existing = {
        (person, pair_id, m)
        for person, pair_id, m in db.session.execute(
            select(Assignment.person_id, Assignment.pair_id, Assignment.moment).where(
                Assignment.pair_id == pair.id
            )
        )
    }
    rows = _pair_people(Pair.id == pair.id, current_member_clause())
    result = AssignResult()
    _add(result, existing, questionnaires, campaign=None, moment=moment, rows=rows, due=None)
    _announce(result)
    return result.created


# --- answering -------------------------------------------------------------------------------


def belongs_to(assignment: Assignment, user) -> bool:
    """The questionnaire is the user's own: assigned to their account or their person."""
    if assignment.user_id is not None:
        return assignment.user_id == user.id
    return assignment.person_id is not None and assignment.person_id == user.person_id


def may_read_answers(assignment: Assignment, user) -> bool:
    """Individual answers: the person themself, or the curator unless the form is anonymous."""
    if belongs_to(assignment, user):
        return True
    return user.has_role(Role.CURATOR) and not assignment.questionnaire.anonymous


def my_assignments_query(user):
    clauses = [Assignment.user_id == user.id]
    if user.person_id is not None:
        clauses.append(Assignment.person_id == user.person_id)
    return (
        select(Assignment)
        .outerjoin(Campaign, Campaign.id == Assignment.campaign_id)
        .where(or_(*clauses))
        .where(or_(Campaign.id.is_(None), Campaign.status == CampaignStatus.OPEN))
    )


def _require_answerable(assignment: Assignment) -> None:
    if assignment.submitted_at is not None:
        raise RuleViolation(
            f"Анкета уже отправлена {assignment.submitted_at:%d.%m.%Y}: "
            "отправленные ответы окончательные, их не меняют и не отправляют повторно."
        )
    if assignment.campaign is not None and not assignment.campaign.is_open:
        raise RuleViolation("Мониторинг завершён: ответы больше не принимаются.")


def parse_value(question: Question, raw: list[str]) -> list[tuple[int, int | None, str | None]]:
    """Check an answer and turn it into (slot, value, text) rows; [] clears it."""
    values = [v.strip() for v in raw if v is not None and v.strip() != ""]
    kind = question.kind
    if kind == QuestionKind.TEXT:
        text = "\n".join(values)
        if len(text) > MAX_TEXT:
            raise RuleViolation(f"Ответ длиннее {MAX_TEXT} знаков: сократите его.")
        return [(0, None, text)] if text else []
    if not values:
        return []
    if kind == QuestionKind.MULTI:
        chosen = set()
        for v in values:
            if not v.isdigit() or int(v) >= len(question.options):
                raise RuleViolation("Выберите варианты из предложенных.")
            chosen.add(int(v))
        return [(n + 1, n, None) for n in sorted(chosen)]
    if len(values) > 1:
        raise RuleViolation("Здесь выбирают только один ответ.")
    v = values[0]
    number = int(v) if v.lstrip("-").isdigit() else None
    if kind == QuestionKind.SCALE:
        if number is None or not 1 <= number <= 10:
            raise RuleViolation("Оценка — целое число от 1 до 10.")
    elif kind == QuestionKind.YESNO:
        if number not in (0, 1):
            raise RuleViolation("Ответьте «да» или «нет».")
    elif number is None or not 0 <= number < len(question.options):
        raise RuleViolation("Выберите один из предложенных вариантов.")
    return [(0, number, None)]


def save_answer(assignment: Assignment, question: Question, raw: list[str]) -> None:
    """Store one question's answer (replacing the previous one) before submission."""
    _require_answerable(assignment)
    if question.questionnaire_id != assignment.questionnaire_id:
        raise RuleViolation("Этого вопроса нет в вашей анкете.")
    rows = parse_value(question, raw)
    db.session.execute(
        delete(Answer).where(
            Answer.assignment_id == assignment.id, Answer.question_id == question.id
        )
    )
    now = utcnow()
    for slot, value, text in rows:
        db.session.add(
            Answer(
                assignment_id=assignment.id,
                question_id=question.id,
                slot=slot,
                value=value,
                text=text,
                saved_at=now,
            )
        )
    if assignment.started_at is None:
        assignment.started_at = now


class MissingAnswers(RuleViolation):
    def __init__(self, questions: list[Question]):
        numbers = ", ".join(str(q.position) for q in questions)
        super().__init__(
            f"Анкета не отправлена: ответьте на обязательные вопросы № {numbers}. "
            "Уже данные ответы сохранены."
        )
        self.question_ids = {q.id for q in questions}


def answers_of(assignment: Assignment) -> dict[int, list[Answer]]:
    rows = db.session.scalars(
        select(Answer).where(Answer.assignment_id == assignment.id).order_by(Answer.slot)
    )
    result: dict[int, list[Answer]] = {}
    for answer in rows:
        result.setdefault(answer.question_id, []).append(answer)
    return result


def submit(assignment: Assignment) -> None:
    """Make the answers final once every required question has one; only once."""
    _require_answerable(assignment)
    answered = set(
        db.session.scalars(
            select(Answer.question_id).where(Answer.assignment_id == assignment.id).distinct()
        )
    )
    missing = [q for q in assignment.questionnaire.questions if q.required and q.id not in answered]
    if missing:
        raise MissingAnswers(missing)
    # The WHERE makes a second submission from another tab or worker change nothing.
    done = db.session.execute(
        update(Assignment)
        .where(Assignment.id == assignment.id, Assignment.submitted_at.is_(None))
        .values(submitted_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:
        raise RuleViolation("Анкета уже отправлена: повторно её не отправляют.")
    db.session.refresh(assignment)


def has_open_work(user) -> bool:
    query = my_assignments_query(user).where(Assignment.submitted_at.is_(None))
    return bool(db.session.scalar(select(exists(query.subquery().select()))))
