"""Benchmark of the bases: list page with a search, import of 5,000 rows, export of 10,000.

Run: .venv/bin/python bench/registry.py [--people 10000]. Prints JSON.
"""

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from openpyxl import load_workbook  # noqa: E402
from sqlalchemy import event, func, select  # noqa: E402

from bench.common import log_in_client  # noqa: E402
from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


def seed(people: int) -> str:
    from portal import demo

    try:
        demo.seed_demo(people=people)
        return "all areas"
    except Exception as exc:  # another area's seeder may be unfinished: keep the people
        db.session.rollback()
        db.drop_all()
        db.create_all()
        demo.AREA_SEEDERS = ("people",)
        demo.seed_demo(people=people)
        return f"people only ({type(exc).__name__} in a later seeder)"


def import_file(rows: int) -> bytes:
    from portal.documents.tables import write_xlsx
    from portal.people.columns import importable_columns

    first = ("Андрей", "Борис", "Вадим", "Глеб", "Денис", "Егор", "Жанна", "Зоя", "Игорь", "Кира")
    last = ("Бенчев", "Тестов", "Замеров", "Сроков", "Импортов", "Строков", "Файлов", "Рядов")
    middle = ("Андреевич", "Борисович", "Вадимович", "Глебович", "Денисович")
    records = []
    for i in range(rows):
        records.append(
            {
                "fio": f"{last[i % 8]}{'абвгдежзиклмнопрстуфхцчшэюя'[i // 8 % 27]} "
                f"{first[i // 216 % 10]} {middle[i // 2160 % 5]}",
                "birth_date": date(2012 + i % 4, 1 + i % 12, 1 + i % 28),
                "category": "обучающийся",
                "club": "Робототехника",
                "study_level": 5 + i % 5,
                "phone": f"+7 (915) {100 + i % 900}-{10 + i % 90}-{10 + i % 89}",
                "interests": "робототехника, программирование",
                "status": "кандидат",
                "entered_on": date(2026, 9, 1),
            }
        )
    columns = [c.table_column() for c in importable_columns("mentees")]
    return write_xlsx("Импорт", columns, records)


