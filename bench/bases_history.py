"""Benchmark of the bases with history: the export (a row per participation, contacts checked
against consents) and the export for a year, at two data sizes in one run.

Run: .venv/bin/python bench/bases_history.py [--small 300 --large 1500]. Prints JSON with a
``goals`` object: the number of SQL statements does not grow with the data; a full export's
time per KB written does not grow; the year's export grows far slower than the data.
"""

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, select  # noqa: E402

from bench.common import log_in_client  # noqa: E402
from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402

URLS = {
    "mentees_xlsx": "/people/export.xlsx?base=mentees",
    "mentors_xlsx": "/people/export.xlsx?base=mentors",
    "mentees_year_csv": "/people/export.csv?base=mentees&year={year}",
}


def measure(people: int, repeats: int) -> dict:
    tmp = tempfile.mkdtemp(prefix="bench-bases-")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "SECRET_KEY": "bench",
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_PATH": tmp,
        }
    )
    out: dict[str, object] = {}
    with app.app_context():
        from portal import demo
        from portal.accounts.models import User
        from portal.matching.models import PairMember
        from portal.timeutil import today_moscow

        db.create_all()
        demo.seed_demo(people=people)
        out["people"] = people
        out["participations"] = db.session.scalar(select(func.count()).select_from(PairMember))
        curator = db.session.scalar(select(User).where(User.login == "curator"))
        client = app.test_client()
        log_in_client(client, curator.id)
        statements: list[str] = []
        event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
        for name, url in URLS.items():
            url = url.format(year=today_moscow().year)
            timings, queries = [], set()
            for _ in range(repeats):
                statements.clear()
                started = time.perf_counter()
                response = client.get(url)
                timings.append(time.perf_counter() - started)
                queries.add(len(statements))
                assert response.status_code == 200, (url, response.status_code)
            out[name] = {
                "median_ms": round(statistics.median(timings) * 1000, 1),
                "sql_statements": sorted(queries),
                "kb": len(response.data) // 1024,
            }
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", type=int, default=300)
    parser.add_argument("--large", type=int, default=1500)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    small = measure(args.small, args.repeats)
    large = measure(args.large, args.repeats)
    ratio = args.large / args.small
    goals = {}
    for name in URLS:
        goals[f"{name}_queries_constant"] = (
            max(large[name]["sql_statements"]) <= max(small[name]["sql_statements"]) + 2
        )
        # A full export writes every row, so its time follows its output: the time per KB of
        # output must not grow. The year's export is small at both sizes: its time must grow
        # far slower than the data.
        if name.endswith("_year_csv"):
            grown = large[name]["median_ms"] / max(small[name]["median_ms"], 0.1)
            goals[f"{name}_time_grows_slower_than_data"] = grown < ratio / 2
        else:
            per_kb_small = small[name]["median_ms"] / max(small[name]["kb"], 1)
            per_kb_large = large[name]["median_ms"] / max(large[name]["kb"], 1)
            goals[f"{name}_time_per_kb_not_growing"] = per_kb_large <= per_kb_small * 1.5
    print(
        json.dumps(
            {"small": small, "large": large, "data_ratio": ratio, "goals": goals},
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
