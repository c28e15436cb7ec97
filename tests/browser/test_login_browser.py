"""In a real browser: the curator logs in through the form, sees the dashboard, logs out."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_curator_logs_in_sees_dashboard_and_logs_out(new_page, live_server):
    factories.make_user(login="curator", roles=["curator"], full_name="Соколова Анна Викторовна")
    page = new_page()
    page.goto("/")
    assert "/login" in page.url
    expect(page.get_by_role("heading", name="Портал наставничества")).to_be_visible()
    browser_login(page, "curator")
    expect(
        page.get_by_role("heading", name="Здравствуйте, Соколова Анна Викторовна")
    ).to_be_visible()
    expect(
        page.get_by_role("navigation", name="Разделы портала").get_by_text("Пользователи")
    ).to_be_visible()
    page.get_by_role("button", name="Выйти").click()
    page.wait_for_url("**/login")
    expect(page.get_by_text("Вы вышли из портала.")).to_be_visible()


def test_wrong_password_keeps_login_and_says_why(new_page, live_server):
    factories.make_user(login="curator", roles=["curator"])
    page = new_page(width=1024, height=768)
    browser_login_attempt = page.goto("/login")
    assert browser_login_attempt.status == 200
    page.get_by_label("Логин").fill("curator")
    page.get_by_label("Пароль", exact=True).fill("неверный")
    page.get_by_role("button", name="Войти").click()
    expect(page.get_by_text("Неверный логин или пароль.")).to_be_visible()
    assert page.get_by_label("Логин").input_value() == "curator"


def test_boosted_navigation_keeps_csrf_working(new_page, live_server):
    """Staff open the users page through a boosted link and deactivate someone via htmx."""
    factories.make_user(login="curator", roles=["curator"], full_name="Соколова Анна Викторовна")
    factories.make_user(login="kid", roles=["mentee"], full_name="Орлов Дмитрий")
    page = new_page()
    browser_login(page, "curator")
    page.get_by_role("navigation", name="Разделы портала").get_by_text("Пользователи").click()
    page.wait_for_url("**/users")
    row = page.locator("tr", has_text="Орлов Дмитрий")
    row.get_by_role("button", name="Отключить").click()
    expect(row.get_by_text("отключена")).to_be_visible()
