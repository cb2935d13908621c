"""Idle and absolute timeouts of a signed-in session.

The session cookie carries when the person logged in and when they were last seen; a request
past either limit is treated as signed out (the cookie is cleared) and sent to the login page.
Both limits are settings (``JALON_SESSION_IDLE_MINUTES``, ``JALON_SESSION_MAX_HOURS``).
"""

from __future__ import annotations

import time

from flask import current_app, flash, redirect, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from web.static_files import is_static_request

LOGIN_AT = "_jalon_login_at"
SEEN_AT = "_jalon_seen_at"
# "Last seen" is rewritten at most this often: the idle limit is counted in minutes, and an
# unchanged session is not signed and sent again with every response.
SEEN_PRECISION = 60


def start() -> None:
    """Called right after ``login_user``: the clocks start now."""
    now = int(time.time())
    session[LOGIN_AT] = now
    session[SEEN_AT] = now


def _expired(now: int) -> bool:
    config = current_app.config
    login_at = session.get(LOGIN_AT, now)
    seen_at = session.get(SEEN_AT, now)
    idle = config["JALON_SESSION_IDLE_MINUTES"] * 60
    longest = config["JALON_SESSION_MAX_HOURS"] * 3600
    return now - seen_at > idle or now - login_at > longest


def check():
    """``before_request``: end a session past its limits; otherwise note that it is alive."""
    if is_static_request() or not current_user.is_authenticated:
        return None
    now = int(time.time())
    if _expired(now):
        logout_user()
        session.clear()
        flash(_("Votre session a pris fin. Connectez-vous à nouveau."), "info")
        return redirect(url_for("auth.login"))
    session.setdefault(LOGIN_AT, now)
    if now - session.get(SEEN_AT, 0) >= SEEN_PRECISION:  # not a new cookie on every request
        session[SEEN_AT] = now
    return None
