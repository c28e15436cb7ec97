"""The bases: Cyrillic search, filters, sorting, Russian validation, constant queries per page."""

from datetime import date, timedelta

import pytest
from sqlalchemy import event, func, select

from portal.audit import AuditEvent
from portal.extensions import db
from portal.people.models import Person
from portal.people.registry import (
    ListFilters,
    base_query,
    clean_person,
    likely_duplicates,
    normalise_phone,
)
from portal.timeutil import today_moscow
from tests import factories

TODAY = today_moscow()


def years_ago(n: int, days: int = 30) -> date:
    return date(TODAY.year - n, TODAY.month, 1) - timedelta(days=days)


def names(base: str, **filters) -> list[str]:
    query = base_query(base, ListFilters(**filters))
    return [p.full_name for p in db.session.scalars(query)]


# --- search -----------------------------------------------------------------------------------


def test_search_folds_case_and_yo_on_this_engine(app):
    factories.make_person("Иванов", "Пётр", "Олегович", is_mentee=True, club="Шахматы")
    factories.make_person("Королёв", "Сергей", "Олегович", is_mentee=True, club="Шахматы")
    factories.make_person("Семенова", "Алёна", "Олеговна", is_mentee=True, club="Шахматы")
    factories.make_person("Петров", "Иван", "Олегович", is_mentee=True, club="Шахматы")

    assert names("mentees", q="иванов") == ["Иванов Пётр Олегович"]
    assert names("mentees", q="ИВАНОВ") == ["Иванов Пётр Олегович"]
    # «е» finds «ё» and «ё» finds «е».
    assert names("mentees", q="королев") == ["Королёв Сергей Олегович"]
    assert names("mentees", q="семёнова") == ["Семенова Алёна Олеговна"]
    assert names("mentees", q="петр") == ["Иванов Пётр Олегович", "Петров Иван Олегович"]
    # LIKE wildcards are text, not patterns.
    assert names("mentees", q="%") == []
    assert names("mentees", q="_") == []


