"""The evidence files of manual awards, at the URL their credentials name: ``/preuves/<id>``.

Only the holder and the staff of the awarding organisation open one (``badges.evidence_files``);
anyone else, signed in or not once signed in, gets the same 404 as for no file. A look by staff
goes in the journal (a beneficiary's document). The holder may hide the file from the staff, or
show it again. Files are served as stored (re-encoded images, checked PDFs), never cached, in a
sandbox, and never sniffed into another type.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Blueprint, Response, abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from badges import evidence_files
from badges.models import EvidenceFile
from learners import audit
from learners.models import Role
from web.authz import requires, signed_in
from web.database import db
from web.learner.wallet_forms import PUBLIC, VisibilityForm

bp = Blueprint("evidence", __name__)


def _readable(public_id: str) -> EvidenceFile:
    found = evidence_files.get(db.session, public_id)
    if not evidence_files.readable_by(found, current_user):
        abort(404)
    return found


@bp.get("/preuves/<public_id>")
@signed_in
def evidence_file(public_id: str):
    found = _readable(public_id)
    if not evidence_files.is_holder(found, current_user):
        audit.record(
            db.session,
            "evidence.viewed",
            actor=current_user,
            organisation_id=found.organisation_id,
            target_type="evidence",
            target_id=found.public_id,
        )
        db.session.commit()
    response = Response(found.data, mimetype=found.media_type)
    # A PDF is downloaded (a browser's PDF viewer does not run in a sandbox); an image shown.
    disposition = "attachment" if found.media_type == "application/pdf" else "inline"
    fallback = found.filename.encode("ascii", "replace").decode().replace("?", "_")
    response.headers["Content-Disposition"] = (
        f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(found.filename)}"
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = (
        "sandbox; default-src 'none'; img-src 'self'; frame-ancestors 'none'"
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.post("/preuves/<public_id>/visibilite")
@requires(Role.LEARNER)
def evidence_visibility(public_id: str):
    """The holder's choice: the staff may open the file (public) or not (private)."""
    found = evidence_files.get(db.session, public_id)
    if found is None or not evidence_files.is_holder(found, current_user):
        abort(404)
    form = VisibilityForm()
    if not form.validate_on_submit():
        abort(400)
    evidence_files.set_hidden(db.session, found, form.visibility.data != PUBLIC)
    db.session.commit()
    flash(_("Votre choix pour la pièce justificative est enregistré."), "success")
    public_id = found.credential.public_id if found.credential else ""
    return redirect(url_for("learner.badge", credential_id=public_id), 303)
