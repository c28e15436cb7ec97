"""П. 6.2: the mentee, or the parent for the child, petitions to replace the mentor from the
pair's own page; the curator decides; the history stays."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.matching.models import Pair, Petition
from portal.statuses import PetitionStatus
from tests import factories


@pytest.fixture
def world(app, mentor, mentee, parent, stranger):
    forms = factories.make_matching_forms()
    form = forms["teacher-student"]
    mentor_p = factories.make_mentor_person(capacity=3, user=mentor)
    child = factories.make_mentee_person(user=mentee)
    mother = factories.make_person(
        "Орлова", "Наталья", "Петровна", category="родитель", birth_date=None, user=parent
    )
    factories.make_representative(child, mother)
    pair = factories.make_pair(mentor_p, [child], form)
    other = factories.make_mentor_person("Новикова", "Татьяна", capacity=3)
    return {"pair": pair, "child": child, "other_mentor": other}


def _file(client, pair, reason="Наставник не выходит на связь уже месяц", **extra):
    data = {"reason": reason, **extra}
    return client.post(f"/matching/pairs/{pair.id}/my-petition", data=data, follow_redirects=True)


def test_the_mentee_files_from_the_pair_page(world, client, auth, mentee):
    pair, child = world["pair"], world["child"]
    auth.login(mentee)
    page = client.get(f"/matching/pairs/{pair.id}").get_data(as_text=True)
    assert "Подать ходатайство" in page
    done = _file(client, pair, mentee_id=child.id).get_data(as_text=True)
    assert "Ходатайство о замене наставника подано" in done
    petition = db.session.scalar(select(Petition))
    assert petition.mentee_id == child.id and petition.status == PetitionStatus.PENDING
    assert petition.filed_by_user_id == mentee.id and "(наставляемый)" in petition.filed_by_name
    again = _file(client, pair, mentee_id=child.id).get_data(as_text=True)
    assert "уже подано и ждёт решения куратора" in again
    assert db.session.query(Petition).count() == 1


def test_the_parent_files_for_the_child_and_the_curator_decides(
    world, client, auth, parent, curator
):
    pair, child = world["pair"], world["child"]
    auth.login(parent)
    empty = _file(client, pair, reason="", mentee_id=child.id).get_data(as_text=True)
    assert "Укажите причину" in empty and db.session.query(Petition).count() == 0
    _file(client, pair, mentee_id=child.id)
    petition = db.session.scalar(select(Petition))
    assert "родитель (законный представитель)" in petition.filed_by_name
    auth.login(curator)
    page = client.get(f"/matching/pairs/{pair.id}").get_data(as_text=True)
    assert "Подал(а) в портале: Орлова Наталья Петровна" in page
    client.post(
        f"/matching/pairs/{pair.id}/petitions/{petition.id}/grant",
        data={"resolve-mentor_id": world["other_mentor"].id, "resolve-note": "Приказ № 15"},
    )
    db.session.expire_all()
    petition = db.session.get(Petition, petition.id)
    assert petition.status == PetitionStatus.GRANTED and petition.new_pair_id
    old = db.session.get(Pair, pair.id)
    new = db.session.get(Pair, petition.new_pair_id)
    assert new.mentor_id == world["other_mentor"].id and new.replaces_id == old.id
    # The old pair and its petition stay, as history.
    page = client.get(f"/matching/pairs/{old.id}").get_data(as_text=True)
    assert "Наставник не выходит на связь" in page and "удовлетворено" in page


def test_the_mentor_and_a_stranger_cannot_file(world, client, auth, mentor, stranger):
    pair, child = world["pair"], world["child"]
    auth.login(mentor)
    assert (
        client.post(
            f"/matching/pairs/{pair.id}/my-petition", data={"reason": "x", "mentee_id": child.id}
        ).status_code
        == 403
    )
    page = client.get(f"/matching/pairs/{pair.id}").get_data(as_text=True)
    assert "Подать ходатайство" not in page
    auth.login(stranger)
    assert (
        client.post(
            f"/matching/pairs/{pair.id}/my-petition", data={"reason": "x", "mentee_id": child.id}
        ).status_code
        == 403
    )
    assert db.session.query(Petition).count() == 0
