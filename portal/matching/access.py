"""Who may see a pair or group and in what capacity: the object-level check every area calls."""

from sqlalchemy import Select, or_, select

from portal.access import Role
from portal.matching.models import Pair, PairMember
from portal.people.models import Representative

# What a person is to a pair; views and other areas decide what each capacity may do.
MENTOR, MENTEE, PARENT, CURATOR, GROUP = "mentor", "mentee", "parent", "curator", "group"


def pair_capacities(user, pair: Pair) -> frozenset[str]:
    """Every capacity in which the user stands to the pair; empty means no access."""
    found = set()
    if user.has_any_role((Role.ADMIN, Role.CURATOR)):
        found.add(CURATOR)
    if user.has_role(Role.GROUP):
        found.add(GROUP)
    person_id = user.person_id
    if person_id is None:
        return frozenset(found)
    if user.has_role(Role.MENTOR) and pair.mentor_id == person_id:
        found.add(MENTOR)
    member_ids = {m.mentee_id for m in pair.members}
    if user.has_role(Role.MENTEE) and person_id in member_ids:
        found.add(MENTEE)
    if user.has_role(Role.PARENT) and member_ids:
        from portal.extensions import db

        child_ids = set(
            db.session.scalars(
                select(Representative.child_id).where(Representative.representative_id == person_id)
            )
        )
        if child_ids & member_ids:
            found.add(PARENT)
    return frozenset(found)


def can_view_pair(user, pair: Pair) -> bool:
    return bool(pair_capacities(user, pair))


def visible_pairs(user) -> Select:
    """A query of the pairs the user may see, for lists (no per-row checks, no N+1)."""
    query = select(Pair)
    if user.has_any_role((Role.ADMIN, Role.CURATOR, Role.GROUP)):
        return query
    person_id = user.person_id
    if person_id is None:
        return query.where(False)
    conditions = []
    if user.has_role(Role.MENTOR):
        conditions.append(Pair.mentor_id == person_id)
    if user.has_role(Role.MENTEE):
        conditions.append(
            Pair.id.in_(select(PairMember.pair_id).where(PairMember.mentee_id == person_id))
        )
    if user.has_role(Role.PARENT):
        children = select(Representative.child_id).where(
            Representative.representative_id == person_id
        )
        conditions.append(
            Pair.id.in_(select(PairMember.pair_id).where(PairMember.mentee_id.in_(children)))
        )
    return query.where(or_(*conditions)) if conditions else query.where(False)


# --- The checks every matching route makes, one function each ---------------------------------


def can_manage_pairs(user) -> bool:
    """Only the curator (and the administrator) forms, changes and ends pairs."""
    return user.has_any_role((Role.ADMIN, Role.CURATOR))


def can_manage_pair(user, pair: Pair) -> bool:
    return CURATOR in pair_capacities(user, pair)


def ensure_pair_visible(user, pair: Pair) -> frozenset[str]:
    """403 unless the user stands to the pair in some capacity; return the capacities."""
    from portal.access import ensure

    capacities = pair_capacities(user, pair)
    ensure(bool(capacities))
    return capacities


def ensure_pair_manageable(user, pair: Pair) -> None:
    from portal.access import ensure

    ensure(can_manage_pair(user, pair))
