"""Every access decision in one place: who may call which view, in which organisation.

Each view function carries exactly one decision, written as a decorator *under* the route
decorator (so the registered function carries it)::

    from web.authz import public, requires, signed_in
    from learners.models import Role

    @bp.get("/c/<credential_id>")
    @public                                   # anyone, signed in or not (verification pages)
    def credential(credential_id): ...

    @bp.route("/compte/mot-de-passe", methods=["GET", "POST"])
    @signed_in                                # any signed-in person, whatever their role
    def change_password(): ...

    @bp.get("/organisations/<int:org_id>/")
    @requires(Role.TRAINER, Role.ORG_ADMIN, org_arg="org_id")
    def organisation(org_id): ...             # member with one of these roles IN org_id

    @bp.get("/v1/indicators")
    @api_token                                # a caller presenting a live API token (no cookie)
    def indicators(): ...

    @bp.get("/sessions/<int:session_id>")
    @requires(Role.TRAINER, org_of=lambda args: owning_org_id(args["session_id"]))
    def session_view(session_id): ...         # org computed from the object; None → 404

Rules ``requires`` applies:

- anonymous → 302 to the login page (401 problem+json under ``/api/``, the JSON API's
  blueprint in ``web/api/``, whose endpoints carry these same decorators);
- a signed-in person without one of the roles → 403;
- with ``org_arg``/``org_of``: the organisation must exist (else 404) and the person must hold
  one of the roles *in that organisation* (else 403) — a trainer of one association never sees
  another's learners;
- ``Role.PLATFORM_ADMIN``, when listed, passes the organisation check everywhere (it runs the
  platform); it is never implied: a route that does not list it refuses platform admins too;
- ``Role.DEPARTMENT`` sees aggregates only: list it only on views that show counts and rates,
  never names (``tests/web/test_access_rules.py`` checks the département gets 403 elsewhere).

``api_token`` reads ``Authorization: Bearer <token>`` only (never the session cookie): a
missing, unknown, revoked or expired token gets 401 problem+json; the token's organisation (a
département) is put in ``g.organisation``, the token in ``g.api_token``.

The organisation found is put in ``g.organisation``. A view without a decision answers 403
(deny by default) and makes ``tests/web/test_access_rules.py`` fail until the table there gets
a row for it. Blueprints or endpoints Flask adds itself (``static``) are declared with
``declare_public``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, abort, current_app, g, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learners import api_tokens
from learners.models import Organisation, Role
from web.api.problems import problem
from web.database import db

ACCESS_ATTRIBUTE = "_jalon_access"
PUBLIC = "public"
SIGNED_IN = "signed_in"
API_TOKEN = "api_token"  # noqa: S105  (the name of an access decision)

OrgResolver = Callable[[dict[str, Any]], int | None]


def public(view: Callable) -> Callable:
    """Anyone may call this view."""
    setattr(view, ACCESS_ATTRIBUTE, PUBLIC)
    return view


def _anonymous_response():
    if request.path.startswith("/api/"):
        abort(401)
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def signed_in(view: Callable) -> Callable:
    """Any signed-in, active person."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not current_user.is_authenticated:
            return _anonymous_response()
        return view(*args, **kwargs)

    setattr(wrapper, ACCESS_ATTRIBUTE, SIGNED_IN)
    return wrapper


def _token_refusal(reason: str):
    """401 problem+json saying, in French, what to do about the token presented."""
    details = {
        "missing": _("Présentez un jeton d'API dans l'en-tête « Authorization: Bearer <jeton> »."),
        "revoked": _("Ce jeton d'API a été révoqué : demandez-en un nouveau."),
        "expired": _("Ce jeton d'API a expiré : demandez-en un nouveau."),
    }
    detail = details.get(reason, _("Ce jeton d'API n'est pas reconnu."))
    response = problem(401, _("Jeton d'API refusé"), detail)
    response.headers["WWW-Authenticate"] = 'Bearer realm="jalon"'
    return response


def api_token(view: Callable) -> Callable:
    """Only callers presenting a live API token (``learners.api_tokens``)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        scheme, _sep, presented = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            return _token_refusal("missing")
        try:
            token = api_tokens.authenticate(db.session, presented.strip())
        except api_tokens.TokenRefused as refused:
            return _token_refusal(refused.reason)
        db.session.commit()  # the « last used » time
        g.api_token, g.organisation = token, token.organisation
        return view(*args, **kwargs)

    setattr(wrapper, ACCESS_ATTRIBUTE, API_TOKEN)
    return wrapper


def requires(
    *roles: Role, org_arg: str | None = None, org_of: OrgResolver | None = None
) -> Callable[[Callable], Callable]:
    """Only people holding one of ``roles`` (in the organisation of the URL, when given)."""
    if not roles:
        raise ValueError("requires() needs at least one role")
    if org_arg and org_of:
        raise ValueError("give org_arg or org_of, not both")
    allowed = frozenset(roles)

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(*args, **kwargs):
            if not current_user.is_authenticated:
                return _anonymous_response()
            check(allowed, kwargs, org_arg=org_arg, org_of=org_of)
            return view(*args, **kwargs)

        setattr(wrapper, ACCESS_ATTRIBUTE, ("roles", allowed, org_arg or org_of))
        return wrapper

    return decorator


def check(
    allowed: frozenset[Role],
    view_args: dict[str, Any],
    *,
    org_arg: str | None = None,
    org_of: OrgResolver | None = None,
) -> None:
    """Abort with 403/404 unless ``current_user`` may act; sets ``g.organisation``."""
    memberships = list(current_user.memberships)
    is_platform_admin = Role.PLATFORM_ADMIN in allowed and any(
        m.role is Role.PLATFORM_ADMIN for m in memberships
    )
    if not is_platform_admin and not any(m.role in allowed for m in memberships):
        abort(403)
    if org_arg is None and org_of is None:
        g.organisation = None
        return
    org_id = view_args.get(org_arg) if org_arg else org_of(view_args)  # type: ignore[misc]
    organisation = db.session.get(Organisation, org_id) if isinstance(org_id, int) else None
    if organisation is None:
        abort(404)
    if not is_platform_admin and not any(
        m.role in allowed and m.organisation_id == organisation.id for m in memberships
    ):
        abort(403)
    g.organisation = organisation


def access_of(view: Callable) -> Any:
    """The decision a view carries (None when it has none)."""
    return getattr(view, ACCESS_ATTRIBUTE, None)


def declare_public(app: Flask, *endpoints: str) -> None:
    """Mark endpoints registered by Flask or an extension (e.g. ``static``) as public."""
    for endpoint in endpoints:
        view = app.view_functions[endpoint]

        @wraps(view)
        def wrapper(*args, _view=view, **kwargs):
            return _view(*args, **kwargs)

        app.view_functions[endpoint] = public(wrapper)


def deny_undecided() -> None:
    """``before_request`` hook: a view with no access decision is refused (deny by default)."""
    if request.endpoint is None:
        return
    view = current_app.view_functions.get(request.endpoint)
    if view is not None and access_of(view) is None:
        current_app.logger.error("view %s has no access decision: refused", request.endpoint)
        abort(403)
