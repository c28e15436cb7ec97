"""Anonymising a person who left the programme and revoked consent (152-ФЗ ст. 21)."""

from datetime import date

from sqlalchemy import select

from portal import audit
from portal.audit import AuditEvent
from portal.domain import RuleViolation
from portal.extensions import db
from portal.people.models import Person
from portal.people.rules import consent_state
from portal.signals import person_anonymised
from portal.statuses import ConsentState, PersonStatus
from portal.timeutil import utcnow

ANONYMISABLE_STATUSES = PersonStatus.closed()
ERASED_FIELDS = (
    "middle_name",
    "phone",
    "email",
    "messenger",
    "preferred_channel",
    "key_request",
    "achievements",
    "comm_time",
    "workplace",
    "position",
    "results",
    "case_url",
    "notes",
)


def can_anonymise(person: Person) -> str | None:
    """None when the person may be anonymised, else the Russian reason why not."""
    if person.anonymised_at is not None:
        return "Запись уже обезличена."
    if person.status not in ANONYMISABLE_STATUSES:
        return "Обезличить можно только участника со статусом «выбыл» или «завершил»."
    if consent_state(person) != ConsentState.REVOKED:
        return "Обезличить можно только после отзыва согласия на обработку персональных данных."
    return None


def anonymise(person: Person, *, actor=None) -> None:
    """Erase the name, contacts, notes, tags and scans; keep category, club, status and dates.

    The year of birth stays so that counts by age in the reports stay right.
    """
    reason = can_anonymise(person)
    if reason:
        raise RuleViolation(reason)
    erased = {"last_name": [person.last_name, None], "first_name": [person.first_name, None]}
    for key in ERASED_FIELDS:
        if getattr(person, key) is not None:
            erased[key] = ["(стёрто)", None]
            setattr(person, key, None)
    person.last_name = "Обезличено"
    person.first_name = f"№{person.id}"
    if person.birth_date is not None:
        person.birth_date = date(person.birth_date.year, 1, 1)
        erased["birth_date"] = ["(день и месяц стёрты)", None]
    person.tags = []
    for consent in person.consents:
        consent.scan = None
        consent.scan_filename = None
        consent.scan_mimetype = None
    person.anonymised_at = utcnow()
    person.refresh_search_key()
    db.session.flush()
    # Earlier events carry the old values; they are personal data too.
    for event in db.session.scalars(
        select(AuditEvent).where(
            AuditEvent.object_type == "person", AuditEvent.object_id == person.id
        )
    ):
        if event.changes:
            event.changes = {key: ["(стёрто)", "(стёрто)"] for key in event.changes}
        event.summary = f"Обезличено №{person.id}"
    # The log keeps that values were erased, never the values themselves.
    audit.record(
        "person_anonymised",
        "person",
        person.id,
        {k: ["(стёрто)", None] for k in erased},
        summary=f"Обезличено №{person.id}",
        actor=actor,
    )
    person_anonymised.send(person, actor=actor)
