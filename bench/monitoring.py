"""Monitoring at two sizes in one run: the results page of a campaign and the annual report,
one answer's save, and the analytic PDF.

Run: .venv/bin/python bench/monitoring.py  (prints JSON). Each size gets its own fresh
database (SQLite in a temporary folder, or BENCH_DATABASE_URL with "{size}" in it, e.g.
postgresql+psycopg://postgres@127.0.0.1:5432/bench_{size}), filled in bulk:

- small: 1,000 people in the bases, one school year (two half-year campaigns);
- large: 10,000 people, five school years (ten campaigns), about 200,000 answers.

Each year 500 pairs work (about a thousand participants, at both sizes: a campaign is alike,
the history and the bases grow); every participant answers an entry questionnaire, two
half-year ones (80 % of them) and an exit one. Pages are driven through
Flask's test client, so the figures are the server's own work (routing, login, the access
check, SQL, templates) without network time; SQL statements per request are counted.
Goals: at the larger size a page costs at most 1.5 × the smaller one and runs the same number
of queries; one answer is saved in under 20 ms; the analytic PDF takes under 3 s.
"""

import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, insert, select  # noqa: E402

from bench.common import log_in_client, summary_ms  # noqa: E402
from portal import create_app  # noqa: E402
from portal.accounts.models import User  # noqa: E402
from portal.extensions import db  # noqa: E402
from portal.matching.forms_seed import seed_forms  # noqa: E402
from portal.matching.models import Pair, PairMember  # noqa: E402
from portal.monitoring.campaigns import close_campaign  # noqa: E402
from portal.monitoring.defaults import install_defaults  # noqa: E402
from portal.monitoring.models import (  # noqa: E402
    Answer,
    Assignment,
    Campaign,
    CampaignStatus,
    Questionnaire,
)
from portal.people.models import Person  # noqa: E402

SIZES = {"small": (1_000, 1), "large": (10_000, 5)}
PAGE_RUNS, SAVES, PDF_RUNS = 15, 200, 3
PAIRS_PER_YEAR = 500
LAST_YEAR = 2026  # the school year 2025/26 is the last one generated
LOCAL = ("teacher-student", "student-student", "teacher-teacher")


class QueryCounter:
    def __init__(self, engine):
        self.count = 0
        event.listen(engine, "before_cursor_execute", self._on_execute)

    def _on_execute(self, *args, **kwargs):
        self.count += 1


def measure(call, n: int, counter: QueryCounter) -> dict:
    wall, queries = [], []
    for i in range(n):
        before = counter.count
        start = time.perf_counter()
        call(i)
        wall.append(time.perf_counter() - start)
        queries.append(counter.count - before)
    result = summary_ms(wall)
    result["sql_queries"] = statistics.median(queries)
    return result


def _values(question, rng):
    """Rows (slot, value, text) a respondent would give to one question."""
    if question.kind == "scale":
        return [(0, rng.randint(3, 10), None)]
    if question.kind == "yesno":
        return [(0, int(rng.random() < 0.8), None)]
    if question.kind == "single":
        return [(0, rng.randrange(len(question.options)), None)]
    if question.kind == "multi":
        n = rng.randrange(len(question.options))
        return [(n + 1, n, None)]
    return [(0, None, "Полезно и интересно.")] if rng.random() < 0.2 else []


