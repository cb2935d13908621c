"""Platform administration: the organisations on the platform."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from learners.models import Membership, Organisation, OrganisationKind, Role
from web.admin.forms import OrganisationForm, kind_labels
from web.authz import requires
from web.database import db

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.get("/organisations")
@requires(Role.PLATFORM_ADMIN)
def organisations():
    members = (
        select(Membership.organisation_id, func.count(Membership.id).label("members"))
        .group_by(Membership.organisation_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Organisation, func.coalesce(members.c.members, 0))
        .outerjoin(members, members.c.organisation_id == Organisation.id)
        .order_by(Organisation.name)
    ).all()
    return render_template("admin/organisations.html", rows=rows, kinds=dict(kind_labels()))


@bp.route("/organisations/nouvelle", methods=["GET", "POST"])
@requires(Role.PLATFORM_ADMIN)
def new_organisation():
    form = OrganisationForm()
    if form.validate_on_submit():
        siret = form.siret.data or None
        if siret and db.session.scalar(select(Organisation.id).where(Organisation.siret == siret)):
            form.siret.errors.append(_("Une structure avec ce numéro SIRET existe déjà."))
        else:
            db.session.add(
                Organisation(
                    name=form.name.data.strip(), kind=OrganisationKind(form.kind.data), siret=siret
                )
            )
            db.session.commit()
            flash(_("La structure est créée."), "success")
            return redirect(url_for("admin.organisations"))
    status = 422 if request.method == "POST" else 200
    return render_template("admin/new_organisation.html", form=form), status
