"""Latency and throughput of /healthz and the dashboard under the production server.

Run: .venv/bin/python bench/pages.py  (prints JSON; the baseline later benchmarks compare to).
"""

import json
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import Session, served_portal, summary_ms  # noqa: E402

REQUESTS_PER_CLIENT = 200


def run(port: int, path: str, clients: int, login: bool) -> dict:
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
        for _ in range(REQUESTS_PER_CLIENT):
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


def main() -> None:
    results = {"server": "waitress, 8 threads, SQLite, 300 demo people"}
    with served_portal() as port:
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
    print(json.dumps(results, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
