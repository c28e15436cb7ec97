"""Matching benchmark, one run, JSON out: top-10 suggestions among 2,000 mentors, a cohort of
3,000 mentees × 1,000 mentors (whole proposal vs bare solver, peak memory), and the HTTP cost of
the quick screen's suggestions fragment with 2,000 mentors in the database.

    .venv/bin/python bench/matching.py            # SQLite in a temporary folder
    BENCH_DATABASE_URL=postgresql+psycopg://… .venv/bin/python bench/matching.py
"""

import json
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import event, insert, select

from bench.common import log_in_client
from bench.matching_core import (
    CLUBS,
    COMPETENCIES,
    INTERESTS,
    bench_cohort,
    bench_top10,
)
from portal import create_app
from portal.accounts.models import User
from portal.extensions import db
from portal.matching.forms_seed import seed_forms
from portal.people.models import Consent, Person, PersonTag, Tag
from portal.text import fold

N_MENTORS = 2000
N_MENTEES = 300
REPEATS = 30
DAYS = ("пн", "вт", "ср", "чт", "пт", "сб")
PARTS = ("утро", "день", "вечер")


def _populate(
    rng: random.Random, n_mentors: int = N_MENTORS, n_mentees: int = N_MENTEES
) -> list[int]:
    """Insert mentors and mentees with tags and consents in bulk; return the mentee ids."""
    words = sorted(set(INTERESTS) | set(COMPETENCIES))
    db.session.execute(insert(Tag), [{"name": w, "folded": fold(w)} for w in words])
    tag_id = dict(db.session.execute(select(Tag.name, Tag.id)).all())
    people = []
    for k in range(n_mentors + n_mentees):
        mentor = k < n_mentors
        age = rng.randint(22, 60) if mentor else rng.randint(10, 17)
        people.append(
            {
                "last_name": f"Фамилия{k}",
                "first_name": "Имя",
                "middle_name": "Отчество",
                "search_key": f"фамилия{k} имя отчество",
                "category": "педагог" if mentor else "обучающийся",
                "is_mentor": mentor,
                "is_mentee": not mentor,
                "birth_date": date(2026 - age, rng.randint(1, 12), rng.randint(1, 28)),
                "club": rng.choice(CLUBS),
                "study_level": None if mentor else age - 6,
                "capacity": rng.randint(1, 3) if mentor else 0,
                "status": "участник",
                "desired_age_min": 10 if mentor else None,
                "desired_age_max": 14 if mentor else None,
                "comm_format": rng.choice(("очно", "дистанционно", "очно и дистанционно")),
                "comm_time": f"{rng.choice(DAYS)}, {rng.choice(DAYS)} {rng.choice(PARTS)}",
                "key_request": "" if mentor else f"подготовка к олимпиаде: {rng.choice(INTERESTS)}",
            }
        )
    db.session.execute(insert(Person), people)
    ids = list(db.session.scalars(select(Person.id).order_by(Person.id)))
    links, consents = [], []
    for k, person_id in enumerate(ids):
        mentor = k < n_mentors
        for name in rng.sample(INTERESTS, rng.randint(1, 5)):
            links.append({"person_id": person_id, "tag_id": tag_id[name], "kind": "interest"})
        pool = COMPETENCIES if mentor else INTERESTS
        kind = "competency" if mentor else "request"
        for name in rng.sample(pool, rng.randint(2, 5) if mentor else 2):
            links.append({"person_id": person_id, "tag_id": tag_id[name], "kind": kind})
        consents.append(
            {
                "person_id": person_id,
                "kind": "processing",
                "variant": "B",
                "signed_on": date(2026, 9, 1),
                "method": "paper",
            }
        )
    db.session.execute(insert(PersonTag), links)
    db.session.execute(insert(Consent), consents)
    db.session.commit()
    return ids[n_mentors:]


def _app(url: str, tmp: str):
    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench",
            "INSTANCE_PATH": tmp,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )


