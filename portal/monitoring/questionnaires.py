"""Editing questionnaires: a version with answers is frozen, changes go to a new version."""

from sqlalchemy import exists, func, select, update

from portal.domain import RuleViolation
from portal.extensions import db
from portal.monitoring.models import (
    Answer,
    Assignment,
    Campaign,
    CampaignStatus,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionSection,
)


def has_answers(questionnaire: Questionnaire) -> bool:
    query = select(
        exists()
        .where(Answer.assignment_id == Assignment.id)
        .where(Assignment.questionnaire_id == questionnaire.id)
    )
    return bool(db.session.scalar(query))


def require_editable(questionnaire: Questionnaire) -> None:
    """Refuse a change in place to an old version or to one people have answered."""
    if not questionnaire.current:
        raise RuleViolation(
            f"Это старая версия {questionnaire.version} анкеты: её не меняют. "
            "Откройте текущую версию."
        )
    if has_answers(questionnaire):
        raise RuleViolation(
            f"На анкету «{questionnaire.title}» (версия {questionnaire.version}) уже отвечали: "
            "менять её нельзя, иначе ответы потеряют свои вопросы. Нажмите «Создать новую "
            "версию» и правьте её — ответы останутся при старой."
        )


def new_version(questionnaire: Questionnaire, by: str | None = None) -> Questionnaire:
    """Copy the current version into the next one; unanswered assignments move to it."""
    if not questionnaire.current:
        raise RuleViolation("Новую версию делают из текущей версии анкеты.")
    last = db.session.scalar(
        select(func.max(Questionnaire.version)).where(Questionnaire.family == questionnaire.family)
    )
    copy = Questionnaire(
        family=questionnaire.family,
        version=last + 1,
        current=True,
        title=questionnaire.title,
        intro=questionnaire.intro,
        respondent=questionnaire.respondent,
        moment=questionnaire.moment,
        form_id=questionnaire.form_id,
        anonymous=questionnaire.anonymous,
        created_by=by,
    )
    sections = {}
    for section in questionnaire.sections:
        sections[section.id] = QuestionSection(position=section.position, title=section.title)
        copy.sections.append(sections[section.id])
    for q in questionnaire.questions:
        new_q = Question(
            position=q.position,
            kind=q.kind,
            text=q.text,
            options=list(q.options or []),
            required=q.required,
            measure=q.measure,
            satisfaction=q.satisfaction,
        )
        new_q.section = sections.get(q.section_id)
        copy.questions.append(new_q)
    questionnaire.current = False
    db.session.add(copy)
    db.session.flush()
    # Nobody has begun these, so they may as well get the questions as they are now.
    untouched = (
        select(Assignment.id)
        .outerjoin(Campaign, Campaign.id == Assignment.campaign_id)
        .where(
            Assignment.questionnaire_id == questionnaire.id,
            Assignment.submitted_at.is_(None),
            ~exists().where(Answer.assignment_id == Assignment.id),
            (Campaign.id.is_(None)) | (Campaign.status == CampaignStatus.OPEN),
        )
    )
    ids = list(db.session.scalars(untouched))
    if ids:
        db.session.execute(
            update(Assignment)
            .where(Assignment.id.in_(ids))
            .values(questionnaire_id=copy.id)
            .execution_options(synchronize_session=False)
        )
    return copy


def update_header(questionnaire: Questionnaire, title: str, intro: str | None, anonymous: bool):
    require_editable(questionnaire)
    questionnaire.title = title.strip()
    questionnaire.intro = (intro or "").strip() or None
    questionnaire.anonymous = anonymous


def parse_options(kind: str, raw: str | None) -> list[str]:
    options = [line.strip() for line in (raw or "").splitlines() if line.strip()]
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTI):
        if len(options) < 2:
            raise RuleViolation("Для выбора из вариантов укажите не меньше двух вариантов.")
        return options
    return []


def save_question(
    questionnaire: Questionnaire,
    question: Question | None,
    *,
    kind: str,
    text: str,
    options: str | None,
    required: bool,
    measure: str | None,
    section_id: int | None,
) -> Question:
    """Add a question (question=None) or change one, in a version nobody has answered."""
    require_editable(questionnaire)
    if question is not None and question.questionnaire_id != questionnaire.id:
        raise RuleViolation("Вопрос относится к другой анкете.")
    kind = QuestionKind(kind)
    parsed = parse_options(kind, options)
    section = None
    if section_id:
        section = db.session.get(QuestionSection, section_id)
        if section is None or section.questionnaire_id != questionnaire.id:
            raise RuleViolation("Такого раздела в анкете нет.")
    if question is None:
        position = 1 + max((q.position for q in questionnaire.questions), default=0)
        question = Question(position=position)
        questionnaire.questions.append(question)
    question.kind = kind
    question.text = text.strip()
    question.options = parsed
    question.required = required
    question.measure = (measure or "").strip() or None
    question.satisfaction = question.measure == "satisfaction"
    question.section = section
    db.session.flush()
    return question


def delete_question(questionnaire: Questionnaire, question: Question) -> None:
    require_editable(questionnaire)
    if question.questionnaire_id != questionnaire.id:
        raise RuleViolation("Вопрос относится к другой анкете.")
    questionnaire.questions.remove(question)
    db.session.flush()


def add_section(questionnaire: Questionnaire, title: str) -> QuestionSection:
    require_editable(questionnaire)
    section = QuestionSection(
        position=1 + max((s.position for s in questionnaire.sections), default=0),
        title=title.strip(),
    )
    questionnaire.sections.append(section)
    db.session.flush()
    return section


def current_questionnaires() -> list[Questionnaire]:
    query = select(Questionnaire).where(Questionnaire.current.is_(True))
    return list(db.session.scalars(query.order_by(Questionnaire.form_id, Questionnaire.family)))
