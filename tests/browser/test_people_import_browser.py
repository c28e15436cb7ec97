"""The import in a real browser: the mapping step, then a cell corrected in the preview."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from portal.extensions import db
from portal.people.models import Person
from tests import factories
from tests.conftest import browser_login
from tests.import_corpus import book

pytestmark = pytest.mark.browser


def test_a_curator_maps_the_columns_fixes_a_cell_and_loads_the_list(
    live_server, new_page, tmp_path
):
    factories.make_user(login="curator", roles=["curator"], full_name="Соколова Анна Викторовна")
    rows = [
        ["Список кружковцев на 2025 год"],
        ["Ф.И.О.", "Д.р.", "Кружок", "Тел.", "Пожелание"],
        ["Белов Глеб Андреевич", "05.03.2012", "Шахматы", "8 916 765-43-21", "турниры"],
        ["Кузьмин Илья", "31.02.2014", "Театр", "", "сцена"],
    ]
    path = tmp_path / "кружковцы.xlsx"
    path.write_bytes(book([("Лист1", rows)]))
    page = new_page()
    browser_login(page, "curator")
    page.goto("/people/import")
    page.get_by_label("Файл XLSX или CSV").set_input_files(str(path))
    page.get_by_role("button", name="Проверить файл").click()

    # The mapping step: the guesses are there; the unknown column is the user's choice.
    expect(page.get_by_role("heading", name="Столбцы файла «кружковцы.xlsx»")).to_be_visible()
    expect(page.get_by_text("лист «Лист1», заголовок — строка 2")).to_be_visible()
    expect(page.get_by_label("Поле портала для столбца «Ф.И.О.»")).to_have_value("fio")
    expect(page.get_by_label("Поле портала для столбца «Д.р.»")).to_have_value("birth_date")
    expect(page.get_by_label("Поле портала для столбца «Тел.»")).to_have_value("phone")
    wish = page.get_by_label("Поле портала для столбца «Пожелание»")
    expect(wish).to_have_value("")
    expect(page.get_by_text("Эти столбцы с данными не будут загружены")).to_be_visible()
    wish.select_option(label="Ключевой запрос наставляемого")
    page.get_by_role("button", name="Столбцы верны — проверить строки").click()

    # The preview: one bad date, corrected in place without reloading the page.
    expect(page.get_by_role("heading", name="Проверка файла «кружковцы.xlsx»")).to_be_visible()
    expect(page.get_by_text("с ошибками: 1")).to_be_visible()
    page.evaluate("window.__noReload = true")
    cell = page.get_by_label("Строка 4, Дата рождения")
    expect(cell).to_have_value("31.02.2014")
    cell.fill("15.06.2014")
    cell.press("Enter")
    row = page.locator("#import-row-4")
    expect(row.get_by_text("новая запись")).to_be_visible()
    expect(row.get_by_text("15.06.2014")).to_be_visible()
    expect(page.get_by_text("с ошибками: 0")).to_be_visible()
    expect(page.get_by_role("link", name="С ошибками (0)")).to_be_visible()
    expect(page.get_by_text("Ошибок нет")).to_be_visible()
    assert page.evaluate("window.__noReload") is True
    page.get_by_role("button", name="Загрузить 2 записи в базу").click()
    expect(page.get_by_text("Загружено новых записей: 2.")).to_be_visible()
    with live_server.app.app_context():
        people = {p.full_name: p for p in db.session.scalars(select(Person))}
        assert people["Кузьмин Илья"].birth_date.isoformat() == "2014-06-15"
        assert people["Белов Глеб Андреевич"].key_request == "турниры"
        assert people["Белов Глеб Андреевич"].phone == "+7 (916) 765-43-21"
