"""Awarding in the studio: by hand with evidence, in bulk from a CSV file (dry run, then a job
with its progress), and a credential's page where it is revoked, suspended or reinstated.

Only the trainers and admins of the awarding organisation: the platform admin is not listed
(evidence files are a beneficiary's personal documents), and another association's badge,
learner or credential answers 404. The domain is in ``badges.manual_awards``,
``badges.bulk_awards`` and ``badges.revocation``; these views parse, call, commit and render.
"""

from __future__ import annotations

import json

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from badges import bulk_awards, evidence_files, issuance, manual_awards, revocation, wallet
from badges.achievements import AchievementNotFound
from badges.models import Achievement, Credential
from learners.models import Job, JobStatus, Role
from web import jobs
from web.authz import requires
from web.database import db
from web.studio import bp
from web.studio.award_forms import (
    ACTIONS,
    AWARD_REFUSALS,
    CSV_REFUSALS,
    FILE_REFUSALS,
    ROW_STATUSES,
    STATUS_REFUSALS,
    BulkConfirmForm,
    BulkUploadForm,
    ManualAwardForm,
    StatusForm,
)

AWARDERS = (Role.TRAINER, Role.ORG_ADMIN)
BULK_JOB = "badges.bulk_award"
BULK_PART = "badges.bulk_award_part"


def _config(name: str) -> str:
    return current_app.config[name]


@jobs.register(BULK_JOB)
def bulk_award_job(job_db, progress, *, org_id: int, achievement_id: int, actor_id, rows):
    """The bulk award's work, run by ``web.jobs``: in parts that the queue's workers award in
    parallel when there is a queue and the file is large, else in one go."""
    wanted = jobs.parts_wanted(current_app)
    planned = bulk_awards.plan(job_db, org_id, achievement_id, rows, wanted) if wanted > 1 else None
    if planned is None or len(planned.batches) < 2:
        arguments = {"org_id": org_id, "rows": rows, **_part(achievement_id, actor_id)}
        return bulk_award_part(job_db, progress, **arguments)
    settled = len(planned.settled)
    parts = jobs.run_in_parts(
        BULK_PART,
        [{"org_id": org_id, **_part(achievement_id, actor_id), "rows": b} for b in planned.batches],
        lambda done, _total=None: progress(settled + done, len(rows)),
        organisation_id=org_id,
        actor_id=actor_id,
    )
    results = [part.result if part.status is JobStatus.DONE else None for part in parts]
    return bulk_awards.merge(planned, results)


@jobs.register(BULK_PART)
def bulk_award_part(job_db, progress, *, org_id: int, achievement_id: int, actor_id, rows):
    """Award lines of a file (all of them, or one part of a large one). The key-encryption key
    is read here, never stored with the job's arguments."""
    return bulk_awards.run(
        job_db,
        progress,
        organisation_id=org_id,
        achievement_id=achievement_id,
        actor_id=actor_id,
        rows=rows,
        base_url=_config("JALON_BASE_URL"),
        kek=_config("JALON_KEY_ENCRYPTION_KEY"),
    )


def _part(achievement_id: int, actor_id: int | None) -> dict:
    return {"achievement_id": achievement_id, "actor_id": actor_id}


def _achievement(org_id: int, public_id: str) -> Achievement:
    try:
        return manual_awards.achievement_of(db.session, org_id, public_id)
    except AchievementNotFound:
        abort(404)


def _credential(org_id: int, public_id: str) -> Credential:
    try:
        return manual_awards.credential_of(db.session, org_id, public_id)
    except issuance.CredentialNotFound:
        abort(404)


def _checked_file(form: ManualAwardForm) -> tuple[bool, evidence_files.CheckedFile | None]:
    """(ok, file): a file is attached only with the person's agreement."""
    upload = form.file.data
    if not upload or not getattr(upload, "filename", ""):
        return True, None
    if not form.consent.data:
        form.consent.errors.append(
            _("Cochez l'accord de la personne pour joindre ce fichier, ou retirez le fichier.")
        )
        return False, None
    try:
        return True, evidence_files.check(
            upload.read(evidence_files.MAX_BYTES + 1), upload.filename
        )
    except evidence_files.EvidenceRefused as refused:
        form.file.errors.append(str(FILE_REFUSALS[refused.refusal]))
        return False, None


