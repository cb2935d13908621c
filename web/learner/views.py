"""The learner's space: « Mes évaluations » and « Mes badges »."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user

from learners.models import Role
from web.authz import requires

bp = Blueprint("learner", __name__, url_prefix="/apprenant")


@bp.get("/")
@requires(Role.LEARNER)
def home():
    return render_template("learner/home.html", learner=current_user.learner)
