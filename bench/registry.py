"""Benchmark of the bases: list page with a search, import of 5,000 rows, export of 10,000.

Run: .venv/bin/python bench/registry.py [--people 10000]. Prints JSON.
"""

import argparse
import io
import json
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
    result: dict[str, object] = {"database": "sqlite (temporary file)"}
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