def _award_from(form: ManualAwardForm, achievement: Achievement, org_id: int) -> Credential | None:
    """Award what the form says, or put the reason on the form and return None."""
    ok, checked = _checked_file(form)
    try:
        learner = manual_awards.learner_of(db.session, org_id, form.learner.data or 0)
    except manual_awards.LearnerNotFound:
        form.learner.errors.append(_("Choisissez une personne de la liste."))
        return None
    if not ok:
        return None
    try:
        return manual_awards.award(
            db.session,
            achievement=achievement,
            learner=learner,
            evidence=manual_awards.Evidence(
                form.narrative.data or "", form.url.data or "", checked
            ),
            actor=current_user,
            organisation_id=org_id,
            base_url=_config("JALON_BASE_URL"),
            kek=_config("JALON_KEY_ENCRYPTION_KEY"),
        )
    except tuple(AWARD_REFUSALS) as refused:
        db.session.rollback()
        target = (
            form.url if isinstance(refused, manual_awards.InvalidEvidenceUrl) else form.narrative
        )
        target.errors.append(str(AWARD_REFUSALS[type(refused)]))
        return None


def _award_form(org_id: int) -> ManualAwardForm:
    form = ManualAwardForm()
    form.learner.choices = [(0, _("— Choisissez une personne —"))] + [
        (learner.id, learner.display_name)
        for learner in manual_awards.learners_of(db.session, org_id)
    ]
    form.learner.validate_choice = False  # checked by the domain, with a French message
    return form


@bp.route("/<int:org_id>/badges/<public_id>/attribuer", methods=["GET", "POST"])
@requires(*AWARDERS, org_arg="org_id")
def award_badge(org_id: int, public_id: str):
    achievement = _achievement(org_id, public_id)
    form = _award_form(org_id)
    if form.validate_on_submit():
        credential = _award_from(form, achievement, org_id)
        if credential is not None:
            db.session.commit()
            flash(_("Badge attribué à %(name)s.", name=credential.learner.display_name), "success")
            return redirect(
                url_for(".credential", org_id=org_id, public_id=credential.public_id), 303
            )
    status = 422 if request.method == "POST" else 200
    return render_template(
        "studio/badges/award.html", organisation=g.organisation, achievement=achievement, form=form
    ), status


def _read_csv(form: BulkUploadForm) -> list[bulk_awards.Row] | None:
    upload = form.file.data
    if not upload or not getattr(upload, "filename", ""):
        form.file.errors.append(_("Choisissez un fichier CSV."))
        return None
    try:
        return bulk_awards.parse(upload.read(bulk_awards.MAX_BYTES + 1))
    except bulk_awards.CsvRefused as refused:
        form.file.errors.append(str(CSV_REFUSALS[refused.refusal]))
        return None


@bp.route("/<int:org_id>/badges/<public_id>/attribuer-en-lot", methods=["GET", "POST"])
@requires(*AWARDERS, org_arg="org_id")
def bulk_award(org_id: int, public_id: str):
    achievement = _achievement(org_id, public_id)
    form, reports, confirm = BulkUploadForm(), None, None
    rows = _read_csv(form) if form.validate_on_submit() else None
    if rows is not None:
        reports = bulk_awards.dry_run(db.session, org_id, achievement, rows)
        confirm = BulkConfirmForm(rows=json.dumps(bulk_awards.rows_to_json(rows)))
    status = 422 if request.method == "POST" and reports is None else 200
    return render_template(
        "studio/badges/bulk_award.html",
        organisation=g.organisation,
        achievement=achievement,
        form=form,
        reports=reports,
        ready=bulk_awards.ready_count(reports or []),
        confirm=confirm,
        row_statuses=ROW_STATUSES,
    ), status


