"""The studio: what trainers and organisation admins use, one blueprint under /organisations.

One module per area (``views`` for learners' accounts, ``journal``…); each adds its routes to
``bp``, and every module is imported below so that registering ``web.studio:bp`` brings them all.
"""

from flask import Blueprint

bp = Blueprint("studio", __name__, url_prefix="/organisations")

from web.studio import (  # noqa: E402,F401  (routes register on import)
    actions,
    awards,
    badge_rules,
    badges,
    bank,
    campaigns,
    enrolment_imports,
    enrolments,
    frameworks,
    indicators,
    items,
    journal,
    learner_erasure,
    results,
    views,
)
