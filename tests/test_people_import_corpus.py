"""Realistic spreadsheets imported through the HTTP flow, mapping step included, and every
stored person compared field by field with what the file meant."""

import io
import re

import lxml.html
import pytest
from sqlalchemy import func, select

from portal.extensions import db
from portal.people.models import ImportBatch, ImportMapping, Person
from tests import import_corpus
from tests.import_corpus import PEOPLE, fio

FIELDS = ("club", "study_level", "phone", "email")


def upload(client, data: bytes, filename: str, base: str = "mentees"):
    return client.post(
        "/people/import",
        data={"base": base, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


def columns_form(html: str) -> tuple[dict, dict[str, str], dict[str, str]]:
    """The mapping form: its hidden fields, and each column's title → chosen field, and
    title → select name."""
    page = lxml.html.fromstring(html)
    form = page.xpath("//form[contains(@class, 'mapping-form')]")[0]
    hidden = {i.get("name"): i.get("value") for i in form.xpath(".//input[@type='hidden']")}
    chosen, names = {}, {}
    for row in form.xpath(".//tbody/tr"):
        title = row.xpath("./th")[0].text.strip()
        select_ = row.xpath(".//select")[0]
        selected = select_.xpath("./option[@selected]")
        chosen[title] = selected[0].get("value") if selected else ""
        names[title] = select_.get("name")
    return hidden, chosen, names


def confirm(client, batch_id: int, hidden: dict, names: dict, mapping: dict, **extra):
    data = {k: v for k, v in hidden.items() if k != "csrf_token"}
    data.update({names[title]: key for title, key in mapping.items()})
    data.update(extra)
    return client.post(f"/people/import/{batch_id}/columns", data=data)


def stored(person: dict) -> Person:
    return db.session.scalars(
        select(Person).where(
            Person.last_name == person["last_name"], Person.first_name == person["first_name"]
        )
    ).one()


def assert_stored_as_meant(corpus) -> None:
    assert db.session.scalar(select(func.count()).select_from(Person)) == len(corpus.people)
    for meant in corpus.people:
        person = stored(meant)
        expected = corpus.expected(meant)
        got = {key: getattr(person, key) for key in expected if key != "interests"}
        got["interests"] = person.tag_names("interest")
        expected["interests"] = sorted(expected["interests"])
        assert got == expected, corpus.name
        assert person.category == "обучающийся" and person.status == "кандидат"
        assert person.is_mentee and not person.is_mentor
        assert person.full_name == fio(meant)


@pytest.mark.parametrize("make", import_corpus.ALL, ids=lambda m: m.__name__)
def test_each_realistic_file_lands_with_every_field(app, client, auth, curator, make):
    corpus = make()
    auth.login(curator)
    response = upload(client, corpus.data, corpus.filename)
    assert response.status_code == 303
    assert response.location.endswith("/columns")
    batch = db.session.scalars(select(ImportBatch)).one()
    url = response.location
    if corpus.sheet:
        html = client.get(url).get_data(as_text=True)
        assert "В файле несколько листов с таблицами" in html
        url = f"{url}?sheet={corpus.sheet}"
    html = client.get(url).get_data(as_text=True)
    hidden, chosen, names = columns_form(html)
    # The portal guessed every column the way a person reads the header.
    assert chosen == corpus.guesses
    extra = {}
    # «№» numbers the rows: not data, dropped without asking; any other column is asked.
    dropped = [t for t, key in corpus.guesses.items() if not key and t != "№"]
    if dropped:
        refused = confirm(client, batch.id, hidden, names, chosen)
        assert refused.status_code == 422
        assert "есть данные, но они не будут загружены" in refused.get_data(as_text=True)
        extra["confirm_drop"] = "1"
    response = confirm(client, batch.id, hidden, names, chosen, **extra)
    assert response.status_code == 303, response.get_data(as_text=True)
    preview = client.get(response.location).get_data(as_text=True)
    assert "Ошибок нет" in preview, re.findall(r"Строка \d+[^<]*", preview)
    assert f"новых: {len(corpus.people)}" in preview
    # Every message names the sheet (or the CSV file) and the header row it read.
    assert ("лист «" in preview or "файл CSV" in preview) and "заголовок — строк" in preview
    if dropped:
        assert "Но не загружаются столбцы с данными" in preview
        assert all(f"«{t}»" in preview for t in dropped)
    else:
        assert "не загружаются столбцы" not in preview.lower()
    response = client.post(f"/people/import/{batch.id}/commit")
    assert response.status_code == 302
    assert_stored_as_meant(corpus)
    # The same list again: every person is found «уже в базе», nobody is created twice.
    response = upload(client, corpus.data, corpus.filename)
    again = db.session.scalars(select(ImportBatch).where(ImportBatch.committed_at.is_(None))).one()
    html = client.get(response.location + (f"?sheet={corpus.sheet}" if corpus.sheet else ""))
    hidden, chosen, names = columns_form(html.get_data(as_text=True))
    assert "Такой заголовок уже загружали" in html.get_data(as_text=True)
    confirm(client, again.id, hidden, names, chosen, **extra)
    preview = client.get(f"/people/import/{again.id}").get_data(as_text=True)
    assert f"уже в базе: {len(corpus.people)}" in preview and "новых: 0" in preview
    client.post(f"/people/import/{again.id}/commit")
    assert db.session.scalar(select(func.count()).select_from(Person)) == len(corpus.people)


def test_a_confirmed_mapping_is_offered_only_for_the_same_header(app, client, auth, curator):
    corpus = import_corpus.extra_column()
    auth.login(curator)
    response = upload(client, corpus.data, corpus.filename)
    batch = db.session.scalars(select(ImportBatch)).one()
    hidden, chosen, names = columns_form(client.get(response.location).get_data(as_text=True))
    assert "Такой заголовок уже загружали" not in client.get(response.location).get_data(
        as_text=True
    )
    # The curator keeps «Примечание» as the key request this time.
    chosen["Примечание"] = "key_request"
    assert confirm(client, batch.id, hidden, names, chosen).status_code == 303
    memory = db.session.scalars(select(ImportMapping)).one()
    assert memory.mapping == ["fio", "birth_date", "club", "key_request"]
    # The same header in another file: the confirmed choice is offered.
    response = upload(client, corpus.data, "другой файл.xlsx")
    html = client.get(response.location).get_data(as_text=True)
    assert "Такой заголовок уже загружали (файл «с примечанием.xlsx»" in html
    assert columns_form(html)[1]["Примечание"] == "key_request"
    # One more column: a different header, so the guess is shown, not the memory.
    book_rows = [["ФИО", "Дата рождения", "Объединение", "Примечание", "Класс"]]
    book_rows += [[fio(p), p["birth_date"], p["club"], "x", 5] for p in PEOPLE[:2]]
    other = import_corpus.book([("Лист1", book_rows)])
    response = upload(client, other, "шире.xlsx")
    html = client.get(response.location).get_data(as_text=True)
    assert "Такой заголовок уже загружали" not in html
    assert columns_form(html)[1]["Примечание"] == ""


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (
            {"Телефон": "phone", "ФИО полностью": "fio", "Кл.": "phone", "Д.р.": "birth_date"},
            "Поле «Телефон» выбрано для нескольких столбцов: «Телефон» и «Кл.»",
        ),
        (
            {"Телефон": "phone", "ФИО полностью": "", "Кл.": "study_level", "Д.р.": "birth_date"},
            "Не выбран столбец для поля «ФИО»",
        ),
        (
            {"Телефон": "phone", "ФИО полностью": "fio", "Кл.": "last_name", "Д.р.": "birth_date"},
            "Выбраны и «ФИО», и отдельные «Фамилия», «Имя», «Отчество»",
        ),
    ],
    ids=["twice", "no-name", "name-and-parts"],
)
def test_a_wrong_mapping_is_refused_naming_the_field(app, client, auth, curator, mapping, message):
    corpus = import_corpus.reordered()
    auth.login(curator)
    response = upload(client, corpus.data, corpus.filename)
    batch = db.session.scalars(select(ImportBatch)).one()
    hidden, chosen, names = columns_form(client.get(response.location).get_data(as_text=True))
    chosen.update(mapping)
    response = confirm(client, batch.id, hidden, names, chosen)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.refresh(batch)
    assert batch.mapping is None and db.session.scalar(select(func.count(ImportMapping.id))) == 0