def populate(people: int, years: int, rng: random.Random) -> dict:
    """Bulk-fill the bases, pairs, campaigns, assignments and answers; return ids to use."""
    forms = seed_forms()
    install_defaults()
    db.session.flush()
    curator = User(
        login="curator", full_name="Куратор", password_hash="x", must_change_password=False
    )
    curator.set_roles(["curator"])
    db.session.add(curator)
    db.session.flush()
    form_ids = [forms[c].id for c in LOCAL]
    family = {
        (q.form_id, q.respondent, q.moment): q
        for q in db.session.scalars(select(Questionnaire).where(Questionnaire.current.is_(True)))
    }
    for q in family.values():
        q.questions  # noqa: B018  (load once, used for every respondent)

    mentors = people // 10
    db.session.execute(
        insert(Person),
        [
            {
                "id": i,
                "last_name": f"Фамилия{i}",
                "first_name": "Имя",
                "category": "педагог" if i <= mentors else "обучающийся",
                "birth_date": date(1980, 1, 1) if i <= mentors else date(2012, 1, 1),
                "is_mentor": i <= mentors,
                "is_mentee": i > mentors,
            }
            for i in range(1, people + 1)
        ],
    )
    # About a thousand people take part each year whatever the size of the bases, so a
    # campaign is alike at both sizes and only the history (and the bases) grow.
    pairs_per_year = PAIRS_PER_YEAR
    pair_rows, member_rows, assignment_rows, answer_rows = [], [], [], []
    campaigns = []
    pair_id = assignment_id = 0
    for year in range(LAST_YEAR - years, LAST_YEAR):
        december = Campaign(
            title=f"Мониторинг за I полугодие {year}/{year + 1}",
            period_start=date(year, 7, 1),
            period_end=date(year, 12, 31),
            deadline=date(year, 12, 20),
            form_ids=form_ids,
            stages=["quality", "growth"],
            status=CampaignStatus.OPEN,
        )
        may = Campaign(
            title=f"Мониторинг за II полугодие {year}/{year + 1}",
            period_start=date(year + 1, 1, 1),
            period_end=date(year + 1, 6, 30),
            deadline=date(year + 1, 5, 20),
            form_ids=form_ids,
            stages=["quality", "growth"],
            status=CampaignStatus.OPEN,
        )
        db.session.add_all([december, may])
        db.session.flush()
        campaigns += [december, may]
        for _ in range(pairs_per_year):
            pair_id += 1
            form_id = rng.choice(form_ids)
            mentor = rng.randint(1, mentors)
            mentee = rng.randint(mentors + 1, people)
            ended = date(year + 1, 5, 25)
            pair_rows.append(
                {
                    "id": pair_id,
                    "form_id": form_id,
                    "mentor_id": mentor,
                    "status": "завершена",
                    "started_on": date(year, 9, 15),
                    "ended_on": ended,
                }
            )
            member_rows.append(
                {"pair_id": pair_id, "mentee_id": mentee, "joined_on": date(year, 9, 15)}
            )
            for person, role in ((mentor, "mentor"), (mentee, "mentee")):
                for campaign, moment, share in (
                    (None, "entry", 1.0),
                    (december, "half_year", 0.8),
                    (may, "half_year", 0.8),
                    (may, "exit", 1.0),
                ):
                    assignment_id += 1
                    sent = rng.random() < share
                    at = datetime(year, 10, 1, tzinfo=UTC)
                    assignment_rows.append(
                        {
                            "id": assignment_id,
                            "campaign_id": campaign.id if campaign else None,
                            "questionnaire_id": family[form_id, role, moment].id,
                            "moment": moment,
                            "person_id": person,
                            "pair_id": pair_id,
                            "form_id": form_id,
                            "respondent": role,
                            "started_at": at if sent else None,
                            "submitted_at": at if sent else None,
                        }
                    )
                    if not sent:
                        continue
                    for question in family[form_id, role, moment].questions:
                        for slot, value, text in _values(question, rng):
                            answer_rows.append(
                                {
                                    "assignment_id": assignment_id,
                                    "question_id": question.id,
                                    "slot": slot,
                                    "value": value,
                                    "text": text,
                                    "saved_at": at,
                                }
                            )
    db.session.execute(insert(Pair), pair_rows)
    db.session.execute(insert(PairMember), member_rows)
    db.session.execute(insert(Assignment), assignment_rows)
    for start in range(0, len(answer_rows), 20_000):
        db.session.execute(insert(Answer), answer_rows[start : start + 20_000])
    db.session.commit()
    for campaign in campaigns[:-1]:
        close_campaign(campaign)
    latest = campaigns[-1]
    # One more mentee of the latest campaign, with an account and an unanswered questionnaire.
    open_one = db.session.scalar(
        select(Assignment).where(
            Assignment.campaign_id == latest.id,
            Assignment.respondent == "mentee",
            Assignment.submitted_at.is_(None),
        )
    )
    mentee = User(
        login="mentee",
        full_name="Наставляемый",
        password_hash="x",
        must_change_password=False,
        person_id=open_one.person_id,
    )
    mentee.set_roles(["mentee"])
    db.session.add(mentee)
    db.session.commit()
    return {
        "campaign": latest.id,
        "curator": curator.id,
        "mentee": mentee.id,
        "assignment": open_one.id,
        "question": next(q.id for q in open_one.questionnaire.questions if q.kind == "scale"),
        "answers": db.session.scalar(select(func.count()).select_from(Answer)),
        "pairs": len(pair_rows),
    }


