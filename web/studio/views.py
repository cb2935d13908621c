"""The organisation space: its learners, and accounts created for people without e-mail."""

from __future__ import annotations

from flask import abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learners import accounts, audit
from learners.models import Role
from web.authz import requires
from web.database import db
from web.studio import bp
from web.studio.forms import EndSessionsForm, NewLearnerForm, RenewCodeForm

STAFF = (Role.TRAINER, Role.ORG_ADMIN, Role.PLATFORM_ADMIN)


@bp.get("/<int:org_id>/")
@requires(*STAFF, org_arg="org_id")
def organisation(org_id: int):
    return render_template(
        "studio/organisation.html",
        organisation=g.organisation,
        page=accounts.learners_page(db.session, org_id, request.args.get("page", 1, type=int)),
        renew_form=RenewCodeForm(),
        end_sessions_form=EndSessionsForm(),
        my_roles=current_user.roles_in(org_id),
    )


def _sheet(user, code: str):
    """The printable sheet; shown once, never cached (the code is stored only hashed)."""
    response = make_response(
        render_template(
            "studio/learner_sheet.html", organisation=g.organisation, user=user, code=code
        )
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:org_id>/apprenants/nouveau", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def new_learner(org_id: int):
    form = NewLearnerForm()
    if form.validate_on_submit():
        created = accounts.create_learner_account(
            db.session, g.organisation, form.display_name.data
        )
        audit.record(
            db.session,
            "learner.created",
            actor=current_user,
            organisation_id=org_id,
            target_type="user",
            target_id=created.user.id,
        )
        db.session.commit()
        return _sheet(created.user, created.access_code)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "studio/new_learner.html", form=form, organisation=g.organisation
    ), status


@bp.post("/<int:org_id>/apprenants/<int:user_id>/nouveau-code")
@requires(*STAFF, org_arg="org_id")
def renew_code(org_id: int, user_id: int):
    user = accounts.member_of(db.session, user_id, org_id, Role.LEARNER)
    if user is None:
        abort(404)
    if not RenewCodeForm().validate_on_submit():
        abort(400)
    code = accounts.renew_access_code(user)
    audit.record(
        db.session,
        accounts.CODE_RENEWED,
        actor=current_user,
        organisation_id=org_id,
        target_type="user",
        target_id=user.id,
    )
    db.session.commit()
    return _sheet(user, code)


@bp.post("/<int:org_id>/apprenants/<int:user_id>/fin-des-sessions")
@requires(*STAFF, org_arg="org_id")
def end_sessions(org_id: int, user_id: int):
    """A lost phone, a shared computer left signed in: every session of the learner ends now."""
    user = accounts.member_of(db.session, user_id, org_id, Role.LEARNER)
    if user is None:
        abort(404)
    if not EndSessionsForm().validate_on_submit():
        abort(400)
    accounts.end_sessions(user)
    audit.record(
        db.session,
        "learner.sessions_ended",
        actor=current_user,
        organisation_id=org_id,
        target_type="user",
        target_id=user.id,
    )
    db.session.commit()
    flash(_("%(name)s est déconnecté sur tous ses appareils.", name=user.display_name), "info")
    return redirect(url_for("studio.organisation", org_id=org_id))
