"""The bases keep history (Приложение № 1): a row per participation, every column of the
centre's form, contacts only with consent, an export for a year, printed landscape."""

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from portal.people.columns import columns_for
from portal.statuses import PairStatus
from tests import factories

# DOMAIN.md §1: the columns the centre's two bases carry (Р-145).
MENTEE_COLUMNS = (
    "ФИО",
    "Телефон",
    "Электронная почта",
    "Возраст",
    "Ключевой запрос наставляемого",
    "Дата вхождения в программу",
    "ФИО наставника",
    "Место работы/учёбы наставника",
    "Форма наставничества",
    "Место реализации программы",
    "Дата завершения программы",
    "Результаты программы",
    "Ссылка на кейс/отзыв на сайте",
)
MENTOR_COLUMNS = (
    "ФИО",
    "Место работы/учёбы",
    "Телефон",
    "Электронная почта",
    "Ключевые компетенции",
    "Достижения",
    "Интересы",
    "Желаемый возраст наставляемых",
    "Время общения",
    "Формат общения",
    "ФИО наставляемых",
    "Место работы/учёбы наставляемого",
    "Форма наставничества",
    "Место реализации программы",
    "Срок программы",
    "Результаты",
    "Ссылка на кейс/отзыв",
    "Отметка о прохождении обучения",
)


@pytest.fixture
def history(app):
    """Орлов had a finished programme with Кузнецова in 2025 and works with Лебедев now;
    Петров (no consent) took part only in 2026; Сидоров never took part."""
    old_mentor = factories.make_person(
        "Кузнецова",
        "Елена",
        "Сергеевна",
        birth_date=date(1985, 3, 2),
        category="педагог",
        is_mentor=True,
        consent=True,
        workplace="Школа № 1",
        phone="+7 (915) 123-45-67",
    )
    new_mentor = factories.make_person(
        "Лебедев",
        "Игорь",
        "Николаевич",
        birth_date=date(1980, 1, 1),
        category="педагог",
        is_mentor=True,
        consent=True,
        workplace="Гимназия № 2",
    )
    orlov = factories.make_person(
        "Орлов",
        "Дмитрий",
        "Андреевич",
        birth_date=date(2012, 4, 10),
        is_mentee=True,
        consent=True,
        phone="+7 (916) 000-11-22",
        email="orlov@example.ru",
        workplace="СОШ № 3",
    )
    petrov = factories.make_person(
        "Петров",
        "Пётр",
        None,
        birth_date=date(2011, 1, 1),
        is_mentee=True,
        consent=False,
        phone="+7 (917) 999-88-77",
        email="petrov@example.ru",
    )
    factories.make_person("Сидоров", "Семён", None, birth_date=date(2012, 2, 2), is_mentee=True)
    finished = factories.make_pair(
        old_mentor,
        [orlov],
        status=PairStatus.COMPLETED,
        started_on=date(2025, 2, 1),
        ended_on=date(2025, 12, 20),
        results="Проект «Умная теплица» защищён на городской конференции",
        case_url="https://edelweiss.example.ru/cases/teplitsa",
    )
    current = factories.make_pair(new_mentor, [orlov, petrov], started_on=date(2026, 9, 15))
    return {"finished": finished, "current": current}


