"""Server cost of the first day's hub pages at two data sizes: the pair card, the person card,
the start page with its waiting items, the users screen and the quick screen's search by name.

Run: .venv/bin/python bench/first_day.py  (prints JSON). Each size is a fresh demo database
(SQLite in a temporary folder, or BENCH_DATABASE_URL) driven through Flask's test client, so
the figures are the server's own work per request. The goals: the number of SQL queries of a
page does not grow with the data (no query per row), and its time grows far slower than the
data.
"""

import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, select  # noqa: E402

from bench.common import summary_ms  # noqa: E402
from portal import create_app  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.agreements.models import Agreement  # noqa: E402
from portal.demo import seed_demo  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.matching.models import MentorshipForm, Pair  # noqa: E402

SIZES = (100, 400)
REPEATS = 30


class QueryCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args, **kwargs):
        self.count += 1


def _client(app, user_id: int):
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user_id)
        session["_fresh"] = True
    return client


def measure(client, path: str, counter: QueryCounter) -> dict:
    wall, queries = [], []
    for _ in range(REPEATS):
        before = counter.count
        start = time.perf_counter()
        response = client.get(path)
        wall.append(time.perf_counter() - start)
        queries.append(counter.count - before)
        if response.status_code != 200:
            raise SystemExit(f"{path}: {response.status_code}")
    result = summary_ms(wall)
    result["sql_queries"] = statistics.median(queries)
    return result


def one_size(people: int, tmp: str) -> dict:
    url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{tmp}/first-day-{people}.db"
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": tmp,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_demo(people=people)
        db.session.commit()
        users = {u.login: u.id for u in db.session.scalars(select(User))}
        agreement = db.session.scalar(select(Agreement).order_by(Agreement.id))
        pair = db.session.get(Pair, agreement.pair_id)
        mentee_id = pair.current_members[0].mentee_id
        form_id = db.session.scalar(select(MentorshipForm.id).order_by(MentorshipForm.id))
        paths = {
            "pair_card": f"/matching/pairs/{pair.id}",
            "person_card": f"/people/{mentee_id}",
            "users": "/users",
            "mentor_search": f"/matching/suggest?form={form_id}&mentee={mentee_id}&mentor_q=ов",
        }
        db.session.remove()
        counter = QueryCounter(db.engine)
    # Requests run outside this app context, each in its own (as in production): a shared
    # flask.g would hand one client's logged-in user to the next.
    curator = _client(app, users["curator"])
    mentor = _client(app, users["mentor"])
    result = {name: measure(curator, path, counter) for name, path in paths.items()}
    result["start_page_mentor"] = measure(mentor, "/", counter)
    result["pair_card_mentor"] = measure(mentor, paths["pair_card"], counter)
    with app.app_context():
        db.engine.dispose()
    return result


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        small, large = (one_size(n, tmp) for n in SIZES)
    growth = SIZES[1] / SIZES[0]
    goals = {}
    for name in small:
        goals[f"{name}_queries_flat"] = large[name]["sql_queries"] <= small[name]["sql_queries"]
        ratio = large[name]["median_ms"] / max(small[name]["median_ms"], 0.001)
        goals[f"{name}_time_grows_slower_than_data"] = ratio < growth / 2
    print(
        json.dumps(
            {"people": list(SIZES), "small": small, "large": large, "goals": goals},
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
