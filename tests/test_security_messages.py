"""The small visible items: Russian messages where English or an HTTP 500 used to appear."""

import pytest
from sqlalchemy import func, select

from portal.agreements.models import AgreementTemplate
from portal.agreements.templates import render_body
from portal.domain import RuleViolation
from portal.extensions import db
from tests import factories
from tests.factories import client_for


@pytest.mark.parametrize(
    "body",
    [
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "{{ cycler.__init__.__globals__.os.popen('id').read() }}",
        "{{ 'x' * 1000000000 }}",
        "{{ 9 ** 9 ** 9 }}",
        "{{ 1 / 0 }}",
    ],
)
def test_a_sandbox_escape_in_the_template_is_a_russian_error(client, auth, admin, body):
    auth.login(admin)
    before = db.session.scalar(select(func.count()).select_from(AgreementTemplate))
    response = client.post("/agreements/template", data={"body": body, "comment": "проба"})
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "В шаблоне" in text or "Выражение в шаблоне" in text
    assert db.session.scalar(select(func.count()).select_from(AgreementTemplate)) == before
    with pytest.raises(RuleViolation):
        render_body(body, {})


def test_hand_over_with_a_forged_document_kind_says_so_in_russian(
    client, auth, curator, mentor, parent
):
    # The kiosk code form is gone (issue 10); its successor, the identity check, is tried.
    _m, _child, _mother, pair = factories.make_agreement_parties(mentor, None, parent)
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    auth.login(curator)
    response = client.post(
        f"/agreements/{agreement.id}/handover/{agreement.slots[0].id}",
        data={"document_kind": "подделка", "last_digits": "1234", "checked": "y"},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Неверный вариант." in text and "Not a valid choice" not in text


def test_meeting_form_messages_are_russian(app, mentor):
    world = factories.make_plan_world(mentor)
    client = client_for(app, mentor)
    response = client.post(
        f"/plans/{world.plan.id}/meetings/new",
        data={"held_on": "вчера", "format": "телепатия", "topic": "Встреча"},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Неверный вариант." in text and "Not a valid choice" not in text
    assert "Not a valid date value" not in text
