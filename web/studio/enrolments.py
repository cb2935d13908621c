"""Enrolling a learner of the association in one of its actions, recording their exit and their
situation at exit and six months later, and the six-month follow-ups due this month.

The rules (RSA only in an inclusion-numérique action, exit after entry, the six-month
situation once six months have passed…) are the domain's (``learners.enrolments``); their
problems come back on the form's fields in French.
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learners import accounts, audit, enrolments, follow_ups
from learners.action_problems import InvalidEntry
from learners.models import Action, Enrolment, Role
from web.authz import requires
from web.database import db
from web.studio import bp
from web.studio.action_forms import EnrolmentForm, ExitForm, OutcomeForm, show
from web.studio.actions import ASSOCIATION, BASE, action_or_404, today

ENROLMENT = f"{BASE}/<int:action_id>/inscriptions/<int:enrolment_id>"


def _enrolment(org_id: int, action_id: int, enrolment_id: int) -> Enrolment:
    action = action_or_404(org_id, action_id)
    try:
        return enrolments.get_enrolment(db.session, action, enrolment_id)
    except enrolments.EnrolmentNotFound:
        abort(404)


def _journal(event: str, enrolment: Enrolment, reason: str | None = None, **detail) -> None:
    audit.record(
        db.session,
        event,
        actor=current_user,
        organisation_id=enrolment.action.organisation_id,
        target_type="enrolment",
        target_id=enrolment.id,
        detail={"title": enrolment.action.title, **detail},
        reason=reason,
    )


def _back(action: Action):
    return redirect(url_for(".action", org_id=action.organisation_id, action_id=action.id), 303)


def _page(template: str, form, **context):
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, organisation=g.organisation, **context), status


def _enrol(org_id: int, action: Action, form: EnrolmentForm) -> Enrolment | None:
    """The enrolment made from the form, or None with the problems on the form."""
    chosen = form.learner.data or ""
    user_id = int(chosen) if chosen.isdigit() else 0
    user = accounts.member_of(db.session, user_id, org_id, Role.LEARNER)
    if user is None or user.learner is None:
        form.learner.errors = [_("Choisissez un apprenant de votre structure.")]
        return None
    try:
        return enrolments.enrol(db.session, action, user.learner, form.spec(), today())
    except InvalidEntry as error:
        show(form, error)
        return None


@bp.route(f"{BASE}/<int:action_id>/inscrire", methods=["GET", "POST"])
@requires(*ASSOCIATION, org_arg="org_id")
def new_enrolment(org_id: int, action_id: int):
    action = action_or_404(org_id, action_id)
    form = EnrolmentForm()
    form.offer(accounts.learners_of(db.session, org_id))
    enrolment = _enrol(org_id, action, form) if form.validate_on_submit() else None
    if enrolment is not None:
        _journal("enrolment.created", enrolment)
        db.session.commit()
        name = enrolment.learner.display_name
        flash(_("%(name)s est inscrit·e à l'action.", name=name), "success")
        return _back(action)
    return _page("studio/actions/enrol.html", form, action=action)


@bp.route(f"{ENROLMENT}/sortie", methods=["GET", "POST"])
@requires(*ASSOCIATION, org_arg="org_id")
def enrolment_exit(org_id: int, action_id: int, enrolment_id: int):
    enrolment = _enrolment(org_id, action_id, enrolment_id)
    form = ExitForm(obj=None if request.method == "POST" else _exit_data(enrolment))
    if form.validate_on_submit():
        spec = form.spec()
        try:
            enrolments.record_exit(db.session, enrolment, spec, today())
        except InvalidEntry as error:
            show(form, error)
        else:
            _journal("enrolment.exited", enrolment, spec.justification or None)
            db.session.commit()
            flash(_("La sortie est enregistrée."), "success")
            return _back(enrolment.action)
    return _page("studio/actions/exit.html", form, enrolment=enrolment)


def _exit_data(enrolment: Enrolment):
    """The recorded exit, to correct it (an object with the form's field names)."""

    class Recorded:
        exit_date = enrolment.exit_date
        reason = enrolment.exit_reason.value if enrolment.exit_reason else ""
        sessions_attended = enrolment.sessions_attended
        justification = ""

    return Recorded


@bp.route(f"{ENROLMENT}/situation", methods=["GET", "POST"])
@requires(*ASSOCIATION, org_arg="org_id")
def enrolment_outcome(org_id: int, action_id: int, enrolment_id: int):
    enrolment = _enrolment(org_id, action_id, enrolment_id)
    form = OutcomeForm(moment=request.args.get("moment", "sortie"))
    if form.validate_on_submit():
        moment, situation = form.chosen()
        try:
            enrolments.record_outcome(
                db.session, enrolment, moment, situation, today(), form.observed_on.data
            )
        except InvalidEntry as error:
            show(form, error)
        else:
            _journal("outcome.recorded", enrolment, moment=moment.value)
            db.session.commit()
            flash(_("La situation est enregistrée."), "success")
            return _back(enrolment.action)
    return _page("studio/actions/outcome.html", form, enrolment=enrolment)


@bp.get("/<int:org_id>/suivis-a-six-mois")
@requires(*ASSOCIATION, org_arg="org_id")
def follow_ups_due(org_id: int):
    return render_template(
        "studio/actions/follow_ups.html",
        organisation=g.organisation,
        follow_ups=follow_ups.follow_ups(db.session, org_id, today()),
        today=today(),
    )
