"""Who may see a pair or group and in what capacity: the object-level check every area calls.

The answer itself lives in portal.relations; this module names the checks matching's routes
make. A capacity is a ``PairRole`` (a StrEnum equal to the old words "mentor", "mentee" …).
"""

from sqlalchemy import Select, select

from portal.access import MANAGERS, ensure
from portal.matching.models import Pair
from portal.relations import PairRole, pair_roles, visible_pairs_clause

# What a person is to a pair; views and other areas decide what each capacity may do.
MENTOR, MENTEE, PARENT, CURATOR, GROUP = (
    PairRole.MENTOR,
    PairRole.MENTEE,
    PairRole.PARENT,
    PairRole.CURATOR,
    PairRole.GROUP,
)


def pair_capacities(user, pair: Pair) -> frozenset[PairRole]:
    """Every capacity in which the user stands to the pair; empty means no access."""
    return pair_roles(user, pair)


def can_view_pair(user, pair: Pair) -> bool:
    return bool(pair_roles(user, pair))


def visible_pairs(user) -> Select:
    """A query of the pairs the user may see, for lists (no per-row checks, no N+1)."""
    return select(Pair).where(visible_pairs_clause(user))


# --- The checks every matching route makes, one function each ---------------------------------


def can_manage_pairs(user) -> bool:
    """Only the curator (and the administrator) forms, changes and ends pairs."""
    return user.has_any_role(MANAGERS)


def can_manage_pair(user, pair: Pair) -> bool:
    return CURATOR in pair_roles(user, pair)


def ensure_pair_visible(user, pair: Pair) -> frozenset[PairRole]:
    """403 unless the user stands to the pair in some capacity; return the capacities."""
    capacities = pair_roles(user, pair)
    ensure(bool(capacities))
    return capacities


def ensure_pair_manageable(user, pair: Pair) -> None:
    ensure(can_manage_pair(user, pair))
