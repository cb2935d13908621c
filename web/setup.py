"""Wiring ``create_app`` does around the blueprints: extensions, hooks, error pages, templates."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, request
from flask_babel import get_locale, get_translations
from flask_babel import lazy_gettext as _l
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from web import authz, errors, input_guard, markdown, security, static_files
from web.extensions import babel, csrf, limiter, login_manager
from web.i18n import COOKIE, LANGUAGE_NAMES, select_locale


def init_extensions(app: Flask) -> None:
    # Per address: a training room behind one address logs in together. Per account: guessing
    # one password stays slow whatever the number of addresses.
    app.config.setdefault("JALON_LOGIN_RATE_LIMIT", "60 per minute;600 per hour")
    app.config.setdefault("JALON_LOGIN_ACCOUNT_RATE_LIMIT", "10 per minute;50 per hour")
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # A shared store (Redis) that stops answering: count in this worker's memory meanwhile
    # rather than fail the request (docs/DEPLOYMENT.md).
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    _install_template_gettext(app)

    from web.auth import session_clock
    from web.auth.login_hooks import force_password_change, load_user

    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.session_protection = "basic"
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Connectez-vous pour ouvrir cette page.")
    login_manager.login_message_category = "info"

    app.before_request(session_clock.check)
    app.before_request(authz.deny_undecided)
    app.before_request(force_password_change)
    errors.register(app)
    security.register(app)
    static_files.register(app)
    input_guard.register(app)
    markdown.register(app)

    @app.context_processor
    def _layout_globals() -> dict:
        return {
            "current_locale": str(get_locale() or "fr"),
            "languages": LANGUAGE_NAMES,
            "current_path": request.full_path.rstrip("?") if request else "/",
        }

    app.jinja_env.globals["LANG_COOKIE"] = COOKIE
    app.jinja_env.add_extension("jinja2.ext.do")


_HELD = "jalon_template_translations"


def _catalogue():
    """The request's translations (flask_babel's own), held for its locale and domain: a page
    looks up a dozen strings or more, and flask_babel finds the domain, the locale and the
    catalogue again for each. ``force_locale`` and ``refresh`` put another locale object in
    place, so the next string looks the catalogue up again."""
    if not g:
        return get_translations()
    ctx = g.get("_flask_babel")
    key = (getattr(ctx, "babel_locale", None), getattr(ctx, "babel_domain", None))
    held = g.get(_HELD)
    if held is not None and key[0] is not None and held[0] is key[0] and held[1] is key[1]:
        return held[2]
    translations = get_translations()
    ctx = g.get("_flask_babel")
    setattr(g, _HELD, (get_locale(), getattr(ctx, "babel_domain", None), translations))
    return translations


def _install_template_gettext(app: Flask) -> None:
    """Templates' ``_()``, ``ngettext``… through :func:`_catalogue` (flask_babel installs the
    same calls, looking everything up each time). ``_()`` and ``gettext``, a dozen calls or
    more per page, are :func:`_template_gettext`."""
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _catalogue().ugettext(s),
        ngettext=lambda s, p, n: _catalogue().ungettext(s, p, n),
        pgettext=lambda c, s: _catalogue().upgettext(c, s),
        npgettext=lambda c, s, p, n: _catalogue().unpgettext(c, s, p, n),
        newstyle=True,
    )
    app.jinja_env.globals.update(gettext=_template_gettext, _=_template_gettext)


@pass_context
def _template_gettext(context: Context, string: str, /, **variables: Any) -> str:
    """Jinja's new-style ``gettext`` in one call rather than three (its wrapper calls the
    callable through the context, and ``_`` looks the wrapper up by name): the translation,
    marked safe when autoescaping, formatted with ``variables`` — skipped when there is nothing
    to format, which gives the same text."""
    text = _catalogue().ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)  # noqa: S704 (our catalogue, marked safe as Jinja does)
    return text % variables if variables or "%" in text else text


def finish(app: Flask) -> None:
    """After every blueprint is registered: Flask's own endpoints get their decision, and a
    served app (not tests, not the command line, templates not reloaded as edited) compiles
    its templates."""
    authz.declare_public(
        app, *(e for e in app.view_functions if e == "static" or e.endswith(".static"))
    )
    served = app.config.get("JALON_COMPILE_TEMPLATES", True) and not app.testing
    if served and not app.jinja_env.auto_reload:
        compile_templates(app)


def compile_templates(app: Flask) -> None:
    """Compile every template now (under a second), not on its first request: each worker
    otherwise paid some 6 ms per template, while the first learners after a restart waited
    on it."""
    for name in app.jinja_env.list_templates():
        app.jinja_env.get_template(name)
