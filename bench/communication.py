"""Benchmark of communication pages at one year and at five years of data, in one run.

For each size it fills a fresh SQLite database with a media plan (about 25 items a month in
two channels), dissemination events and a base of practices, then times the media plan's month
calendar, the practices search (text and format filter) and the half-year evaluation as the
working group sees them, counting their SQL queries. Each request runs in its own app context,
as in a worker. The pages look at the current month and half-year, so a bigger history must
not make them slower: queries must stay the same and time within 1.5 × of the smaller.

Run: .venv/bin/python bench/communication.py [--requests 30]. Prints JSON.
"""

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, insert, select  # noqa: E402

from bench.common import log_in_client, percentile  # noqa: E402
from portal import create_app  # noqa: E402
from portal.extensions import db  # noqa: E402

ITEMS_PER_MONTH = 25
EVENTS_PER_MONTH = 6
PRACTICES_PER_YEAR = 120
FORMATS = ("Кейс-турниры", "Воркшопы", "Нетворкинги", "Проектная деятельность")


def seed(app, years: int, today: date) -> dict:
    from portal.accounts.models import User
    from portal.communication.models import (
        DisseminationEvent,
        MediaChannel,
        MediaItem,
        Practice,
        PracticeFormat,
        TargetGroup,
    )
    from portal.communication.statuses import DisseminationKind, MediaKind, MediaStatus
    from portal.text import fold

    rng = random.Random(years)
    with app.app_context():
        db.create_all()
        user = User(login="group", must_change_password=False)
        user.set_full_name("Лебедев Игорь Николаевич")
        user.set_password("bench")
        user.set_roles(["group"])
        channels = [
            MediaChannel(name="Сайт Центра", position=0),
            MediaChannel(name="Группа ВКонтакте", position=1),
        ]
        groups = [
            TargetGroup(name=n, position=i)
            for i, n in enumerate(("Родители", "Обучающиеся", "Педагоги"))
        ]
        db.session.add_all([user, *channels, *groups])
        db.session.flush()
        kinds = list(MediaKind)
        items, events, practices, formats = [], [], [], []
        start = date(today.year - years + 1, 1, 1)
        day = start
        while day <= date(today.year, 12, 31):
            month_days = 28
            for n in range(ITEMS_PER_MONTH):
                on = day + timedelta(days=rng.randrange(month_days))
                published = on < today and rng.random() < 0.8
                items.append(
                    {
                        "kind": kinds[n % len(kinds)],
                        "title": f"Материал {on:%d.%m.%Y} № {n}",
                        "channel_id": channels[n % 2].id,
                        "target_group_id": groups[n % 3].id,
                        "responsible_id": user.id,
                        "planned_on": on,
                        "published_on": on if published else None,
                        "status": MediaStatus.PUBLISHED if published else MediaStatus.PLANNED,
                        "link": "https://example.ru/n" if published else None,
                        "event_on": on + timedelta(days=4)
                        if kinds[n % len(kinds)] == MediaKind.PRESS_RELEASE
                        else None,
                    }
                )
            for n in range(EVENTS_PER_MONTH):
                events.append(
                    {
                        "held_on": day + timedelta(days=rng.randrange(month_days)),
                        "kind": DisseminationKind.EVENT,
                        "title": f"Встреча № {n}",
                        "target_group_id": groups[n % 3].id,
                        "channel_id": channels[n % 2].id if n % 3 else None,
                        "reach": rng.randrange(10, 200),
                    }
                )
            day = (day + timedelta(days=32)).replace(day=1)
        db.session.execute(insert(MediaItem), items)
        db.session.execute(insert(DisseminationEvent), events)
        for year in range(start.year, today.year + 1):
            for n in range(PRACTICES_PER_YEAR):
                title = (
                    f"Практика {year} № {n}: {'робототехника' if n % 7 == 0 else 'наставничество'}"
                )
                practices.append(
                    {"title": title, "year": year, "public": False, "search_key": fold(title)}
                )
        db.session.execute(insert(Practice), practices)
        for pid in db.session.scalars(select(Practice.id)):
            formats.append({"practice_id": pid, "name": FORMATS[pid % len(FORMATS)]})
        db.session.execute(insert(PracticeFormat), formats)
        db.session.commit()
        return {
            "years": years,
            "media_items": db.session.scalar(select(func.count(MediaItem.id))),
            "dissemination_events": db.session.scalar(select(func.count(DisseminationEvent.id))),
            "practices": db.session.scalar(select(func.count(Practice.id))),
            "user_id": user.id,
        }


class Site:
    """One size's portal: its app, the working-group user and a logged-in client."""

    def __init__(self, years: int, today: date):
        tmp = tempfile.mkdtemp(prefix="bench-communication-")
        self.app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{tmp}/bench.db",
                "SECRET_KEY": "bench",
                "INSTANCE_PATH": tmp,
                "WTF_CSRF_ENABLED": False,
            }
        )
        self.facts = seed(self.app, years, today)
        user_id = self.facts.pop("user_id")
        with self.app.app_context():
            self.engine = db.engine
        self.client = self.app.test_client()
        with self.app.app_context():
            log_in_client(self.client, user_id)  # a real server-side session
        self.statements: list[str] = []
        event.listen(self.engine, "before_cursor_execute", self._count)

    def _count(self, *args):
        self.statements.append(args[2])

    def get(self, path: str) -> tuple[float, int, int]:
        self.statements.clear()
        started = time.perf_counter()
        response = self.client.get(path)
        return time.perf_counter() - started, len(self.statements), response.status_code


def summary(samples: list[tuple[float, int, int]]) -> dict:
    timings = [s[0] for s in samples]
    return {
        "median_ms": round(statistics.median(timings) * 1000, 2),
        "p95_ms": round(percentile(timings, 95) * 1000, 2),
        "sql_queries": sorted({s[1] for s in samples}),
        "status": sorted({s[2] for s in samples}),
    }


def pages(today: date) -> dict[str, str]:
    half = 1 if today.month <= 6 else 2
    return {
        "media_month_view": f"/communication/media/calendar?year={today.year}&month={today.month}",
        "practices_search": "/communication/practices?q=робототехника&format=Воркшопы",
        "evaluation": f"/communication/evaluation?year={today.year}&half={half}",
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    from portal.timeutil import today_moscow

    today = today_moscow()
    sites = {"1_year": Site(1, today), "5_years": Site(5, today)}
    results = {name: dict(site.facts) for name, site in sites.items()}
    for page, path in pages(today).items():
        samples = {name: [] for name in sites}
        # The two sizes alternate request by request, so a shared machine's load falls on both.
        for i in range(args.requests + 2):
            for name, site in sites.items():
                if i >= 2:  # the first requests warm caches up
                    samples[name].append(site.get(path))
                else:
                    site.get(path)
        for name in sites:
            results[name][page] = summary(samples[name])
    small, large = results["1_year"], results["5_years"]
    names = list(pages(today))
    ratios = {n: round(large[n]["median_ms"] / small[n]["median_ms"], 2) for n in names}
    report = {
        "database": "sqlite (temporary file)",
        "1_year": small,
        "5_years": large,
        "cost_ratio_5y_to_1y": ratios,
        "goals": {
            "same_queries_at_both_sizes": all(
                small[n]["sql_queries"] == large[n]["sql_queries"] for n in names
            ),
            "all_pages_ok": all(small[n]["status"] == large[n]["status"] == [200] for n in names),
            **{f"{n}_5y_at_most_1_5x_1y": ratios[n] <= 1.5 for n in names},
        },
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
