"""What people does when another area announces a fact (see portal.signals): a person's
status in the programme follows their pairs."""

from sqlalchemy import select

from portal import audit
from portal.extensions import db
from portal.people.models import Person
from portal.relations import in_open_pair_clause
from portal.signals import pair_ended, pair_started
from portal.statuses import PairStatus, PersonStatus


def _set_status(person: Person, status: PersonStatus, why: str, **fields) -> bool:
    if person.status == status:
        return False
    before = {"status": person.status, **{k: getattr(person, k) for k in fields}}
    person.status = status
    for key, value in fields.items():
        setattr(person, key, value)
    audit.record(
        "person_status",
        "person",
        person.id,
        audit.diff(before, {"status": status, **fields}),
        f"Статус: {status.title} — {why}",
    )
    return True


@pair_started.connect
def members_on_pair_started(pair, *, started_on, **_) -> list[Person]:
    """The mentor and the mentees of a started pair are «участник» from then on; a
    candidate's entry date into the programme is the start."""
    changed = []
    for person in [pair.mentor, *pair.mentees]:
        if person.status == PersonStatus.CANDIDATE:
            fields = {"entered_on": person.entered_on or started_on}
            if _set_status(
                person, PersonStatus.MEMBER, f"пара № {pair.id} начала работу", **fields
            ):
                changed.append(person)
    return changed


@pair_ended.connect
def mentees_on_pair_completed(pair, *, status, ended_on, **_) -> list[Person]:
    """A mentee whose pair completed and who is in no other open pair has completed the
    programme. A termination changes nothing: the curator decides whether the mentee goes on
    with another mentor or leaves (a «выбыл» would take them out of matching)."""
    if status != PairStatus.COMPLETED:
        return []
    ids = [m.mentee_id for m in pair.current_members]
    if not ids:
        return []
    still = set(
        db.session.scalars(
            select(Person.id).where(Person.id.in_(ids), in_open_pair_clause(as_mentor=False))
        )
    )
    changed = []
    for person in pair.mentees:
        if person.id in still or person.status != PersonStatus.MEMBER:
            continue
        fields = {"completed_on": person.completed_on or ended_on}
        if _set_status(person, PersonStatus.COMPLETED, f"пара № {pair.id} завершена", **fields):
            changed.append(person)
    return changed
