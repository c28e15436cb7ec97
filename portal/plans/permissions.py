"""The one check every plan route goes through: what the user may do with a pair's plan.

How the user stands to the pair comes from portal.relations: a mentee who has left a group
(and that mentee's parent) no longer stands to it, so reads and edits are refused.
"""

from dataclasses import dataclass

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import lazyload, selectinload

from portal.extensions import db
from portal.matching.models import Pair, PairMember
from portal.relations import PairRole, is_open_pair, pair_roles

MENTOR, MENTEE, CURATOR = PairRole.MENTOR, PairRole.MENTEE, PairRole.CURATOR


@dataclass(frozen=True)
class PlanRights:
    capacities: frozenset[PairRole]
    pair_open: bool

    @property
    def read(self) -> bool:
        return bool(self.capacities)

    @property
    def edit(self) -> bool:
        """Mentor, the pair's mentees and the curator edit while the pair works."""
        return self.pair_open and bool(self.capacities & {MENTOR, MENTEE, CURATOR})

    @property
    def accept(self) -> bool:
        """Accepting a mentee's proposal is the mentor's call (the curator may stand in)."""
        return self.pair_open and bool(self.capacities & {MENTOR, CURATOR})

    @property
    def approve(self) -> bool:
        return CURATOR in self.capacities

    @property
    def journal(self) -> bool:
        """The meetings journal is kept by the mentor and the curator."""
        return bool(self.capacities & {MENTOR, CURATOR})

    @property
    def proposes(self) -> bool:
        """A mentee's new activity stays a proposal until the mentor accepts it."""
        return MENTEE in self.capacities and not self.capacities & {MENTOR, CURATOR}


def plan_rights(user, pair: Pair) -> PlanRights:
    return PlanRights(pair_roles(user, pair), is_open_pair(pair))


def require(user, pair: Pair, need: str = "read") -> PlanRights:
    """Return the user's rights on the pair's plan, or refuse with 403 if `need` is missing."""
    rights = plan_rights(user, pair)
    if not rights.read or not getattr(rights, need):
        abort(403)
    return rights


def require_plan_version(user, plan_id: int, need: str = "read") -> tuple[int, PlanRights]:
    """The check for the hot paths (polling, heartbeat): the plan's version and the rights,
    loading the pair without its people (no persons, tags or forms) — three small queries."""
    from portal.plans.models import Plan

    row = db.session.execute(
        select(Plan.version, Plan.pair_id).where(Plan.id == plan_id)
    ).one_or_none()
    if row is None:
        abort(404)
    pair = db.session.scalar(
        select(Pair)
        .where(Pair.id == row.pair_id)
        .options(
            lazyload(Pair.mentor),
            lazyload(Pair.form),
            selectinload(Pair.members).lazyload(PairMember.mentee),
        )
    )
    return row.version, require(user, pair, need)
