"""The media plan's timing and form rules (regulation п. 3.6), checked on every save and shown
as flags; plain functions of dates and text, so each edge is tested without a request."""

from dataclasses import dataclass
from datetime import date

from portal.communication.statuses import MediaKind, MediaStatus

PRESS_RELEASE_DAYS = (3, 5)  # a press release goes out 3–5 days before the event
POST_RELEASE_DAYS = 1  # a post-release goes out within 1 day after the event
LONGREAD_MIN_CHARS = 2000  # a longread is a text over 2,000 characters
EVENT_KINDS = (MediaKind.PRESS_RELEASE, MediaKind.POST_RELEASE)


@dataclass(frozen=True)
class Flag:
    """A rule the item breaks now: shown beside it in the plan and counted in the queue."""

    code: str
    text: str


def _days(n: int) -> str:
    rem10, rem100 = n % 10, n % 100
    if rem10 == 1 and rem100 != 11:
        return f"{n} день"
    if 2 <= rem10 <= 4 and not 12 <= rem100 <= 14:
        return f"{n} дня"
    return f"{n} дней"


def press_release_ok(event_on: date, on: date) -> bool:
    low, high = PRESS_RELEASE_DAYS
    return low <= (event_on - on).days <= high


def post_release_ok(event_on: date, on: date) -> bool:
    return 0 <= (on - event_on).days <= POST_RELEASE_DAYS


def longread_ok(text: str | None) -> bool:
    return len((text or "").strip()) >= LONGREAD_MIN_CHARS


def input_errors(
    kind: MediaKind, event_on: date | None, planned_on: date | None, text: str | None
) -> dict[str, str]:
    """What refuses a save, by form field: an event kind without its event, a post-release
    before the event, a longread text under 2,000 characters."""
    errors = {}
    if kind in EVENT_KINDS and event_on is None:
        errors["event_on"] = f"Для вида «{kind.title}» укажите дату события."
    if kind == MediaKind.POST_RELEASE and event_on and planned_on and planned_on < event_on:
        errors["planned_on"] = "Пост-релиз не может выйти раньше события."
    if kind == MediaKind.LONGREAD and (text or "").strip() and not longread_ok(text):
        errors["text"] = (
            f"Лонгрид — текст больше {LONGREAD_MIN_CHARS} знаков, а здесь "
            f"{len(text.strip())}. Сократите до новости или допишите."
        )
    return errors


def publish_errors(item, published_on: date | None, link: str | None) -> dict[str, str]:
    """What refuses marking the item published (besides consent: see consent.py)."""
    errors = {}
    if not (link or "").strip():
        errors["link"] = "Укажите ссылку на опубликованный материал."
    if published_on is None:
        errors["published_on"] = "Укажите дату публикации."
    elif item.kind == MediaKind.POST_RELEASE and item.event_on and published_on < item.event_on:
        errors["published_on"] = "Пост-релиз не может выйти раньше события."
    if item.kind == MediaKind.LONGREAD and not longread_ok(item.text):
        errors["link"] = (
            f"Лонгрид публикуется с текстом больше {LONGREAD_MIN_CHARS} знаков: "
            "добавьте текст в карточку материала."
        )
    return errors


def flags(item, today: date) -> list[Flag]:
    """The rules the item breaks now (a cancelled or taken-down item breaks none)."""
    if item.status in (MediaStatus.CANCELLED, MediaStatus.TAKEN_DOWN):
        return []
    found = []
    on = item.published_on or item.planned_on
    if (
        item.kind == MediaKind.PRESS_RELEASE
        and item.event_on
        and not press_release_ok(item.event_on, on)
    ):
        before = (item.event_on - on).days
        when = f"за {_days(before)} до события" if before >= 0 else "после события"
        found.append(
            Flag("press_release", f"Пресс-релиз — за 3–5 дней до события, а здесь {when}.")
        )
    if (
        item.kind == MediaKind.POST_RELEASE
        and item.event_on
        and not post_release_ok(item.event_on, on)
    ):
        after = (on - item.event_on).days
        found.append(
            Flag(
                "post_release",
                f"Пост-релиз — в течение 1 дня после события, а здесь через {_days(after)}.",
            )
        )
    if item.status == MediaStatus.PLANNED and item.planned_on < today:
        found.append(Flag("overdue", f"Просрочено на {_days((today - item.planned_on).days)}."))
    if item.status == MediaStatus.PUBLISHED and item.takedown_since:
        found.append(Flag("takedown", "Отозвано согласие на публикацию: снимите материал."))
    return found
