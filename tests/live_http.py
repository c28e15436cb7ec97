"""A plain HTTP client for tests against the live server: cookies, CSRF token, threads."""

import re
import urllib.parse
from http.client import HTTPConnection

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Browser:
    """One browser: its own connection and cookie jar; safe to use from one thread."""

    def __init__(self, base_url: str, cookies: dict | None = None):
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies: dict[str, str] = dict(cookies or {})
        self.token: str | None = None

    def request(self, method: str, path: str, form: dict | None = None, headers=None):
        headers = dict(headers or {})
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        conn = HTTPConnection(self.host, self.port, timeout=60)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    key, _, val = pair.partition("=")
                    if val:
                        self.cookies[key] = val
                    else:
                        self.cookies.pop(key, None)
            found = _TOKEN.search(text)
            if found:
                self.token = found.group(1)
            return response.status, text, dict(response.getheaders())
        finally:
            conn.close()

    def get(self, path: str, headers=None):
        return self.request("GET", path, headers=headers)

    def post(self, path: str, form: dict, headers=None):
        return self.request("POST", path, {"csrf_token": self.token or "", **form}, headers)

    def login(self, login: str, password: str) -> None:
        self.get("/login")
        status, text, _ = self.post("/login", {"login": login, "password": password})
        assert status == 302, text
