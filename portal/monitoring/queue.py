"""What monitoring puts in a person's work queue on the start page: questionnaires to
answer, and for the curator the deadlines of 20 May, 20 December and 30 December."""

from datetime import date

from flask import url_for
from sqlalchemy import func, select

from portal.access import MANAGERS
from portal.domain import WorkItem
from portal.extensions import db
from portal.monitoring.campaigns import half_year, my_assignments_query, ru_day_month
from portal.monitoring.models import AnnualReport, Assignment, Campaign, PeriodKind
from portal.timeutil import today_moscow


def _tone(due: date | None, today: date, done: bool = False) -> str:
    if done:
        return "ok"
    if due is None:
        return "info"
    days = (due - today).days
    return "danger" if days <= 7 else "warning" if days <= 30 else "info"


def work_items(user, today: date | None = None) -> list[WorkItem]:
    today = today or today_moscow()
    items = []
    mine = my_assignments_query(user).where(Assignment.submitted_at.is_(None)).subquery()
    count, due = db.session.execute(select(func.count(), func.min(mine.c.due_on))).one()
    if count:
        items.append(
            WorkItem(
                "Анкеты мониторинга ждут ваших ответов",
                count,
                url_for("monitoring.mine"),
                _tone(due, today),
                due,
            )
        )
    if user.has_any_role(MANAGERS):
        items.extend(_deadlines(today))
    return items


def _next(today: date, month: int, day: int) -> date:
    this_year = date(today.year, month, day)
    return this_year if this_year >= today else date(today.year + 1, month, day)


def _campaign_item(deadline: date, today: date) -> WorkItem:
    start, _end = half_year(deadline)
    campaign = db.session.scalar(
        select(Campaign).where(Campaign.period_start == start).order_by(Campaign.id.desc())
    )
    if campaign is None:
        return WorkItem(
            f"Мониторинг до {ru_day_month(deadline)} не открыт",
            0,
            url_for("monitoring.new_campaign"),
            _tone(deadline, today),
            deadline,
        )
    assigned, submitted = db.session.execute(
        select(func.count(), func.count(Assignment.submitted_at)).where(
            Assignment.campaign_id == campaign.id
        )
    ).one()
    state = "завершён" if not campaign.is_open else f"ответили {submitted} из {assigned}"
    return WorkItem(
        f"Мониторинг до {ru_day_month(campaign.deadline)}: {state}",
        assigned - submitted if campaign.is_open else 0,
        url_for("monitoring.campaign", campaign_id=campaign.id),
        _tone(campaign.deadline, today, done=not campaign.is_open),
        campaign.deadline,
    )


def _deadlines(today: date) -> list[WorkItem]:
    """20 December and 20 May (the nearer first) with their campaigns, then 30 December."""
    items = []
    for deadline in sorted((_next(today, 12, 20), _next(today, 5, 20))):
        items.append(_campaign_item(deadline, today))
    report_due = date(today.year, 12, 30)
    if today <= report_due:
        report = db.session.scalar(
            select(AnnualReport).where(
                AnnualReport.period_kind == PeriodKind.CALENDAR, AnnualReport.year == today.year
            )
        )
        sent = report is not None and report.sent_on is not None
        items.append(
            WorkItem(
                "Отчёт в региональный наставнический центр до 30 декабря: "
                + ("отправлен" if sent else "не отправлен"),
                0,
                url_for("monitoring.annual", kind="calendar", year=today.year),
                _tone(report_due, today, done=sent),
                report_due,
            )
        )
    return items
