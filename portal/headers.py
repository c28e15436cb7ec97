"""Response headers and HTTPS settings: what a browser may run, frame, cache and send back.

A small layer rather than Flask-Talisman: the portal needs a fixed policy, no nonces (no
inline script is left) and no HTTPS redirect of its own (the reverse proxy terminates TLS),
and these few lines are easier to review than a library's options.
"""

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

# Scripts only from the portal's own static files (vendored htmx, portal.js, plans.js): no
# inline script, no eval (htmx's allowEval is off). Styles allow inline `style` attributes,
# which the score bars use; no script can be injected through them.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)
HSTS = "max-age=31536000"


def init_app(app: Flask) -> None:
    """Apply the HTTPS switch and the proxy setting, and add the headers to every response."""
    if app.config.get("HTTPS"):
        # One setting for a portal served over TLS: cookies never travel over plain HTTP,
        # and browsers are told to come back over HTTPS only.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True
        app.config["PREFERRED_URL_SCHEME"] = "https"
    proxies = int(app.config.get("PROXY_COUNT") or 0)
    if proxies:
        # Behind Caddy/nginx: trust that many proxies for the client address, scheme, host.
        app.wsgi_app = ProxyFix(
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )

    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        # Every page and file but the static ones may carry personal data, a temporary
        # password or a code: no copy in any cache, the browser's back-forward one included.
        if request.endpoint != "static":
            headers["Cache-Control"] = "no-store"
            headers.pop("Expires", None)
        if app.config.get("HTTPS") and request.is_secure:
            headers.setdefault("Strict-Transport-Security", HSTS)
        return response
