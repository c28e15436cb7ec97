"""In a real browser: the curator issues an agreement for a 12-year-old, the mentor signs with a
password on her computer, the mother signs with a typed one-time code at the curator's screen,
the sealed PDF downloads and the verification page rejects a copy with one changed byte."""

import pytest
from playwright.sync_api import expect

from portal.agreements.models import Agreement
from portal.extensions import db
from tests import factories
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_mentor_signs_by_password_parent_by_code_and_the_pdf_downloads(
    new_page, live_server, tmp_path
):
    curator = factories.make_user(
        login="curator", roles=["curator"], full_name="Соколова Анна Викторовна"
    )
    mentor = factories.make_user(
        login="mentor", roles=["mentor"], full_name="Кузнецова Елена Сергеевна"
    )
    assert curator.id
    factories.make_agreement_parties(mentor_user=mentor)

    # The curator prepares and issues the agreement.
    desk = new_page()
    browser_login(desk, "curator")
    desk.goto("/agreements/new")
    desk.get_by_role("button", name="Создать черновик").click()
    expect(desk.get_by_text("Создано черновиков: 1")).to_be_visible()
    desk.get_by_label("Срок действия, месяцев").fill("9")
    desk.get_by_role("button", name="Сохранить черновик").click()
    desk.get_by_role("button", name="Выпустить на подписание").click()
    expect(desk.get_by_text("Текст зафиксирован")).to_be_visible()
    agreement_url = desk.url

    # The mentor, on her own computer, accepts the rules and signs with her password.
    laptop = new_page()
    browser_login(laptop, "mentor")
    laptop.goto(agreement_url)
    laptop.get_by_role("link", name="Подписать").click()
    expect(
        laptop.get_by_role("heading", name="Правила простой электронной подписи")
    ).to_be_visible()
    laptop.get_by_label("Я прочитал(а) правила и принимаю их").check()
    laptop.get_by_role("button", name="Принять правила").click()
    expect(
        laptop.get_by_text("от имени которого(ой) действует законный представитель")
    ).to_be_visible()
    laptop.get_by_label("Пароль от учётной записи").fill("not-my-password1")
    laptop.get_by_role("button", name="Подписать", exact=True).click()
    expect(laptop.get_by_text("Неверный пароль. Соглашение не подписано.")).to_be_visible()
    laptop.get_by_label("Пароль от учётной записи").fill(factories.DEFAULT_PASSWORD)
    laptop.get_by_role("button", name="Подписать", exact=True).click()
    expect(laptop.get_by_text("Соглашение подписано простой электронной подписью")).to_be_visible()

    # The curator prints a code slip for the mother and hands her the screen.
    desk.goto(agreement_url)
    desk.get_by_role("button", name="Выдать одноразовый код").click()
    slip_code = desk.locator(".slip-password").inner_text()
    desk.get_by_role("link", name="Подписание по коду").click()
    desk.get_by_label("Кто подписывает").select_option(
        label="Орлова Наталья Петровна — Мать (законный представитель) Наставляемого"
    )
    desk.get_by_label("Я ознакомился(ась) с правилами").check()
    desk.get_by_label("Одноразовый код с листка").fill("wrong-code")
    desk.get_by_role("button", name="Подписать кодом").click()
    expect(desk.get_by_text("Неверный код. Осталось попыток: 4.")).to_be_visible()
    desk.get_by_label("Кто подписывает").select_option(
        label="Орлова Наталья Петровна — Мать (законный представитель) Наставляемого"
    )
    desk.get_by_label("Я ознакомился(ась) с правилами").check()
    desk.get_by_label("Одноразовый код с листка").fill(slip_code.upper())
    desk.get_by_role("button", name="Подписать кодом").click()
    expect(desk.get_by_text("Подпись Орловой Натальи Петровны принята")).to_be_visible()
    expect(desk.locator(".page-head .badge", has_text="действует")).to_be_visible()

    # The sealed PDF downloads; the same file verifies, a copy with one changed byte does not.
    with desk.expect_download() as download_info:
        desk.get_by_role("link", name="Скачать PDF с печатью").click()
    path = tmp_path / "agreement.pdf"
    download_info.value.save_as(path)
    data = path.read_bytes()
    assert data.startswith(b"%PDF-")
    with live_server.app.app_context():
        stored = db.session.scalar(db.select(Agreement.pdf))
    assert data == stored

    desk.goto("/agreements/verify")
    desk.get_by_label("PDF-файл соглашения").set_input_files(str(path))
    desk.get_by_role("button", name="Проверить").click()
    expect(desk.get_by_text("Документ подлинный и не изменялся.")).to_be_visible()
    expect(desk.locator("#verdict td", has_text="Кузнецова Елена Сергеевна")).to_be_visible()

    changed = bytearray(data)
    changed[len(changed) // 3] ^= 0x01
    bad = tmp_path / "changed.pdf"
    bad.write_bytes(bytes(changed))
    desk.get_by_label("PDF-файл соглашения").set_input_files(str(bad))
    desk.get_by_role("button", name="Проверить").click()
    expect(desk.get_by_text("Документ повреждён.")).to_be_visible()