def _sheet(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    sheet = load_workbook(io.BytesIO(response.data)).active
    headers = [c.value for c in sheet[3]]
    rows = [
        dict(zip(headers, r, strict=True)) for r in sheet.iter_rows(min_row=4, values_only=True)
    ]
    return sheet, rows


def test_every_column_of_the_centres_form_is_in_both_bases(app):
    assert set(MENTEE_COLUMNS) <= {c.title for c in columns_for("mentees")}
    assert set(MENTOR_COLUMNS) <= {c.title for c in columns_for("mentors")}


def test_a_finished_programme_keeps_its_row(history, client, auth, curator):
    auth.login(curator)
    _, rows = _sheet(client, "/people/export.xlsx?base=mentees")
    orlov = [r for r in rows if r["ФИО"] == "Орлов Дмитрий Андреевич"]
    assert len(orlov) == 2  # one row per participation
    old = next(r for r in orlov if r["ФИО наставника"] == "Кузнецова Елена Сергеевна")
    assert old["Место работы/учёбы наставника"] == "Школа № 1"
    assert old["Форма наставничества"] == "педагог – ученик"
    assert old["Дата завершения программы"].date() == date(2025, 12, 20)
    assert old["Результаты программы"].startswith("Проект «Умная теплица»")
    assert old["Ссылка на кейс/отзыв на сайте"] == "https://edelweiss.example.ru/cases/teplitsa"
    assert old["Место реализации программы"] == "МБУ ДО Центр «Эдельвейс»"
    now = next(r for r in orlov if r["ФИО наставника"] == "Лебедев Игорь Николаевич")
    assert now["Дата завершения программы"] is None
    _, mentors = _sheet(client, "/people/export.xlsx?base=mentors")
    kuz = next(r for r in mentors if r["ФИО"] == "Кузнецова Елена Сергеевна")
    assert kuz["ФИО наставляемых"] == "Орлов Дмитрий Андреевич"
    assert kuz["Место работы/учёбы наставляемого"] == "СОШ № 3"
    assert kuz["Срок программы"] == "01.02.2025 – 20.12.2025"
    assert kuz["Ссылка на кейс/отзыв"] == "https://edelweiss.example.ru/cases/teplitsa"
    assert kuz["Место реализации программы"] == "МБУ ДО Центр «Эдельвейс»"


def test_an_export_for_a_year_has_everyone_who_took_part_in_it(history, client, auth, curator):
    auth.login(curator)
    sheet, rows = _sheet(client, "/people/export.xlsx?base=mentees&year=2025")
    assert "за 2025 год" in sheet["A1"].value
    assert [(r["ФИО"], r["ФИО наставника"]) for r in rows] == [
        ("Орлов Дмитрий Андреевич", "Кузнецова Елена Сергеевна")
    ]
    _, rows = _sheet(client, "/people/export.xlsx?base=mentees&year=2026")
    names = sorted({r["ФИО"] for r in rows})
    assert names == ["Орлов Дмитрий Андреевич", "Петров Пётр"]  # Сидоров never took part
    _, mentors = _sheet(client, "/people/export.xlsx?base=mentors&year=2025")
    assert [r["ФИО"] for r in mentors] == ["Кузнецова Елена Сергеевна"]
    bad = client.get("/people/export.xlsx?base=mentees&year=20x5", follow_redirects=True)
    assert "Год выгрузки — четыре цифры" in bad.get_data(as_text=True)


def test_no_contact_without_a_valid_consent_in_any_export(history, client, auth, curator):
    auth.login(curator)
    for base in ("mentees", "mentors"):
        for url in (
            f"/people/export.xlsx?base={base}",
            f"/people/export.xlsx?base={base}&year=2026",
        ):
            _, rows = _sheet(client, url)
            for row in rows:
                consented = row["Согласие на обработку ПД"] == "действует"
                if not consented:
                    assert row["Телефон"] in ("нет согласия", None), row
                    assert row["Электронная почта"] in ("нет согласия", None), row
    _, rows = _sheet(client, "/people/export.xlsx?base=mentees")
    petrov = next(r for r in rows if r["ФИО"] == "Петров Пётр")
    assert (petrov["Телефон"], petrov["Электронная почта"]) == ("нет согласия", "нет согласия")
    csv = client.get("/people/export.csv?base=mentees").data.decode("utf-8-sig")
    assert "+7 (917) 999-88-77" not in csv and "petrov@example.ru" not in csv
    # A consented phone is written as text, without the formula guard's apostrophe.
    assert ";+7 (916) 000-11-22;" in csv and "'+7" not in csv


def test_the_bases_print_landscape_on_one_page_width(history, client, auth, curator):
    auth.login(curator)
    sheet, _ = _sheet(client, "/people/export.xlsx?base=mentors")
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$3:$3"  # the header repeats on every page
