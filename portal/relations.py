"""Who relates to whom, answered once for every area: the user's person, the children they
represent, the pairs and groups they are in now and in which role; and the cross-area rules
(a valid consent of a kind, a current member, an open pair) each as an SQL clause beside the
Python predicate that means the same thing.

Areas never write their own copy of these. It sits below the areas: it reads the people and
pairs tables (models only) and imports no area's logic.

Quick reference::

    rel = relations_of(current_user)      # cached for the request
    rel.person_id, rel.child_ids          # who they are, whom they represent
    rel.current_pairs                     # {pair_id: frozenset(PairRole)} for pairs they are in now
    pair_roles(user, pair)                # how the user stands to one loaded pair (empty: nothing)
    visible_pairs_clause(user)            # the same as an SQL condition on Pair, for lists

    open_pair_clause() / is_open_pair(pair)
    current_member_clause() / is_current_member(member)
    valid_consent_clause(person_id_col, kind) / has_valid_consent(person, kind)
    consent_state(person, kind) -> ConsentState
"""

from collections import defaultdict
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from flask import g, has_request_context
from sqlalchemy import ColumnElement, Select, and_, exists, false, or_, select, true
from sqlalchemy.orm import joinedload, selectinload

from portal.access import MANAGERS, Role
from portal.extensions import db
from portal.matching.models import Pair, PairMember
from portal.people.models import Consent, Person, Representative
from portal.statuses import ConsentState, PairStatus

PROCESSING = "processing"  # consent to the processing of personal data (Приложение № 2)
PUBLICATION = "publication"  # consent to publication (ст. 10.1 152-ФЗ)


class PairRole(StrEnum):
    """How a user stands to a pair. The values are the words areas used before (``"mentor"``)."""

    MENTOR = "mentor"  # the pair's mentor (also after the pair ended: it is their history)
    MENTEE = "mentee"  # a current member (left_on is null); a leaver is no longer one
    PARENT = "parent"  # legal representative of a current member
    CURATOR = "curator"  # administrator or curator: manages every pair
    GROUP = "group"  # the working group: reads every pair


# --- The rules, each as an SQL clause and the predicate that means the same ----------------------


def open_pair_clause(pair=Pair) -> ColumnElement[bool]:
    """An open pair: a draft or working (its plan is edited, its people count as taken)."""
    return pair.status.in_(PairStatus.open())


def is_open_pair(pair: Pair) -> bool:
    return pair.status in PairStatus.open()


def current_member_clause(member=PairMember) -> ColumnElement[bool]:
    """A current member of a pair or group: joined and not left."""
    return member.left_on.is_(None)


def is_current_member(member: PairMember) -> bool:
    return member.left_on is None


def current_member_ids(pair: Pair) -> set[int]:
    """The mentee ids of a loaded pair's current members."""
    return {m.mentee_id for m in pair.members if m.left_on is None}


def valid_consent_clause(person_id, kind: str = PROCESSING) -> ColumnElement[bool]:
    """EXISTS an unrevoked consent of the kind for the person id (a column or a value)."""
    return exists().where(
        Consent.person_id == person_id, Consent.kind == kind, Consent.revoked_on.is_(None)
    )


def any_consent_clause(person_id, kind: str = PROCESSING) -> ColumnElement[bool]:
    """EXISTS any consent of the kind, revoked or not (to tell «отозвано» from «нет»)."""
    return exists().where(Consent.person_id == person_id, Consent.kind == kind)


def consent_state_clause(state: ConsentState, person_id=Person.id, kind: str = PROCESSING):
    """The SQL condition for consent_state(person, kind) == state."""
    valid = valid_consent_clause(person_id, kind)
    if state == ConsentState.VALID:
        return valid
    if state == ConsentState.REVOKED:
        return and_(any_consent_clause(person_id, kind), ~valid)
    return ~any_consent_clause(person_id, kind)


def has_valid_consent(person: Person, kind: str = PROCESSING) -> bool:
    """The predicate of valid_consent_clause over the person's loaded consents."""
    return any(c.kind == kind and c.revoked_on is None for c in person.consents)


def consent_state(person: Person, kind: str = PROCESSING) -> ConsentState:
    """VALID (an unrevoked one exists), REVOKED (all revoked) or MISSING (none on file)."""
    consents = [c for c in person.consents if c.kind == kind]
    if any(c.revoked_on is None for c in consents):
        return ConsentState.VALID
    return ConsentState.REVOKED if consents else ConsentState.MISSING


def valid_consent_ids(person_ids, kind: str = PROCESSING) -> set[int]:
    """Of these person ids, those with a valid consent of the kind: one query for a list."""
    ids = list(person_ids)
    if not ids:
        return set()
    query = select(Consent.person_id).where(
        Consent.person_id.in_(ids), Consent.kind == kind, Consent.revoked_on.is_(None)
    )
    return set(db.session.scalars(query))


def children_clause(representative_id) -> Select:
    """SELECT the ids of the children the person is the legal representative of."""
    return select(Representative.child_id).where(
        Representative.representative_id == representative_id
    )


