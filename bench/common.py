"""Shared helpers for the benchmarks: a portal on a temporary database, timing statistics."""

import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from http.client import HTTPConnection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary_ms(seconds: list[float]) -> dict:
    return {
        "median_ms": round(statistics.median(seconds) * 1000, 2),
        "p95_ms": round(percentile(seconds, 95) * 1000, 2),
        "n": len(seconds),
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served_portal(
    people: int = 300,
    threads: int = 8,
    database_url: str | None = None,
    extra_env: dict | None = None,
    waitress_args: tuple[str, ...] = (),
):
    """Run the production server (waitress) on a fresh demo database; yield its port."""
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ)
        env.update(extra_env or {})
        env["PORTAL_DATABASE_URL"] = database_url or f"sqlite:///{tmp}/bench.db"
        env["PORTAL_SECRET_KEY"] = "bench"
        flask = [str(VENV_BIN / "flask"), "--app", "app"]
        subprocess.run(
            [*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True
        )
        subprocess.run(
            [*flask, "seed-demo", "--people", str(people)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
        )
        port = free_port()
        server = subprocess.Popen(
            [
                str(VENV_BIN / "waitress-serve"),
                f"--listen=127.0.0.1:{port}",
                f"--threads={threads}",
                *waitress_args,
                "app:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            for _ in range(600):  # a loaded machine may need a minute to import the app
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        break
                except OSError:
                    time.sleep(0.1)
            yield port
        finally:
            server.terminate()
            server.wait(timeout=10)


class Session:
    """A keep-alive HTTP client with a cookie, logged in through the real login form."""

    def __init__(self, port: int):
        self.conn = HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookie:
            headers["Cookie"] = self.cookie
        self.conn.request(method, path, body=body, headers=headers)
        response = self.conn.getresponse()
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";", 1)[0]
        return response.status, data

    def login(self, login: str, password: str) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        body = urllib.parse.urlencode(
            {"csrf_token": token.decode(), "login": login, "password": password}
        )
        status, _ = self.request(
            "POST", "/login", body, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if status != 302:
            raise RuntimeError(f"login failed: {status}")


def log_in_client(client, user_id: int) -> None:
    """Give a Flask test client a real server-side session (inside an app context)."""
    from portal.accounts import sessions
    from portal.accounts.models import User
    from portal.extensions import db

    user = db.session.get(User, user_id)
    _record, key, _token = sessions.start(user, remember=False, ip=None, user_agent="bench")
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = key
        session["_fresh"] = True
