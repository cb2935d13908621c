"""Response headers every page gets: a strict CSP (no inline script or style), no sniffing,
no framing, a discreet referrer, HSTS when the public base URL is https, and no caching of
anything shown to a signed-in person (a shared computer in a training room keeps no copy).

A blueprint that must differ (e.g. a badge image embeddable elsewhere) sets its own header on
its response; these are only filled in when absent.
"""

from __future__ import annotations

from flask import Flask, Response, current_app
from flask_login import current_user

from web.static_files import is_static_request

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)


_HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "geolocation=(), microphone=(), camera=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000")


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    # Filled in when absent. Looked up once (``headers.setdefault`` raises and catches a
    # KeyError inside werkzeug for each header a response does not have yet: all, usually).
    present = {name.lower() for name, _value in headers.items()}
    wanted = _HEADERS
    if current_app.config["JALON_BASE_URL"].startswith("https://"):
        wanted = (*_HEADERS, HSTS)
    for name, value in wanted:
        if name.lower() not in present:
            headers.add(name, value)
    # Static files first: they never load the signed-in person (no database query).
    # A response named by a hash of its bytes and marked ``immutable`` (an item's picture, the
    # same for every reader) keeps its caching.
    if not is_static_request() and _signed_in() and not response.cache_control.immutable:
        # What a signed-in person sees is theirs: no copy in a shared computer's cache.
        headers["Cache-Control"] = "no-store"
    return response


def _signed_in() -> bool:
    return bool(getattr(current_user, "is_authenticated", False))


def register(app: Flask) -> None:
    app.after_request(add_security_headers)
