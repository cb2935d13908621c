"""The département's indicators space: aggregates only, never a beneficiary's name."""

from __future__ import annotations

from flask import Blueprint, render_template

from learners import indicators
from learners.models import Role
from web.authz import requires
from web.database import db

bp = Blueprint("department", __name__, url_prefix="/departement")


@bp.get("/")
@requires(Role.DEPARTMENT)
def home():
    return render_template("department/home.html", overview=indicators.overview(db.session))
