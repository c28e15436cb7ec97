"""In a real browser: the Content-Security-Policy breaks nothing, and unsaved text is guarded."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def watch_csp(page) -> list[str]:
    """Collect the browser's reports of anything the policy blocked."""
    blocked: list[str] = []
    page.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return blocked


@pytest.fixture
def world(live_server):
    mentor = factories.make_user(
        login="mentor", roles=["mentor"], full_name="Кузнецова Елена Сергеевна"
    )
    mentee = factories.make_user(
        login="mentee", roles=["mentee"], full_name="Орлов Дмитрий Андреевич"
    )
    return factories.make_plan_world(mentor, mentee)


def test_plan_works_under_the_policy_and_warns_before_closing_with_unsaved_text(new_page, world):
    page = new_page()
    blocked = watch_csp(page)
    browser_login(page, "mentor")
    page.goto(f"/plans/{world.plan.id}")
    item = world.items[0]
    field = page.locator(f"#i-{item.id}-title")
    field.fill("Экскурсия в технопарк")
    with page.expect_response(lambda r: f"/plans/items/{item.id}/title" in r.url):
        field.press("Tab")  # htmx saved it: scripts run under the policy
    expect(page.locator(f"#i-{item.id}-title")).to_have_value("Экскурсия в технопарк")
    page.locator(f"#i-{item.id}-result").fill("Текст, который ещё не сохранён")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(500)
    assert dialogs == ["beforeunload"] and not page.is_closed()
    assert blocked == []


def test_no_warning_when_everything_is_saved(new_page, world):
    page = new_page()
    browser_login(page, "mentor")
    page.goto(f"/plans/{world.plan.id}")
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.dismiss()))
    with page.expect_event("close", timeout=3000):
        page.close(run_before_unload=True)
    assert page.is_closed() and dialogs == []


def test_confirm_and_print_buttons_work_without_inline_handlers(new_page, live_server):
    factories.make_user(login="curator", roles=["curator"], full_name="Соколова Анна Викторовна")
    factories.make_user(login="kid", roles=["mentee"], full_name="Орлов Дмитрий Андреевич")
    page = new_page()
    blocked = watch_csp(page)
    browser_login(page, "curator")
    page.goto("/users")
    questions = []
    page.on("dialog", lambda d: (questions.append(d.message), d.dismiss()))
    row = page.locator("tr", has_text="Орлов Дмитрий Андреевич")
    row.get_by_role("button", name="Временный пароль").click()
    page.wait_for_timeout(300)
    assert questions and "новый временный пароль" in questions[0]
    expect(page).to_have_url(live_server.url + "/users")  # dismissed: nothing was sent
    assert blocked == []