def _confirmed_rows() -> list[dict]:
    """The reviewed lines sent back by the dry run's form (re-checked by the run); 400 if the
    form was tampered with."""
    form = BulkConfirmForm()
    try:
        rows = bulk_awards.rows_from_json(json.loads(form.rows.data or ""))
    except (ValueError, TypeError, KeyError):
        abort(400)
    if not form.validate_on_submit() or not rows or len(rows) > bulk_awards.MAX_ROWS:
        abort(400)
    return bulk_awards.rows_to_json(rows)


@bp.post("/<int:org_id>/badges/<public_id>/attribuer-en-lot/lancer")
@requires(*AWARDERS, org_arg="org_id")
def bulk_award_start(org_id: int, public_id: str):
    achievement = _achievement(org_id, public_id)
    job = jobs.start(
        BULK_JOB,
        organisation_id=org_id,
        actor=current_user,
        org_id=org_id,
        achievement_id=achievement.id,
        actor_id=current_user.id,
        rows=_confirmed_rows(),
    )
    job_page = ".bulk_award_job_page"
    return redirect(
        url_for(job_page, org_id=org_id, public_id=public_id, job_id=job.public_id), 303
    )


def _bulk_job(org_id: int, achievement: Achievement, job_id: str) -> Job:
    job = jobs.get_visible(job_id)
    same = (job.arguments or {}).get("achievement_id") == achievement.id
    if job.organisation_id != org_id or job.kind != BULK_JOB or not same:
        abort(404)
    return job


@bp.get("/<int:org_id>/badges/<public_id>/attribuer-en-lot/<job_id>")
@requires(*AWARDERS, org_arg="org_id")
def bulk_award_job_page(org_id: int, public_id: str, job_id: str):
    achievement = _achievement(org_id, public_id)
    return render_template(
        "studio/badges/bulk_job.html",
        organisation=g.organisation,
        achievement=achievement,
        job=_bulk_job(org_id, achievement, job_id),
        row_statuses={status.value: text for status, text in ROW_STATUSES.items()},
    )


def _credential_page(credential: Credential, form: StatusForm | None = None, action: str = ""):
    return render_template(
        "studio/badges/credential.html",
        organisation=g.organisation,
        credential=credential,
        status=wallet.status(credential),
        files=evidence_files.files_of(db.session, credential.id),
        form=form or StatusForm(),
        failed_action=action,
        public_url=issuance.credential_iri(credential.public_id, _config("JALON_BASE_URL")),
    )


@bp.get("/<int:org_id>/credentials/<public_id>")
@requires(*AWARDERS, org_arg="org_id")
def credential(org_id: int, public_id: str):
    return _credential_page(_credential(org_id, public_id))


def _change_status(credential: Credential, action: str, form: StatusForm, org_id: int) -> bool:
    try:
        revocation.change(
            db.session,
            credential,
            ACTIONS[action],
            form.reason.data,
            actor=current_user,
            organisation_id=org_id,
            base_url=_config("JALON_BASE_URL"),
            kek=_config("JALON_KEY_ENCRYPTION_KEY"),
        )
    except revocation.ReasonRequired:
        db.session.rollback()
        form.reason.errors.append(_("Indiquez la raison : la personne la lira."))
        return False
    except tuple(STATUS_REFUSALS) as refused:
        db.session.rollback()
        form.form_errors.append(str(STATUS_REFUSALS[type(refused)]))
        return False
    return True


@bp.post("/<int:org_id>/credentials/<public_id>/<action>")
@requires(*AWARDERS, org_arg="org_id")
def credential_status(org_id: int, public_id: str, action: str):
    if action not in ACTIONS:
        abort(404)
    credential = _credential(org_id, public_id)
    form = StatusForm()
    if not (form.validate_on_submit() and _change_status(credential, action, form, org_id)):
        return _credential_page(credential, form, action), 422
    db.session.commit()
    done = {
        "revoquer": _("Badge révoqué. La liste de statut est signée à nouveau."),
        "suspendre": _("Badge suspendu."),
        "retablir": _("Badge rétabli."),
    }
    flash(done[action], "success")
    return redirect(url_for(".credential", org_id=org_id, public_id=public_id), 303)
