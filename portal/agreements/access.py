"""Who may see an agreement: the curator and administrator all; a party and their representatives
their own, once issued; nobody else.

An agreement is one mentee's document: a party is the pair's mentor, that mentee, and their
legal representatives (who they represent comes from portal.relations), not the other members
of a group.
"""

from sqlalchemy import Select, or_, select

from portal.access import MANAGERS, Role
from portal.agreements.models import DRAFT, Agreement, SignatureSlot
from portal.matching.models import Pair
from portal.relations import children_clause, relations_of


def is_manager(user) -> bool:
    return user.has_any_role(MANAGERS)


def party_capacities(user, agreement: Agreement) -> frozenset[str]:
    """'mentor', 'mentee', 'parent' — how the user stands to this one agreement."""
    person_id = user.person_id
    if person_id is None:
        return frozenset()
    found = set()
    if user.has_role(Role.MENTOR) and agreement.pair.mentor_id == person_id:
        found.add("mentor")
    if user.has_role(Role.MENTEE) and agreement.mentee_id == person_id:
        found.add("mentee")
    if user.has_role(Role.PARENT):
        party_ids = {agreement.pair.mentor_id, agreement.mentee_id}
        slot_people = {s.person_id for s in agreement.slots}
        if relations_of(user).child_ids & party_ids or person_id in slot_people:
            found.add("parent")
    return frozenset(found)


def can_view(user, agreement: Agreement) -> bool:
    if is_manager(user):
        return True
    if agreement.status == DRAFT:
        return False
    return bool(party_capacities(user, agreement))


def visible_agreements(user) -> Select:
    query = select(Agreement)
    if is_manager(user):
        return query
    person_id = user.person_id
    if person_id is None:
        return query.where(False)
    conditions = []
    if user.has_role(Role.MENTOR):
        conditions.append(Agreement.pair_id.in_(select(Pair.id).where(Pair.mentor_id == person_id)))
    if user.has_role(Role.MENTEE):
        conditions.append(Agreement.mentee_id == person_id)
    if user.has_role(Role.PARENT):
        children = children_clause(person_id)
        conditions.append(Agreement.mentee_id.in_(children))
        conditions.append(
            Agreement.pair_id.in_(select(Pair.id).where(Pair.mentor_id.in_(children)))
        )
        conditions.append(
            Agreement.id.in_(
                select(SignatureSlot.agreement_id).where(SignatureSlot.person_id == person_id)
            )
        )
    if not conditions:
        return query.where(False)
    return query.where(or_(*conditions), Agreement.status != DRAFT)
