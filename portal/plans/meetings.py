"""The meetings journal of a pair or group."""

from datetime import date

from portal.domain import RuleViolation
from portal.extensions import db
from portal.matching.models import Pair
from portal.plans.models import MEETING_FORMATS, Meeting, Plan
from portal.timeutil import today_moscow


def save_meeting(
    meeting: Meeting | None,
    pair: Pair,
    plan: Plan,
    *,
    held_on: date,
    format: str,
    topic: str,
    summary: str | None,
    attendee_ids: list[int],
    item_ids: list[int],
    user,
) -> Meeting:
    """Create or update a journal entry; attendees and activities must be the pair's own."""
    if format not in MEETING_FORMATS:
        raise RuleViolation("Выберите формат встречи из списка.")
    if held_on > today_moscow():
        raise RuleViolation("В журнал вносят состоявшиеся встречи: дата ещё не наступила.")
    if pair.started_on and held_on < pair.started_on:
        raise RuleViolation(
            f"Пара начала работу {pair.started_on:%d.%m.%Y}; встреча не может быть раньше."
        )
    members = {m.mentee_id: m.mentee for m in pair.members}
    items = {i.id: i for i in plan.live_items}
    if set(attendee_ids) - set(members):
        raise RuleViolation("Среди участников встречи может быть только наставляемый этой пары.")
    if set(item_ids) - set(items):
        raise RuleViolation("Отметьте мероприятия из плана этой пары.")
    if meeting is None:
        meeting = Meeting(pair_id=pair.id, created_by_id=getattr(user, "id", None))
        db.session.add(meeting)
    meeting.held_on = held_on
    meeting.format = format
    meeting.topic = topic.strip()
    meeting.summary = (summary or "").strip() or None
    meeting.attendees = [members[i] for i in attendee_ids]
    meeting.items = [items[i] for i in item_ids]
    db.session.flush()
    return meeting
