"""Languages: French by default, English from the switcher (a cookie), or ``?lang=`` on any page.

An unknown code on the switcher gets a French 400 page; ``?lang=`` with an unknown code elsewhere
is ignored (the page stays in the current language) so a mistyped link still works.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, request
from flask_babel import gettext as _

from web.authz import public
from web.navigation import safe_next

bp = Blueprint("i18n", __name__)

COOKIE = "jalon_lang"
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}


def supported() -> list[str]:
    return list(current_app.config["BABEL_SUPPORTED_LOCALES"])


def select_locale() -> str:
    for candidate in (request.args.get("lang"), request.cookies.get(COOKIE)):
        if candidate in supported():
            return candidate
    return current_app.config["BABEL_DEFAULT_LOCALE"]


@bp.get("/langue")
@public
def switch():
    """Remember the chosen language for a year, then go back to the page the person was on."""
    code = request.args.get("lang", "")
    if code not in supported():
        abort(
            400, description=_("Cette langue n'est pas disponible. Choisissez français ou anglais.")
        )
    response = redirect(safe_next(request.args.get("next")))
    response.set_cookie(
        COOKIE,
        code,
        max_age=365 * 24 * 3600,
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )
    return response
