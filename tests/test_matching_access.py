"""Who may do what in matching: the role × route matrix over every route, and object-level
refusals (a stranger, a mentor of another pair, a parent of another child)."""

import pytest
from flask import g
from sqlalchemy import select

from portal.access import Role
from portal.extensions import db
from portal.matching import cohort as cohort_service
from portal.matching import pairs as service
from portal.matching.models import Pair
from portal.timeutil import today_moscow
from tests import factories
from tests.routes import guarded_rules

MANAGERS = {Role.ADMIN, Role.CURATOR}
STAFF = {Role.ADMIN, Role.CURATOR, Role.GROUP}
ANY_PAIR_ROLE = set(Role)

# (method, path, roles the decorator admits, roles that pass with no relation to the pair)
ROUTES = [
    ("GET", "/matching", MANAGERS),
    ("GET", "/matching/suggest?form={form}&mentee={mentee}", MANAGERS),
    ("GET", "/matching/compare?form={form}&mentee={mentee}&cmp={mentor}&cmp={mentor}", MANAGERS),
    ("POST", "/matching/assign?form_id={form}&mentee_id={mentee}&mentor_id={mentor}", MANAGERS),
    ("POST", "/matching/undo/{member}", MANAGERS),
    ("GET", "/matching/forms", STAFF),
    ("GET", "/matching/forms/new", MANAGERS),
    ("POST", "/matching/forms/new", MANAGERS),
    ("GET", "/matching/forms/{form}/edit", MANAGERS),
    ("POST", "/matching/forms/{form}/edit", MANAGERS),
    ("GET", "/matching/weights", MANAGERS),
    ("POST", "/matching/weights", MANAGERS),
    ("GET", "/matching/weights/preview?form={form}&mentee={mentee}", MANAGERS),
    ("GET", "/matching/cohort", STAFF),
    ("POST", "/matching/cohort?form={form}", MANAGERS),
    ("GET", "/matching/cohort/{proposal}", STAFF),
    ("GET", "/matching/cohort/{proposal}/items/{item}/change", MANAGERS),
    ("POST", "/matching/cohort/{proposal}/items/{item}/change", MANAGERS),
    ("POST", "/matching/cohort/{proposal}/accept", MANAGERS),
    ("POST", "/matching/cohort/{proposal}/discard", MANAGERS),
    ("GET", "/matching/pairs", ANY_PAIR_ROLE),
    ("GET", "/matching/pairs/{pair}", STAFF),
    ("POST", "/matching/pairs/{pair}/activate", MANAGERS),
    ("POST", "/matching/pairs/{pair}/complete", MANAGERS),
    ("POST", "/matching/pairs/{pair}/terminate", MANAGERS),
    ("POST", "/matching/pairs/{pair}/members", MANAGERS),
    ("POST", "/matching/pairs/{pair}/members/{member}/remove", MANAGERS),
    ("POST", "/matching/pairs/{pair}/case-url", MANAGERS),
    ("POST", "/matching/pairs/{pair}/attention", MANAGERS),
    ("POST", "/matching/pairs/{pair}/petitions", MANAGERS),
    ("POST", "/matching/pairs/{pair}/petitions/{petition}/grant", MANAGERS),
    ("POST", "/matching/pairs/{pair}/petitions/{petition}/reject", MANAGERS),
]


def _make_world(mentor=None, mentee=None, parent=None) -> dict:
    """A pair (of the personas, when given), a petition, a cohort proposal."""
    forms = factories.make_matching_forms()
    form = forms["teacher-student"]
    mentor_p = factories.make_mentor_person(capacity=3, user=mentor)
    child = factories.make_mentee_person(user=mentee)
    mother = factories.make_person(
        "Орлова", "Наталья", "Петровна", category="родитель", birth_date=None, user=parent
    )
    factories.make_representative(child, mother)
    pair = factories.make_pair(mentor_p, [child], form)
    petition = service.file_petition(pair, child, "нет контакта", today_moscow())
    factories.make_mentee_person("Свободный", "Сергей")
    proposal = cohort_service.compute(form)
    db.session.commit()
    return {
        "form": form.id,
        "mentee": child.id,
        "mentor": mentor_p.id,
        "pair": pair.id,
        "member": pair.members[0].id,
        "petition": petition.id,
        "proposal": proposal.id,
        "item": proposal.items[0].id,
    }


@pytest.fixture
def world(app, mentor, mentee, parent):
    return _make_world(mentor, mentee, parent)


@pytest.fixture
def plain_world(app):
    return _make_world()


