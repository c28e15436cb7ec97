"""The base in a real browser: active search updates the list without reloading the page."""

import re

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_active_search_updates_the_list_without_reload(live_server, new_page):
    factories.make_user(login="curator", roles=["curator"], full_name="Соколова Анна Викторовна")
    factories.make_person("Королёв", "Сергей", "Ильич", is_mentee=True, club="Шахматы")
    factories.make_person("Сидорова", "Анна", "Петровна", is_mentee=True, club="Изостудия")
    page = new_page()
    browser_login(page, "curator")
    page.goto("/people/mentees")
    rows = page.locator("#people-rows tbody")
    expect(rows.get_by_text("Сидорова Анна Петровна")).to_be_visible()
    page.evaluate("window.__noReload = true")
    page.get_by_label("Поиск по ФИО").press_sequentially("КОРОЛЕВ", delay=30)
    expect(rows.get_by_text("Королёв Сергей Ильич")).to_be_visible()
    expect(rows.get_by_text("Сидорова Анна Петровна")).to_have_count(0)
    # The search is in the address, so Back and a bookmark work.
    expect(page).to_have_url(re.compile(r"[?&]q=%D0%9A%D0%9E%D0%A0"))
    assert page.evaluate("window.__noReload") is True  # the page was not reloaded
    # A filter works the same way.
    page.get_by_label("Поиск по ФИО").fill("")
    page.get_by_label("Объединение").select_option("Изостудия")
    expect(rows.get_by_text("Сидорова Анна Петровна")).to_be_visible()
    expect(rows.get_by_text("Королёв Сергей Ильич")).to_have_count(0)
    expect(page).to_have_url(re.compile(r"club=%D0%98"))
    assert page.evaluate("window.__noReload") is True