def current_pair_ids_clause(mentee_ids) -> Select:
    """SELECT the ids of the pairs in which any of these mentees (a value, list or subquery)
    is a current member."""
    condition = (
        PairMember.mentee_id.in_(mentee_ids)
        if isinstance(mentee_ids, list | tuple | set | frozenset | Select)
        else PairMember.mentee_id == mentee_ids
    )
    return select(PairMember.pair_id).where(condition, current_member_clause())


def open_pairs_of_clause(person_id) -> ColumnElement[bool]:
    """An open pair the person is in now: as its mentor or as a current member."""
    return and_(
        open_pair_clause(),
        or_(Pair.mentor_id == person_id, Pair.id.in_(current_pair_ids_clause(person_id))),
    )


def in_open_pair_clause(person_id=Person.id, *, as_mentor: bool) -> ColumnElement[bool]:
    """EXISTS an open pair the person mentors (as_mentor) or is a current member of."""
    if as_mentor:
        return exists().where(Pair.mentor_id == person_id, open_pair_clause())
    return exists().where(
        PairMember.mentee_id == person_id,
        current_member_clause(),
        Pair.id == PairMember.pair_id,
        open_pair_clause(),
    )


def pairs_of_person(person: Person) -> list[Pair]:
    """Every pair the person mentors or was ever a member of, newest first (their history)."""
    members = select(PairMember.pair_id).where(PairMember.mentee_id == person.id)
    query = (
        select(Pair)
        .where(or_(Pair.mentor_id == person.id, Pair.id.in_(members)))
        .order_by(Pair.started_on.desc(), Pair.id.desc())
    )
    return list(db.session.scalars(query).unique())


def open_pairs_of(person: Person) -> list[Pair]:
    """The open pairs the person mentors or is a current member of."""
    return list(db.session.scalars(select(Pair).where(open_pairs_of_clause(person.id))).unique())


# --- Many people's current pairs at once (the bases' columns) ----------------------------------


@dataclass
class PairInfo:
    """What the bases show about a person's current pairs."""

    mentor_names: list[str] = field(default_factory=list)
    mentor_workplaces: list[str] = field(default_factory=list)
    mentee_names: list[str] = field(default_factory=list)
    forms: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)
    attention: list[str] = field(default_factory=list)
    pair_ids: list[int] = field(default_factory=list)


def pair_info(person_ids: list[int], *, include_closed: bool = False) -> dict[int, PairInfo]:
    """Current pairs of many people in two queries (no query per row)."""
    info: dict[int, PairInfo] = defaultdict(PairInfo)
    if not person_ids:
        return info
    statuses = PairStatus.open() if not include_closed else tuple(PairStatus)
    ids = list(person_ids)
    chunks = [ids[i : i + 900] for i in range(0, len(ids), 900)]
    for chunk in chunks:
        member_pairs = current_pair_ids_clause(chunk)
        pairs = db.session.scalars(
            select(Pair)
            .where(
                Pair.status.in_(statuses),
                or_(Pair.mentor_id.in_(chunk), Pair.id.in_(member_pairs)),
            )
            .order_by(Pair.started_on, Pair.id)
            # The rows show names only: the tags of the people in the pairs are not needed.
            .options(
                joinedload(Pair.mentor).lazyload(Person.tags),
                selectinload(Pair.members).joinedload(PairMember.mentee).lazyload(Person.tags),
            )
        ).unique()
        wanted = set(chunk)
        for pair in pairs:
            term = _term(pair)
            if pair.mentor_id in wanted:
                row = info[pair.mentor_id]
                row.mentee_names.extend(m.full_name for m in pair.mentees)
                row.forms.append(pair.form.name)
                row.terms.append(term)
                row.pair_ids.append(pair.id)
                if pair.needs_attention:
                    row.attention.append(pair.needs_attention)
            for member in pair.current_members:
                if member.mentee_id in wanted:
                    row = info[member.mentee_id]
                    row.mentor_names.append(pair.mentor.full_name)
                    row.mentor_workplaces.append(pair.mentor.workplace or "")
                    row.forms.append(pair.form.name)
                    row.terms.append(term)
                    row.pair_ids.append(pair.id)
                    if pair.needs_attention:
                        row.attention.append(pair.needs_attention)
    return info


def _term(pair: Pair) -> str:
    start = pair.started_on.strftime("%d.%m.%Y") if pair.started_on else "…"
    end = pair.ended_on.strftime("%d.%m.%Y") if pair.ended_on else "по настоящее время"
    return f"{start} – {end}"


# --- A user's relations, cached for the request -------------------------------------------------


