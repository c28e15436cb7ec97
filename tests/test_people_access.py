"""Who sees what in the people area: every route × every persona, and the object-level checks."""

import io
from datetime import date

import pytest
from sqlalchemy import select

from portal.accounts.models import User
from portal.audit import AuditEvent
from portal.extensions import db
from portal.people.imports import start_batch
from portal.people.models import Consent, Representative
from portal.timeutil import today_moscow
from tests import factories

TODAY = today_moscow()
PERSONAS = ("admin", "curator", "group", "mentor", "mentee", "parent", "stranger")
STAFF = {"admin", "curator", "group"}
MANAGERS = {"admin", "curator"}
ALL = set(PERSONAS)


def _cheap_user(login: str, role: str) -> User:
    # Sessions log these users in; hashing seven passwords per test would triple the run time.
    user = User(login=login, must_change_password=False, password_hash="!")
    user.set_full_name(f"Персона {login}")
    user.set_roles([role])
    db.session.add(user)
    return user


@pytest.fixture
def world(app):
    """The mentor's pair with a 12-year-old whose mother is the parent; another child apart."""
    users = {p: _cheap_user(p, "mentor" if p == "stranger" else p) for p in PERSONAS}
    db.session.commit()
    admin, curator, group, mentor, mentee, parent, stranger = (users[p] for p in PERSONAS)
    mentor_person = factories.make_person(
        "Кузнецова",
        "Елена",
        "Сергеевна",
        category="педагог",
        birth_date=date(1985, 3, 2),
        is_mentor=True,
        consent=True,
        user=mentor,
    )
    child, mother = factories.make_child_with_parent(child_user=mentee, parent_user=parent)
    other, _ = factories.make_child_with_parent("Белов", "Глеб")
    factories.make_pair(mentor_person, [child])
    consent = db.session.scalars(select(Consent).where(Consent.person_id == child.id)).one()
    consent.scan, consent.scan_filename, consent.scan_mimetype = (
        b"%PDF-1.4",
        "s.pdf",
        "application/pdf",
    )
    link = db.session.scalars(
        select(Representative).where(Representative.child_id == child.id)
    ).one()
    # A header of its own wording: the batch waits at the mapping step.
    batch = start_batch(
        f"Ф.И.О.;Д.р.;Кружок;Тел.\nНовиков Олег;01.02.{TODAY.year - 12};Шахматы;"
        "8 915 000 00 01\n".encode(),
        "x.csv",
        "mentees",
        curator,
    )
    db.session.commit()
    return {
        "child": child,
        "other": other,
        "mother": mother,
        "consent": consent,
        "link": link,
        "batch": batch,
        "users": users,
    }


# (method, url, allowed personas, expected status for the allowed)
ROUTES = [
    ("GET", "/people/mentees", STAFF, 200),
    ("GET", "/people/mentors", STAFF, 200),
    ("GET", "/people/me", ALL, 302),
    ("GET", "/people/lookup?q=орлова", MANAGERS, 200),
    ("GET", "/people/new?base=mentees", MANAGERS, 200),
    ("POST", "/people/new?base=mentees", MANAGERS, 422),
    ("GET", "/people/{child}", ALL - {"stranger"}, 200),
    ("GET", "/people/{other}", STAFF, 200),
    ("GET", "/people/{mother}", STAFF | {"parent"}, 200),
    ("GET", "/people/{child}/edit", MANAGERS, 200),
    ("POST", "/people/{child}/edit", MANAGERS, 422),
    ("POST", "/people/{child}/representatives", MANAGERS, 422),
    ("POST", "/people/{child}/representatives/{link}/delete", MANAGERS, 302),
    ("GET", "/people/{child}/consents/new", MANAGERS, 200),
    ("POST", "/people/{child}/consents/new", MANAGERS, 422),
    ("POST", "/people/{child}/consents/{consent}/revoke", MANAGERS, 302),
    ("GET", "/people/{child}/consents/{consent}/scan", MANAGERS, 200),
    ("GET", "/people/{child}/consent.pdf", MANAGERS | {"mentee", "parent"}, 200),
    ("GET", "/people/{other}/consent.pdf", MANAGERS, 200),
    ("GET", "/people/{child}/my-data.xlsx", MANAGERS | {"mentee", "parent"}, 200),
    ("GET", "/people/{other}/my-data.xlsx", MANAGERS, 200),
    ("POST", "/people/{child}/anonymise", MANAGERS, 302),
    ("GET", "/people/export.xlsx?base=mentees", STAFF, 200),
    ("GET", "/people/export.csv?base=mentors", STAFF, 200),
    ("GET", "/people/import", MANAGERS, 200),
    ("POST", "/people/import", MANAGERS, 422),
    ("GET", "/people/import/template.xlsx?base=mentees", MANAGERS, 200),
    # Only the uploader continues an upload: the mapping, the preview, its corrections.
    ("GET", "/people/import/{batch}/columns", {"curator"}, 200),
    ("POST", "/people/import/{batch}/columns", {"curator"}, 422),
    ("GET", "/people/import/{batch}", {"curator"}, 302),  # not mapped yet: to the columns
    ("POST", "/people/import/{batch}/rows/2", {"curator"}, 302),
    ("POST", "/people/import/{batch}/commit", {"curator"}, 302),
]