def test_search_over_http_returns_the_rows_partial(app, client, auth, curator):
    factories.make_person("Иванов", "Пётр", "Олегович", is_mentee=True, club="Шахматы")
    factories.make_person("Сидоров", "Антон", "Олегович", is_mentee=True, club="Шахматы")
    auth.login(curator)
    response = client.get("/people/mentees?q=иванов", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Иванов Пётр" in html and "Сидоров" not in html
    assert "<html" not in html  # only the rows, for htmx to swap in
    full = client.get("/people/mentees?q=ИВАНОВ").get_data(as_text=True)
    assert "<html" in full and "Иванов Пётр" in full and "Сидоров" not in full


def test_the_two_bases_show_their_own_people(app):
    factories.make_person("Учеников", "Пётр", is_mentee=True, club="Шахматы")
    factories.make_person(
        "Наставников", "Олег", category="педагог", birth_date=years_ago(40), is_mentor=True
    )
    factories.make_person("Обоих", "Иван", category="обучающийся", is_mentee=True, is_mentor=True)
    assert names("mentees") == ["Обоих Иван Иванович", "Учеников Пётр Иванович"]
    assert names("mentors") == ["Наставников Олег Иванович", "Обоих Иван Иванович"]


def test_filters_by_consent_pair_club_status_category(app):
    mentor = factories.make_person(
        "Наставник",
        "Олег",
        category="педагог",
        birth_date=years_ago(40),
        is_mentor=True,
        consent=True,
    )
    valid = factories.make_person(
        "Согласный", "Пётр", is_mentee=True, club="Шахматы", consent=True, status="участник"
    )
    revoked = factories.make_person(
        "Отозвавший", "Иван", is_mentee=True, club="Экология", status="выбыл"
    )
    factories.make_consent(revoked, revoked_on=date(2026, 10, 1), revoke_reason="заявление")
    factories.make_person("Безсогласия", "Лев", is_mentee=True, club="Экология")
    factories.make_pair(mentor, [valid])

    assert names("mentees", consent="valid") == ["Согласный Пётр Иванович"]
    assert names("mentees", consent="revoked") == ["Отозвавший Иван Иванович"]
    assert names("mentees", consent="missing") == ["Безсогласия Лев Иванович"]
    assert names("mentees", pair="with") == ["Согласный Пётр Иванович"]
    assert len(names("mentees", pair="without")) == 2
    assert names("mentors", pair="with") == ["Наставник Олег Иванович"]
    assert names("mentees", club="Экология") == [
        "Безсогласия Лев Иванович",
        "Отозвавший Иван Иванович",
    ]
    assert names("mentees", status="выбыл") == ["Отозвавший Иван Иванович"]
    assert names("mentees", category="педагог") == []


def test_sorting_by_age_both_ways(app):
    factories.make_person("Младший", "А", birth_date=years_ago(10), is_mentee=True, club="Х")
    factories.make_person("Старший", "Б", birth_date=years_ago(16), is_mentee=True, club="Х")
    assert names("mentees", sort="age")[0].startswith("Младший")
    assert names("mentees", sort="-age")[0].startswith("Старший")
    assert names("mentees", sort="-name")[0].startswith("Старший")


def test_a_pair_ended_does_not_count_as_a_pair(app):
    mentor = factories.make_person(
        "Наставник", "Олег", category="педагог", birth_date=years_ago(40), is_mentor=True
    )
    child = factories.make_person("Бывший", "Пётр", is_mentee=True, club="Шахматы")
    factories.make_pair(mentor, [child], status="завершена")
    assert names("mentees", pair="without") == ["Бывший Пётр Иванович"]


# --- queries per page -----------------------------------------------------------------------


def _make_people(count: int) -> None:
    mentor = factories.make_person(
        "Наставник",
        "Олег",
        category="педагог",
        birth_date=years_ago(40),
        is_mentor=True,
        consent=True,
        competencies=["шахматы"],
    )
    mentees = []
    for i in range(count):
        person = factories.make_person(
            f"Ученик{chr(1072 + i % 30)}",
            f"Имя{i}",
            is_mentee=True,
            club="Шахматы",
            interests=["шахматы", f"тег{i % 7}"],
            consent=i % 3 == 0,
        )
        mentees.append(person)
        if i % 2:
            mother = factories.make_person(
                f"Мать{i}", "Анна", category="родитель", birth_date=years_ago(40)
            )
            factories.make_representative(person, mother)
    for i in range(0, count, 4):
        factories.make_pair(mentor, mentees[i : i + 2])


def _queries_for(client, url: str) -> int:
    statements = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    # The test's app context shares its session with the request: start from a cold one.
    db.session.expunge_all()
    engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        response = client.get(url)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(statements)


@pytest.mark.parametrize(
    "url",
    [
        "/people/mentees",
        "/people/mentors",
        "/people/mentees?q=ученик&consent=valid&sort=-age",
        "/people/export.xlsx?base=mentees",
        "/people/export.csv?base=mentors",
    ],
)
def test_queries_per_list_page_and_export_do_not_grow_with_the_data(
    app, client, auth, curator, url
):
    # A page of 100 rows: the small run fills 4 of them, the large one all 100, so a query per
    # row (a lazy load of tags, consents, pairs, representatives) shows as +96 at least.
    app.config["PAGE_SIZE"] = 100
    auth.login(curator)
    _make_people(4)
    client.get(url)  # warm up: settings, user
    small = _queries_for(client, url)
    _make_people(196)
    assert db.session.scalar(select(func.count()).select_from(Person)) > 200
    large = _queries_for(client, url)
    assert large == small
    assert small <= 15


def test_queries_of_a_card_do_not_grow_with_pairs_and_consents(app, client, auth, curator):
    mentor = factories.make_person(
        "Наставник",
        "Олег",
        category="педагог",
        birth_date=years_ago(40),
        is_mentor=True,
        consent=True,
    )

    def grow(n: int) -> None:
        for i in range(n):
            child = factories.make_person(
                f"Ученик{chr(1072 + i % 30)}",
                f"Имя{i}",
                is_mentee=True,
                club="Шахматы",
                consent=True,
                interests=[f"тег{i}"],
            )
            factories.make_pair(mentor, [child], status="завершена")
            factories.make_consent(mentor, kind="publication")

    auth.login(curator)
    grow(1)
    url = f"/people/{mentor.id}"
    client.get(url)
    small = _queries_for(client, url)
    grow(15)
    large = _queries_for(client, url)
    assert large == small


# --- validation -----------------------------------------------------------------------------


def valid_mentee(**overrides) -> dict:
    raw = {
        "last_name": "Иванова",
        "first_name": "Мария",
        "middle_name": "Сергеевна",
        "birth_date": years_ago(12).isoformat(),
        "category": "обучающийся",
        "club": "Робототехника",
        "study_level": "6",
        "status": "кандидат",
    }
    raw.update(overrides)
    return raw


def test_a_valid_mentee_is_clean(app):
    raw = valid_mentee(phone="8 915 123 45 67", email="Masha@Example.RU")
    cleaned = clean_person(raw, "mentees")
    assert cleaned.errors == {}
    assert cleaned.values["phone"] == "+7 (915) 123-45-67"
    assert cleaned.values["email"] == "masha@example.ru"
    assert cleaned.values["study_level"] == 6


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"last_name": ""}, "last_name", "обязательное поле"),
        ({"last_name": "Иванова1"}, "last_name", "только буквы"),
        ({"last_name": "Я" * 101}, "last_name", "не длиннее 100 символов"),
        ({"birth_date": (TODAY + timedelta(days=1)).isoformat()}, "birth_date", "дата в будущем"),
        ({"birth_date": "31.02.2014"}, "birth_date", "такой даты нет"),
        ({"birth_date": ""}, "birth_date", "обязательное поле для обучающегося"),
        ({"birth_date": years_ago(8).isoformat()}, "birth_date", "от 10 до 18 лет"),
        ({"birth_date": "1900-01-02"}, "birth_date", "неправдоподобный возраст"),
        ({"phone": "12345"}, "phone", "10 цифр"),
        ({"email": "не-почта"}, "email", "name@example.ru"),
        ({"club": ""}, "club", "укажите объединение"),
        ({"study_level": "12"}, "study_level", "от 1 до 11"),
        ({"study_level": "шестой"}, "study_level", "целое число"),
        ({"category": "директор"}, "category", "неизвестная категория"),
        (
            {"category": "родитель", "birth_date": years_ago(40).isoformat()},
            "category",
            "наставляемым может быть",
        ),
        ({"status": "уволен"}, "status", "допустимо"),
        ({"entered_on": years_ago(20).isoformat()}, "entered_on", "раньше даты рождения"),
        ({"notes": "х" * 5001}, "notes", "не длиннее 5000"),
        ({"case_url": "https://edelweiss.example.ru/case/1"}, "case_url", "согласи"),
        ({"case_url": "ftp://x"}, "case_url", "http"),
    ],
)
def test_bad_values_get_russian_messages(app, overrides, field, message):
    cleaned = clean_person(valid_mentee(**overrides), "mentees")
    assert field in cleaned.errors, cleaned.errors
    assert message in cleaned.errors[field]