def test_the_portals_own_template_goes_straight_to_the_preview(app, client, auth, curator):
    auth.login(curator)
    template = client.get("/people/import/template.xlsx?base=mentors").data
    response = upload(client, template, "шаблон.xlsx", base="mentors")
    assert response.status_code == 303 and "/columns" not in response.location
    preview = client.get(response.location).get_data(as_text=True)
    assert "новых: 1" in preview and "Ошибок нет" in preview


def test_columns_with_meaningless_titles_are_guessed_from_their_values(app, client, auth, curator):
    rows = [["Колонка A", "Колонка B", "Колонка C", "Колонка D", "Колонка E"]]
    rows += [
        [fio(p), p["birth_date"].strftime("%d.%m.%Y"), f"8 915 000 00 0{i}", f"u{i}@mail.ru", "да"]
        for i, p in enumerate(PEOPLE)
    ]
    auth.login(curator)
    response = upload(client, import_corpus.book([("Лист1", rows)]), "без названий.xlsx")
    html = client.get(response.location).get_data(as_text=True)
    assert columns_form(html)[1] == {
        "Колонка A": "fio",
        "Колонка B": "birth_date",
        "Колонка C": "phone",
        "Колонка D": "email",
        "Колонка E": "",
    }
    assert html.count("угадано по содержимому") == 4