def test_the_matrix_covers_every_people_route(app):
    covered = {url.split("?")[0] for _, url, _, _ in ROUTES}
    rules = {r.rule for r in app.url_map.iter_rules() if r.endpoint.startswith("people.")}
    normalised = set()
    for rule in rules:
        for name in ("person_id", "link_id", "consent_id", "batch_id", "number"):
            rule = rule.replace(f"<int:{name}>", "{x}")
        normalised.add(rule)
    covered_norm = set()
    for url in covered:
        for name in ("child", "other", "mother", "link", "consent", "batch"):
            url = url.replace("{" + name + "}", "{x}")
        url = url.replace("/rows/2", "/rows/{x}")
        covered_norm.add(url)
    assert normalised <= covered_norm


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    ("method", "url", "allowed", "status"), ROUTES, ids=[f"{m} {u}" for m, u, _, _ in ROUTES]
)
def test_role_matrix(world, client, auth, persona, method, url, allowed, status):
    auth.login(world["users"][persona])
    ids = {k: getattr(v, "id", None) for k, v in world.items() if k != "users"}
    response = client.open(url.format(**ids), method=method, data={"x": "1"})
    if persona in allowed:
        assert response.status_code == status, response.get_data(as_text=True)[:500]
    else:
        assert response.status_code == 403
        assert "Доступ запрещён" in response.get_data(as_text=True)


def test_mentor_sees_contacts_of_own_mentee_only_with_consent(world, client, auth):
    child = world["child"]
    child.phone = "+7 (915) 111-22-33"
    db.session.commit()
    auth.login(world["users"]["mentor"])
    card = client.get(f"/people/{child.id}").get_data(as_text=True)
    assert "+7 (915) 111-22-33" in card
    assert "История изменений" not in card and "Изменить" not in card
    world["consent"].revoked_on = TODAY
    world["consent"].revoke_reason = "заявление"
    db.session.commit()
    card = client.get(f"/people/{child.id}").get_data(as_text=True)
    assert "+7 (915) 111-22-33" not in card and "Контакты скрыты" in card


def test_mentor_of_another_pair_and_parent_of_another_child_are_refused(world, client, auth):
    other_mentor_user = factories.make_user(login="mentor2", roles=["mentor"])
    other_mentor = factories.make_person(
        "Васильев",
        "Павел",
        "Олегович",
        category="педагог",
        birth_date=date(1990, 1, 1),
        is_mentor=True,
        user=other_mentor_user,
    )
    factories.make_pair(other_mentor, [world["other"]])
    other_parent = factories.make_user(login="parent2", roles=["parent"])
    factories.make_person(
        "Чужая", "Мать", category="родитель", birth_date=date(1980, 1, 1), user=other_parent
    )
    auth.login(other_mentor_user)
    assert client.get(f"/people/{world['child'].id}").status_code == 403
    assert client.get(f"/people/{world['other'].id}").status_code == 200
    auth.login(other_parent)
    assert client.get(f"/people/{world['child'].id}").status_code == 403
    assert client.get(f"/people/{world['child'].id}/consent.pdf").status_code == 403


def test_a_mentor_loses_the_card_when_the_pair_ends(world, client, auth):
    from portal.matching.models import Pair

    pair = db.session.scalars(select(Pair)).one()
    pair.status = "завершена"
    db.session.commit()
    auth.login(world["users"]["mentor"])
    assert client.get(f"/people/{world['child'].id}").status_code == 403


def test_parent_sees_own_and_childs_card_and_exports_the_childs_data(world, client, auth):
    auth.login(world["users"]["parent"])
    card = client.get(f"/people/{world['mother'].id}").get_data(as_text=True)
    assert "Представляет интересы" in card and "Орлов Дмитрий Андреевич" in card
    response = client.get(f"/people/{world['child'].id}/my-data.xlsx")
    assert response.status_code == 200
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(response.data))
    values = [row[1] for row in book["Данные"].iter_rows(min_row=3, values_only=True)]
    assert "Орлов" in values and "Робототехника" in values
    assert book["Представители"]["A2"].value == "Орлова Наталья Петровна"
    # 152-ФЗ: the handover of the data is itself recorded: who received whose data.
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "person_data_exported")
    ).one()
    assert (event.object_id, event.user_login) == (world["child"].id, "parent")


def test_my_data_keeps_formulas_as_text_and_dates_as_dates(world, client, auth):
    child = world["child"]
    child.notes = '=HYPERLINK("http://evil.example","Жми")'
    db.session.commit()
    auth.login(world["users"]["curator"])
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(client.get(f"/people/{child.id}/my-data.xlsx").data))
    cells = {row[0].value: row[1] for row in book["Данные"].iter_rows(min_row=3)}
    assert cells["Примечания"].data_type == "s"
    assert cells["Примечания"].value.startswith("=HYPERLINK")
    assert cells["Дата рождения"].value.date() == child.birth_date
    assert cells["Дата рождения"].number_format == "DD.MM.YYYY"
    consent_date = book["Согласия"]["E2"]
    assert consent_date.value.date() == world["consent"].signed_on
    assert consent_date.number_format == "DD.MM.YYYY"


def test_an_uploaded_scan_is_only_ever_downloaded(world, client, auth):
    auth.login(world["users"]["curator"])
    response = client.get(f"/people/{world['child'].id}/consents/{world['consent'].id}/scan")
    assert response.data == b"%PDF-1.4" and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
