"""Fixing cells in the preview (htmx, re-checked at once), filters, messages that say what
to do, and the commit that stays all-or-nothing."""

import io
import re
from datetime import date

from sqlalchemy import func, select

from portal.extensions import db
from portal.people.models import ImportBatch, Person
from tests import factories
from tests.import_corpus import book

HTMX = {"HX-Request": "true", "HX-Target": "import-row-3"}


def upload(client, rows: list[list], header=("ФИО", "Дата рождения", "Объединение", "Телефон")):
    data = book([("Дети", [["Список детей"], list(header), *rows])])
    response = client.post(
        "/people/import",
        data={"base": "mentees", "file": (io.BytesIO(data), "дети.xlsx")},
        content_type="multipart/form-data",
    )
    batch = db.session.scalars(select(ImportBatch)).one()
    return batch, response


def people() -> int:
    return db.session.scalar(select(func.count()).select_from(Person))


def test_cells_are_corrected_one_by_one_and_the_file_then_lands(app, client, auth, curator):
    auth.login(curator)
    batch, response = upload(
        client,
        [
            ["Белов Глеб Андреевич", "31.02.2012", "Шахматы", "8 916 765-43-21"],
            ["Кузьмин Илья", "15.06.2014", "Театр", "8 915 111-22-33, 8 915 444-55-66"],
            ["Ёлкина Дарья Олеговна", "01.09.2011", None, None],
            ["Петрова Анна", "вчера", "Вокал", None],
        ],
    )
    assert response.location.endswith(f"/import/{batch.id}")  # the portal's own titles
    html = client.get(response.location).get_data(as_text=True)
    assert "с ошибками: 4" in html
    assert "Строка 3, столбец «Дата рождения»: такой даты нет: «31.02.2012»" in html
    assert "Строка 4, столбец «Телефон»: один номер в ячейке" in html
    assert "Строка 5, столбец «Объединение»: обязательное поле для обучающегося" in html
    assert (
        "Строка 6, столбец «Дата рождения»: не удалось понять дату «вчера»; понятные формы: "
        "17.01.2009, 17.01.09, 17/01/2009, 17-01-2009, 2009-01-17, 17 января 2009"
    ) in html
    assert "не длиннее 30 символов" not in html
    # Each bad cell is an input beside its message.
    assert 'aria-label="Строка 3, Дата рождения"' in html and 'value="31.02.2012"' in html

    # A wrong correction is checked at once and says why.
    response = client.post(
        f"/people/import/{batch.id}/rows/3",
        data={"key": "birth_date", "value": "30.02.2012"},
        headers=HTMX,
    )
    fragment = response.get_data(as_text=True)
    assert response.status_code == 200 and fragment.lstrip().startswith('<tr id="import-row-3"')
    assert "такой даты нет: «30.02.2012»" in fragment
    # A right one clears the row, and the counts are swapped in beside it.
    response = client.post(
        f"/people/import/{batch.id}/rows/3",
        data={"key": "birth_date", "value": "05.03.2012"},
        headers=HTMX,
    )
    fragment = response.get_data(as_text=True)
    row = fragment.split("</tr>")[0]
    assert "новая запись" in row and "05.03.2012" in row and "error" not in row
    assert 'id="import-summary" hx-swap-oob="true"' in fragment and "с ошибками: 3" in fragment
    for number, key, value in (
        (4, "phone", "8 915 111-22-33"),
        (5, "club", "Вокал"),
        (6, "birth_date", "12 мая 2013 г."),
    ):
        client.post(
            f"/people/import/{batch.id}/rows/{number}",
            data={"key": key, "value": value},
            headers={"HX-Request": "true"},
        )
    html = client.get(f"/people/import/{batch.id}").get_data(as_text=True)
    assert "Ошибок нет" in html and "новых: 4" in html
    assert people() == 0  # corrections are kept with the batch, not in the base
    client.post(f"/people/import/{batch.id}/commit")
    stored = {p.full_name: p for p in db.session.scalars(select(Person))}
    assert stored["Белов Глеб Андреевич"].birth_date == date(2012, 3, 5)
    assert stored["Белов Глеб Андреевич"].phone == "+7 (916) 765-43-21"
    assert stored["Кузьмин Илья"].phone == "+7 (915) 111-22-33"
    assert stored["Ёлкина Дарья Олеговна"].club == "Вокал"
    assert stored["Петрова Анна"].birth_date == date(2013, 5, 12)


