"""Benchmark of the start page and the bell at two sizes of the bases, in one run.

For 1,000 and 10,000 people (demo data: pairs, plans, agreements, the road map, and
notifications in proportion) it times the curator's and a mentor's start page and the
bell's idle poll, and counts their SQL queries. Each request runs in its own app context,
as in a worker, so loading the user is counted too.

Run: .venv/bin/python bench/programme.py [--sizes 1000 10000] [--requests 30]. Prints JSON.
"""

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, insert, select  # noqa: E402

from bench.common import log_in_client, percentile  # noqa: E402
from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402


def seed(app, people: int) -> dict:
    from portal import demo
    from portal.accounts.models import User
    from portal.notifications.models import Notification
    from portal.people.models import Person
    from portal.timeutil import utcnow

    with app.app_context():
        db.create_all()
        started = time.perf_counter()
        demo.seed_demo(people=people)
        # Notifications in proportion to the bases: a history of read ones for every demo
        # login (the bell counts only unread ones, through its index).
        users = list(db.session.scalars(select(User.id)))
        rows = [
            {
                "user_id": users[i % len(users)],
                "kind": "deadline",
                "text": f"Напоминание № {i}",
                "endpoint": "main.dashboard",
                "url_args": {},
                "object_type": "plan",
                "object_id": 1,
                "created_at": utcnow(),
                "read_at": utcnow(),
            }
            for i in range(people)
        ]
        db.session.execute(insert(Notification), rows)
        db.session.commit()
        return {
            "people": db.session.scalar(select(func.count(Person.id))),
            "notifications": db.session.scalar(select(func.count(Notification.id))),
            "seed_seconds": round(time.perf_counter() - started, 1),
        }


class Probe:
    """Requests to one page of one portal as one user, each in a fresh app context."""

    def __init__(self, app, login: str, path: str, headers=None):
        with app.app_context():
            from portal.accounts.models import User

            user_id = db.session.scalar(select(User.id).where(User.login == login))
            self.engine = db.engine
        self.client = app.test_client()
        with app.app_context():
            log_in_client(self.client, user_id)  # a real server-side session
        self.path, self.headers = path, headers or {}
        self.timings: list[float] = []
        self.queries: list[int] = []
        self.statuses: set[int] = set()
        self.body = ""

    def once(self, keep: bool = True) -> None:
        statements: list[str] = []

        def count(*args):
            statements.append(args[2])

        event.listen(self.engine, "before_cursor_execute", count)
        try:
            started = time.perf_counter()
            response = self.client.get(self.path, headers=self.headers)
            elapsed = time.perf_counter() - started
        finally:
            event.remove(self.engine, "before_cursor_execute", count)
        self.body = response.get_data(as_text=True)
        if keep:
            self.timings.append(elapsed)
            self.queries.append(len(statements))
            self.statuses.add(response.status_code)

    def summary(self) -> dict:
        return {
            "median_ms": round(statistics.median(self.timings) * 1000, 2),
            "p95_ms": round(percentile(self.timings, 95) * 1000, 2),
            "sql_queries": sorted(set(self.queries)),
            "status": sorted(self.statuses),
            "requests": len(self.timings),
        }


def make_app(size: int):
    tmp = tempfile.mkdtemp(prefix="bench-programme-")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": tmp,
            "WTF_CSRF_ENABLED": False,
        }
    )
    return app, seed(app, size)


def probes(app) -> dict[str, Probe]:
    found = {
        "curator_start_page": Probe(app, "curator", "/"),
        "mentor_start_page": Probe(app, "mentor", "/"),
    }
    # The poll address the start page gives the bell, with the state it was drawn with.
    found["mentor_start_page"].once(keep=False)
    poll = re.search(
        r'hx-get="(/notifications/bell\?state=[^"]+)"', found["mentor_start_page"].body
    )
    found["idle_poll"] = Probe(app, "mentor", poll.group(1), {"HX-Request": "true"})
    return found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs=2, default=(1000, 10000))
    parser.add_argument("--requests", type=int, default=40)
    args = parser.parse_args()
    sizes = [str(n) for n in args.sizes]
    apps = {name: make_app(n) for name, n in zip(sizes, args.sizes, strict=True)}
    pages = ("curator_start_page", "mentor_start_page", "idle_poll")
    found = {name: probes(app) for name, (app, _) in apps.items()}
    for probe in (p for by_page in found.values() for p in by_page.values()):
        probe.once(keep=False)  # warm the caches up
    # Alternate the sizes request by request, so the load of a shared machine falls on both.
    for _ in range(args.requests):
        for page in pages:
            for name in sizes:
                found[name][page].once()
    report: dict = {"database": "sqlite (temporary file)"}
    for name, (_, seeded) in apps.items():
        report[name] = seeded | {page: found[name][page].summary() for page in pages}
    small, large = (report[name] for name in sizes)
    ratio = large["curator_start_page"]["median_ms"] / small["curator_start_page"]["median_ms"]
    report["curator_start_page_cost_ratio"] = round(ratio, 2)
    report["goals"] = {
        "same_queries_at_both_sizes": all(
            small[p]["sql_queries"] == large[p]["sql_queries"] for p in pages
        ),
        "curator_start_page_10k_at_most_1_5x_1k": ratio <= 1.5,
        "idle_poll_at_most_2_queries": max(large["idle_poll"]["sql_queries"]) <= 2
        and large["idle_poll"]["status"] == [204],
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
