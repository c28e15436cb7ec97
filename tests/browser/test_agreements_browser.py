"""In a real browser: the curator issues an agreement for a 12-year-old, the mentor signs with a
password on her computer, the mother signs with a password she chose herself on the screen the
curator handed over (and signed out of), the sealed PDF downloads and the verification page
rejects a copy with one changed byte; and the paper route from print to scan."""

import pytest
from playwright.sync_api import expect

from portal.agreements.models import Agreement
from portal.extensions import db
from tests import factories
from tests.conftest import browser_login

pytestmark = pytest.mark.browser


def test_mentor_signs_by_password_parent_on_a_handed_over_screen_and_the_pdf_downloads(
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

    # The curator checks the mother's passport and hands her the screen: the curator is
    # signed out of it, the mother chooses her own password there and signs with it.
    desk.goto(agreement_url)
    desk.get_by_role("link", name="Проверить документ и передать экран").click()
    desk.get_by_label("Документ, удостоверяющий личность").select_option("паспорт гражданина РФ")
    desk.get_by_label("Последние 4 цифры номера").fill("4521")
    desk.get_by_label("Я сверил(а) лицо с фотографией и ФИО с реестром").check()
    desk.get_by_role("button", name="Проверить документ и передать экран").click()
    expect(
        desk.get_by_role("heading", name="Экран подписанта: Орлова Наталья Петровна")
    ).to_be_visible()
    expect(desk.get_by_text("паспорт гражданина РФ, …4521")).to_be_visible()

    # Meanwhile the curator, signed in elsewhere, cannot open the signer's screen.
    office = new_page()
    browser_login(office, "curator")
    office.goto("/agreements/signer")
    expect(office.get_by_text("Экран подписанта открывается только после выхода")).to_be_visible()

    desk.get_by_label("Придумайте пароль").fill("Rodnik-2026-Moy")
    desk.get_by_label("Повторите пароль").fill("Rodnik-2026-Moy")
    desk.get_by_label("Я ознакомился(ась) с правилами простой электронной подписи").check()
    desk.get_by_role("button", name="Задать пароль и перейти к подписанию").click()
    expect(desk.get_by_text("Пароль задан. Ваш логин:")).to_be_visible()
    desk.get_by_label("Пароль от учётной записи").fill("Rodnik-2026-Moy")
    desk.get_by_role("button", name="Подписать", exact=True).click()
    expect(desk.get_by_text("Соглашение подписано простой электронной подписью")).to_be_visible()
    expect(desk.locator(".page-head .badge", has_text="действует")).to_be_visible()
    desk = office  # the curator's own screen again
    desk.goto(agreement_url)

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


def test_the_paper_route_from_print_to_scan(new_page, live_server, tmp_path):
    factories.make_user(login="curator", roles=["curator"], full_name="Соколова Анна Викторовна")
    with live_server.app.app_context():
        *_, pair = factories.make_agreement_parties()
        factories.make_agreement(pair, by=None)
    desk = new_page()
    browser_login(desk, "curator")
    desk.goto("/agreements")
    desk.get_by_role("link", name="Н-").first.click()
    desk.get_by_role("button", name="Выпустить на подписание").click()
    expect(desk.get_by_text("Текст зафиксирован")).to_be_visible()
    link = desk.get_by_role("link", name="Распечатать для подписания (2 экземпляра)")
    blank = desk.request.get(link.get_attribute("href"))
    assert blank.headers["content-type"] == "application/pdf" and blank.body().startswith(b"%PDF")
    scan = tmp_path / "скан.pdf"
    scan.write_bytes(blank.body())
    desk.get_by_label("Скан подписанного экземпляра (PDF, JPEG или PNG)").set_input_files(str(scan))
    desk.get_by_role("button", name="Подписано на бумаге").click()
    expect(desk.get_by_text("подписано на бумаге; скан сохранён")).to_be_visible()
    expect(desk.locator(".page-head .badge", has_text="действует")).to_be_visible()
    expect(desk.get_by_role("link", name="Скачать скан подписанного экземпляра")).to_be_visible()
    desk.screenshot(path=str(tmp_path / "paper.png"), full_page=True)