def test_mentor_rules_per_category(app):
    raw = {
        "last_name": "Петров",
        "first_name": "Олег",
        "category": "педагог",
        "birth_date": years_ago(16).isoformat(),
        "desired_age_min": "14",
        "desired_age_max": "10",
        "capacity": "0",
    }
    errors = clean_person(raw, "mentors").errors
    assert "от 18 лет" in errors["birth_date"]
    assert "обязательное поле" in errors["workplace"]
    assert "меньше" in errors["desired_age_max"]
    assert "от 1 до 10" in errors["capacity"]


def test_phone_formats():
    assert normalise_phone("+7 915 123-45-67") == "+7 (915) 123-45-67"
    assert normalise_phone("89151234567") == "+7 (915) 123-45-67"
    assert normalise_phone("(915) 1234567") == "+7 (915) 123-45-67"
    with pytest.raises(ValueError):
        normalise_phone("+1 555 0100")


def test_likely_duplicates_ignore_case_and_yo(app):
    person = factories.make_person("Королёв", "Пётр", "Ильич", birth_date=date(2013, 1, 2))
    assert likely_duplicates("КОРОЛЕВ", "петр", "ильич", date(2013, 1, 2)) == [person]
    assert likely_duplicates("Королёв", "Пётр", "Ильич", date(2013, 1, 3)) == []
    assert (
        likely_duplicates("Королёв", "Пётр", "Ильич", date(2013, 1, 2), exclude_id=person.id) == []
    )


