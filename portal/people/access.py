"""Who may see or change a person's record: the object-level checks every people view calls."""

from sqlalchemy import exists, select

from portal.access import MANAGERS, STAFF, Role, ensure
from portal.extensions import db
from portal.matching.models import OPEN_PAIR_STATUSES, Pair, PairMember
from portal.people.models import Person, Representative
from portal.people.rules import consent_state


def can_edit(user) -> bool:
    return user.has_any_role(MANAGERS)


def is_child_of_user(user, person: Person) -> bool:
    if not user.has_role(Role.PARENT) or user.person_id is None:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Representative.child_id == person.id,
                    Representative.representative_id == user.person_id,
                )
            )
        )
    )


def is_current_mentee_of_user(user, person: Person) -> bool:
    if not user.has_role(Role.MENTOR) or user.person_id is None:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    PairMember.mentee_id == person.id,
                    PairMember.left_on.is_(None),
                    PairMember.pair_id == Pair.id,
                    Pair.mentor_id == user.person_id,
                    Pair.status.in_(OPEN_PAIR_STATUSES),
                )
            )
        )
    )


def is_self(user, person: Person) -> bool:
    return user.person_id is not None and user.person_id == person.id


def can_view(user, person: Person) -> bool:
    """Staff read every card; a person their own; a parent their children's; a mentor their
    current mentees'."""
    return (
        user.has_any_role(STAFF)
        or is_self(user, person)
        or is_child_of_user(user, person)
        or is_current_mentee_of_user(user, person)
    )


def can_see_contacts(user, person: Person) -> bool:
    """A mentor sees a mentee's contacts only while the mentee's consent is valid."""
    if user.has_any_role(STAFF) or is_self(user, person) or is_child_of_user(user, person):
        return True
    return is_current_mentee_of_user(user, person) and consent_state(person) == "valid"


def can_export_own_data(user, person: Person) -> bool:
    """The data of a person goes to them or their parent on request, or to the curator."""
    return can_edit(user) or is_self(user, person) or is_child_of_user(user, person)


def can_see_history(user) -> bool:
    return user.has_any_role(STAFF)


def ensure_view(user, person: Person) -> None:
    ensure(can_view(user, person))


def ensure_export(user, person: Person) -> None:
    ensure(can_export_own_data(user, person))


def ensure_owner(user, batch) -> None:
    """An uploaded file is committed only by the user who uploaded it."""
    ensure(batch.owner_id == user.id)
