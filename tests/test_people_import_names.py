"""Names cleaned, not copied: Latin look-alikes, capitals, duplicates and the search."""

import io
from datetime import date

from flask_migrate import upgrade
from sqlalchemy import select, text

from portal import create_app
from portal.extensions import db
from portal.people.models import ImportBatch, Person
from tests import factories
from tests.conftest import make_test_config
from tests.import_corpus import book

HEADER = ["ФИО", "Дата рождения", "Объединение"]


def upload_and_preview(client, rows: list[list]) -> tuple[ImportBatch, str]:
    data = book([("Лист1", [HEADER, *rows])])
    response = client.post(
        "/people/import",
        data={"base": "mentees", "file": (io.BytesIO(data), "список.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303 and "/columns" not in response.location
    batch = db.session.scalars(select(ImportBatch)).one()
    return batch, client.get(response.location).get_data(as_text=True)


def test_look_alikes_and_capitals_are_cleaned_and_found_as_duplicates(app, client, auth, curator):
    existing = factories.make_person(
        "Иванова", "Мария", "Петровна", birth_date=date(2012, 3, 5), is_mentee=True, club="Шахматы"
    )
    auth.login(curator)
    latin_o = "ИВАНOВА МАРИЯ ПЕТРОВНА"  # a Latin «O» in the surname, all in capitals
    batch, html = upload_and_preview(
        client,
        [
            [latin_o, date(2012, 3, 5), "Шахматы"],
            ["Oрехова Eлена Викторовна", date(2009, 1, 17), "Робототехника"],
            ["БЕЛОВ-ЯРЦЕВ глеб", date(2012, 5, 1), "Театр"],
        ],
    )
    # The row says what was changed.
    assert "латинская буква «O» в «ИВАНOВА» заменена такой же на вид русской" in html
    assert "латинские буквы «E», «O» в «Oрехова», «Eлена» заменены" in html
    assert (
        "ФИО было написано заглавными буквами — будет записано как «Иванова Мария Петровна»" in html
    )
    # The cleaned name and the date of birth find the person already in the base.
    assert "уже в базе: 1" in html and f"/people/{existing.id}" in html
    assert "новых: 2" in html
    client.post(f"/people/import/{batch.id}/commit")
    names = sorted(p.full_name for p in db.session.scalars(select(Person)))
    assert names == ["Белов-Ярцев Глеб", "Иванова Мария Петровна", "Орехова Елена Викторовна"]
    orekhova = db.session.scalars(select(Person).where(Person.first_name == "Елена")).one()
    assert orekhova.last_name == "Орехова" and orekhova.last_name.isalpha()
    assert all(ord(ch) > 127 for ch in orekhova.full_name.replace(" ", ""))
    # Found by a search typed in Russian, and by one typed with the same look-alike.
    for query in ("Орехова", "oрех"):
        listing = client.get(f"/people/mentees?q={query}").get_data(as_text=True)
        assert "Орехова Елена Викторовна" in listing, query


def test_people_stored_with_latin_letters_are_found_and_reported(
    app, client, auth, curator, runner
):
    # As the import stored them before: «Oрехова Eлена» with Latin «O» and «E».
    old = factories.make_person(
        "Oрехова", "Eлена", None, birth_date=date(2009, 1, 17), is_mentee=True, club="Вокал"
    )
    factories.make_person(
        "Smith",
        "John",
        None,
        birth_date=date(1980, 1, 1),
        category="педагог",
        is_mentor=True,
        workplace="Школа",
    )
    factories.make_person(
        "Белов", "Глеб", None, birth_date=date(2012, 1, 1), is_mentee=True, club="Шахматы"
    )
    auth.login(curator)
    listing = client.get("/people/mentees?q=орехова").get_data(as_text=True)
    assert f"/people/{old.id}" in listing
    result = runner.invoke(args=["people-latin-names"])
    assert result.exit_code == 0
    assert "ФИО с латинскими буквами: 2" in result.output
    assert f"/people/{old.id}  «Oрехова Eлена» → «Орехова Елена»" in result.output
    assert "«Smith John»" in result.output and "Smith John» →" not in result.output
    assert "Белов" not in result.output


def test_a_word_mixing_alphabets_beyond_look_alikes_is_an_error_to_fix(app, client, auth, curator):
    auth.login(curator)
    batch, html = upload_and_preview(
        client, [["Ивaнов Пётр Иgоревич", date(2012, 3, 5), "Шахматы"]]
    )
    message = "Строка 2, столбец «ФИО»: в «Иgоревич» смешаны русские и латинские буквы"
    assert message in html and "с ошибками: 1" in html
    # «Ивaнов» had only a look-alike: it is cleaned, not refused.
    assert "латинская буква «a» в «Ивaнов» заменена такой же на вид русской" in html


def test_the_migration_refolds_search_keys_of_people_with_look_alikes(tmp_path):
    url = "sqlite:///" + str(tmp_path / "old.db")
    app = create_app(make_test_config(url, tmp_path))
    with app.app_context():
        upgrade(revision="ad11657eef46")
        db.session.execute(
            text(
                "INSERT INTO persons (last_name, first_name, search_key, category, is_mentor,"
                " is_mentee, capacity, status, training_completed, created_at, updated_at) "
                "VALUES ('Oрехова', 'Eлена', 'oрехова eлена', 'обучающийся', 0, 1, 1, "
                "'кандидат', 0, '2026-01-01', '2026-01-01')"
            )
        )
        db.session.commit()
        upgrade()
        key = db.session.scalar(text("SELECT search_key FROM persons"))
        db.engine.dispose()
    assert key == "орехова елена"
