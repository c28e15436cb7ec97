"""The meetings journal: formats from the remote-work regulation, attendance, activities."""

import pytest
from sqlalchemy import select

from portal.extensions import db
from portal.plans.models import Meeting
from portal.timeutil import today_moscow
from tests import factories
from tests.factories import client_for


@pytest.fixture
def world(app, mentor, mentee, parent):
    return factories.make_plan_world(mentor, mentee, parent)


def test_mentor_records_and_edits_a_meeting(app, world, mentor, parent):
    client = client_for(app, mentor)
    form = client.get(f"/plans/{world.plan.id}/meetings/new").get_data(as_text=True)
    for option in (
        "очно",
        "дистанционно — телефон",
        "дистанционно — мессенджер",
        "дистанционно — видеосвязь",
    ):
        assert option in form
    response = client.post(
        f"/plans/{world.plan.id}/meetings/new",
        data={
            "held_on": "2026-10-01",
            "format": "дистанционно — видеосвязь",
            "topic": "План проекта",
            "summary": "Выбрали тему",
            "attendees": [str(world.mentee.id)],
            "items": [str(world.items[1].id)],
        },
    )
    assert response.status_code == 302
    meeting = db.session.scalar(select(Meeting))
    assert [p.id for p in meeting.attendees] == [world.mentee.id]
    assert [i.title for i in meeting.items] == ["Подготовка к конкурсу"]
    journal = client_for(app, parent).get(f"/plans/{world.plan.id}/meetings")
    html = journal.get_data(as_text=True)
    assert "План проекта" in html and "Орлов Д.А." in html and "дистанционно — видеосвязь" in html
    assert "Записать встречу" not in html  # parents read only
    edit = client.post(
        f"/plans/meetings/{meeting.id}",
        data={
            "held_on": "2026-10-02",
            "format": "очно",
            "topic": "План проекта",
            "summary": "",
        },
    )
    assert edit.status_code == 302
    db.session.expire_all()
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.format == "очно" and meeting.attendees == [] and meeting.summary is None


def test_meeting_in_the_future_or_with_a_stranger_is_refused(app, world, mentor):
    other = factories.make_person("Смирнова", "Алина", "Игоревна")
    client = client_for(app, mentor)
    future = today_moscow().replace(year=today_moscow().year + 1).isoformat()
    response = client.post(
        f"/plans/{world.plan.id}/meetings/new",
        data={"held_on": future, "format": "очно", "topic": "Встреча"},
    )
    assert response.status_code == 422
    assert "дата ещё не наступила" in response.get_data(as_text=True)
    response = client.post(
        f"/plans/{world.plan.id}/meetings/new",
        data={
            "held_on": "2026-10-01",
            "format": "очно",
            "topic": "Встреча",
            "attendees": [str(other.id)],
        },
    )
    assert response.status_code == 422
    assert db.session.scalar(select(Meeting)) is None
    empty = client.post(f"/plans/{world.plan.id}/meetings/new", data={"format": "очно"})
    assert empty.status_code == 422
    assert "Укажите тему встречи." in empty.get_data(as_text=True)
