"""Role × route matrix of the communication area: the media plan is the staff's, channels the
administrator's; everyone else is refused."""

from datetime import date

import pytest

from portal.access import STAFF, Role
from portal.communication import practices
from portal.communication.models import ConsultationRequest
from portal.communication.statuses import ContactKind
from portal.extensions import db
from tests import factories
from tests.routes import methods

EDITORS = set(STAFF)
ALL = set(Role)
# Every role passes the decorator; the object-level check refuses a user who is no teacher of
# the request (the test users here have no person) — 403 or 404, and nothing changes.
OBJECT = frozenset()


class Seen(frozenset):
    """The deputies (staff) see the object; for anyone else unrelated it does not exist (404)."""


PLACEHOLDERS = {
    "{item}": "<int:item_id>",
    "{channel}": "<int:channel_id>",
    "{message}": "<int:message_id>",
    "{practice}": "<int:practice_id>",
    "{contest}": "<int:contest_id>",
    "{entry}": "<int:entry_id>",
    "{file}": "<int:file_id>",
    "{request}": "<int:request_id>",
}
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
    ("GET", "/communication/practices", ALL),
    ("GET", "/communication/practices/{practice}", ALL),
    ("GET", "/communication/practices/{practice}/card.pdf", ALL),
    ("GET", "/communication/practices/new", EDITORS),
    ("POST", "/communication/practices/new", EDITORS),
    ("GET", "/communication/practices/{practice}/edit", EDITORS),
    ("POST", "/communication/practices/{practice}/edit", EDITORS),
    ("GET", "/communication/contests", EDITORS),
    ("POST", "/communication/contests", EDITORS),
    ("GET", "/communication/contests/{contest}", EDITORS),
    ("POST", "/communication/contests/{contest}/entries", EDITORS),
    ("POST", "/communication/contest-entries/{entry}/submit", EDITORS),
    ("POST", "/communication/contest-entries/{entry}/result", EDITORS),
    ("GET", "/communication/contest-entries/{entry}/files/{file}", EDITORS),
    ("GET", "/communication/help", ALL),
    ("POST", "/communication/help/requests", {Role.MENTEE, Role.PARENT}),
    ("POST", "/communication/help/materials", EDITORS),
    ("POST", "/communication/help/profile", OBJECT),
    ("GET", "/communication/help/requests/{request}", Seen(EDITORS)),
    ("POST", "/communication/help/requests/{request}/answer", OBJECT),
    ("POST", "/communication/help/requests/{request}/schedule", OBJECT),
    ("GET", "/communication/channels", {Role.ADMIN}),
    ("POST", "/communication/channels", {Role.ADMIN}),
    ("POST", "/communication/channels/{channel}/toggle", {Role.ADMIN}),
]


def test_matrix_covers_every_communication_route(app):
    listed = set()
    for method, path, _ in ROUTES:
        for placeholder, variable in PLACEHOLDERS.items():
            path = path.replace(placeholder, variable)
        listed.add((method, path))
    found = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("communication."):
            for method in methods(rule):
                assert (method, rule.rule) in listed, (method, rule.rule)
                found += 1
    assert found == len(ROUTES)


def _request():
    """A consultation request between people none of the matrix users is."""
    teacher = factories.make_person("Кузнецова", "Елена", category="педагог", club="Робототехника")
    student = factories.make_person("Орлов", "Дмитрий", is_mentee=True, club="Робототехника")
    found = ConsultationRequest(
        student_id=student.id, teacher_id=teacher.id, topic="Тема", channel=ContactKind.PHONE
    )
    db.session.add(found)
    db.session.commit()
    return found


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize(("method", "path", "allowed"), ROUTES, ids=lambda v: str(v))
def test_role_matrix(client, auth, role, method, path, allowed):
    user = factories.make_user(login=f"u-{role.value}", roles=[role.value])
    item = factories.make_media_item()
    message = factories.make_strategy_message()
    practice = practices.save_practice(
        None, {"title": "Открытая", "year": 2026, "public": True}, [], []
    )
    contest = practices.create_contest(
        {"title": "Конкурс", "organiser": "АСИ", "applications_until": date(2099, 1, 31)}, ["Одна"]
    )
    entry = practices.enter(
        contest, practice, contest.nominations[0].id, [("a.pdf", b"%PDF-1.4")], date(2026, 12, 1)
    )
    db.session.commit()
    auth.login(user)
    url = path.format(
        item=item.id,
        channel=item.channel_id,
        message=message.id,
        practice=practice.id,
        contest=contest.id,
        entry=entry.id,
        file=entry.files[0].id,
        request=_request().id,
    )
    response = client.open(url, method=method, data={})
    if allowed is OBJECT:
        assert response.status_code in (403, 404), (response.status_code, url)
    elif isinstance(allowed, Seen) and role not in allowed:
        assert response.status_code == 404, (response.status_code, url)
    elif role in allowed:
        assert response.status_code in (200, 302, 422), (response.status_code, url)
    else:
        assert response.status_code == 403
        assert "Доступ запрещён" in response.get_data(as_text=True)


def test_unknown_item_is_not_found(client, auth, group):
    auth.login(group)
    assert client.get("/communication/media/999/edit").status_code == 404
