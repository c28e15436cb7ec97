"""Latency and throughput of pages under the production server, writers on one agreement,
and the login route for an existing and an unknown login side by side.

Run: .venv/bin/python bench/pages.py  (prints JSON with a `goals` object of booleans).
"""

import json
import re
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Session, served_portal, summary_ms  # noqa: E402

REQUESTS_PER_CLIENT = 200
WRITERS = 8
PAGES_UNDER_WRITERS = 50  # requests per client while the writers write
LOGIN_SAMPLES_PER_ACCOUNT = 4  # below the five failures that pause a login
DEMO_LOGINS = ("admin", "curator", "group", "mentor", "mentee", "parent", "mentor2", "mentee2")


def run(port: int, path: str, clients: int, login: bool, requests: int = REQUESTS_PER_CLIENT):
    sessions = [Session(port) for _ in range(clients)]
    if login:
        for s in sessions:
            s.login("curator", "demo2026")
    timings: list[float] = []
    errors = []
    lock = threading.Lock()
    barrier = threading.Barrier(clients)

    def worker(session: Session) -> None:
        local = []
        barrier.wait()
        for _ in range(requests):
            start = time.perf_counter()
            status, _ = session.request("GET", path)
            local.append(time.perf_counter() - start)
            if status != 200:
                errors.append(status)
        with lock:
            timings.extend(local)

    threads = [threading.Thread(target=worker, args=(s,)) for s in sessions]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    result = summary_ms(timings)
    result["rps"] = round(len(timings) / elapsed, 1)
    result["errors"] = len(errors)
    return result


def mentor_agreement_pdf(port: int) -> str:
    """The demo mentor's agreement in force: its PDF download appends to its trail."""
    s = Session(port)
    s.login("mentor", "demo2026")
    _, page = s.request("GET", "/agreements")
    for agreement_id in dict.fromkeys(re.findall(rb'href="/agreements/(\d+)"', page)):
        path = f"/agreements/{agreement_id.decode()}.pdf"
        status, _ = s.request("GET", path)
        if status == 200:
            return path
    raise RuntimeError("no signed agreement of the demo mentor")


def writers_on_one_agreement(port: int) -> dict:
    """8 parallel writers download one agreement's PDF (each download appends a trail event)
    for as long as the same pages as above are measured."""
    path = mentor_agreement_pdf(port)
    writers = [Session(port) for _ in range(WRITERS)]
    for s in writers:
        s.login("mentor", "demo2026")
    timings: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(WRITERS + 1)
    done = threading.Event()

    def writer(session: Session) -> None:
        local = []
        barrier.wait()
        while not done.is_set():
            start = time.perf_counter()
            status, _ = session.request("GET", path)
            local.append(time.perf_counter() - start)
            if status != 200:
                errors.append(status)
        with lock:
            timings.extend(local)

    threads = [threading.Thread(target=writer, args=(s,)) for s in writers]
    for t in threads:
        t.start()
    barrier.wait()
    pages = {
        "healthz": run(port, "/healthz", WRITERS, False, PAGES_UNDER_WRITERS),
        "dashboard": run(port, "/", WRITERS, True, PAGES_UNDER_WRITERS),
    }
    done.set()
    for t in threads:
        t.join()
    return {
        "writers": WRITERS,
        "pdf_downloads": summary_ms(timings),
        "writer_errors": len(errors),
        "pages_meanwhile": pages,
    }


def login_side_by_side(port: int) -> dict:
    """Wrong passwords for existing and unknown logins, interleaved, each from its own
    forwarded address (the portal trusts one proxy here), never reaching a pause."""
    s = Session(port)
    _, page = s.request("GET", "/login")
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1).decode()
    timings = {"existing": [], "unknown": []}
    answers = {"existing": set(), "unknown": set()}
    n = 0
    for round_ in range(LOGIN_SAMPLES_PER_ACCOUNT):
        for login in DEMO_LOGINS:
            for kind, name in (("existing", login), ("unknown", f"nobody-{round_}-{login}")):
                n += 1
                body = urllib.parse.urlencode(
                    {"csrf_token": token, "login": name, "password": f"wrong-{n}"}
                )
                headers = {
                    "Content-Type": "application/x-www-form-urlencoded",
                    "X-Forwarded-For": f"10.{n // 250}.{n % 250}.1",
                }
                start = time.perf_counter()
                status, data = s.request("POST", "/login", body, headers)
                timings[kind].append(time.perf_counter() - start)
                message = re.search(rb'class="alert[^"]*"[^>]*>(.*?)<', data, re.S)
                answers[kind].add((status, message.group(1).strip() if message else b""))
    result = {kind: summary_ms(values) for kind, values in timings.items()}
    result["ratio_unknown_to_existing_median"] = round(
        statistics.median(timings["unknown"]) / statistics.median(timings["existing"]), 3
    )
    result["same_answers"] = answers["existing"] == answers["unknown"]
    return result


def main() -> None:
    results = {"server": "waitress, 8 threads, SQLite, 300 demo people"}
    with served_portal(
        extra_env={"PORTAL_PROXY_COUNT": "1"},
        waitress_args=("--no-clear-untrusted-proxy-headers",),
    ) as port:
        for clients in (1, 8):
            health = run(port, "/healthz", clients, login=False)
            dashboard = run(port, "/", clients, login=True)
            results[f"clients_{clients}"] = {
                "healthz": health,
                "dashboard": dashboard,
                "ratio_dashboard_to_healthz_median": round(
                    dashboard["median_ms"] / health["median_ms"], 2
                ),
            }
        results["sqlite_8_writers_on_one_agreement"] = writers_on_one_agreement(port)
        results["login_wrong_password"] = login_side_by_side(port)
    writers = results["sqlite_8_writers_on_one_agreement"]
    login = results["login_wrong_password"]
    results["goals"] = {
        "no_errors_with_8_writers_on_one_agreement": writers["writer_errors"] == 0
        and all(p["errors"] == 0 for p in writers["pages_meanwhile"].values()),
        "login_answer_same_for_existing_and_unknown": login["same_answers"],
        "login_time_same_for_existing_and_unknown": 0.8
        <= login["ratio_unknown_to_existing_median"]
        <= 1.25,
    }
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
