"""Accounts of real people: one account per person, access follows the link at once."""

from datetime import date

import pytest

from portal.accounts import service
from portal.accounts.models import User
from portal.audit import history
from portal.domain import RuleViolation
from portal.extensions import db
from tests import factories


def test_the_login_is_proposed_by_the_passport_transliteration_and_kept_unique(app):
    assert service.propose_login("Кузнецова", "Елена", "Сергеевна") == "kuznetsova.es"
    assert service.propose_login("Щукина", "Юлия", "") == "shchukina.i"
    factories.make_user(login="kuznetsova.es")
    assert service.propose_login("Кузнецова", "Елена", "Сергеевна") == "kuznetsova.es2"


def test_an_account_created_for_a_person_gets_the_roles_the_record_implies(app, curator):
    child, mother = factories.make_child_with_parent()
    mentor = factories.make_mentor_person()
    user, password = service.create_account_for(mentor, "kuznetsova.es", actor=curator)
    parent_user, _ = service.create_account_for(mother, "orlova.np", actor=curator)
    db.session.commit()
    assert user.person_id == mentor.id and user.roles == {"mentor"}
    assert user.must_change_password and user.check_password(password)
    assert parent_user.roles == {"parent"}
    assert service.roles_for_person(child) == {"mentee"}
    assert [e.action for e in history("person", mentor.id)] == ["account_linked"]


def test_one_person_has_at_most_one_account(app, curator):
    mentor = factories.make_mentor_person()
    service.create_account_for(mentor, "first", actor=curator)
    db.session.commit()
    with pytest.raises(RuleViolation, match="уже есть учётная запись «first»"):
        service.create_account_for(mentor, "second", actor=curator)
    other = factories.make_user(login="other", roles=["mentor"])
    with pytest.raises(RuleViolation, match="не больше одной"):
        service.link_person(other, mentor, actor=curator)
    assert db.session.get(User, other.id).person_id is None


def test_an_account_linked_elsewhere_must_be_unlinked_first(app, curator):
    first = factories.make_mentor_person()
    second = factories.make_mentor_person("Смирнова", "Ольга")
    user = factories.make_user(login="teacher", roles=["mentor"], person=first)
    with pytest.raises(RuleViolation, match="сначала отвяжите"):
        service.link_person(user, second, actor=curator)


def _parties():
    mentor, child, mother, pair = factories.make_agreement_parties()
    agreement = factories.make_agreement(pair, issue=True)
    plan = factories.make_plan(pair)
    return mentor, child, mother, pair, agreement, plan


def test_a_linked_mentor_sees_her_agreement_and_plan_at_once(app, curator):
    mentor, _child, _mother, pair, agreement, plan = _parties()
    teacher = factories.make_user(login="teacher", roles=["mentor"])
    client = factories.client_for(app, teacher)
    assert client.get(f"/agreements/{agreement.id}").status_code == 403
    assert client.get(f"/plans/{plan.id}").status_code == 403

    service.link_person(teacher, mentor, actor=curator)
    db.session.commit()
    page = client.get(f"/agreements/{agreement.id}")
    assert page.status_code == 200
    assert agreement.number in page.get_data(as_text=True)
    # signing opens (first the rules of the electronic signature, once)
    sign = client.get(f"/agreements/{agreement.id}/sign")
    assert sign.status_code == 302 and "/agreements/rules" in sign.location
    assert client.get(f"/plans/{plan.id}").status_code == 200
    assert agreement.number in client.get("/agreements").get_data(as_text=True)

    service.unlink_person(db.session.get(User, teacher.id), actor=curator)
    db.session.commit()
    assert client.get(f"/agreements/{agreement.id}").status_code == 403
    assert client.get(f"/plans/{plan.id}").status_code == 403
    assert client.get(f"/matching/pairs/{pair.id}").status_code == 403


def test_linking_gives_a_mother_her_childs_pair_and_the_parent_role(app, curator):
    _mentor, _child, mother, pair, agreement, _plan = _parties()
    user = factories.make_user(login="mama", roles=["mentee"], full_name="Орлова Наталья Петровна")
    service.link_person(user, mother, actor=curator)
    db.session.commit()
    assert "parent" in db.session.get(User, user.id).roles
    client = factories.client_for(app, user)
    assert client.get(f"/matching/pairs/{pair.id}").status_code == 200
    assert client.get(f"/agreements/{agreement.id}/sign").status_code == 302  # the rules first
    assert client.get(f"/agreements/{agreement.id}").status_code == 200


def test_the_card_offers_an_account_and_the_screen_creates_it_with_a_slip(client, auth, curator):
    mentor = factories.make_mentor_person(birth_date=date(1985, 3, 2))
    auth.login(curator)
    card = client.get(f"/people/{mentor.id}").get_data(as_text=True)
    assert "Создать учётную запись" in card
    form = client.get(f"/users/for-person/{mentor.id}").get_data(as_text=True)
    assert 'value="kuznetsova.e' in form
    answer = client.post(
        f"/users/for-person/{mentor.id}", data={"login": "kuznetsova.es", "roles": ["mentor"]}
    )
    slip = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "Временный пароль" in slip and "kuznetsova.es" in slip
    assert db.session.scalar(db.select(User).where(User.person_id == mentor.id)).login == (
        "kuznetsova.es"
    )
    card = client.get(f"/people/{mentor.id}").get_data(as_text=True)
    assert "Учётная запись: kuznetsova.es" in card and "Создать учётную запись" not in card


def test_the_users_screen_searches_people_links_and_unlinks(client, auth, curator):
    mentor = factories.make_mentor_person()
    user = factories.make_user(login="teacher", roles=["mentor"], full_name="Кузнецова Е. С.")
    auth.login(curator)
    found = client.get(f"/users/{user.id}/people?q=кузнец").get_data(as_text=True)
    assert mentor.full_name in found and "Связать" in found
    client.post(f"/users/{user.id}/link", data={"person_id": mentor.id})
    assert db.session.get(User, user.id).person_id == mentor.id
    page = client.get(f"/users/{user.id}/edit").get_data(as_text=True)
    assert "Связана с карточкой" in page and "Отвязать" in page
    # a linked person is no longer offered to another account
    other = factories.make_user(login="other", roles=["mentor"])
    assert mentor.full_name not in client.get(f"/users/{other.id}/people?q=кузнец").get_data(
        as_text=True
    )
    client.post(f"/users/{user.id}/unlink")
    assert db.session.get(User, user.id).person_id is None


def test_the_taken_login_is_refused_on_the_person_screen(client, auth, curator):
    mentor = factories.make_mentor_person()
    factories.make_user(login="taken")
    auth.login(curator)
    answer = client.post(
        f"/users/for-person/{mentor.id}", data={"login": "taken", "roles": ["mentor"]}
    )
    assert answer.status_code == 422
    assert "Логин «taken» уже занят." in answer.get_data(as_text=True)