def login(app, user_id: int):
    client = app.test_client()
    with app.app_context():
        log_in_client(client, user_id)  # a real server-side session
    return client


def _expect(response, status: int = 200):
    if response.status_code != status:
        raise SystemExit(f"unexpected {response.status_code}: {response.get_data()[:300]!r}")
    return response


def run_size(name: str, people: int, years: int, tmp: str) -> dict:
    template = os.environ.get("BENCH_DATABASE_URL")
    url = template.format(size=name) if template else f"sqlite:///{tmp}/monitoring-{name}.db"
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
        start = time.perf_counter()
        ids = populate(people, years, random.Random(2026))
        fill_s = time.perf_counter() - start
        db.session.remove()
        counter = QueryCounter(db.engine)
    curator, mentee = login(app, ids["curator"]), login(app, ids["mentee"])
    campaign = ids["campaign"]
    results = measure(
        lambda i: _expect(curator.get(f"/monitoring/campaigns/{campaign}/results")),
        PAGE_RUNS,
        counter,
    )
    annual = measure(
        lambda i: _expect(curator.get(f"/monitoring/annual/calendar/{LAST_YEAR}")),
        PAGE_RUNS,
        counter,
    )
    save = measure(
        lambda i: _expect(
            mentee.post(
                f"/monitoring/answer/{ids['assignment']}/q/{ids['question']}",
                data={f"q{ids['question']}": str(1 + i % 10)},
                headers={"HX-Request": "true"},
            )
        ),
        SAVES,
        counter,
    )
    pdf = measure(
        lambda i: _expect(curator.get(f"/monitoring/campaigns/{campaign}/report.pdf")),
        PDF_RUNS,
        counter,
    )
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    return {
        "people": people,
        "years": years,
        "pairs": ids["pairs"],
        "answers": ids["answers"],
        "fill_s": round(fill_s, 1),
        "results_page": results,
        "annual_report": annual,
        "save_answer": save,
        "analytic_pdf": pdf,
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        sizes = {name: run_size(name, *size, tmp) for name, size in SIZES.items()}
    small, large = sizes["small"], sizes["large"]

    def ratio(page: str) -> float:
        return round(large[page]["median_ms"] / small[page]["median_ms"], 2)

    goals = {
        "results_page_large_within_1_5x_small": ratio("results_page") <= 1.5,
        "results_page_same_query_count": large["results_page"]["sql_queries"]
        == small["results_page"]["sql_queries"],
        "annual_report_large_within_1_5x_small": ratio("annual_report") <= 1.5,
        "annual_report_same_query_count": large["annual_report"]["sql_queries"]
        == small["annual_report"]["sql_queries"],
        "save_answer_under_20_ms": large["save_answer"]["median_ms"] < 20,
        "analytic_pdf_under_3_s": large["analytic_pdf"]["median_ms"] < 3000,
    }
    print(
        json.dumps(
            {
                "database": (os.environ.get("BENCH_DATABASE_URL") or "sqlite").split(":")[0],
                "sizes": sizes,
                "ratios_large_to_small": {
                    "results_page": ratio("results_page"),
                    "annual_report": ratio("annual_report"),
                },
                "goals": goals,
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