def test_a_row_can_be_left_out_and_nothing_is_stored_while_errors_remain(
    app, client, auth, curator
):
    auth.login(curator)
    batch, _ = upload(
        client,
        [
            ["Белов Глеб Андреевич", "05.03.2012", "Шахматы", None],
            ["Итого: 1 человек", None, None, None],
        ],
    )
    response = client.post(f"/people/import/{batch.id}/commit")
    assert people() == 0
    follow = client.get(response.location).get_data(as_text=True)
    assert "ничего не сохранено" in follow and "Итого" in follow
    response = client.post(
        f"/people/import/{batch.id}/rows/4",
        data={"key": "_skip", "value": "1"},
        headers={"HX-Request": "true"},
    )
    assert "Строка не будет загружена" in response.get_data(as_text=True)
    html = client.get(f"/people/import/{batch.id}").get_data(as_text=True)
    assert "Ошибок нет" in html and "не загружаются: 1" in html
    client.post(f"/people/import/{batch.id}/commit")
    assert [p.full_name for p in db.session.scalars(select(Person))] == ["Белов Глеб Андреевич"]


def test_the_preview_filters_to_errors_new_and_existing(app, client, auth, curator):
    factories.make_person(
        "Белов", "Глеб", "Андреевич", birth_date=date(2012, 3, 5), is_mentee=True, club="Шахматы"
    )
    auth.login(curator)
    batch, _ = upload(
        client,
        [
            ["Белов Глеб Андреевич", "05.03.2012", "Шахматы", None],
            ["Кузьмин Илья", "15.06.2014", "Театр", None],
            ["Ёлкина Дарья", "31.02.2011", "Вокал", None],
        ],
    )

    def names(show: str) -> list[str]:
        response = client.get(
            f"/people/import/{batch.id}?show={show}",
            headers={"HX-Request": "true", "HX-Target": "import-table"},
        )
        fragment = response.get_data(as_text=True)
        assert fragment.lstrip().startswith('<div id="import-table">')  # the table only
        return re.findall(r'<tr id="import-row-(\d+)"', fragment)

    assert names("all") == ["3", "4", "5"]
    assert names("existing") == ["3"]
    assert names("new") == ["4"]
    assert names("errors") == ["5"]
    page = client.get(f"/people/import/{batch.id}?show=existing").get_data(as_text=True)
    assert "Уже в базе (1)" in page and 'aria-current="true">Уже в базе' in page


def test_a_missing_column_is_one_header_problem_naming_the_field(app, client, auth, curator):
    auth.login(curator)
    rows = [[f"{name}ов Тест", f"0{n}.03.2012"] for n, name in enumerate("АБВГД", start=1)]
    batch, response = upload(client, rows, header=("ФИО", "Дата рождения"))
    html = client.get(response.location).get_data(as_text=True)
    message = "нет столбца для поля «Объединение», а оно нужно в 5 строках"
    assert html.count(message) == 1 and "лист «Дети», заголовок — строка 2" in html
    assert "обязательное поле для обучающегося: укажите объединение" in html  # in the cells
    listed = re.search(r'<ul class="import-errors">(.*?)</ul>', html, re.S).group(1)
    assert listed.count("<li>") == 1


def test_corrections_are_refused_for_another_user_and_unknown_rows(
    app, client, auth, curator, admin
):
    auth.login(curator)
    batch, _ = upload(client, [["Белов Глеб", "31.02.2012", "Шахматы", None]])
    response = client.post(
        f"/people/import/{batch.id}/rows/99", data={"key": "birth_date", "value": "01.01.2012"}
    )
    assert response.status_code == 422 and "нет строки 99" in response.get_data(as_text=True)
    response = client.post(f"/people/import/{batch.id}/rows/3", data={"key": "notes", "value": "x"})
    assert response.status_code == 422
    auth.login(admin)
    response = client.post(
        f"/people/import/{batch.id}/rows/3", data={"key": "birth_date", "value": "01.01.2012"}
    )
    assert response.status_code == 403
    db.session.refresh(batch)
    assert batch.fixes == {}
