"""Two browsers, a mentor and a mentee, edit one plan together."""

import io
import time

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from tests import factories
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


@pytest.fixture
def world(live_server):
    mentor = factories.make_user(
        login="mentor", roles=["mentor"], full_name="Кузнецова Елена Сергеевна"
    )
    mentee = factories.make_user(
        login="mentee", roles=["mentee"], full_name="Орлов Дмитрий Андреевич"
    )
    return factories.make_plan_world(mentor, mentee)


def open_plan(new_page, login, plan):
    page = new_page()
    browser_login(page, login)
    page.goto(f"/plans/{plan.id}")
    expect(page.get_by_role("heading", name="Индивидуальный план")).to_be_visible()
    return page


def test_an_edit_appears_in_the_other_browser_within_two_seconds(new_page, world):
    item = world.items[0]
    mentor = open_plan(new_page, "mentor", world.plan)
    mentee = open_plan(new_page, "mentee", world.plan)
    title = mentor.locator(f"#i-{item.id}-title")
    title.fill("Экскурсия в технопарк «Кванториум»")
    with mentor.expect_response(lambda r: f"/plans/items/{item.id}/title" in r.url):
        title.press("Tab")
    saved_at = time.monotonic()
    expect(mentee.locator(f"#i-{item.id}-title")).to_have_value(
        "Экскурсия в технопарк «Кванториум»", timeout=2000
    )
    assert time.monotonic() - saved_at < 2.0
    # Presence: the mentee sees who else is in the plan.
    expect(mentee.locator("#presence-list")).to_contain_text("Кузнецова Е. С.", timeout=7000)
    # A new activity by the mentee arrives at the mentor as a proposal.
    mentee.get_by_label("Новое мероприятие").fill("Сетевой проект с другой школой")
    mentee.get_by_role("button", name="Добавить мероприятие").click()
    proposal = mentor.locator("li.plan-item", has_text="предложено наставляемым")
    expect(proposal).to_be_visible(timeout=2000)
    proposal.get_by_role("button", name="Принять").click()
    expect(mentee.locator(".plan-badge .badge-warn")).to_have_count(0, timeout=2500)


def test_typing_is_not_overwritten_and_a_conflict_shows_both_values(new_page, world):
    item = world.items[0]
    mentor = open_plan(new_page, "mentor", world.plan)
    mentee = open_plan(new_page, "mentee", world.plan)
    mine = mentee.locator(f"#i-{item.id}-result")
    mine.click()
    mine.fill("Мы собрали макет и показали его классу")  # still typing: no blur yet
    theirs = mentor.locator(f"#i-{item.id}-result")
    theirs.fill("Макет готов")
    with mentor.expect_response(lambda r: f"/plans/items/{item.id}/result" in r.url):
        theirs.press("Tab")
    wrapper = mentee.locator(f"#f-{item.id}-result")
    expect(wrapper.get_by_text("Изменено другим участником")).to_be_visible(timeout=2500)
    expect(mine).to_have_value("Мы собрали макет и показали его классу")
    mine.press("Tab")  # the mentee leaves the field: the stale save is a conflict
    expect(wrapper.get_by_text("Ваш вариант")).to_be_visible()
    expect(wrapper.locator(".conflict-mine")).to_have_text("Мы собрали макет и показали его классу")
    expect(wrapper.locator(".conflict-theirs")).to_have_text("Макет готов")
    expect(wrapper.get_by_text("Вариант Кузнецовой Е. С.")).to_be_visible()
    wrapper.get_by_role("button", name="Оставить мой").click()
    expect(mentee.locator(f"#i-{item.id}-result")).to_have_value(
        "Мы собрали макет и показали его классу"
    )
    expect(theirs).to_have_value("Мы собрали макет и показали его классу", timeout=2500)


def test_a_lost_connection_keeps_the_value_and_marks_it_unsaved(new_page, world):
    item = world.items[0]
    page = open_plan(new_page, "mentor", world.plan)
    page.route(f"**/plans/items/{item.id}/expected_result", lambda route: route.abort())
    field = page.locator(f"#i-{item.id}-expected_result")
    field.fill("Отчёт с фотографиями")
    field.press("Tab")
    wrapper = page.locator(f"#f-{item.id}-expected_result")
    expect(wrapper.get_by_text("Не сохранено")).to_be_visible()
    expect(field).to_have_value("Отчёт с фотографиями")
    page.unroute(f"**/plans/items/{item.id}/expected_result")
    wrapper.get_by_role("button", name="Повторить").click()
    expect(wrapper.get_by_text("Не сохранено")).to_have_count(0)
    page.reload()
    expect(page.locator(f"#i-{item.id}-expected_result")).to_have_value("Отчёт с фотографиями")


def test_a_save_to_an_activity_deleted_meanwhile_keeps_the_text(new_page, world):
    item = world.items[1]
    mentor = open_plan(new_page, "mentor", world.plan)
    mentee = open_plan(new_page, "mentee", world.plan)
    typing = mentee.locator(f"#i-{item.id}-result")
    typing.fill("Подали заявку")
    mentor.once("dialog", lambda dialog: dialog.accept())
    mentor.locator(f"#item-{item.id}").get_by_role("button", name="Удалить").click()
    expect(mentor.locator(f"#item-{item.id}")).to_contain_text("удалено")
    typing.press("Tab")
    alert = mentee.locator(f"#f-{item.id}-result")
    expect(alert).to_contain_text("удалено")
    expect(alert.locator("textarea")).to_have_value("Подали заявку")


def test_curator_approves_and_gets_the_pdf(new_page, world):
    factories.make_user(login="curator", roles=["curator"], full_name="Соколова Анна Викторовна")
    page = open_plan(new_page, "curator", world.plan)
    page.get_by_label("Номер приказа").fill("112-о")
    page.get_by_label("Дата приказа").fill("2026-10-02")
    page.get_by_role("button", name="Утвердить").click()
    expect(page.get_by_text("План утверждён.")).to_be_visible()
    expect(page.locator("#plan-status")).to_contain_text("утверждён приказом от 02.10.2026 № 112-о")
    pdf = page.request.get(page.get_by_role("link", name="PDF").get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(
        (p.extract_text() or "") for p in PdfReader(io.BytesIO(pdf.body())).pages
    ).replace("\n", " ")
    assert "УТВЕРЖДЕНО" in text and "112-о" in text
    assert "Экскурсия в место обучения наставника" in text and "Орлов Дмитрий Андреевич" in text


def test_the_mentee_adds_activities_one_after_another(new_page, world):
    page = open_plan(new_page, "mentee", world.plan)
    for title in ("Митап объединения", "Волонтёрская акция", "Хакатон Центра"):
        page.get_by_label("Новое мероприятие").fill(title)
        page.get_by_label("Новое мероприятие").press("Enter")
        expect(page.locator(f'li.plan-item input[value="{title}"]')).to_have_count(1)
        expect(page.get_by_label("Новое мероприятие")).to_be_focused()
    expect(page.locator("li.plan-item")).to_have_count(5)
    for _ in range(2):  # a full poll after the last addition, and nothing is doubled
        with page.expect_response(lambda r: f"/plans/{world.plan.id}/changes" in r.url):
            pass
    expect(page.locator("li.plan-item")).to_have_count(5)
