"""Time in the portal: stored in UTC, shown in Moscow time, and a column type for it."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import DateTime
from sqlalchemy.types import TypeDecorator

MOSCOW = ZoneInfo("Europe/Moscow")


def utcnow() -> datetime:
    return datetime.now(UTC)


def today_moscow() -> date:
    return datetime.now(MOSCOW).date()


def to_moscow(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(MOSCOW)


def age_on(birth_date: date | None, on: date | None = None) -> int | None:
    """Return full years of age on a date (today in Moscow by default)."""
    if birth_date is None:
        return None
    on = on or today_moscow()
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime on every engine.

    SQLite has no time zones and returns naive values; storing naive UTC and attaching
    the zone on the way out makes comparisons behave the same on SQLite and PostgreSQL.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC)
