"""Who may see or change a person's record: the object-level checks every people view calls.

Who the user is to the person (self, parent, current mentor) comes from portal.relations.
"""

from portal.access import MANAGERS, STAFF, ensure
from portal.people.models import Person
from portal.relations import consent_state, relations_of
from portal.statuses import ConsentState


def can_edit(user) -> bool:
    return user.has_any_role(MANAGERS)


def is_child_of_user(user, person: Person) -> bool:
    """The user is the person's legal representative."""
    return relations_of(user).represents(person.id)


def is_current_mentee_of_user(user, person: Person) -> bool:
    """The person is a current member of an open pair the user mentors."""
    return person.id in relations_of(user).current_mentee_ids


def is_self(user, person: Person) -> bool:
    return relations_of(user).is_self(person.id)


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
    return is_current_mentee_of_user(user, person) and consent_state(person) == ConsentState.VALID


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