def bench_db_cohort(n_mentees: int = 3000, n_mentors: int = 1000) -> dict:
    """The stored proposal end to end (load people from SQLite, solve, store every item)
    next to the bare solver on the same score matrix."""
    from portal.matching import cohort
    from portal.matching.assign import build_score_matrix, solve_matrix
    from portal.matching.candidates import (
        form_rule,
        load_candidates,
        load_weights,
        mentor_pool,
        unmatched_pool,
    )

    with tempfile.TemporaryDirectory() as tmp:
        app = _app(f"sqlite:///{tmp}/cohort.db", tmp)
        with app.app_context():
            db.create_all()
            form = seed_forms()["teacher-student"]
            db.session.commit()
            _populate(random.Random(9), n_mentors, n_mentees)
            start = time.perf_counter()
            proposal = cohort.compute(form)
            db.session.commit()
            whole = time.perf_counter() - start
            pairs = len(proposal.items)
            mentees = sorted(
                load_candidates(unmatched_pool(form)).values(), key=lambda c: (c.full_name, c.id)
            )
            mentors = sorted(
                load_candidates(mentor_pool(form), with_capacity=True).values(),
                key=lambda c: (c.full_name, c.id),
            )
            matrix = build_score_matrix(mentees, mentors, form_rule(form), load_weights())
            start = time.perf_counter()
            solve_matrix(matrix, [m.remaining_capacity for m in mentors])
            solver = time.perf_counter() - start
            db.session.remove()
            db.engine.dispose()
    return {
        "n_mentees": n_mentees,
        "n_mentors": n_mentors,
        "pairs": pairs,
        "stored_proposal_s": round(whole, 3),
        "solver_s": round(solver, 3),
        "stored_to_solver_ratio": round(whole / solver, 2),
    }


def bench_http(database_url: str | None = None) -> dict:
    """Median time and query count of GET /matching/suggest (the htmx fragment)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = database_url or f"sqlite:///{tmp}/bench.db"
        app = _app(url, tmp)
        with app.app_context():
            db.drop_all()
            db.create_all()
            form = seed_forms()["teacher-student"]
            curator = User(login="curator", must_change_password=False)
            curator.set_full_name("Куратор")
            curator.set_password("bench-password-1")
            curator.set_roles(["curator"])
            db.session.add(curator)
            db.session.commit()
            mentee_ids = _populate(random.Random(5))
            form_id, curator_id = form.id, curator.id
            client = app.test_client()
            log_in_client(client, curator_id)
            queries = []

            def count(*_args):
                queries.append(1)

            event.listen(db.engine, "before_cursor_execute", count)
            samples, cpu, counts = [], [], []
            for mentee_id in mentee_ids[: REPEATS + 1]:
                queries.clear()
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(
                    f"/matching/suggest?form={form_id}&mentee={mentee_id}",
                    headers={"HX-Request": "true"},
                )
                samples.append((time.perf_counter() - start) * 1000)
                # CPU time of this process: what the request costs when the machine is shared.
                cpu.append((time.process_time() - start_cpu) * 1000)
                counts.append(len(queries))
                assert response.status_code == 200
                assert response.get_data(as_text=True).count('class="card suggestion"') == 10
            event.remove(db.engine, "before_cursor_execute", count)
            db.session.remove()
            db.drop_all()
            db.engine.dispose()
    samples = samples[1:]  # the first request warms template, statement and index caches
    cpu = cpu[1:]
    return {
        "database": "postgresql" if database_url else "sqlite",
        "mentors_in_db": N_MENTORS,
        "requests": len(samples),
        "median_ms": round(statistics.median(samples), 1),
        "p95_ms": round(sorted(samples)[int(0.95 * (len(samples) - 1))], 1),
        "median_cpu_ms": round(statistics.median(cpu), 1),
        "queries_per_request": sorted(set(counts[1:])),
    }


if __name__ == "__main__":
    report = {
        "top10": bench_top10(),
        "cohort": bench_cohort(),
        "cohort_stored_in_db": bench_db_cohort(),
        "http_suggest": bench_http(),
    }
    if os.environ.get("BENCH_DATABASE_URL"):
        report["http_suggest_postgresql"] = bench_http(os.environ["BENCH_DATABASE_URL"])
    report["goals"] = {
        "top10_median_under_30_ms": report["top10"]["median_ms"] < 30,
        # The two goals: the whole cohort proposal (3,000 × 1,000, capacities 1–3)
        # within 2 × the bare solver on the same matrix in this run, and the quick screen's
        # suggestions fragment over HTTP with 2,000 mentors in the database under 40 ms.
        "cohort_ratio_under_2": report["cohort"]["whole_to_solver_ratio"] < 2,
        "http_suggest_median_under_40_ms": report["http_suggest"]["median_ms"] < 40,
        # The same two speed goals in CPU time of this process: on a machine shared with other
        # work, wall time measures the neighbours as much as the portal.
        "top10_cpu_median_under_30_ms": report["top10"]["median_cpu_ms"] < 30,
        "http_suggest_cpu_median_under_40_ms": report["http_suggest"]["median_cpu_ms"] < 40,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))
