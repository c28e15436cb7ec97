"""In a real browser: the curator's start page leads straight to the agreement waiting for
signatures, the mentor's and the mother's bell and queue lead to their signatures, and once
everyone has signed the item is gone from the curator's start page."""

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_curator_follows_the_queue_to_the_agreement_and_the_item_goes_after_signing(
    new_page, live_server
):
    curator = factories.make_user(
        login="curator", roles=["curator"], full_name="Соколова Анна Викторовна"
    )
    mentor = factories.make_user(
        login="mentor", roles=["mentor"], full_name="Кузнецова Елена Сергеевна"
    )
    mother = factories.make_user(
        login="mama", roles=["parent"], full_name="Орлова Наталья Петровна"
    )
    _, _, _, pair = factories.make_agreement_parties(mentor_user=mentor, parent_user=mother)
    agreement = factories.make_agreement(pair, issue=True, by=curator)

    desk = new_page()
    browser_login(desk, "curator")
    desk.goto("/")
    item = desk.locator(".queue-item", has_text="Соглашения ждут подписей")
    expect(item.locator(".queue-count")).to_have_text("1")
    item.get_by_role("link").click()
    expect(desk).to_have_url(f"{live_server.url}/agreements/{agreement.id}")
    expect(desk.get_by_role("heading", name=agreement.title)).to_be_visible()

    # The mentor and then the mother, each on her own computer, follow the bell's queue item to
    # the agreement and sign with the password only she knows.
    for login in ("mentor", "mama"):
        laptop = new_page()
        browser_login(laptop, login)
        expect(laptop.locator(".bell-count")).to_have_text("1")
        laptop.locator(".queue-item", has_text="Соглашение ждёт вашей подписи").get_by_role(
            "link"
        ).click()
        laptop.get_by_label("Я прочитал(а) правила и принимаю их").check()
        laptop.get_by_role("button", name="Принять правила").click()
        laptop.get_by_label("Пароль от учётной записи").fill(factories.DEFAULT_PASSWORD)
        laptop.get_by_role("button", name="Подписать", exact=True).click()
        expect(
            laptop.get_by_text("Соглашение подписано простой электронной подписью")
        ).to_be_visible()

    desk.goto("/")
    expect(desk.get_by_role("heading", name="Что сделать")).to_be_visible()
    expect(desk.locator(".queue-item", has_text="Соглашения ждут подписей")).to_have_count(0)
