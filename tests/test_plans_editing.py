"""Editing a plan together: per-field saves with versions, conflicts, validation, history."""

import random
import re
from datetime import date

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.plans import editing
from portal.plans.models import Plan, PlanChange, PlanItem
from portal.timeutil import to_moscow
from tests import factories
from tests.factories import client_for


@pytest.fixture
def world(app, mentor, mentee, parent):
    return factories.make_plan_world(mentor, mentee, parent)


def save(client, item, field, value, base):
    return client.post(
        f"/plans/items/{item.id}/{field}",
        data={"value": value, "base": str(base)},
        headers={"HX-Request": "true"},
    )


def stored(item_id):
    db.session.expire_all()
    return db.session.get(PlanItem, item_id)


def field_history(item_id, field):
    return list(
        db.session.scalars(
            select(PlanChange)
            .where(PlanChange.item_id == item_id, PlanChange.field == field)
            .order_by(PlanChange.id)
        )
    )


def test_a_save_applies_records_who_and_bumps_versions(app, world, mentor):
    item = world.items[0]
    plan_version, base = world.plan.version, item.version
    response = save(client_for(app, mentor), item, "title", "Экскурсия в технопарк", base)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'value="Экскурсия в технопарк"' in html
    assert f'data-version="{base + 1}"' in html
    fresh = stored(item.id)
    assert fresh.title == "Экскурсия в технопарк"
    assert fresh.version == base + 1
    assert db.session.get(Plan, world.plan.id).version == plan_version + 1
    [change] = field_history(item.id, "title")
    assert (change.old, change.new) == (
        "Экскурсия в место обучения наставника",
        "Экскурсия в технопарк",
    )
    assert change.user_id == mentor.id and change.user_name == "Кузнецова Елена Сергеевна"
    assert change.plan_version == plan_version + 1


def test_stale_save_is_a_conflict_showing_both_values(app, world, mentor, mentee):
    item = world.items[0]
    base = item.version
    first = save(client_for(app, mentor), item, "expected_result", "Отчёт с фотографиями", base)
    assert first.status_code == 200
    second = save(client_for(app, mentee), item, "expected_result", "Рассказ одноклассникам", base)
    assert second.status_code == 409
    html = second.get_data(as_text=True)
    assert "Ваш вариант" in html and "Рассказ одноклассникам" in html
    assert "Вариант Кузнецовой Е. С." in html and "Отчёт с фотографиями" in html
    assert "Оставить мой" in html and "Принять их" in html and "Сохранить объединённый" in html
    assert stored(item.id).expected_result == "Отчёт с фотографиями"
    # «Оставить мой» re-submits against the version the conflict showed.
    new_base = re.search(r'name="base" value="(\d+)"', html).group(1)
    kept = save(
        client_for(app, mentee), item, "expected_result", "Рассказ одноклассникам", new_base
    )
    assert kept.status_code == 200
    assert stored(item.id).expected_result == "Рассказ одноклассникам"
    assert [c.new for c in field_history(item.id, "expected_result")] == [
        "Отчёт с фотографиями",
        "Рассказ одноклассникам",
    ]


def test_different_fields_of_one_activity_do_not_conflict(app, world, mentor, mentee):
    item = world.items[0]
    base = item.version
    assert save(client_for(app, mentor), item, "format", "Воркшопы", base).status_code == 200
    assert save(client_for(app, mentee), item, "result", "Сделали макет", base).status_code == 200
    fresh = stored(item.id)
    assert (fresh.format, fresh.result) == ("Воркшопы", "Сделали макет")


def test_the_same_value_twice_is_not_a_conflict(app, world, mentor, mentee):
    item = world.items[1]
    base = item.version
    assert save(client_for(app, mentor), item, "status", "перенесено", base).status_code == 200
    again = save(client_for(app, mentee), item, "status", "перенесено", base)
    assert again.status_code == 200
    assert len(field_history(item.id, "status")) == 1


