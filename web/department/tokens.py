"""The département's API tokens, for its administrator: create one (its secret shown once),
list them with their last use, revoke one. Blueprint ``tokens`` under ``/departement``."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from learners import api_tokens, audit
from learners.database import utcnow
from learners.models import Organisation, OrganisationKind, Role
from web.authz import requires
from web.database import db
from web.department.token_forms import NewTokenForm, RevokeTokenForm

bp = Blueprint("tokens", __name__, url_prefix="/departement")


def departement_of(args: dict) -> int | None:
    """The organisation of the URL when it is a département (tokens are theirs only)."""
    organisation = db.session.get(Organisation, args["org_id"])
    if organisation is None or organisation.kind is not OrganisationKind.DEPARTEMENT:
        return None
    return organisation.id


def _page(form: NewTokenForm, status: int = 200, secret: str | None = None):
    response = current_app.make_response(
        (
            render_template(
                "department/api_tokens.html",
                organisation=g.organisation,
                tokens=api_tokens.tokens_of(db.session, g.organisation.id),
                form=form,
                revoke_form=RevokeTokenForm(),
                secret=secret,
                now=utcnow(),
            ),
            status,
        )
    )
    response.headers["Cache-Control"] = "no-store"  # the secret is on it once
    return response


@bp.route("/<int:org_id>/jetons-api", methods=["GET", "POST"])
@requires(Role.ORG_ADMIN, org_of=departement_of)
def api_tokens_page(org_id: int):
    form = NewTokenForm()
    if not form.validate_on_submit():
        return _page(form, 422 if request.method == "POST" else 200)
    issued = api_tokens.issue(
        db.session,
        g.organisation,
        form.name.data,
        created_by=current_user,
        expires_at=form.expires_at(current_app.config["BABEL_DEFAULT_TIMEZONE"]),
    )
    audit.record(
        db.session,
        "api_token.created",
        actor=current_user,
        organisation_id=org_id,
        target_type="api_token",
        target_id=issued.token.id,
        detail={"name": issued.token.name, "prefix": issued.token.prefix},
    )
    db.session.commit()
    return _page(NewTokenForm(formdata=None), 201, secret=issued.secret)


@bp.post("/<int:org_id>/jetons-api/<int:token_id>/revoquer")
@requires(Role.ORG_ADMIN, org_of=departement_of)
def revoke_api_token(org_id: int, token_id: int):
    if RevokeTokenForm().validate_on_submit():
        try:
            token = api_tokens.revoke(db.session, org_id, token_id)
        except api_tokens.UnknownToken:
            abort(404)
        except api_tokens.AlreadyRevoked:
            flash(_("Ce jeton était déjà révoqué."), "info")
        else:
            audit.record(
                db.session,
                "api_token.revoked",
                actor=current_user,
                organisation_id=org_id,
                target_type="api_token",
                target_id=token.id,
                detail={"name": token.name, "prefix": token.prefix},
            )
            db.session.commit()
            flash(_("Le jeton est révoqué : il n'ouvre plus l'API."), "success")
    return redirect(url_for("tokens.api_tokens_page", org_id=org_id), 303)
