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

from bench.common import percentile  # noqa: E402
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


def measure(app, login: str, path: str, requests: int, headers=None) -> dict:
    with app.app_context():
        from portal.accounts.models import User

        user_id = db.session.scalar(select(User.id).where(User.login == login))
        engine = db.engine
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    statements: list[str] = []

    def count(*args):
        statements.append(args[2])

    event.listen(engine, "before_cursor_execute", count)
    timings, queries, statuses = [], [], set()
    try:
        for _ in range(requests + 2):
            statements.clear()
            started = time.perf_counter()
            response = client.get(path, headers=headers or {})
            timings.append(time.perf_counter() - started)
            queries.append(len(statements))
            statuses.add(response.status_code)
            body = response.get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    timings, queries = timings[2:], queries[2:]  # the first requests warm caches up
    return {
        "median_ms": round(statistics.median(timings) * 1000, 2),
        "p95_ms": round(percentile(timings, 95) * 1000, 2),
        "sql_queries": sorted(set(queries)),
        "status": sorted(statuses),
        "_body": body,
    }


def bell_path(app, login: str) -> str:
    """The poll address the start page gives the bell (with the state it was drawn with)."""
    page = measure(app, login, "/", 1)["_body"]
    return re.search(r'hx-get="(/notifications/bell\?state=[^"]+)"', page).group(1)


def run(size: int, requests: int) -> dict:
    tmp = tempfile.mkdtemp(prefix="bench-programme-")
    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": tmp,
            "WTF_CSRF_ENABLED": False,
        }
    )
    result = seed(app, size)
    for name, login in (("curator_start_page", "curator"), ("mentor_start_page", "mentor")):
        found = measure(app, login, "/", requests)
        found["queue_items"] = len(re.findall(r'class="queue-item', found.pop("_body")))
        result[name] = found
    poll = measure(app, "mentor", bell_path(app, "mentor"), requests, {"HX-Request": "true"})
    poll.pop("_body")
    result["idle_poll"] = poll
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs=2, default=(1000, 10000))
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    small, large = (run(size, args.requests) for size in args.sizes)
    pages = ("curator_start_page", "mentor_start_page", "idle_poll")
    ratio = large["curator_start_page"]["median_ms"] / small["curator_start_page"]["median_ms"]
    report = {
        "database": "sqlite (temporary file)",
        str(args.sizes[0]): small,
        str(args.sizes[1]): large,
        "curator_start_page_cost_ratio": round(ratio, 2),
        "goals": {
            "same_queries_at_both_sizes": all(
                small[p]["sql_queries"] == large[p]["sql_queries"] for p in pages
            ),
            "curator_start_page_10k_at_most_1_5x_1k": ratio <= 1.5,
            "idle_poll_at_most_2_queries": max(large["idle_poll"]["sql_queries"]) <= 2
            and large["idle_poll"]["status"] == [204],
        },
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
