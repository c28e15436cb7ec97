"""Parallel attacks and parallel work on one object: exact counts and no HTTP 500.

Threads against the real (threaded) server on the suite's engine; on PostgreSQL also
separate processes, as several workers would be.
"""

import json
import os
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from portal.accounts.models import LoginThrottle
from portal.accounts.security import MAX_FAILED_LOGINS
from portal.agreements import signing, trail
from portal.agreements.models import Agreement
from portal.extensions import db
from tests import factories
from tests.live_http import Browser

ROOT = Path(__file__).resolve().parents[1]
INFO = signing.RequestInfo(ip="10.0.0.1", user_agent="pytest")


def in_parallel(count: int, call) -> list:
    """Run call(i) in `count` threads released at the same moment; return the results."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = call(i)
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not [r for r in results if isinstance(r, Exception)], results
    return results


def test_forty_parallel_wrong_passwords_get_exactly_five_checks(live_server):
    factories.make_user(login="victim")
    db.session.commit()
    browsers = [Browser(live_server.url) for _ in range(40)]
    for b in browsers:
        b.get("/login")

    def attempt(i: int):
        status, text, _ = browsers[i].post("/login", {"login": "victim", "password": f"x{i}"})
        return status, text

    results = in_parallel(40, attempt)
    assert {status for status, _ in results} == {422}
    wrong = sum("Неверный логин или пароль." in text for _, text in results)
    paused = sum("Слишком много неудачных попыток входа" in text for _, text in results)
    assert (wrong, paused) == (MAX_FAILED_LOGINS, 40 - MAX_FAILED_LOGINS)
    db.session.expire_all()
    assert db.session.get(LoginThrottle, "login:victim").failures == MAX_FAILED_LOGINS


@pytest.fixture
def issued_agreement(curator, mentor, parent):
    _mentor, _child, mother, pair = factories.make_agreement_parties(mentor, None, parent)
    agreement = factories.make_agreement(pair, issue=True, by=curator)
    db.session.commit()
    return agreement, mother


def test_sixteen_parallel_pdf_downloads(live_server, issued_agreement, mentor, parent):
    agreement, _mother = issued_agreement
    for user in (mentor, parent):
        signing.accept_rules(user, INFO)
        db.session.commit()
        signing.sign_with_password(
            agreement.id, user, factories.DEFAULT_PASSWORD, agreement.text_hash, INFO
        )
        db.session.commit()
    reader = Browser(live_server.url)
    reader.login("mentor", factories.DEFAULT_PASSWORD)
    rounds = 3
    path = f"/agreements/{agreement.id}.pdf"

    def download(_i: int):
        statuses = []
        for _ in range(rounds):
            status, _text, headers = Browser(live_server.url, reader.cookies).get(path)
            statuses.append((status, headers.get("Content-Type"), headers.get("Cache-Control")))
        return statuses

    results = [r for batch in in_parallel(16, download) for r in batch]
    assert set(results) == {(200, "application/pdf", "no-store")}
    db.session.expire_all()
    stored = db.session.get(Agreement, agreement.id)
    kinds = [e.kind for e in trail.events(stored)]
    assert kinds.count("pdf_downloaded") == 16 * rounds
    assert trail.verify_chain(stored).ok


# --- separate processes on PostgreSQL ------------------------------------------------------

WORKER = textwrap.dedent(
    """
    import json, sys, time
    from portal import create_app

    url, instance, start, count = sys.argv[1:5]
    app = create_app({"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret",
                      "INSTANCE_PATH": instance, "WTF_CSRF_ENABLED": False,
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    client = app.test_client()
    time.sleep(max(0.0, float(start) - time.time()))
    texts = []
    for n in range(int(count)):
        r = client.post("/login", data={"login": "victim", "password": f"nope-{n}"})
        texts.append(r.get_data(as_text=True))
    print(json.dumps({
        "wrong": sum("Неверный логин или пароль." in t for t in texts),
        "paused": sum("Слишком много неудачных попыток входа" in t for t in texts),
    }))
    """
)


def test_wrong_passwords_from_eight_processes_are_counted_exactly(app, database_url, instance_path):
    if not database_url.startswith("postgresql"):
        pytest.skip("нужен PostgreSQL: задайте TEST_DATABASE_URL=postgresql+psycopg://…")
    factories.make_user(login="victim")
    db.session.commit()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.time() + 5
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, database_url, str(instance_path), str(start), "5"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=env,
        )
        for _ in range(8)
    ]
    totals = {"wrong": 0, "paused": 0}
    for worker in workers:
        out, err = worker.communicate(timeout=180)
        assert worker.returncode == 0, err
        for key, value in json.loads(out.strip().splitlines()[-1]).items():
            totals[key] += value
    assert totals == {"wrong": MAX_FAILED_LOGINS, "paused": 40 - MAX_FAILED_LOGINS}
    db.session.expire_all()
    assert db.session.get(LoginThrottle, "login:victim").failures == MAX_FAILED_LOGINS
