"""The quick matching screen in Chromium: pick, assign, undo — without the page reloading."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.matching.models import Pair
from tests import factories
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def _world():
    factories.make_user(login="curator", roles=["curator"], full_name="Соколова Анна Викторовна")
    factories.make_matching_forms()
    mentor = factories.make_mentor_person("Кузнецова", capacity=2)
    factories.make_mentor_person(
        "Шахматова", capacity=1, competencies=("шахматы",), interests=("шахматы",), club="Шахматы"
    )
    first = factories.make_mentee_person("Аникин", "Антон")
    second = factories.make_mentee_person("Борисов", "Борис")
    return mentor, first, second


def test_curator_assigns_the_first_suggestion_without_a_reload(live_server, new_page):
    mentor, first, second = _world()
    page = new_page()
    browser_login(page, "curator")
    page.goto("/matching")
    page.evaluate("window.__stayed = 'same page'")

    page.get_by_role("button", name="Аникин Антон Андреевич").click()
    suggestion = page.locator(".suggestion").first
    expect(suggestion).to_contain_text("Кузнецова Елена Сергеевна")
    expect(suggestion.locator(".reason").first).to_contain_text("ключевой запрос")
    expect(suggestion).to_contain_text("Свободно мест: 2 из 2")

    suggestion.get_by_role("button", name="Назначить: Кузнецова Елена Сергеевна").click()
    expect(page.locator(".assigned")).to_contain_text(
        "Пара сформирована: Кузнецова Елена Сергеевна — Аникин Антон Андреевич"
    )
    expect(page.locator(".assigned .remaining")).to_have_text("1")
    expect(page.locator("#recent-list")).to_contain_text("Кузнецова Е.С. — Аникин А.А.")
    expect(page.locator(f"#mentee-{first.id}")).to_have_count(0)
    expect(page.locator("#pool-count")).to_contain_text("1 наставляемый без пары")
    assert page.evaluate("window.__stayed") == "same page"  # no navigation happened
    with live_server.app.app_context():
        pair = db.session.scalar(select(Pair))
        assert (pair.mentor_id, [m.mentee_id for m in pair.members]) == (mentor.id, [first.id])

    # Undo brings the mentee back to the list, still without a reload.
    page.get_by_role("button", name="Отменить назначение").click()
    expect(page.locator("#suggestions")).to_contain_text("Назначение отменено")
    expect(page.locator(f"#mentee-{first.id}")).to_have_count(1)
    expect(page.locator("#recent-list li")).to_have_count(0)
    expect(page.locator("#pool-count")).to_contain_text("2 наставляемых без пары")
    assert page.evaluate("window.__stayed") == "same page"
    with live_server.app.app_context():
        db.session.expire_all()
        assert db.session.scalar(select(Pair)) is None


def test_keyboard_only_flow(live_server, new_page):
    mentor, first, second = _world()
    page = new_page()
    browser_login(page, "curator")
    page.goto("/matching")
    page.evaluate("window.__stayed = 'same page'")
    page.locator(f"#mentee-{first.id} button").focus()
    page.keyboard.press("Enter")
    assign = page.locator(".assign-btn").first
    expect(assign).to_be_focused()  # the best suggestion takes the focus
    page.keyboard.press("Enter")
    next_button = page.get_by_role("button", name="Следующий: Борисов Б.А. →")
    expect(next_button).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".mentee-card")).to_contain_text("Борисов Борис Андреевич")
    expect(page.locator(".assign-btn").first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#recent-list li")).to_have_count(2)
    assert page.evaluate("window.__stayed") == "same page"
    with live_server.app.app_context():
        pair = db.session.scalar(select(Pair).where(Pair.mentor_id == mentor.id))
        assert {m.mentee_id for m in pair.members} == {first.id, second.id}