def test_every_matching_route_is_in_the_matrix(app):
    declared = {(m, p.split("?")[0]) for m, p, _ in ROUTES}
    for rule in guarded_rules(app):
        if not rule.endpoint.startswith("matching."):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", "{" + _placeholder(name) + "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (method, path) in declared, (method, path)


def _placeholder(name: str) -> str:
    return {
        "form_id": "form",
        "pair_id": "pair",
        "member_id": "member",
        "petition_id": "petition",
        "proposal_id": "proposal",
        "item_id": "item",
    }[name]


@pytest.mark.parametrize(("method", "path", "allowed"), ROUTES, ids=lambda v: str(v)[:60])
def test_role_matrix(client, auth, plain_world, method, path, allowed):
    """Every role in turn, as a user holding only that role and linked to no person.

    A refused role is tried before an admitted one, so a refusal is seen on an untouched world.
    """
    url = path.format(**plain_world)
    for role in sorted(Role, key=lambda r: r in allowed):
        user = factories.make_user(login=f"only-{role.value}", roles=[role.value])
        auth.login(user)
        g.pop("_login_user", None)  # the test's app context outlives requests; so would the user
        response = client.open(url, method=method, data={})
        if role in allowed:
            assert response.status_code in (200, 302, 422), (role, response.status_code, url)
        else:
            assert response.status_code == 403, (role, response.status_code, url)
            assert "Доступ запрещён" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["mentor", "mentee", "parent"])
def test_participants_see_their_own_pair_read_only(client, auth, world, request, who):
    auth.login(request.getfixturevalue(who))
    page = client.get(f"/matching/pairs/{world['pair']}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Наставническая пара" in text
    assert "Действия куратора" not in text
    response = client.post(
        f"/matching/pairs/{world['pair']}/terminate", data={"terminate-text": "не хочу"}
    )
    assert response.status_code == 403
    assert db.session.get(Pair, world["pair"]).status == "действует"
    listing = client.get("/matching/pairs").get_data(as_text=True)
    assert f"№&nbsp;{world['pair']}</a>" in listing


def test_group_sees_everything_read_only(client, auth, world, group):
    auth.login(group)
    text = client.get(f"/matching/pairs/{world['pair']}").get_data(as_text=True)
    assert "Наставническая пара" in text and "Действия куратора" not in text
    assert "Принять отмеченные" not in client.get(f"/matching/cohort/{world['proposal']}").get_data(
        as_text=True
    )


def test_stranger_and_other_families_are_refused(client, auth, world, stranger):
    other_child = factories.make_mentee_person("Чужой", "Ребёнок")
    other_parent_user = factories.make_user(login="other-parent", roles=["parent"])
    other_parent = factories.make_person(
        "Чужая", "Мама", category="родитель", user=other_parent_user
    )
    factories.make_representative(other_child, other_parent)
    other_mentee_user = factories.make_user(login="other-mentee", roles=["mentee"])
    factories.make_mentee_person("Другой", "Наставляемый", user=other_mentee_user)
    factories.make_mentor_person("Стороння", user=stranger)
    for user in (stranger, other_parent_user, other_mentee_user):
        auth.login(user)
        g.pop("_login_user", None)
        response = client.get(f"/matching/pairs/{world['pair']}")
        assert response.status_code == 403, user.login
        listing = client.get("/matching/pairs").get_data(as_text=True)
        assert f"№&nbsp;{world['pair']}</a>" not in listing and "Пар не найдено" in listing


def test_mentor_list_shows_only_own_pairs(client, auth, world, mentor):
    other = factories.make_pair(
        factories.make_mentor_person("Другая"),
        [factories.make_mentee_person("Иной")],
        db.session.scalar(select(Pair)).form,
    )
    auth.login(mentor)
    listing = client.get("/matching/pairs").get_data(as_text=True)
    assert f"№&nbsp;{world['pair']}</a>" in listing and f"№&nbsp;{other.id}</a>" not in listing
    assert client.get(f"/matching/pairs/{other.id}").status_code == 403


@pytest.fixture
def leavers(app):
    """The world's pair becomes a group; a mentee has left it. Her and her mother's users."""
    ids = _make_world()
    pair = db.session.get(Pair, ids["pair"])
    leaver = factories.make_user(login="leaver", roles=["mentee"])
    leaver_parent = factories.make_user(login="leaver-parent", roles=["parent"])
    factories.make_leaver(pair, leaver, leaver_parent)
    return ids, {"leaver": leaver, "leaver_parent": leaver_parent}


PAIR_ROUTES = [(m, p) for m, p, _ in ROUTES if "{pair}" in p]


@pytest.mark.parametrize("persona", ["leaver", "leaver_parent"])
def test_a_former_member_and_her_parent_are_refused_on_the_pair(client, auth, leavers, persona):
    ids, users = leavers
    auth.login(users[persona])
    for method, path in PAIR_ROUTES:
        g.pop("_login_user", None)
        response = client.open(path.format(**ids), method=method, data={})
        assert response.status_code == 403, (persona, method, path, response.status_code)
        assert "Доступ запрещён" in response.get_data(as_text=True)
    listing = client.get("/matching/pairs").get_data(as_text=True)
    assert f"/matching/pairs/{ids['pair']}" not in listing
