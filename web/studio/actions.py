"""The association's funded actions: the list, creating and changing one (what it plans),
archiving it, and its page with its beneficiaries by name.

For the porteur's trainers and admins only: the beneficiaries' names and situations are not for
the département (it reads aggregates) nor for the platform's operators. Another organisation's
action answers 404, as if it did not exist. Every change goes in the journal.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learners import actions, audit, communes, target_jobs
from learners.action_problems import InvalidEntry
from learners.enrolments import follow_up_date, outcome_of
from learners.models import Action, OutcomeMoment, Role
from web.authz import requires
from web.database import db
from web.studio import bp
from web.studio.action_forms import ActionForm, ArchiveForm, show
from web.studio.action_labels import (
    COLUMN_HELP,
    EXIT_REASONS,
    PUBLIC_STATUSES,
    REFERRERS,
    SEXES,
    SITUATIONS,
    TYPOLOGIES,
    problem_text,
    sentence,
)

ASSOCIATION = (Role.TRAINER, Role.ORG_ADMIN)
BASE = "/<int:org_id>/actions"


def today() -> date:
    """Today in the platform's time zone (an exit "today" is the association's today)."""
    return datetime.now(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def action_or_404(org_id: int, action_id: int) -> Action:
    try:
        return actions.get_action(db.session, org_id, action_id)
    except actions.ActionNotFound:
        abort(404)


def record(event: str, action: Action, **detail) -> None:
    audit.record(
        db.session,
        event,
        actor=current_user,
        organisation_id=action.organisation_id,
        target_type="action",
        target_id=action.id,
        detail={"title": action.title, **detail},
    )


@bp.app_context_processor
def _action_words() -> dict:
    """The call's categories in words, for every actions page."""
    return {
        "typology_labels": TYPOLOGIES,
        "referrer_labels": REFERRERS,
        "status_labels": PUBLIC_STATUSES,
        "sex_labels": SEXES,
        "exit_labels": EXIT_REASONS,
        "situation_labels": SITUATIONS,
        "commune_name": communes.name_of,
        "job_names": target_jobs.target_jobs,
        "outcome_of": outcome_of,
        "follow_up_date": follow_up_date,
        "moments": OutcomeMoment,
        "column_help": COLUMN_HELP,
    }


@bp.app_template_filter("problem_sentence")
def _problem_sentence(problem) -> str:
    return sentence(problem)


@bp.app_template_filter("problem_dict_sentence")
def _problem_dict_sentence(problem: dict) -> str:
    """A problem kept in a job's report (code and parameters) in the visitor's language."""
    return problem_text(problem["code"], problem.get("params"))


@bp.get(BASE)
@requires(*ASSOCIATION, org_arg="org_id")
def actions_list(org_id: int):
    archived = request.args.get("archivees") == "1"
    return render_template(
        "studio/actions/list.html",
        organisation=g.organisation,
        lines=actions.actions_of(db.session, org_id, archived=archived),
        archived=archived,
    )


def _form_page(form: ActionForm, action: Action | None = None):
    status = 422 if request.method == "POST" else 200
    return render_template(
        "studio/actions/form.html", form=form, organisation=g.organisation, action=action
    ), status


@bp.route(f"{BASE}/nouvelle", methods=["GET", "POST"])
@requires(*ASSOCIATION, org_arg="org_id")
def new_action(org_id: int):
    form = ActionForm()
    form.offer()
    if form.validate_on_submit():
        try:
            created = actions.create_action(db.session, org_id, form.spec())
        except InvalidEntry as error:
            show(form, error)
        else:
            record("action.created", created)
            db.session.commit()
            flash(_("L'action est créée. Vous pouvez y inscrire des bénéficiaires."), "success")
            return redirect(url_for(".action", org_id=org_id, action_id=created.id), 303)
    return _form_page(form)


@bp.get(f"{BASE}/<int:action_id>")
@requires(*ASSOCIATION, org_arg="org_id")
def action(org_id: int, action_id: int):
    found = action_or_404(org_id, action_id)
    return render_template(
        "studio/actions/show.html",
        organisation=g.organisation,
        action=found,
        enrolments=actions.beneficiaries(db.session, found),
        archive_form=ArchiveForm(),
        today=today(),
    )


@bp.route(f"{BASE}/<int:action_id>/modifier", methods=["GET", "POST"])
@requires(*ASSOCIATION, org_arg="org_id")
def edit_action(org_id: int, action_id: int):
    found = action_or_404(org_id, action_id)
    form = ActionForm(data=None if request.method == "POST" else actions.spec_of(found).__dict__)
    form.offer()
    if form.validate_on_submit():
        try:
            actions.update_action(db.session, found, form.spec())
        except InvalidEntry as error:
            show(form, error)
        else:
            record("action.updated", found)
            db.session.commit()
            flash(_("L'action est enregistrée."), "success")
            return redirect(url_for(".action", org_id=org_id, action_id=found.id), 303)
    return _form_page(form, found)


@bp.post(f"{BASE}/<int:action_id>/archiver")
@requires(*ASSOCIATION, org_arg="org_id")
def archive_action(org_id: int, action_id: int):
    found = action_or_404(org_id, action_id)
    if not ArchiveForm().validate_on_submit():
        abort(400)
    if actions.archive_action(db.session, found):
        record("action.archived", found)
        flash(
            _(
                "L'action « %(title)s » est archivée. Ses inscriptions sont gardées.",
                title=found.title,
            ),
            "success",
        )
    db.session.commit()
    return redirect(url_for(".actions_list", org_id=org_id), 303)
