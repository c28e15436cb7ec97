"""Who may do what in monitoring: every monitoring route against every persona."""

from datetime import date

import pytest

from portal.extensions import db
from portal.monitoring import campaigns as service
from portal.monitoring.defaults import install_defaults
from portal.monitoring.models import Assignment, QuestionKind
from tests import factories

READ, MANAGE, OWN, ANSWERS, ANYONE = "read", "manage", "own", "answers", "anyone"
ROUTES = [
    ("GET", "/monitoring/", READ),
    ("GET", "/monitoring/questionnaires", MANAGE),
    ("GET", "/monitoring/questionnaires/{q}", MANAGE),
    ("POST", "/monitoring/questionnaires/{q}/header", MANAGE),
    ("POST", "/monitoring/questionnaires/{q}/questions", MANAGE),
    ("POST", "/monitoring/questionnaires/{q}/questions/{question}", MANAGE),
    ("POST", "/monitoring/questionnaires/{q}/questions/{question}/delete", MANAGE),
    ("POST", "/monitoring/questionnaires/{q}/sections", MANAGE),
    ("POST", "/monitoring/questionnaires/{q}/version", MANAGE),
    ("GET", "/monitoring/campaigns/new", MANAGE),
    ("POST", "/monitoring/campaigns/new", MANAGE),
    ("GET", "/monitoring/campaigns/{c}", READ),
    ("POST", "/monitoring/campaigns/{c}/deadline", MANAGE),
    ("POST", "/monitoring/campaigns/{c}/assign", MANAGE),
    ("POST", "/monitoring/campaigns/{c}/close", MANAGE),
    ("GET", "/monitoring/campaigns/{c}/responses", MANAGE),
    ("GET", "/monitoring/campaigns/{c}/results", READ),
    ("POST", "/monitoring/campaigns/{c}/swot", MANAGE),
    ("GET", "/monitoring/campaigns/{c}/growth", MANAGE),
    ("GET", "/monitoring/campaigns/{c}/texts/{text}", MANAGE),
    ("GET", "/monitoring/campaigns/{c}/report.pdf", READ),
    ("GET", "/monitoring/campaigns/{c}/report.xlsx", READ),
    ("GET", "/monitoring/my", ANYONE),
    ("GET", "/monitoring/answer/{a}", OWN),
    ("POST", "/monitoring/answer/{a}/q/{aq}", OWN),
    ("POST", "/monitoring/answer/{a}/submit", OWN),
    ("GET", "/monitoring/assignments/{a}", ANSWERS),
    ("GET", "/monitoring/annual/open?kind=calendar&year=2026", MANAGE),
    ("GET", "/monitoring/annual/calendar/2026", MANAGE),
    ("POST", "/monitoring/annual/calendar/2026", MANAGE),
    ("POST", "/monitoring/annual/calendar/2026/sent", MANAGE),
    ("GET", "/monitoring/annual/calendar/2026/people?figure=mentees", MANAGE),
    ("GET", "/monitoring/annual/calendar/2026.xlsx", MANAGE),
    ("GET", "/monitoring/annual/calendar/2026.pdf", MANAGE),
]
CAN = {
    "admin": {READ, MANAGE, ANYONE},
    "curator": {READ, MANAGE, ANYONE, ANSWERS},
    "group": {READ, ANYONE},
    "mentor": {ANYONE},
    "mentee": {ANYONE, OWN, ANSWERS},  # the questionnaire is the mentee's own
    "parent": {ANYONE},
    "stranger": {ANYONE},
}


def test_every_monitoring_route_is_in_the_matrix(app):
    listed = {(m, p.split("?")[0]) for m, p, _ in ROUTES}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("monitoring."):
            continue
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            pattern = rule.rule
            for name in rule.arguments:
                pattern = pattern.replace(f"<int:{name}>", "*").replace(f"<{name}>", "*")
            assert any(m == method and _matches(pattern, path) for m, path in listed), (
                method,
                rule.rule,
            )


def _matches(pattern: str, path: str) -> bool:
    a, b = pattern.strip("/").split("/"), path.strip("/").split("/")
    if len(a) != len(b):
        return False
    return all(
        x == y or x == "*" or (x.startswith("*") and y.endswith(x[1:]))
        for x, y in zip(a, b, strict=True)
    )


@pytest.fixture
def objects(app, curator, mentor, mentee, parent):
    _mentor, _child, _mother, pair = factories.make_agreement_parties(mentor, mentee, parent)
    install_defaults()
    campaign = factories.make_campaign([pair.form_id], deadline=date(2099, 5, 20))
    service.assign_campaign(campaign)
    db.session.commit()
    own = db.session.query(Assignment).filter_by(person_id=_child.id, moment="entry").one()
    q = own.questionnaire
    text = next(x for x in own.questionnaire.questions if x.kind == QuestionKind.TEXT)
    return {
        "q": q.id,
        "question": q.questions[0].id,
        "c": campaign.id,
        "text": text.id,
        "a": own.id,
        "aq": q.questions[0].id,
    }


@pytest.mark.parametrize("persona", list(CAN), ids=str)
@pytest.mark.parametrize(("method", "path", "need"), ROUTES, ids=lambda v: str(v))
def test_monitoring_role_matrix(request, client, auth, objects, persona, method, path, need):
    user = request.getfixturevalue(persona)
    auth.login(user)
    response = client.open(path.format(**objects), method=method, data={})
    body = response.get_data().decode(errors="replace")
    if need in CAN[persona]:
        assert response.status_code in (200, 302, 422), (response.status_code, body[:300])
    else:
        assert response.status_code == 403, response.status_code
        assert "Доступ запрещён" in body or "Это не ваша анкета" in body
