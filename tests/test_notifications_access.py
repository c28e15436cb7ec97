"""Role × route matrix of the notifications area: every role has its own bell, nobody else's."""

import pytest

from portal.access import Role
from portal.extensions import db
from portal.notifications.models import Notification
from tests import factories
from tests.routes import methods

ALL = set(Role)
# (method, path, roles admitted); {own} is a notification of the user, {other} someone else's.
ROUTES = [
    ("GET", "/notifications", ALL),
    ("GET", "/notifications/bell", ALL),
    ("GET", "/notifications/{own}", ALL),
    ("POST", "/notifications/{own}/open", ALL),
    ("POST", "/notifications/{own}/read", ALL),
    ("POST", "/notifications/read-all", ALL),
    ("POST", "/notifications/preferences", ALL),
]


def test_matrix_covers_every_notifications_route(app):
    listed = {(m, p.replace("{own}", "<int:notification_id>")) for m, p, _ in ROUTES}
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("notifications."):
            for method in methods(rule):
                assert (method, rule.rule) in listed, (method, rule.rule)


def _note(user) -> Notification:
    n = Notification(
        user_id=user.id,
        kind="deadline",
        text="Срок",
        endpoint="main.dashboard",
        url_args={},
        object_type="plan",
        object_id=1,
    )
    db.session.add(n)
    db.session.commit()
    return n


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize(("method", "path", "allowed"), ROUTES, ids=lambda v: str(v))
def test_role_matrix(client, auth, role, method, path, allowed):
    user = factories.make_user(login=f"u-{role.value}", roles=[role.value])
    own = _note(user)
    auth.login(user)
    response = client.open(path.format(own=own.id), method=method, data={})
    assert response.status_code in (200, 204, 302, 422), response.status_code


@pytest.mark.parametrize(("method", "path", "allowed"), [r for r in ROUTES if "{own}" in r[1]])
def test_someone_elses_notification_is_not_found(client, auth, method, path, allowed):
    user = factories.make_user(login="reader", roles=["mentor"])
    other = _note(factories.make_user(login="owner", roles=["mentee"]))
    auth.login(user)
    response = client.open(path.format(own=other.id), method=method, data={})
    assert response.status_code == 404
    db.session.refresh(other)
    assert other.read_at is None
