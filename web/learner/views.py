"""The learner's space: « Mes évaluations » and « Mes badges »."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_login import current_user

from learners.models import Role
from web.authz import requires

bp = Blueprint("learner", __name__, url_prefix="/apprenant")
# A learner's pages send answers and small forms, never files: far below the studio's uploads.
LEARNER_MAX_BODY = 1024 * 1024


@bp.url_value_preprocessor
def _small_bodies(_endpoint, _values) -> None:
    """Set before any ``before_request`` (CSRF reads the form there, with the app's limit)."""
    request.max_content_length = LEARNER_MAX_BODY


@bp.get("/")
@requires(Role.LEARNER)
def home():
    return render_template("learner/home.html", learner=current_user.learner)
