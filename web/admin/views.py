"""Platform administration: the organisations on the platform."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from learners import organisations as organisations_domain
from learners.models import OrganisationKind, Role
from web.admin.forms import OrganisationForm, kind_labels
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
