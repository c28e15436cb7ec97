"""Who may do what with a plan: every plans route against every persona."""

from datetime import date

import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.plans.meetings import save_meeting
from portal.plans.models import Plan, PlanChange
from tests import factories
from tests.factories import client_for

READ, EDIT, ACCEPT, APPROVE, JOURNAL = "read", "edit", "accept", "approve", "journal"
# (method, endpoint, url pattern, what the route needs)
ROUTES = [
    ("GET", "plans.show", "/plans/{plan}", READ),
    ("GET", "plans.changes", "/plans/{plan}/changes?since=0", READ),
    ("POST", "plans.presence", "/plans/{plan}/presence", READ),
    ("GET", "plans.history", "/plans/{plan}/history", READ),
    ("GET", "plans.item_history", "/plans/items/{item}/history", READ),
    ("GET", "plans.field", "/plans/items/{item}/title", READ),
    ("GET", "plans.goal", "/plans/{plan}/goal", READ),
    ("GET", "plans.pdf", "/plans/{plan}.pdf", READ),
    ("GET", "plans.meetings", "/plans/{plan}/meetings", READ),
    ("GET", "plans.for_pair", "/plans/pair/{pair}", READ),
    ("POST", "plans.create_for_pair", "/plans/pair/{pair}", EDIT),
    ("POST", "plans.save_field", "/plans/items/{item}/title", EDIT),
    ("POST", "plans.save_goal", "/plans/{plan}/goal", EDIT),
    ("POST", "plans.add_item", "/plans/{plan}/items", EDIT),
    ("POST", "plans.move_item", "/plans/items/{item}/move", EDIT),
    ("POST", "plans.delete_item", "/plans/items/{item}/delete", EDIT),
    ("POST", "plans.undelete_item", "/plans/items/{item}/undelete", EDIT),
    ("POST", "plans.restore", "/plans/changes/{change}/restore", EDIT),
    ("POST", "plans.accept_item", "/plans/items/{item}/accept", ACCEPT),
    ("POST", "plans.approve", "/plans/{plan}/approve", APPROVE),
    ("GET", "plans.new_meeting", "/plans/{plan}/meetings/new", JOURNAL),
    ("POST", "plans.new_meeting", "/plans/{plan}/meetings/new", JOURNAL),
    ("GET", "plans.edit_meeting", "/plans/meetings/{meeting}", JOURNAL),
    ("POST", "plans.edit_meeting", "/plans/meetings/{meeting}", JOURNAL),
]
CAN = {
    "admin": {READ, EDIT, ACCEPT, APPROVE, JOURNAL},
    "curator": {READ, EDIT, ACCEPT, APPROVE, JOURNAL},
    "group": {READ},
    "mentor": {READ, EDIT, ACCEPT, JOURNAL},
    "mentee": {READ, EDIT},
    "parent": {READ},
    "other_mentor": set(),  # a mentor of another pair
    "other_parent": set(),  # a parent of another child
    "other_mentee": set(),
    "stranger": set(),  # a mentor account with no person at all
    "leaver": set(),  # a mentee who has left the group
    "leaver_parent": set(),  # the parent of that mentee
}


