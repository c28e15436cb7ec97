"""The media plan's work for the start page and the daily reminders of the responsible.

The notifications area lists ``work_items`` in its queue and ``media_reminders`` among its
reminder sources, so its modules are imported here inside the functions: a module-level
import would be circular.
"""

from datetime import date, timedelta

from flask import url_for
from sqlalchemy import Date, cast, exists, func, null, select

from portal.access import MANAGERS, Role
from portal.communication.help import LATE_DAYS, teacher_person
from portal.communication.models import (
    ConsultationRequest,
    Contest,
    ContestEntry,
    MediaChannel,
    MediaItem,
)
from portal.communication.plan import counted_clause
from portal.communication.statuses import EntryStatus, MediaStatus, RequestStatus
from portal.extensions import db
from portal.timeutil import today_moscow, utcnow

DUE_DAYS = 3  # an item planned within three days is due
CONTEST_DAYS = 30  # a contest's application deadline enters the queue a month ahead


def _planned(user_id: int | None):
    query = select(MediaItem.id.label("ref"), MediaItem.planned_on.label("due")).where(
        MediaItem.status == MediaStatus.PLANNED
    )
    return query if user_id is None else query.where(MediaItem.responsible_id == user_id)


def work_items(user) -> list:
    """Due and overdue items of the responsible; take-downs and silent channels for staff."""
    from portal.notifications.queue import WorkItem, tally

    staff = user.has_any_role((*MANAGERS, Role.GROUP))
    teacher = teacher_person(user)
    if not staff and teacher is None:
        return []
    today = today_moscow()
    measures = {}
    if teacher is not None:
        measures["help_waiting"] = _waiting_requests().where(
            ConsultationRequest.teacher_id == teacher.id
        )
    if staff:
        late = utcnow() - timedelta(days=LATE_DAYS)
        measures["help_late"] = _waiting_requests().where(ConsultationRequest.created_at < late)
        measures.update(_staff_measures(user, today))
    t = tally(measures)
    items = []
    if teacher is not None:
        items.append(
            WorkItem(
                "Запросы консультаций ждут вашего ответа",
                t["help_waiting"].count,
                url_for("communication.help"),
                "warning",
            )
        )
    if not staff:
        return items
    items.append(
        WorkItem(
            f"Запросы консультаций без ответа больше {LATE_DAYS} дней",
            t["help_late"].count,
            url_for("communication.help", status=RequestStatus.WAITING.value),
            "danger",
        )
    )
    return items + _staff_items(t, today)


def _waiting_requests():
    return select(ConsultationRequest.id.label("ref"), _no_due()).where(
        ConsultationRequest.status == RequestStatus.WAITING
    )


def _staff_measures(user, today: date) -> dict:
    mine = _planned(user.id)
    month_start = today.replace(day=1)
    next_month = (month_start + timedelta(days=32)).replace(day=1)
    day = func.coalesce(MediaItem.published_on, MediaItem.planned_on)
    spoken = exists().where(
        MediaItem.channel_id == MediaChannel.id,
        counted_clause(today),
        day >= month_start,
        day < next_month,
    )
    return {
        "due": mine.where(
            MediaItem.planned_on >= today,
            MediaItem.planned_on <= today + timedelta(days=DUE_DAYS),
        ),
        "overdue": mine.where(MediaItem.planned_on < today),
        "takedown": select(MediaItem.id.label("ref"), MediaItem.takedown_since.label("due")).where(
            MediaItem.status == MediaStatus.PUBLISHED, MediaItem.takedown_since.is_not(None)
        ),
        "contest_drafts": select(
            ContestEntry.id.label("ref"), Contest.applications_until.label("due")
        )
        .join(Contest, Contest.id == ContestEntry.contest_id)
        .where(
            ContestEntry.status == EntryStatus.DRAFT,
            Contest.applications_until >= today,
            Contest.applications_until <= today + timedelta(days=CONTEST_DAYS),
        ),
        "contest_results": select(ContestEntry.id.label("ref"), Contest.results_by.label("due"))
        .join(Contest, Contest.id == ContestEntry.contest_id)
        .where(
            ContestEntry.status == EntryStatus.SUBMITTED,
            ContestEntry.result.is_(None),
            Contest.results_by < today,
        ),
        "silent": select(MediaChannel.id.label("ref"), _no_due()).where(
            MediaChannel.active.is_(True), MediaChannel.monthly.is_(True), ~spoken
        ),
    }


def _staff_items(t, today: date) -> list:
    from portal.notifications.queue import WorkItem

    def link(tally_, **args):
        if tally_.refs == 1 and "channel" not in args:
            return url_for("communication.edit_item", item_id=tally_.ref)
        return url_for("communication.media", **args)

    return [
        WorkItem(
            "Медиаплан: просроченные публикации",
            t["overdue"].count,
            link(t["overdue"], status="overdue"),
            "danger",
            t["overdue"].due,
        ),
        WorkItem(
            f"Медиаплан: публикации в ближайшие {DUE_DAYS} дня",
            t["due"].count,
            link(t["due"], status="due"),
            "warning",
            t["due"].due,
        ),
        WorkItem(
            "Снимите с публикации: участник отозвал согласие на публикацию",
            t["takedown"].count,
            link(t["takedown"], status="takedown"),
            "danger",
            t["takedown"].due,
        ),
        WorkItem(
            "Конкурсы: подайте заявки до окончания приёма",
            t["contest_drafts"].count,
            url_for("communication.contests"),
            _contest_tone(t["contest_drafts"].due, today),
            t["contest_drafts"].due,
        ),
        WorkItem(
            "Конкурсы: итоги подведены — внесите результат заявки",
            t["contest_results"].count,
            url_for("communication.contests"),
            "info",
            t["contest_results"].due,
        ),
        WorkItem(
            "Каналы без публикаций в этом месяце (сайт и группа ВК — не реже раза в месяц)",
            t["silent"].count,
            url_for("communication.media", year=today.year),
            "warning",
        ),
    ]


def _contest_tone(due: date | None, today: date) -> str:
    return "danger" if due is not None and due <= today + timedelta(days=7) else "warning"


def _no_due():
    return cast(null(), Date).label("due")


def media_reminders(on: date) -> int:
    """The responsible learns the day before that a publication is due, and the day after
    that it is overdue; the notification's key keeps a second run from repeating it."""
    from portal.notifications.core import notify

    made = 0
    tomorrow, yesterday = on + timedelta(days=1), on - timedelta(days=1)
    items = db.session.scalars(
        select(MediaItem).where(
            MediaItem.status == MediaStatus.PLANNED,
            MediaItem.responsible_id.is_not(None),
            MediaItem.planned_on.in_((tomorrow, yesterday)),
        )
    )
    for item in items:
        if item.responsible is None or not item.responsible.active:
            continue
        if item.planned_on == tomorrow:
            text = (
                f"Завтра, {item.planned_on:%d.%m.%Y}, выходит «{item.title}» ({item.kind.title})."
            )
        else:
            text = (
                f"Просрочена публикация «{item.title}», "
                f"запланированная на {item.planned_on:%d.%m.%Y}."
            )
        made += bool(
            notify(
                item.responsible,
                "deadline",
                text,
                "media_item",
                item,
                "communication.edit_item",
                key=f"media:{item.id}:{item.planned_on.isoformat()}:{on.isoformat()}",
                item_id=item.id,
            )
        )
    return made


def may_see_item(user, item) -> bool:
    """Visibility for notifications: the media plan is the staff's."""
    return user.has_any_role((*MANAGERS, Role.GROUP))
