"""A mentee answers a questionnaire on a phone-sized screen, leaves half-way and resumes."""

from datetime import date

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.monitoring import campaigns as service
from portal.monitoring.defaults import install_defaults
from portal.monitoring.models import Answer, Assignment
from tests import factories
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


@pytest.fixture
def world(live_server):
    mentor = factories.make_user(login="mentor", roles=["mentor"], full_name="Кузнецова Е. С.")
    mentee = factories.make_user(login="mentee", roles=["mentee"], full_name="Орлов Д. А.")
    _mentor, child, _mother, pair = factories.make_agreement_parties(mentor, mentee)
    install_defaults()
    campaign = factories.make_campaign([pair.form_id], deadline=date(2099, 12, 20))
    service.assign_campaign(campaign)
    db.session.commit()
    return db.session.scalar(
        select(Assignment).where(Assignment.person_id == child.id, Assignment.moment == "entry")
    )


def test_a_mentee_answers_on_a_phone_leaves_and_resumes(new_page, world):
    questions = world.questionnaire.questions
    page = new_page(width=390, height=844)
    browser_login(page, "mentee")
    expect(page.get_by_text("Анкеты мониторинга ждут ваших ответов")).to_be_visible()
    page.goto("/monitoring/my")
    page.get_by_role("link", name="Входная анкета наставляемого").click()
    expect(page.get_by_role("heading", name="Входная анкета наставляемого")).to_be_visible()
    # Nothing sticks out sideways on a 390 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    first = page.locator(f"#q{questions[0].id}")
    with page.expect_response(lambda r: f"/q/{questions[0].id}" in r.url):
        first.get_by_text("да", exact=True).click()
    expect(page.locator(f"#status-q{questions[0].id}")).to_have_text("Сохранено")
    scale = next(q for q in questions if q.kind == "scale")
    with page.expect_response(lambda r: f"/q/{scale.id}" in r.url):
        page.locator(f"#q{scale.id} label.scale-point", has_text="8").first.click()
    expect(page.locator(f"#status-q{scale.id}")).to_have_text("Сохранено")

    # Leave half-way: a new browser session (the phone was locked and reopened).
    page.context.close()
    again = new_page(width=390, height=844)
    browser_login(again, "mentee")
    again.goto("/monitoring/my")
    expect(again.get_by_text("начата — продолжить")).to_be_visible()
    again.get_by_role("link", name="Входная анкета наставляемого").click()
    expect(again.locator(f"#q{scale.id} input[value='8']")).to_be_checked()
    expect(again.locator(f"#q{questions[0].id} input[value='1']")).to_be_checked()

    # Submitting too early names what is missing and keeps what was given.
    again.get_by_role("button", name="Отправить анкету").click()
    expect(
        again.get_by_text("Анкета не отправлена: ответьте на обязательные вопросы")
    ).to_be_visible()
    for q in questions:
        if not q.required:
            continue
        box = again.locator(f"#q{q.id}")
        if q.kind == "scale":
            box.locator("label.scale-point", has_text="7").first.click()
        elif q.kind == "multi":
            box.locator("input[type=checkbox]").first.check()
        else:
            box.locator("input[type=radio]").first.check()
    again.get_by_role("button", name="Отправить анкету").click()
    expect(again.get_by_text("Спасибо! Анкета отправлена.")).to_be_visible()
    db.session.expire_all()
    stored = db.session.get(Assignment, world.id)
    assert stored.submitted_at is not None
    values = {
        a.question_id: a.value
        for a in db.session.scalars(select(Answer).where(Answer.assignment_id == world.id))
    }
    assert values[scale.id] == 7 and values[questions[0].id] == 1
