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
from flask_login import current_user

from learners.models import Organisation, Role
from web.database import db

ACCESS_ATTRIBUTE = "_jalon_access"
PUBLIC = "public"
SIGNED_IN = "signed_in"

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
