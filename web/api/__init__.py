"""The JSON API: blueprint ``api``, every URL under ``/api``, for other systems (not browsers).

Endpoints live in modules named after what they serve (``verifier.py``: ``POST /api/verifier``)
and register on ``bp`` below; ``endpoints.py`` imports each module so that ``create_app``
(``web.BLUEPRINTS``: ``web.api.endpoints:bp``) registers them all. To add an endpoint:

1. In ``web/api/<resource>.py``, route it on ``bp`` with its access decision from
   ``web/authz.py`` right under the route, and a rate limit if anyone may call it::

       from learners.models import Role
       from web.api import bp
       from web.api.problems import problem
       from web.authz import requires

       @bp.get("/organisations/<int:org_id>/cohortes")
       @requires(Role.TRAINER, Role.ORG_ADMIN, org_arg="org_id")
       def cohorts(org_id: int): ...                 # endpoint "api.cohorts"

   Under ``/api`` an anonymous caller gets 401, not the login page (``authz``).
2. Keep the view thin (parse, authorise, call a domain function, answer ``jsonify``): the
   logic belongs to the domain packages, as for every view.
3. Errors are problem+json, always: the ones the endpoint decides with ``problems.problem``
   (a 4xx with a French ``detail`` through Babel, never a 500); the ones Flask raises (404,
   405, 413, 429…) already come out as problem+json from ``web.errors`` for any ``/api/`` path
   — ``abort(413, description=…)`` gives its own ``detail``.
4. CSRF: an endpoint that reads no cookie and no session (``@public``) is exempted with
   ``csrf.exempt(view)``; one that relies on the signed-in session keeps the CSRF check.
5. Import the module in ``endpoints.py``, and give the endpoint its rows in
   ``tests/web/test_access_rules.py`` (``"api.<function>"``: every role, other organisations'
   ids included) — that test fails until it has them.
"""

from __future__ import annotations

from flask import Blueprint

from web.verify.log_privacy import keep_addresses_out_of_logs

bp = Blueprint("api", __name__, url_prefix="/api")

bp.record_once(lambda _state: keep_addresses_out_of_logs())
