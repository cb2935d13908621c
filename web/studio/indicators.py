"""An association's indicators: the département's dashboard, held to its own actions.

The same figures, filters, masking, downloads and bilans as ``/departement/``; the association
may also open each action's page (``/organisations/<org_id>/actions/<id>``), where its
beneficiaries are listed by name — the indicators themselves never name anyone.
"""

from __future__ import annotations

from flask import Response, abort, g, render_template, request

from indicators import bilan, names
from learners.models import Action
from web.authz import requires
from web.database import db
from web.department import dashboard
from web.exports import attachment
from web.studio import bp
from web.studio.views import STAFF


@bp.get("/<int:org_id>/indicateurs")
@requires(*STAFF, org_arg="org_id")
def indicators(org_id: int):
    page = dashboard.context(request.args, org_id)
    return render_template("studio/indicators.html", organisation=g.organisation, **page)


@bp.get("/<int:org_id>/indicateurs.<any(csv, xlsx):extension>")
@requires(*STAFF, org_arg="org_id")
def indicators_export(org_id: int, extension: str):
    return dashboard.download(request.args, extension, f"indicateurs-{org_id}", org_id)


@bp.get("/<int:org_id>/indicateurs/actions/<int:action_id>/bilan.pdf")
@requires(*STAFF, org_arg="org_id")
def action_bilan(org_id: int, action_id: int):
    if names.organisation_of_action(db.session, action_id) != org_id:
        abort(404)
    action = db.session.get(Action, action_id)
    pdf = bilan.bilan_pdf(db.session, action, dashboard.threshold())
    name = f"bilan-quantitatif-action-{action_id}.pdf"
    return Response(pdf, mimetype="application/pdf", headers=attachment(name))