def nonstandard_file(rows: int, offset: int) -> bytes:
    """A list as a secretary keeps it: title rows, three name columns, own wording, «№»."""
    from openpyxl import Workbook

    letters = "абвгдежзиклмнопрстуфхцчшэюя"
    # A normal workbook writes shared strings, as Excel does (write-only mode inlines them).
    book = Workbook()
    sheet = book.active
    sheet.title = "Список"
    sheet.append(["Список обучающихся — участников программы наставничества"])
    sheet.append([])
    sheet.append(
        [
            "№",
            "Фамилия",
            "Имя",
            "Отчество",
            "Дата рождения (дд.мм.гггг)",
            "Объединение (кружок)",
            "Кл.",
            "Контактный телефон",
            "e-mail",
        ]
    )
    for i in range(offset, offset + rows):
        surname = "Замер" + letters[i % 27] + letters[i // 27 % 27] + letters[i // 729 % 27] + "ов"
        sheet.append(
            [
                i + 1,
                surname.capitalize(),
                ("Андрей", "Борис", "Вадим", "Глеб", "Денис")[i % 5],
                ("Андреевич", "Борисович", "Вадимович")[i % 3],
                f"{1 + i % 28:02d}.{1 + i % 12:02d}.{2010 + i % 5} г.",
                ("Робототехника", "Шахматы", "Вокал")[i % 3],
                5 + i % 5,
                f"8 915 {100 + i % 900} {10 + i % 90} {10 + i % 89}",
                f"pupil{i}@example.ru",
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def mapped_import(client, data: bytes, statements: list) -> dict:
    """Upload, the mapping guess, its confirmation and the preview, then the commit."""
    import re

    timings, cpu = {}, {}
    statements.clear()
    t, c = time.perf_counter(), time.process_time()
    response = client.post(
        "/people/import",
        data={"base": "mentees", "file": (io.BytesIO(data), "список.xlsx")},
        content_type="multipart/form-data",
    )
    timings["upload_s"], cpu["upload_s"] = time.perf_counter() - t, time.process_time() - c
    assert response.status_code == 303 and response.location.endswith("/columns")
    columns_url = response.location
    t, c = time.perf_counter(), time.process_time()
    page = client.get(columns_url).get_data(as_text=True)
    timings["mapping_guess_s"], cpu["mapping_guess_s"] = (
        time.perf_counter() - t,
        time.process_time() - c,
    )
    form = {"confirm_drop": "1"}
    for name in ("sheet", "header_row", "count"):
        form[name] = re.search(rf'name="{name}" value="([^"]*)"', page).group(1)
    for name, key in re.findall(
        r'<select name="(column-\d+)".*?<option value="([^"]*)" selected', page, re.S
    ):
        form[name] = key
    t, c = time.perf_counter(), time.process_time()
    response = client.post(columns_url, data=form)
    timings["mapping_confirm_s"], cpu["mapping_confirm_s"] = (
        time.perf_counter() - t,
        time.process_time() - c,
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    t, c = time.perf_counter(), time.process_time()
    preview = client.get(response.location).get_data(as_text=True)
    timings["preview_s"], cpu["preview_s"] = time.perf_counter() - t, time.process_time() - c
    assert "Ошибок нет" in preview, "the mapped preview found errors"
    queries_before_commit = len(statements)
    batch_id = int(response.location.rstrip("/").split("/")[-1])
    t, c = time.perf_counter(), time.process_time()
    response = client.post(f"/people/import/{batch_id}/commit")
    timings["commit_s"], cpu["commit_s"] = time.perf_counter() - t, time.process_time() - c
    assert response.status_code == 302
    result = {k: round(v, 2) for k, v in timings.items()}
    result["upload_to_preview_s"] = round(
        sum(timings[k] for k in ("upload_s", "mapping_guess_s", "mapping_confirm_s", "preview_s")),
        2,
    )
    steps = ("upload_s", "mapping_guess_s", "mapping_confirm_s", "preview_s")
    # CPU seconds of this process: what the steps cost when the shared machine is busy.
    result["cpu_upload_to_preview_s"] = round(sum(cpu[k] for k in steps), 2)
    result["cpu_commit_s"] = round(cpu["commit_s"], 2)
    result["sql_queries_upload_to_preview"] = queries_before_commit
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="bench-registry-")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_PATH": tmp,
        }
    )
    # The machine is shared: the load at the start says how far to trust the timings.
    result: dict[str, object] = {
        "database": "sqlite (temporary file)",
        "load_average_1min": round(os.getloadavg()[0], 1),
    }
    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        result["seeded"] = seed(args.people)
        result["seed_seconds"] = round(time.perf_counter() - started, 1)
        from portal.accounts.models import User
        from portal.people.models import Person

        result["people"] = db.session.scalar(select(func.count()).select_from(Person))
        curator = db.session.scalar(select(User).where(User.login == "curator"))
        client = app.test_client()
        log_in_client(client, curator.id)

        statements: list[str] = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        searches = ("ива", "петр", "сол", "кузн", "ор", "смирн", "лев", "ёв")
        timings, queries = [], []
        for i in range(args.requests):
            url = f"/people/mentees?q={searches[i % len(searches)]}&page={1 + i % 2}"
            statements.clear()
            t = time.perf_counter()
            response = client.get(url, headers={"HX-Request": "true"})
            timings.append((time.perf_counter() - t) * 1000)
            queries.append(len(statements))
            assert response.status_code == 200
        full = []
        for _ in range(10):
            statements.clear()
            t = time.perf_counter()
            client.get("/people/mentors?sort=-age")
            full.append((time.perf_counter() - t) * 1000)
        result["list_search_ms"] = {
            "median": round(statistics.median(timings), 1),
            "p95": round(percentile(timings, 0.95), 1),
            "requests": len(timings),
        }
        result["list_full_page_mentors_ms_median"] = round(statistics.median(full), 1)
        result["sql_queries_per_list_page"] = sorted(set(queries))

        data = import_file(5000)
        t = time.perf_counter()
        response = client.post(
            "/people/import",
            data={"base": "mentees", "file": (io.BytesIO(data), "bench.xlsx")},
            content_type="multipart/form-data",
            follow_redirects=True,  # the portal's own header goes straight to the preview
        )
        preview = time.perf_counter() - t
        assert "Ошибок нет" in response.get_data(as_text=True), "import preview found errors"
        from portal.people.models import ImportBatch

        batch_id = db.session.scalar(select(func.max(ImportBatch.id)))
        before = result["people"]
        t = time.perf_counter()
        response = client.post(f"/people/import/{batch_id}/commit")
        commit = time.perf_counter() - t
        after = db.session.scalar(select(func.count()).select_from(Person))
        result["import_5000_rows"] = {
            "file_kb": len(data) // 1024,
            "upload_and_preview_s": round(preview, 2),
            "commit_s": round(commit, 2),
            "total_s": round(preview + commit, 2),
            "created": after - before,
        }

        # A non-standard header through the mapping step, at two sizes: the time must grow
        # with the rows and the queries must not.
        small = mapped_import(client, nonstandard_file(1000, 100_000), statements)
        large = mapped_import(client, nonstandard_file(5000, 200_000), statements)
        result["mapped_import_1000_rows"] = small
        result["mapped_import_5000_rows"] = large
        result["goals"] = {
            "mapped_preview_5000_under_2s": large["upload_to_preview_s"] < 2.0,
            "mapped_commit_5000_under_5s": large["commit_s"] < 5.0,
            "mapped_preview_5000_cpu_under_2s": large["cpu_upload_to_preview_s"] < 2.0,
            "mapped_commit_5000_cpu_under_5s": large["cpu_commit_s"] < 5.0,
            "queries_do_not_grow_with_rows": large["sql_queries_upload_to_preview"]
            <= small["sql_queries_upload_to_preview"] + 10,
        }

        t = time.perf_counter()
        response = client.get("/people/export.xlsx?base=mentees")
        export = time.perf_counter() - t
        sheet = load_workbook(io.BytesIO(response.data), read_only=True).active
        rows = sum(1 for _ in sheet.iter_rows(min_row=4)) if sheet else 0
        t = time.perf_counter()
        csv = client.get("/people/export.csv?base=mentees")
        export_csv = time.perf_counter() - t
        result["export_xlsx"] = {
            "rows": rows,
            "seconds": round(export, 2),
            "kb": len(response.data) // 1024,
        }
        result["export_csv"] = {"seconds": round(export_csv, 2), "kb": len(csv.data) // 1024}
    print(json.dumps(result, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
