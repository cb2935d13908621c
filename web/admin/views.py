"""Platform administration: the organisations on the platform."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learners import accounts, audit
from learners import organisations as organisations_domain
from learners.models import OrganisationKind, Role
from web.admin.forms import OrganisationAdminForm, OrganisationForm, kind_labels
from web.authz import requires
from web.database import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/organisations")
@requires(Role.PLATFORM_ADMIN)
def organisations():
    rows = organisations_domain.with_member_counts(db.session)
    return render_template("admin/organisations.html", rows=rows, kinds=dict(kind_labels()))


@bp.route("/organisations/nouvelle", methods=["GET", "POST"])
@requires(Role.PLATFORM_ADMIN)
def new_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisations_domain.create_organisation(
                db.session, form.name.data, OrganisationKind(form.kind.data), form.siret.data
            )
        except organisations_domain.SiretTaken:
            db.session.rollback()
            form.siret.errors.append(_("Une structure avec ce numéro SIRET existe déjà."))
        else:
            db.session.commit()
            flash(_("La structure est créée."), "success")
            return redirect(url_for("admin.organisations"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/new_organisation.html", form=form), status


def _journal_admin_created(org_id: int, user_id: int) -> None:
    audit.record(
        db.session,
        "member.admin_created",
        actor=current_user,
        organisation_id=org_id,
        target_type="user",
        target_id=user_id,
    )


@bp.route("/organisations/<int:org_id>/administrateur", methods=["GET", "POST"])
@requires(Role.PLATFORM_ADMIN, org_arg="org_id")
def new_organisation_admin(org_id: int):
    """Open an account for an organisation's administrator (a partner employer's, say): the
    one-time code is shown once, to hand over; it is changed at first sign-in."""
    form = OrganisationAdminForm()
    if form.validate_on_submit():
        try:
            created = accounts.create_org_admin_account(
                db.session, g.organisation, form.display_name.data, form.email.data
            )
        except accounts.LoginTaken:
            db.session.rollback()
            form.email.errors.append(_("Un compte utilise déjà cette adresse e-mail."))
        else:
            _journal_admin_created(org_id, created.user.id)
            db.session.commit()
            return render_template("admin/admin_created.html", created=created)
    status = 422 if request.method == "POST" else 200
    return render_template("admin/new_admin.html", form=form, organisation=g.organisation), status