@dataclass
class Relations:
    """What one user is to the people and pairs of the portal. Each set is one query, run
    only when first asked and only for a user holding the role it concerns."""

    person_id: int | None
    roles: frozenset[str]

    @property
    def manages(self) -> bool:
        """Administrator or curator: every pair and person."""
        return bool(self.roles & set(MANAGERS))

    @property
    def reads_all(self) -> bool:
        """Staff (with the working group) read every pair."""
        return self.manages or Role.GROUP in self.roles

    def _acts_as(self, role: Role) -> bool:
        return self.person_id is not None and role in self.roles

    @cached_property
    def child_ids(self) -> frozenset[int]:
        """The persons this user is the legal representative of (parents only)."""
        if not self._acts_as(Role.PARENT):
            return frozenset()
        return frozenset(db.session.scalars(children_clause(self.person_id)))

    def represents(self, person_id: int) -> bool:
        return person_id in self.child_ids

    def is_self(self, person_id: int) -> bool:
        return self.person_id is not None and self.person_id == person_id

    @cached_property
    def current_mentee_ids(self) -> frozenset[int]:
        """The current members of the open pairs this user mentors (mentors only)."""
        if not self._acts_as(Role.MENTOR):
            return frozenset()
        query = (
            select(PairMember.mentee_id)
            .join(Pair, Pair.id == PairMember.pair_id)
            .where(Pair.mentor_id == self.person_id, current_member_clause(), open_pair_clause())
        )
        return frozenset(db.session.scalars(query))

    @cached_property
    def current_pairs(self) -> dict[int, frozenset[PairRole]]:
        """The open pairs and groups the user is in now, and in which roles."""
        found: dict[int, set[PairRole]] = {}
        if self.person_id is None:
            return {}
        clauses = []
        if Role.MENTOR in self.roles:
            clauses.append(
                select(Pair.id, PairRole.MENTOR.value).where(Pair.mentor_id == self.person_id)
            )
        if Role.MENTEE in self.roles:
            clauses.append(
                select(PairMember.pair_id, PairRole.MENTEE.value).where(
                    PairMember.mentee_id == self.person_id, current_member_clause()
                )
            )
        if self.child_ids:
            clauses.append(
                select(PairMember.pair_id, PairRole.PARENT.value).where(
                    PairMember.mentee_id.in_(self.child_ids), current_member_clause()
                )
            )
        if not clauses:
            return {}
        ids = select(Pair.id).where(open_pair_clause())
        for pair_id, role in db.session.execute(clauses[0].union_all(*clauses[1:])):
            found.setdefault(pair_id, set()).add(PairRole(role))
        open_ids = set(db.session.scalars(ids.where(Pair.id.in_(found))))
        return {pid: frozenset(roles) for pid, roles in found.items() if pid in open_ids}


_CACHE_KEY = "_portal_relations"


def relations_of(user) -> Relations:
    """The user's relations; cached on ``flask.g`` for the request (computed afresh outside one,
    so domain code and tests that change pairs between calls never see a stale answer)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Relations(None, frozenset())
    if has_request_context():
        cache = g.setdefault(_CACHE_KEY, {})
        found = cache.get(user.id)
        if found is None:
            found = cache[user.id] = _build(user)
        return found
    return _build(user)


def forget_relations() -> None:
    """Drop the request's cached relations (after a change to pairs or representatives)."""
    if has_request_context():
        g.pop(_CACHE_KEY, None)


def _build(user) -> Relations:
    roles = frozenset(str(r) for r in Role if user.has_role(r))
    return Relations(user.person_id, roles)


# --- How a user stands to one pair ----------------------------------------------------------------


def pair_roles(user, pair: Pair) -> frozenset[PairRole]:
    """Every role in which the user stands to the loaded pair; empty means no access.

    The mentor keeps the role after the pair ends; a mentee only while a current member, and a
    parent only while their child is one: a leaver and the leaver's parent are outsiders.
    """
    rel = relations_of(user)
    found = set()
    if rel.manages:
        found.add(PairRole.CURATOR)
    if Role.GROUP in rel.roles:
        found.add(PairRole.GROUP)
    if rel.person_id is None:
        return frozenset(found)
    if Role.MENTOR in rel.roles and pair.mentor_id == rel.person_id:
        found.add(PairRole.MENTOR)
    members = current_member_ids(pair)
    if Role.MENTEE in rel.roles and rel.person_id in members:
        found.add(PairRole.MENTEE)
    if Role.PARENT in rel.roles and members and members & rel.child_ids:
        found.add(PairRole.PARENT)
    return frozenset(found)


def visible_pairs_clause(user) -> ColumnElement[bool]:
    """The SQL condition on Pair meaning ``pair_roles(user, pair)`` is not empty."""
    rel = relations_of(user)
    if rel.reads_all:
        return true()
    if rel.person_id is None:
        return false()
    conditions = []
    if Role.MENTOR in rel.roles:
        conditions.append(Pair.mentor_id == rel.person_id)
    if Role.MENTEE in rel.roles:
        conditions.append(Pair.id.in_(current_pair_ids_clause(rel.person_id)))
    if Role.PARENT in rel.roles:
        conditions.append(Pair.id.in_(current_pair_ids_clause(children_clause(rel.person_id))))
    return or_(*conditions) if conditions else false()
