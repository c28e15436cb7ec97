"""The media plan's operations: save, publish, take down, and the year's picture in SQL."""

import calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, case, extract, func, or_, select

from portal import audit
from portal.communication import rules
from portal.communication.consent import lacking_publication_consent
from portal.communication.models import MediaChannel, MediaItem, media_item_people
from portal.communication.statuses import MediaStatus
from portal.domain import RuleViolation
from portal.extensions import db

FIELDS = (
    "kind",
    "title",
    "channel_id",
    "target_group_id",
    "message",
    "responsible_id",
    "event_title",
    "event_on",
    "planned_on",
    "text",
)


class PlanErrors(RuleViolation):
    """Rule violations by form field; nothing was saved."""

    def __init__(self, errors: dict[str, str]):
        super().__init__(" ".join(errors.values()))
        self.errors = errors


def save_item(item: MediaItem | None, values: dict, people, *, actor=None) -> MediaItem:
    """Create or update an item after the rules; PlanErrors leaves the database untouched."""
    errors = rules.input_errors(
        values["kind"], values.get("event_on"), values.get("planned_on"), values.get("text")
    )
    if errors:
        raise PlanErrors(errors)
    creating = item is None
    if creating:
        item = MediaItem(status=MediaStatus.PLANNED)
        db.session.add(item)
    before = {f: getattr(item, f) for f in FIELDS}
    for name in FIELDS:
        setattr(item, name, values.get(name))
    if (
        item.status == MediaStatus.PUBLISHED
        and people
        and lacking_publication_consent(people, item.channel_id)
    ):
        raise PlanErrors(
            {"people": "Материал уже опубликован: нельзя добавить людей без согласия."}
        )
    item.people = list(people)
    db.session.flush()
    audit.record(
        "create" if creating else "update",
        "media_item",
        item.id,
        audit.diff(before, {f: getattr(item, f) for f in FIELDS}),
        summary=item.title,
        actor=actor,
    )
    return item


def publish(item: MediaItem, published_on: date | None, link: str | None, *, actor=None) -> None:
    """Mark published: a link, a date, the form rules and every named person's consent."""
    errors = rules.publish_errors(item, published_on, link)
    lacking = lacking_publication_consent(item.people, item.channel)
    if lacking:
        names = ", ".join(p.full_name for p in lacking)
        errors["people"] = (
            "Нет действующего согласия на публикацию (ст. 10.1 152-ФЗ): "
            f"{names}. Получите согласие или уберите человека из материала."
        )
    if item.status not in (MediaStatus.PLANNED, MediaStatus.PUBLISHED):
        errors["status"] = f"Материал в статусе «{item.status.title}» опубликовать нельзя."
    if errors:
        raise PlanErrors(errors)
    item.status = MediaStatus.PUBLISHED
    item.published_on = published_on
    item.link = link.strip()
    item.takedown_since = None
    audit.record("publish", "media_item", item.id, summary=item.link, actor=actor)


def take_down(item: MediaItem, *, actor=None) -> None:
    if item.status != MediaStatus.PUBLISHED:
        raise RuleViolation("Снять можно только опубликованный материал.")
    item.status = MediaStatus.TAKEN_DOWN
    audit.record("take_down", "media_item", item.id, summary=item.title, actor=actor)


def cancel(item: MediaItem, *, actor=None) -> None:
    if item.status != MediaStatus.PLANNED:
        raise RuleViolation("Отменить можно только запланированный материал.")
    item.status = MediaStatus.CANCELLED
    audit.record("cancel", "media_item", item.id, summary=item.title, actor=actor)


def request_takedown(person_id: int, on: date) -> list[MediaItem]:
    """Flag every published item naming the person: their publication consent is gone."""
    items = list(
        db.session.scalars(
            select(MediaItem).where(
                MediaItem.status == MediaStatus.PUBLISHED,
                MediaItem.takedown_since.is_(None),
                MediaItem.id.in_(
                    select(media_item_people.c.item_id).where(
                        media_item_people.c.person_id == person_id
                    )
                ),
            )
        )
    )
    for item in items:
        item.takedown_since = on
    return items


# --- the year's picture --------------------------------------------------------------------------


def channels(active_only: bool = True) -> list[MediaChannel]:
    query = select(MediaChannel).order_by(MediaChannel.position, MediaChannel.name)
    if active_only:
        query = query.where(MediaChannel.active.is_(True))
    return list(db.session.scalars(query))


def items_between(start: date, end: date, channel_id: int | None = None) -> list[MediaItem]:
    """Items counting for days start..end (published or planned date), in date order."""
    day = func.coalesce(MediaItem.published_on, MediaItem.planned_on)
    query = select(MediaItem).where(day >= start, day <= end).order_by(day, MediaItem.id)
    if channel_id:
        query = query.where(MediaItem.channel_id == channel_id)
    return list(db.session.scalars(query))


def counted_clause(today: date):
    """An item counts for its channel's month when it came out, or is still planned for a month
    not yet over; a month that ended with only plans is silent."""
    month_start = today.replace(day=1)
    return or_(
        MediaItem.status == MediaStatus.PUBLISHED,
        and_(MediaItem.status == MediaStatus.PLANNED, MediaItem.planned_on >= month_start),
    )


def month_counts(year: int, today: date) -> dict[tuple[int, int], int]:
    """(channel id, month) → publications counted, for the year, in one grouped query."""
    day = case(
        (MediaItem.status == MediaStatus.PUBLISHED, MediaItem.published_on),
        else_=MediaItem.planned_on,
    )
    month = extract("month", day)
    query = (
        select(MediaItem.channel_id, month, func.count())
        .where(counted_clause(today), day >= date(year, 1, 1), day <= date(year, 12, 31))
        .group_by(MediaItem.channel_id, month)
    )
    return {(cid, int(m)): n for cid, m, n in db.session.execute(query)}


@dataclass(frozen=True)
class SilentMonth:
    channel: MediaChannel
    month: int
    past: bool  # the month is over: the channel went silent, not just unplanned


def silent_months(year: int, today: date) -> list[SilentMonth]:
    """Months of the year in which a monthly channel has nothing (п. 3.6: at least once a month)."""
    counts = month_counts(year, today)
    found = []
    for channel in channels():
        if not channel.monthly:
            continue
        for month in range(1, 13):
            if not counts.get((channel.id, month)):
                last_day = date(year, month, calendar.monthrange(year, month)[1])
                found.append(SilentMonth(channel, month, last_day < today))
    return found