@pytest.fixture
def setting(app, admin, curator, group, mentor, mentee, parent, stranger):
    world = factories.make_plan_world(mentor, mentee, parent)
    other_mentor = factories.make_user(login="m2", roles=["mentor"], full_name="Васильев П. О.")
    other_parent = factories.make_user(login="p2", roles=["parent"], full_name="Смирнова О. И.")
    other_mentee = factories.make_user(login="k2", roles=["mentee"], full_name="Смирнова А. И.")
    other = factories.make_plan_world(other_mentor, other_mentee, other_parent, titles=("Чужое",))
    leaver = factories.make_user(login="left", roles=["mentee"], full_name="Белов А. А.")
    leaver_parent = factories.make_user(login="left-p", roles=["parent"], full_name="Белова Н. П.")
    factories.make_leaver(world.pair, leaver, leaver_parent)
    factories.make_plan_item(world.plan, "Предложение", user=mentee, proposed=True)
    change = db.session.scalar(select(PlanChange).where(PlanChange.field == "_created"))
    db.session.execute(  # a field change to restore
        PlanChange.__table__.insert().values(
            plan_id=world.plan.id,
            item_id=world.items[0].id,
            field="format",
            old="Митапы",
            new=None,
            plan_version=world.plan.version,
            item_version=1,
            at=change.at,
        )
    )
    meeting = save_meeting(
        None,
        world.pair,
        world.plan,
        held_on=date(2026, 10, 1),
        format="очно",
        topic="Знакомство",
        summary=None,
        attendee_ids=[world.mentee.id],
        item_ids=[],
        user=mentor,
    )
    db.session.commit()
    restorable = db.session.scalar(select(PlanChange).where(PlanChange.field == "format"))
    users = {
        "admin": admin,
        "curator": curator,
        "group": group,
        "mentor": mentor,
        "mentee": mentee,
        "parent": parent,
        "other_mentor": other_mentor,
        "other_parent": other_parent,
        "other_mentee": other_mentee,
        "stranger": stranger,
        "leaver": leaver,
        "leaver_parent": leaver_parent,
    }
    ids = {
        "plan": world.plan.id,
        "item": world.items[0].id,
        "pair": world.pair.id,
        "change": restorable.id,
        "meeting": meeting.id,
    }
    assert other.plan.id != world.plan.id
    return users, ids


def test_the_matrix_covers_every_plans_route(app):
    declared = {(m, e) for m, e, _u, _n in ROUTES}
    actual = {
        (m, rule.endpoint)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("plans.")
        for m in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert actual - {("GET", "plans.index")} == declared


def _plan_state(plan_id):
    db.session.expire_all()
    plan = db.session.get(Plan, plan_id)
    changes = db.session.scalar(select(func.count()).select_from(PlanChange))
    return plan.version, plan.status, changes


@pytest.mark.parametrize("persona", list(CAN))
def test_role_matrix(app, setting, persona):
    """Every route for one persona (one world per persona keeps the suite quick)."""
    users, ids = setting
    client = client_for(app, users[persona])
    wrong = []
    for method, endpoint, pattern, need in ROUTES:
        before = _plan_state(ids["plan"])
        response = client.open(pattern.format(**ids), method=method, data={})
        body = response.get_data()
        if need in CAN[persona]:
            if response.status_code in (403, 404) or response.status_code >= 500:
                wrong.append((method, endpoint, response.status_code))
            elif "Доступ запрещён".encode() in body:
                wrong.append((method, endpoint, "refusal text"))
        else:
            if response.status_code != 403 or "Доступ запрещён".encode() not in body:
                wrong.append((method, endpoint, response.status_code))
            elif _plan_state(ids["plan"]) != before:
                wrong.append((method, endpoint, "changed the plan"))
    assert wrong == []


def test_plans_list_shows_only_visible_plans(app, setting):
    users, _ids = setting
    mine = client_for(app, users["parent"]).get("/plans").get_data(as_text=True)
    assert "Кузнецова Елена Сергеевна" in mine and "черновик" in mine
    assert mine.count("<tr>") == 2  # header and one plan
    staff = client_for(app, users["group"]).get("/plans").get_data(as_text=True)
    assert staff.count("Кузнецова Елена Сергеевна") == 2  # both pairs have mentors of that name
    assert (
        client_for(app, users["stranger"])
        .get("/plans")
        .get_data(as_text=True)
        .count("Планов пока нет")
        == 1
    )


def test_parent_sees_plan_read_only(app, setting):
    users, ids = setting
    html = client_for(app, users["parent"]).get(f"/plans/{ids['plan']}").get_data(as_text=True)
    assert "Экскурсия в место обучения наставника" in html
    assert 'hx-post="/plans/items/' not in html and "Добавить мероприятие" not in html
    assert "Вы просматриваете план" in html


def test_closed_pair_plan_is_read_only_even_for_its_mentor(app, setting):
    users, ids = setting
    from portal.matching.models import Pair

    db.session.get(Pair, ids["pair"]).status = "завершена"
    db.session.commit()
    client = client_for(app, users["mentor"])
    response = client.post(f"/plans/items/{ids['item']}/title", data={"value": "x", "base": 1})
    assert response.status_code == 403
    assert "Добавить мероприятие" not in client.get(f"/plans/{ids['plan']}").get_data(as_text=True)
