"""Live updates: the cheap poll (204 when nothing changed) and presence heartbeats."""

from datetime import timedelta

import pytest
from sqlalchemy import update

from portal.extensions import db
from portal.plans.models import PlanPresence
from portal.timeutil import utcnow
from tests import factories
from tests.factories import client_for


@pytest.fixture
def world(app, mentor, mentee, parent):
    return factories.make_plan_world(mentor, mentee, parent)


def poll(client, plan, since):
    return client.get(f"/plans/{plan.id}/changes?since={since}", headers={"HX-Request": "true"})


def test_poll_answers_204_with_no_body_when_nothing_changed(app, world, mentee):
    response = poll(client_for(app, mentee), world.plan, world.plan.version)
    assert response.status_code == 204
    assert response.data == b""


def test_poll_sends_the_changed_field_out_of_band_and_the_new_version(app, world, mentor, mentee):
    item = world.items[0]
    since, base = world.plan.version, item.version
    client_for(app, mentor).post(
        f"/plans/items/{item.id}/result", data={"value": "Посетили лабораторию", "base": base}
    )
    response = poll(client_for(app, mentee), world.plan, since)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f'id="f-{item.id}-result"' in html and 'hx-swap-oob="true"' in html
    assert "Посетили лабораторию" in html
    assert f"since={since + 1}" in html  # the next poll asks from the new version
    assert f'id="f-{item.id}-title"' not in html  # unchanged fields are not re-sent
    assert "последнее изменение: Кузнецова Е. С." in html
    assert poll(client_for(app, mentee), world.plan, since + 1).status_code == 204


def test_poll_brings_new_deleted_and_reordered_activities(app, world, mentor, mentee):
    since = world.plan.version
    mentor_client = client_for(app, mentor)
    mentor_client.post(f"/plans/{world.plan.id}/items", data={"title": "Хакатон Центра"})
    mentor_client.post(f"/plans/items/{world.items[0].id}/delete")
    html = poll(client_for(app, mentee), world.plan, since).get_data(as_text=True)
    assert 'hx-swap-oob="beforeend:#plan-items"' in html and "Хакатон Центра" in html
    assert f'id="item-{world.items[0].id}" class="plan-item deleted"' in html
    assert 'id="plan-order"' in html


def test_presence_shows_others_and_what_they_edit_then_expires(app, world, mentor, mentee):
    item = world.items[0]
    client_for(app, mentee).post(f"/plans/{world.plan.id}/presence", data={"item": item.id})
    seen = client_for(app, mentor).post(f"/plans/{world.plan.id}/presence", data={"item": ""})
    html = seen.get_data(as_text=True)
    assert "Сейчас в плане:" in html
    assert "Орлов Д. А. (редактирует «Экскурсия в место обучения наставника»)" in html
    assert "Кузнецова" not in html  # not oneself
    db.session.execute(update(PlanPresence).values(last_seen=utcnow() - timedelta(seconds=30)))
    db.session.commit()
    later = client_for(app, mentor).post(f"/plans/{world.plan.id}/presence", data={"item": ""})
    assert "Орлов" not in later.get_data(as_text=True)
    assert "никто не открыл" in later.get_data(as_text=True)


def test_presence_ignores_an_activity_of_another_plan(app, world, mentee):
    other = factories.make_plan_world(titles=("Чужое мероприятие",))
    client = client_for(app, mentee)
    client.post(f"/plans/{world.plan.id}/presence", data={"item": other.items[0].id})
    row = db.session.get(PlanPresence, (world.plan.id, mentee.id))
    assert row is not None and row.item_id is None


def test_plan_page_has_the_poller_presence_and_fields(app, world, mentee):
    html = client_for(app, mentee).get(f"/plans/{world.plan.id}").get_data(as_text=True)
    assert f"/plans/{world.plan.id}/changes?since={world.plan.version}" in html
    assert 'hx-trigger="every 1500ms"' in html
    assert f'hx-post="/plans/{world.plan.id}/presence"' in html
    assert 'hx-trigger="change, submit"' in html
    assert "Экскурсия в место обучения наставника" in html
    assert "Кейс-метод" in html  # the glossary of Приложение № 4 as help
    assert "Мероприятия Центра" in html  # the form's suggested formats