# --- create and edit over HTTP ---------------------------------------------------------------


def form_data(**overrides) -> dict:
    data = valid_mentee(**overrides)
    data.setdefault("preferred_channel", "")
    data.setdefault("comm_format", "")
    return data


def test_curator_creates_a_mentee_with_tags_and_audit(app, client, auth, curator):
    factories.make_person("Другой", "Ребёнок", interests=["шахматы"])
    auth.login(curator)
    data = form_data(phone="9151234567")
    data["interests"] = ["Шахматы", "робототехника", ""]
    response = client.post("/people/new?base=mentees", data=data)
    assert response.status_code == 302
    person = db.session.scalar(select(Person).where(Person.last_name == "Иванова"))
    assert person.is_mentee and not person.is_mentor
    assert person.phone == "+7 (915) 123-45-67"
    # «Шахматы» joined the existing word of the vocabulary instead of making a second one.
    assert person.tag_names("interest") == ["робототехника", "шахматы"]
    event_ = db.session.scalar(select(AuditEvent).where(AuditEvent.object_id == person.id))
    assert event_.action == "person_created"
    assert event_.changes["last_name"] == [None, "Иванова"]
    card = client.get(response.location).get_data(as_text=True)
    assert "Иванова Мария Сергеевна" in card and "История изменений" in card
    # The history shows dates the Russian way, not as the log stores them.
    birth = person.birth_date
    assert f"Дата рождения:</span> — → {birth:%d.%m.%Y}" in card
    assert birth.isoformat() not in card


def test_invalid_form_is_shown_again_with_422_and_nothing_stored(app, client, auth, curator):
    auth.login(curator)
    future = (TODAY + timedelta(days=3)).isoformat()
    response = client.post("/people/new?base=mentees", data=form_data(birth_date=future))
    assert response.status_code == 422
    assert "Дата в будущем" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Person)) == 0


def test_duplicate_is_shown_before_saving_and_saved_on_confirmation(app, client, auth, curator):
    existing = factories.make_person(
        "Иванова", "Мария", "Сергеевна", birth_date=years_ago(12), is_mentee=True, club="Шахматы"
    )
    auth.login(curator)
    response = client.post(
        "/people/new?base=mentees",
        data=form_data(last_name="ИВАНОВА", birth_date=years_ago(12).isoformat()),
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "уже есть в базе" in html and f"/people/{existing.id}" in html
    assert db.session.scalar(select(func.count()).select_from(Person)) == 1
    response = client.post(
        "/people/new?base=mentees",
        data=form_data(birth_date=years_ago(12).isoformat(), confirm_duplicate="y"),
    )
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Person)) == 2


def test_edit_records_before_and_after_and_keeps_fields_of_the_other_base(
    app, client, auth, curator
):
    person = factories.make_person(
        "Петров",
        "Олег",
        category="обучающийся",
        is_mentee=True,
        is_mentor=True,
        club="Шахматы",
        capacity=3,
        desired_age_min=10,
        desired_age_max=12,
        competencies=["шахматы"],
        birth_date=years_ago(16),
    )
    auth.login(curator)
    data = form_data(
        last_name="Петров",
        first_name="Олег",
        middle_name="Иванович",
        birth_date=person.birth_date.isoformat(),
        club="Робототехника",
    )
    response = client.post(f"/people/{person.id}/edit?base=mentees", data=data)
    assert response.status_code == 302
    db.session.expire_all()
    assert person.club == "Робототехника"
    assert person.capacity == 3 and person.desired_age_max == 12  # mentor fields untouched
    assert person.tag_names("competency") == ["шахматы"]
    event_ = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person_updated")
    ).one()
    assert event_.changes["club"] == ["Шахматы", "Робототехника"]
    assert "capacity" not in event_.changes


def test_me_redirects_to_own_card(app, client, auth, mentee):
    person = factories.make_person("Орлов", "Дмитрий", user=mentee)
    auth.login(mentee)
    response = client.get("/people/me")
    assert response.status_code == 302 and response.location.endswith(f"/people/{person.id}")
