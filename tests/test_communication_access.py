"""Role × route matrix of the communication area: the media plan is the staff's, channels the
administrator's; everyone else is refused."""

import pytest

from portal.access import STAFF, Role
from tests import factories
from tests.routes import methods

EDITORS = set(STAFF)
# (method, path, roles admitted); {item} is a media item, {channel} a channel.
ROUTES = [
    ("GET", "/communication/media", EDITORS),
    ("GET", "/communication/media/calendar", EDITORS),
    ("GET", "/communication/media/export.xlsx", EDITORS),
    ("GET", "/communication/media/export.pdf", EDITORS),
    ("GET", "/communication/media/new", EDITORS),
    ("POST", "/communication/media/new", EDITORS),
    ("GET", "/communication/media/{item}/edit", EDITORS),
    ("POST", "/communication/media/{item}/edit", EDITORS),
    ("POST", "/communication/media/{item}/publish", EDITORS),
    ("POST", "/communication/media/{item}/take-down", EDITORS),
    ("POST", "/communication/media/{item}/cancel", EDITORS),
    ("GET", "/communication/strategy", EDITORS),
    ("POST", "/communication/strategy/groups", EDITORS),
    ("POST", "/communication/strategy/messages", EDITORS),
    ("POST", "/communication/strategy/messages/{message}/delete", EDITORS),
    ("GET", "/communication/dissemination", EDITORS),
    ("POST", "/communication/dissemination", EDITORS),
    ("GET", "/communication/evaluation", EDITORS),
    ("GET", "/communication/evaluation.pdf", EDITORS),
    ("GET", "/communication/channels", {Role.ADMIN}),
    ("POST", "/communication/channels", {Role.ADMIN}),
    ("POST", "/communication/channels/{channel}/toggle", {Role.ADMIN}),
]


def test_matrix_covers_every_communication_route(app):
    listed = {
        (
            m,
            p.replace("{item}", "<int:item_id>")
            .replace("{channel}", "<int:channel_id>")
            .replace("{message}", "<int:message_id>"),
        )
        for m, p, _ in ROUTES
    }
    found = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("communication."):
            for method in methods(rule):
                assert (method, rule.rule) in listed, (method, rule.rule)
                found += 1
    assert found == len(ROUTES)


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize(("method", "path", "allowed"), ROUTES, ids=lambda v: str(v))
def test_role_matrix(client, auth, role, method, path, allowed):
    user = factories.make_user(login=f"u-{role.value}", roles=[role.value])
    item = factories.make_media_item()
    message = factories.make_strategy_message()
    auth.login(user)
    url = path.format(item=item.id, channel=item.channel_id, message=message.id)
    response = client.open(url, method=method, data={})
    if role in allowed:
        assert response.status_code in (200, 302, 422), (response.status_code, url)
    else:
        assert response.status_code == 403
        assert "Доступ запрещён" in response.get_data(as_text=True)


def test_unknown_item_is_not_found(client, auth, group):
    auth.login(group)
    assert client.get("/communication/media/999/edit").status_code == 404
