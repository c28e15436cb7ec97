"""The pair card is the hub: participants, the agreement and its next step, the plan, meetings."""

from portal.agreements.models import Agreement
from portal.extensions import db
from portal.statuses import AgreementStatus
from tests import factories


def _world(curator):
    teacher = factories.make_user(login="teacher", roles=["mentor"])
    mentor, child, mother, pair = factories.make_agreement_parties(mentor_user=teacher)
    pair.status = "черновик"
    db.session.commit()
    return teacher, mentor, child, mother, pair


def test_the_card_shows_the_people_with_age_consent_and_representative(client, auth, curator):
    _teacher, mentor, child, mother, pair = _world(curator)
    auth.login(curator)
    html = client.get(f"/matching/pairs/{pair.id}").get_data(as_text=True)
    assert f'href="/people/{mentor.id}"' in html and f'href="/people/{child.id}"' in html
    assert f'href="/people/{mother.id}"' in html
    assert "Законный представитель (мать)" in html
    assert f"{child.age} " in html and "Согласие действует" in html
    assert "Соглашение ещё не подготовлено." in html and "Подготовить соглашение" in html
    assert "Создать план" in html and "Встреч ещё не было." in html
    assert "Чтобы пара начала работу" in html


def test_prepare_and_issue_from_the_card_come_back_to_it(client, auth, curator):
    _teacher, _mentor, _child, _mother, pair = _world(curator)
    auth.login(curator)
    answer = client.post("/agreements/new", data={"pair": pair.id, "return_to": "pair"})
    assert answer.status_code == 302 and answer.location.endswith(f"/matching/pairs/{pair.id}")
    agreement = db.session.scalar(db.select(Agreement).where(Agreement.pair_id == pair.id))
    html = client.get(f"/matching/pairs/{pair.id}").get_data(as_text=True)
    assert agreement.number in html and "Выдать на подписание" in html
    answer = client.post(f"/agreements/{agreement.id}/issue", data={"return_to": "pair"})
    assert answer.location.endswith(f"/matching/pairs/{pair.id}")
    db.session.expire_all()
    assert db.session.get(Agreement, agreement.id).status == AgreementStatus.SIGNING
    html = client.get(f"/matching/pairs/{pair.id}").get_data(as_text=True)
    assert "0 из 2 подписей" in html
    # the agreement page leads back to the pair
    shown = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert f'href="/matching/pairs/{pair.id}"' in shown


def test_the_mentor_gets_sign_and_plan_buttons_on_her_pair(app, curator):
    teacher, _mentor, _child, _mother, pair = _world(curator)
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    html = (
        factories.client_for(app, teacher).get(f"/matching/pairs/{pair.id}").get_data(as_text=True)
    )
    assert f'href="/agreements/{agreement.id}/sign"' in html
    assert "Создать план" in html and "Подготовить соглашение" not in html
    plan = factories.make_plan(pair)
    client = factories.client_for(app, teacher)
    html = client.get(f"/matching/pairs/{pair.id}").get_data(as_text=True)
    assert f'href="/plans/{plan.id}"' in html and "Открыть план" in html
    assert f'href="/matching/pairs/{pair.id}"' in client.get(f"/plans/{plan.id}").get_data(
        as_text=True
    )
