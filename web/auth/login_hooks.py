"""What Flask-Login and every page need from the auth side, wired by ``web/setup.py``: the user
loader and the one-time-code gate run before each request. (The header's logout button is a
plain form in ``base.html`` with the CSRF token: building a WTForms form for it cost every page
about 0.2 ms.)

Kept out of ``web/auth/views.py`` so the app's wiring does not depend on a blueprint's views.
"""

from __future__ import annotations

from flask import g, redirect, request, url_for
from flask_login import current_user

from web.database import db
from web.static_files import is_static_request

# Endpoints a person who must change their one-time code may still reach.
ALLOWED_BEFORE_PASSWORD_CHANGE = {"auth.change_password", "auth.logout", "i18n.switch", "static"}


def force_password_change():
    """``before_request``: a person holding a one-time code goes nowhere until they change it."""
    if (
        request.endpoint is not None
        and request.endpoint not in ALLOWED_BEFORE_PASSWORD_CHANGE
        and not is_static_request()
        and current_user.is_authenticated
        and current_user.must_change_password
    ):
        return redirect(url_for("auth.change_password"))
    return None


def load_user(session_id: str):
    """Flask-Login's loader: ``id:fingerprint`` — a changed password voids older sessions."""
    from learners.accounts import signed_in_user

    user_id, _sep, _fingerprint = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = signed_in_user(db.session, int(user_id))
    if user is None or not user.is_active or user.get_id() != session_id:
        return None
    g.user = user
    return user
