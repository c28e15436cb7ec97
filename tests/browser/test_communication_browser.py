"""In a real browser: a working-group member plans an event's press release and post-release,
the rules flag the late post-release, and the plan's list shows it among the flagged."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from portal.timeutil import today_moscow
from tests import factories
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def _plan(page, kind: str, title: str, event_on, planned_on) -> None:
    page.goto("/communication/media/new")
    page.get_by_label("Вид").select_option(label=kind)
    page.get_by_label("Канал").select_option(label="Группа ВКонтакте")
    page.get_by_label("Заголовок или тема").fill(title)
    page.get_by_label("Событие", exact=True).fill("Новогодний нетворкинг наставников")
    page.get_by_label("Дата события").fill(event_on.isoformat())
    page.get_by_label("Плановая дата публикации").fill(planned_on.isoformat())
    page.get_by_role("button", name="Сохранить").click()
    expect(page.get_by_text("Материал сохранён.")).to_be_visible()


def test_group_plans_press_and_post_release_and_sees_the_late_one(new_page, live_server):
    factories.make_user(login="group", roles=["group"], full_name="Лебедев Игорь Николаевич")
    factories.make_channel("Сайт Центра")
    factories.make_channel("Группа ВКонтакте")
    event_on = today_moscow() + timedelta(days=10)
    page = new_page()
    browser_login(page, "group")
    page.get_by_role("navigation", name="Разделы портала").get_by_text("Медиаплан").click()
    page.wait_for_url("**/communication/media")
    _plan(page, "Пресс-релиз", "Пресс-релиз: нетворкинг", event_on, event_on - timedelta(days=4))
    expect(page.locator("#item-flags")).to_have_count(0)
    _plan(page, "Пост-релиз", "Пост-релиз: нетворкинг", event_on, event_on + timedelta(days=2))
    expect(page.locator("#item-flags")).to_contain_text(
        "Пост-релиз — в течение 1 дня после события, а здесь через 2 дня."
    )
    page.get_by_role("link", name="← к медиаплану").click()
    late = page.locator("#media-plan tr", has_text="Пост-релиз: нетворкинг")
    expect(late).to_have_class("row-flagged")
    on_time = page.locator("#media-plan tr", has_text="Пресс-релиз: нетворкинг")
    expect(on_time).to_contain_text("в порядке")
    page.get_by_label("Показать").select_option(label="с нарушением правил")
    page.wait_for_url("**status=flagged**")
    expect(page.locator("#media-plan")).to_contain_text("Пост-релиз: нетворкинг")
    expect(page.locator("#media-plan")).not_to_contain_text("Пресс-релиз: нетворкинг")
