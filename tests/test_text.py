"""Russian by kept libraries: names declined by pytrovich, dates and plurals by Babel."""

from datetime import date
from types import SimpleNamespace

import pytest

from portal.text import Case, full_name_in, long_date, month_genitive, plural, short_name_in

# (nominative, genitive, dative): real names of every kind the centre has.
NAMES = [
    # male
    ("Орлов Дмитрий Андреевич", "Орлова Дмитрия Андреевича", "Орлову Дмитрию Андреевичу"),
    ("Лебедев Игорь Николаевич", "Лебедева Игоря Николаевича", "Лебедеву Игорю Николаевичу"),
    ("Шевчук Олег Иванович", "Шевчука Олега Ивановича", "Шевчуку Олегу Ивановичу"),
    # female
    ("Кузнецова Елена Сергеевна", "Кузнецовой Елены Сергеевны", "Кузнецовой Елене Сергеевне"),
    ("Орлова Наталья Петровна", "Орловой Натальи Петровны", "Орловой Наталье Петровне"),
    ("Марина Татьяна Витальевна", "Мариной Татьяны Витальевны", "Мариной Татьяне Витальевне"),
    ("Шевчук Ольга Ивановна", "Шевчук Ольги Ивановны", "Шевчук Ольге Ивановне"),
    # double-barrelled
    (
        "Римский-Корсаков Николай Андреевич",
        "Римского-Корсакова Николая Андреевича",
        "Римскому-Корсакову Николаю Андреевичу",
    ),
    (
        "Зейналова-Пахомова Анна Викторовна",
        "Зейналовой-Пахомовой Анны Викторовны",
        "Зейналовой-Пахомовой Анне Викторовне",
    ),
    # ё kept where it is written
    ("Королёва Алёна Фёдоровна", "Королёвой Алёны Фёдоровны", "Королёвой Алёне Фёдоровне"),
    ("Соловьёв Пётр Семёнович", "Соловьёва Петра Семёновича", "Соловьёву Петру Семёновичу"),
    # foreign: declined where Russian declines them, left as they are where it does not
    ("Смит Анна", "Смит Анны", "Смит Анне"),
    ("Дюма Александр", "Дюма Александра", "Дюма Александру"),
    # undecidable (no patronymic, a first name of either sex) or not Cyrillic: nominative kept
    ("Гёте Иоганн", "Гёте Иоганн", "Гёте Иоганн"),
    ("Nguyen Van An", "Nguyen Van An", "Nguyen Van An"),
]


@pytest.mark.parametrize(("nominative", "genitive", "dative"), NAMES, ids=lambda v: v)
def test_full_names_in_genitive_and_dative(nominative, genitive, dative):
    assert full_name_in(nominative, Case.GENITIVE) == genitive
    assert full_name_in(nominative, Case.DATIVE) == dative
    assert full_name_in(nominative, Case.NOMINATIVE) == nominative


def test_a_person_record_and_its_short_name():
    person = SimpleNamespace(last_name="Кузнецова", first_name="Елена", middle_name="Сергеевна")
    assert full_name_in(person, "genitive") == "Кузнецовой Елены Сергеевны"
    assert short_name_in(person, Case.GENITIVE) == "Кузнецовой Е. С."
    person.short_name = "Кузнецова Е.С."  # a Person's own spelling of the initials is kept
    assert short_name_in(person, Case.GENITIVE) == "Кузнецовой Е.С."
    assert short_name_in("Орлов Дмитрий Андреевич", Case.DATIVE) == "Орлову Д. А."
    # Initials alone do not tell the sex: the name stays as written.
    assert short_name_in("Кузнецова Е. С.", Case.GENITIVE) == "Кузнецова Е. С."


def test_dates_and_plurals_come_from_babel():
    assert long_date(date(2026, 9, 1)) == "«1» сентября 2026 г."
    assert long_date(date(2026, 3, 5), padded=True) == "«05» марта 2026 г."
    assert [month_genitive(date(2026, m, 1)) for m in (1, 5, 8)] == ["января", "мая", "августа"]
    words = [plural(n, "месяц", "месяца", "месяцев") for n in (1, 2, 5, 11, 12, 21, 22, 25)]
    assert words == ["месяц", "месяца"] + ["месяцев"] * 3 + ["месяц", "месяца", "месяцев"]
