"""Demo plans: every active pair gets activities, changes by both sides and a few meetings."""

from datetime import timedelta

from sqlalchemy import select

from portal.accounts.models import User
from portal.extensions import db
from portal.matching.models import Pair
from portal.plans import approval, editing, meetings
from portal.plans.formats import suggested_formats
from portal.plans.models import MEETING_FORMATS
from portal.statuses import PairStatus, PlanItemStatus
from portal.timeutil import today_moscow

ACTIVITIES = (
    (
        "Знакомство, определение ожиданий и правил работы пары",
        "Митапы",
        "вместе",
        "Согласованы цели и правила общения",
    ),
    (
        "Экскурсия в место обучения наставника",
        "Экскурсии в место обучения наставника",
        "наставник",
        "Наставляемый знает, как устроена работа наставника",
    ),
    (
        "Выбор темы собственного проекта",
        "Проектная деятельность",
        "наставляемый",
        "Тема проекта и план работы",
    ),
    (
        "Участие в мероприятии Центра",
        "Мероприятия Центра",
        "вместе",
        "Участие и короткий отчёт с фотографиями",
    ),
    (
        "Подготовка к конкурсу",
        "Подготовка к мероприятиям, конкурсам, олимпиадам",
        "наставляемый",
        "Заявка на конкурс подана",
    ),
    (
        "Воркшоп: инструменты проекта",
        "Воркшопы",
        "наставник",
        "Освоены два инструмента для проекта",
    ),
    (
        "Защита проекта на митапе объединения",
        "Митапы",
        "наставляемый",
        "Проект представлен, получены отзывы",
    ),
    (
        "Подведение итогов и отзыв о программе",
        "Нетворкинги",
        "вместе",
        "Отзыв и кейс для сайта Центра",
    ),
)


def _user_of(person_id):
    return db.session.scalar(select(User).where(User.person_id == person_id))


def _seed_pair(ctx, pair: Pair, approve: bool) -> None:
    plan = editing.ensure_plan(pair)
    db.session.flush()
    mentor_user = _user_of(pair.mentor_id)
    mentee_users = [u for u in (_user_of(m.mentee_id) for m in pair.current_members) if u]
    mentee_user = mentee_users[0] if mentee_users else None
    if not plan.goal:
        plan.goal = "Развитие интереса к проектной деятельности и подготовка собственного проекта"
    formats = set(suggested_formats(pair.form))
    start = pair.started_on or today_moscow() - timedelta(days=60)
    count = 5 + ctx.rng.randrange(4)
    items = []
    for n, (title, fmt, who, expected) in enumerate(ACTIVITIES[:count]):
        begin = start + timedelta(days=14 * n)
        item = editing.add_item(
            plan,
            title,
            mentor_user,
            format=fmt if fmt in formats or not formats else sorted(formats)[n % len(formats)],
            start_on=begin,
            end_on=begin + timedelta(days=7),
            responsible=who,
            expected_result=expected,
        )
        items.append(item)
    today = today_moscow()
    past = [i for i in items if i.end_on and i.end_on < today - timedelta(days=10)]
    postponed = past[-1] if len(past) > 2 else None  # one past activity slipped
    for item in past:
        if item is postponed:
            editing.save_field(item.id, "status", PlanItemStatus.MOVED, None, mentor_user)
            continue
        editing.save_field(item.id, "status", PlanItemStatus.DONE, None, mentor_user)
        editing.save_field(item.id, "completed", "1", None, mentor_user)
    if items and mentee_user:
        editing.save_field(
            items[0].id,
            "result",
            "Договорились встречаться по средам, общаемся в мессенджере",
            None,
            mentee_user,
        )
    if mentee_user:
        proposal = editing.add_item(
            plan,
            "Мастер-класс для младших участников объединения",
            mentee_user,
            proposed=True,
            format="Образовательные практики «Дети-детям»",
            responsible="наставляемый",
        )
        if approve:  # the mentor accepts it before the curator approves the plan
            editing.accept_item(proposal.id, mentor_user)
    if approve:
        db.session.flush()
        db.session.refresh(plan)
        approval.approve(
            plan,
            plan.version,
            "112-о",
            min(today, start + timedelta(days=3)),
            ctx.users.get("curator"),
        )
    # A few meetings of the journal.
    mentees = [m.mentee_id for m in pair.current_members]
    for n in range(3):
        held = min(today, start + timedelta(days=7 + 14 * n))
        meetings.save_meeting(
            None,
            pair,
            plan,
            held_on=held,
            format=MEETING_FORMATS[n % len(MEETING_FORMATS)],
            topic=items[min(n, len(items) - 1)].title if items else "Встреча пары",
            summary="Обсудили ход работы и следующие шаги.",
            attendee_ids=mentees,
            item_ids=[items[min(n, len(items) - 1)].id] if items else [],
            user=mentor_user,
        )


def seed(ctx) -> None:
    """Give every active pair a plan; the `mentor`/`mentee` pair's plan is approved."""
    named = dict(ctx.extras.get("pairs", {}) or {})
    main_pair = named.get("mentor")
    seen = set()
    for pair in [
        *named.values(),
        *db.session.scalars(select(Pair).where(Pair.status == PairStatus.ACTIVE).order_by(Pair.id)),
    ]:
        if pair.id in seen or pair.status != PairStatus.ACTIVE:
            continue
        seen.add(pair.id)
        _seed_pair(ctx, pair, approve=main_pair is not None and pair.id == main_pair.id)
        db.session.flush()
