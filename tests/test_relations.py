"""The one answer to who relates to whom: each SQL clause agrees with its Python predicate."""

from sqlalchemy import select

from portal.demo import seed_demo
from portal.extensions import db
from portal.matching.models import Pair, PairMember
from portal.people.models import Person
from portal.relations import (
    PairRole,
    consent_state,
    consent_state_clause,
    current_member_clause,
    is_current_member,
    is_open_pair,
    open_pair_clause,
    pair_roles,
    relations_of,
    visible_pairs_clause,
)
from portal.statuses import ConsentState, PairStatus
from tests import factories


def test_each_clause_selects_exactly_what_its_predicate_accepts(app):
    seed_demo(people=60)
    db.session.commit()
    pairs = db.session.scalars(select(Pair)).all()
    assert {p.id for p in pairs if is_open_pair(p)} == set(
        db.session.scalars(select(Pair.id).where(open_pair_clause()))
    )
    members = db.session.scalars(select(PairMember)).all()
    assert {m.id for m in members if is_current_member(m)} == set(
        db.session.scalars(select(PairMember.id).where(current_member_clause()))
    )
    people = db.session.scalars(select(Person)).all()
    for state in ConsentState:
        expected = {p.id for p in people if consent_state(p) == state}
        found = set(db.session.scalars(select(Person.id).where(consent_state_clause(state))))
        assert found == expected, state
    assert {consent_state(p) for p in people} == set(ConsentState)  # every state occurs


def test_a_users_relations_and_the_pairs_they_see(app, mentor, mentee, parent):
    mentor_p, child, mother, pair = factories.make_agreement_parties(mentor, mentee, parent)
    leaver_user = factories.make_user(login="left", roles=["mentee"])
    leaver_parent = factories.make_user(login="left-p", roles=["parent"])
    factories.make_leaver(pair, leaver_user, leaver_parent)
    closed = factories.make_pair(mentor_p, [child], status=PairStatus.COMPLETED)
    db.session.expire_all()
    assert relations_of(mentor).current_pairs == {pair.id: {PairRole.MENTOR}}
    assert relations_of(mentee).current_pairs == {pair.id: {PairRole.MENTEE}}
    assert relations_of(parent).current_pairs == {pair.id: {PairRole.PARENT}}
    assert relations_of(parent).child_ids == {child.id}
    assert relations_of(leaver_user).current_pairs == {}
    assert relations_of(leaver_parent).current_pairs == {}
    for user in (mentor, mentee, parent, leaver_user, leaver_parent):
        seen = set(db.session.scalars(select(Pair.id).where(visible_pairs_clause(user))))
        by_predicate = {p.id for p in (pair, closed) if pair_roles(user, p)}
        assert seen == by_predicate, user.login
    # The mentor keeps the ended pair (their history); the leaver and her parent see nothing.
    assert pair_roles(mentor, closed) == {PairRole.MENTOR}
    assert pair_roles(leaver_user, pair) == set() and pair_roles(leaver_parent, pair) == set()
