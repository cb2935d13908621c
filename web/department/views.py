"""The département's indicators space: aggregates only, never a beneficiary's name.

The dashboard narrows by the filters of its GET form and drills down from the département to a
porteur, then to an action (never further); its CSV and XLSX are the page's table; each action
has its bilan quantitatif as a PDF.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request

from indicators import bilan
from indicators.overview import overview
from learners.models import Action, Role
from web.authz import requires
from web.database import db
from web.department import dashboard
from web.exports import attachment

bp = Blueprint("department", __name__, url_prefix="/departement")


@bp.get("/")
@requires(Role.DEPARTMENT)
def home():
    page = dashboard.context(request.args)
    return render_template("department/home.html", overview=overview(db.session), **page)


@bp.get("/indicateurs.<any(csv, xlsx):extension>")
@requires(Role.DEPARTMENT)
def export(extension: str):
    return dashboard.download(request.args, extension, "indicateurs-departement")


@bp.get("/actions/<int:action_id>/bilan.pdf")
@requires(Role.DEPARTMENT)
def action_bilan(action_id: int):
    action = db.session.get(Action, action_id) or abort(404)
    pdf = bilan.bilan_pdf(db.session, action, dashboard.threshold())
    name = f"bilan-quantitatif-action-{action.id}.pdf"
    return Response(pdf, mimetype="application/pdf", headers=attachment(name))
