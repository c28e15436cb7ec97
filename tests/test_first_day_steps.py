"""No dead end between the steps of a first day: from a new mentee to a working pair."""

from datetime import date

from portal.agreements import signing
from portal.agreements.models import Agreement
from portal.audit import history
from portal.extensions import db
from portal.matching import pairs as pair_service
from portal.matching.models import Pair
from portal.people.models import Person
from portal.statuses import AgreementStatus, PairStatus, PersonStatus
from tests import factories

INFO = signing.RequestInfo(ip="127.0.0.1", user_agent="pytest")


def test_the_mentees_card_leads_to_the_quick_screen_with_her_chosen(client, auth, curator):
    factories.make_matching_forms()
    child = factories.make_mentee_person()
    auth.login(curator)
    card = client.get(f"/people/{child.id}").get_data(as_text=True)
    assert f'href="/matching?mentee={child.id}"' in card and "Подобрать наставника" in card
    screen = client.get(f"/matching?mentee={child.id}").get_data(as_text=True)
    assert f"mentee={child.id}" in screen and 'hx-trigger="load"' in screen


def test_the_quick_screen_finds_a_mentor_by_name_beyond_the_top_ten(client, auth, curator):
    forms = factories.make_matching_forms()
    form = forms["teacher-student"]
    child = factories.make_mentee_person()
    for n in range(11):
        factories.make_mentor_person(f"Лучшая{n}", "Анна")
    # fits the form, but shares nothing with the child: outside the top ten
    factories.make_mentor_person(
        "Смирнова", "Ольга", competencies=("вокал",), interests=("вокал",), club="Вокал"
    )
    auth.login(curator)
    top = client.get(f"/matching/suggest?form={form.id}&mentee={child.id}").get_data(as_text=True)
    assert top.count('class="card suggestion"') == 10 and "Смирнова" not in top
    assert 'name="mentor_q"' in top
    found = client.get(
        f"/matching/suggest?form={form.id}&mentee={child.id}&mentor_q=смирн"
    ).get_data(as_text=True)
    assert "Смирнова Ольга" in found and "Назначить" in found
    assert 'class="score-num"' in found and "<html" not in found
    assert "Найдено по запросу «смирн»: 1" in found


def _draft_world():
    teacher = factories.make_user(login="teacher", roles=["mentor"])
    mother_user = factories.make_user(login="mama", roles=["parent"])
    mentor, child, mother, pair = factories.make_agreement_parties(
        mentor_user=teacher, parent_user=mother_user
    )
    pair.status = PairStatus.DRAFT
    pair.started_on = None
    mentor.status = child.status = PersonStatus.CANDIDATE
    db.session.commit()
    return teacher, mother_user, mentor, child, mother, pair


def _sign(agreement_id, user):
    agreement = db.session.get(Agreement, agreement_id)
    signing.accept_rules(user, INFO)
    signing.sign_with_password(
        agreement_id, user, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
    )
    db.session.commit()


def test_the_pair_starts_itself_when_the_agreement_is_signed(app, curator):
    teacher, mother_user, mentor, child, _mother, pair = _draft_world()
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    _sign(agreement.id, teacher)
    assert db.session.get(Pair, pair.id).status == PairStatus.DRAFT  # one signature is not all
    _sign(agreement.id, mother_user)
    db.session.expire_all()
    pair = db.session.get(Pair, pair.id)
    assert pair.status == PairStatus.ACTIVE and pair.started_on is not None
    assert db.session.get(Person, child.id).status == PersonStatus.MEMBER
    assert db.session.get(Person, mentor.id).status == PersonStatus.MEMBER
    assert db.session.get(Person, child.id).entered_on == pair.started_on


def test_without_consent_the_signed_pair_waits_and_its_card_says_why(app, client, auth, curator):
    teacher, mother_user, mentor, child, _mother, pair = _draft_world()
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    for consent in mentor.consents:
        consent.revoked_on = date.today()
    db.session.commit()
    _sign(agreement.id, teacher)
    _sign(agreement.id, mother_user)
    assert db.session.get(Pair, pair.id).status == PairStatus.DRAFT
    auth.login(curator)
    html = client.get(f"/matching/pairs/{pair.id}").get_data(as_text=True)
    assert "Чтобы пара начала работу" in html and "согласие отозвано" in html
    assert "подписано" in html


def test_a_completed_pair_completes_its_mentee(app, curator):
    _t, _m, _mentor, child, _mother, pair = _draft_world()
    pair_service.activate(pair)
    pair_service.complete(pair, "Собрали робота")
    db.session.commit()
    child = db.session.get(Person, child.id)
    assert child.status == PersonStatus.COMPLETED and child.completed_on is not None


def test_a_draft_pairs_mentor_is_changed_directly_cancelling_the_unsigned_agreement(
    app, client, auth, curator
):
    _teacher, mother_user, _mentor, _child, _mother, pair = _draft_world()
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    _sign(agreement.id, mother_user)
    other = factories.make_mentor_person("Смирнова", "Ольга")
    auth.login(curator)
    html = client.get(f"/matching/pairs/{pair.id}").get_data(as_text=True)
    assert "Сменить наставника" in html and "Ходатайство о замене наставника" not in html
    answer = client.post(f"/matching/pairs/{pair.id}/mentor", data={"mentor-mentor_id": other.id})
    assert answer.status_code == 302
    db.session.expire_all()
    assert db.session.get(Pair, pair.id).mentor_id == other.id
    cancelled = db.session.get(Agreement, agreement.id)
    assert cancelled.status == AgreementStatus.TERMINATED
    assert "наставник пары заменён" in cancelled.termination_reason
    card = client.get(f"/matching/pairs/{pair.id}").get_data(as_text=True)
    assert "Подготовить соглашение" in card and "Кузнецова Е.С. → Смирнова О.С." in card


def test_a_working_pairs_mentor_is_changed_only_by_petition(app, client, auth, curator):
    _t, _m, _mentor, _child, _mother, pair = _draft_world()
    pair_service.activate(pair)
    db.session.commit()
    other = factories.make_mentor_person("Смирнова", "Ольга")
    auth.login(curator)
    answer = client.post(f"/matching/pairs/{pair.id}/mentor", data={"mentor-mentor_id": other.id})
    assert answer.status_code == 422
    assert "по ходатайству" in answer.get_data(as_text=True)


def test_a_representative_has_no_participants_status_or_consent_badge(client, auth, curator):
    child, mother = factories.make_child_with_parent()
    auth.login(curator)
    html = client.get(f"/people/{mother.id}").get_data(as_text=True)
    head = html.split('<div class="columns">')[0]
    assert "Законный представитель" in head
    assert "Нет согласия" not in head and "участник" not in head
    child_head = client.get(f"/people/{child.id}").get_data(as_text=True)
    assert "Согласие действует" in child_head.split('<div class="columns">')[0]


def test_a_new_persons_first_history_entry_lists_what_was_filled_in(client, auth, curator):
    from tests.test_people_registry import form_data

    auth.login(curator)
    assert client.post("/people/new?base=mentees", data=form_data()).status_code == 302
    person = db.session.scalar(db.select(Person).where(Person.last_name == "Иванова"))
    [created] = history("person", person.id)
    assert "capacity" not in created.changes and "achievements" not in created.changes
    assert all(new not in (None, "", []) for _old, new in created.changes.values())
    assert list(created.changes)[:2] == ["last_name", "first_name"]