def test_interleaved_saves_from_two_clients_are_never_lost(app, world, mentor, mentee):
    """Both people keep typing into the same field from stale and fresh versions."""
    item = world.items[0]
    clients = {"mentor": client_for(app, mentor), "mentee": client_for(app, mentee)}
    seen = {"mentor": item.version, "mentee": item.version}  # the version each screen shows
    rng = random.Random(5)
    applied, conflicts = [], 0
    for n in range(40):
        who = rng.choice(["mentor", "mentee"])
        value = f"{who} вариант {n}"
        response = save(clients[who], item, "result", value, seen[who])
        html = response.get_data(as_text=True)
        if response.status_code == 200:
            applied.append(value)
            seen[who] = int(re.search(r'data-version="(\d+)"', html).group(1))
            assert stored(item.id).result == value
        else:
            assert response.status_code == 409
            conflicts += 1
            assert value in html  # the editor's own text is on screen
            current = stored(item.id).result
            assert current in html  # and the other person's
            # The person reads the conflict and now holds the current version.
            seen[who] = int(re.search(r'name="base" value="(\d+)"', html).group(1))
        if rng.random() < 0.3:  # the other screen catches up through a poll
            other = "mentee" if who == "mentor" else "mentor"
            seen[other] = stored(item.id).version
    assert conflicts > 0 and len(applied) > 0
    assert len(applied) + conflicts == 40
    history = field_history(item.id, "result")
    assert [c.new for c in history] == applied
    assert stored(item.id).result == applied[-1]
    for before, after in zip(history, history[1:], strict=False):
        assert after.old == before.new  # a chain: every change saw the previous one


def test_save_to_deleted_activity_says_so_and_keeps_the_text(app, world, mentor, mentee):
    item = world.items[1]
    deleted = client_for(app, mentor).post(f"/plans/items/{item.id}/delete")
    assert "удалено" in deleted.get_data(as_text=True)
    response = save(client_for(app, mentee), item, "result", "Мой длинный отчёт", item.version)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Мероприятие «Подготовка к конкурсу» удалено" in html
    assert "Кузнецова Елена Сергеевна" in html
    assert "Мой длинный отчёт" in html
    assert "Вернуть мероприятие" in html
    assert stored(item.id).result is None
    assert field_history(item.id, "result") == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("end_on", "2026-09-01", "не может быть раньше начала"),
        ("title", "   ", "не может быть пустым"),
        ("title", "Я" * 301, "не больше 300 символов"),
        ("expected_result", "ж" * 2001, "не больше 2000 символов"),
        ("status", "потеряно", "выберите значение из списка"),
        ("start_on", "31.02.2026", "Дата указана неверно"),
    ],
)
def test_invalid_values_are_refused_with_422_and_kept(app, world, mentor, field, value, message):
    item = world.items[0]
    client = client_for(app, mentor)
    assert save(client, item, "start_on", "2026-10-01", item.version).status_code == 200
    before = stored(item.id)
    response = save(client, item, field, value, before.version)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    if field != "status":
        assert value.strip()[:50] in html  # what was typed stays in the field
    after = stored(item.id)
    assert after.version == before.version
    assert getattr(after, field) == getattr(before, field)


def test_history_per_plan_and_activity_and_restore(app, world, mentor, mentee):
    item = world.items[0]
    base = item.version
    save(client_for(app, mentor), item, "title", "Экскурсия в кванториум", base)
    save(client_for(app, mentee), item, "title", "Экскурсия на завод", base + 1)
    page = client_for(app, mentee).get(f"/plans/items/{item.id}/history")
    html = page.get_data(as_text=True)
    assert "Экскурсия в кванториум" in html and "Экскурсия на завод" in html
    assert "Орлов Дмитрий Андреевич" in html and "Кузнецова Елена Сергеевна" in html
    plan_page = client_for(app, mentor).get(f"/plans/{world.plan.id}/history")
    assert "Подготовка к конкурсу" in plan_page.get_data(as_text=True)  # other activity too
    last = field_history(item.id, "title")[-1]
    response = client_for(app, mentor).post(f"/plans/changes/{last.id}/restore")
    assert response.status_code == 302
    assert stored(item.id).title == "Экскурсия в кванториум"
    restored = field_history(item.id, "title")[-1]
    assert (restored.old, restored.new) == ("Экскурсия на завод", "Экскурсия в кванториум")
    assert restored.user_id == mentor.id and "восстановлено" in restored.note
    # The note names the time of the undone change as people read it: Moscow time.
    assert f"{to_moscow(last.at):%d.%m.%Y %H:%M} (МСК)" in restored.note


def test_mentee_activity_is_a_proposal_until_the_mentor_accepts(app, world, mentor, mentee):
    response = client_for(app, mentee).post(
        f"/plans/{world.plan.id}/items",
        data={"title": "Сетевой проект с другой школой"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "предложено наставляемым" in response.get_data(as_text=True)
    item = db.session.scalar(select(PlanItem).where(PlanItem.title.like("Сетевой%")))
    assert item.proposed_by_mentee
    assert client_for(app, mentee).post(f"/plans/items/{item.id}/accept").status_code == 403
    accepted = client_for(app, mentor).post(f"/plans/items/{item.id}/accept")
    assert "предложено наставляемым" not in accepted.get_data(as_text=True)
    assert not stored(item.id).proposed_by_mentee
    assert [c.field for c in editing.history(world.plan.id, item.id)] == ["_accepted", "_created"]


def test_goal_saves_and_conflicts_on_the_plan_version(app, world, mentor, mentee):
    plan = world.plan
    base = plan.version
    url = f"/plans/{plan.id}/goal"
    first = client_for(app, mentor).post(url, data={"value": "Подготовить проект", "base": base})
    assert first.status_code == 200
    # An activity change in between does not make the goal stale for the mentee...
    save(client_for(app, mentee), world.items[0], "format", "Митапы", world.items[0].version)
    second = client_for(app, mentee).post(url, data={"value": "Научиться выступать", "base": base})
    assert second.status_code == 409  # ...but the mentor's goal change does
    assert "Подготовить проект" in second.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Plan, plan.id).goal == "Подготовить проект"


def test_add_rejects_empty_title_and_reorder_moves(app, world, mentor):
    client = client_for(app, mentor)
    empty = client.post(f"/plans/{world.plan.id}/items", data={"title": ""})
    assert empty.status_code == 422
    assert "Введите название мероприятия." in empty.get_data(as_text=True)
    second = world.items[1]
    moved = client.post(f"/plans/items/{second.id}/move", data={"direction": "up"})
    html = moved.get_data(as_text=True)
    assert html.index("Подготовка к конкурсу") < html.index("Экскурсия в место обучения")
    db.session.expire_all()
    titles = [i.title for i in db.session.get(Plan, world.plan.id).live_items]
    assert titles == ["Подготовка к конкурсу", "Экскурсия в место обучения наставника"]


def test_checkbox_and_dates_round_trip(app, world, mentor):
    item = world.items[0]
    base = item.version
    client = client_for(app, mentor)
    client.post(f"/plans/items/{item.id}/completed", data={"value": ["", "1"], "base": base})
    client.post(f"/plans/items/{item.id}/start_on", data={"value": "2026-10-05", "base": base})
    fresh = stored(item.id)
    assert fresh.completed is True and fresh.start_on == date(2026, 10, 5)
    client.post(f"/plans/items/{item.id}/completed", data={"value": [""], "base": fresh.version})
    assert stored(item.id).completed is False


def test_plan_is_created_with_a_post_never_by_get(app, mentor, mentee):
    mentor_person = factories.make_person(
        "Кузнецова", "Елена", "Сергеевна", user=mentor, category="педагог"
    )
    mentee_person = factories.make_person(user=mentee)
    pair = factories.make_pair(mentor_person, [mentee_person])
    client = client_for(app, mentor)
    page = client.get(f"/plans/pair/{pair.id}")
    assert "Создать план" in page.get_data(as_text=True)
    assert db.session.scalar(select(Plan)) is None
    created = client.post(f"/plans/pair/{pair.id}")
    plan = db.session.scalar(select(Plan))
    assert created.location.endswith(f"/plans/{plan.id}")
    assert client.get(f"/plans/pair/{pair.id}").location.endswith(f"/plans/{plan.id}")
    again = client.post(f"/plans/pair/{pair.id}")  # idempotent
    assert again.location.endswith(f"/plans/{plan.id}")
    page = client.get(f"/plans/{plan.id}")
    assert "Кузнецова Елена Сергеевна" in page.get_data(as_text=True)


def test_a_refused_value_keeps_the_editors_version_so_a_fix_still_sees_conflicts(
    app, world, mentor, mentee
):
    item = world.items[0]
    base = item.version
    save(client_for(app, mentor), item, "title", "Экскурсия в кванториум", base)
    refused = save(client_for(app, mentee), item, "title", "Я" * 301, base)
    assert refused.status_code == 422
    kept = re.search(r'name="base" value="(\d+)"', refused.get_data(as_text=True)).group(1)
    assert int(kept) == base  # not the newer version: the mentee has not seen the change
    fixed = save(client_for(app, mentee), item, "title", "Экскурсия на завод", kept)
    assert fixed.status_code == 409
    assert "Экскурсия в кванториум" in fixed.get_data(as_text=True)
