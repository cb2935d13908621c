"""Enrolling many learners in an action from a CSV file: the model file to download, the upload
with its dry run (a report line by line; nothing written), then the real import as a background
job with its progress, whose report says which lines were enrolled and which refused.

The file a dry run read waits in ``pending_imports`` (per organisation, under a random token)
until the person confirms; the job then reads it from a file of its own, which it removes (the
lines' personal data are not kept in the job's row), and checks every line again.
"""

from __future__ import annotations

from flask import abort, current_app, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from learners import enrolment_import
from learners.enrolment_import import FileRefused
from web import jobs
from web.authz import requires
from web.database import db
from web.studio import bp, pending_imports
from web.studio.action_forms import ConfirmImportForm, ImportForm
from web.studio.action_labels import FILE_PROBLEMS
from web.studio.actions import ASSOCIATION, BASE, action_or_404, today

jobs.register(enrolment_import.JOB_KIND)(enrolment_import.import_job)
IMPORT = f"{BASE}/<int:action_id>/import"


def _limit() -> int:
    return current_app.config["JALON_MAX_CONTENT_IMPORT_BYTES"]


def _read(raw: bytes) -> tuple[list[enrolment_import.Row], str | None]:
    """The file's rows, or the reason it is refused as a whole (in the visitor's language)."""
    try:
        return enrolment_import.read_rows(raw, _limit()), None
    except FileRefused as refused:
        text = str(FILE_PROBLEMS[refused.code])
        return [], text % refused.params if refused.params else text


def _page(action, form, report=None, refused=None, confirm=None):
    failed = request.method == "POST" and (refused is not None or bool(form.errors))
    return render_template(
        "studio/actions/import.html",
        organisation=g.organisation,
        action=action,
        form=form,
        report=report,
        refused=refused,
        confirm=confirm,
        columns=enrolment_import.COLUMNS,
    ), (422 if failed else 200)


@bp.get(f"{BASE}/modele-inscriptions.csv")
@requires(*ASSOCIATION, org_arg="org_id")
def enrolment_import_template(org_id: int):
    response = make_response(enrolment_import.template_csv().encode("utf-8"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    response.headers["Content-Disposition"] = 'attachment; filename="modele-inscriptions.csv"'
    return response


@bp.route(IMPORT, methods=["GET", "POST"])
@requires(*ASSOCIATION, org_arg="org_id")
def enrolment_import_page(org_id: int, action_id: int):
    """Upload a file and see, line by line, what importing it would do (a dry run)."""
    action = action_or_404(org_id, action_id)
    form = ImportForm()
    if not form.validate_on_submit():
        return _page(action, form)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        form.file.errors = [_("Choisissez un fichier CSV à vérifier.")]
        return _page(action, form)
    raw = upload.read(_limit() + 1)
    rows, refused = _read(raw)
    if refused is not None:
        return _page(action, form, refused=refused)
    report = enrolment_import.dry_run(db.session, action, rows, today())
    token = pending_imports.keep(org_id, raw, upload.filename) if report.accepted else None
    return _page(action, form, report, confirm=token and ConfirmImportForm(token=token))


@bp.post(f"{IMPORT}/confirmer")
@requires(*ASSOCIATION, org_arg="org_id")
def confirm_enrolment_import(org_id: int, action_id: int):
    """Start the real import of the file a dry run read (every line checked again)."""
    action = action_or_404(org_id, action_id)
    form = ConfirmImportForm()
    kept = pending_imports.hand_over(org_id, form.token.data) if form.validate_on_submit() else None
    if kept is None:
        return _page(action, ImportForm(), refused=str(pending_imports.GONE.message))
    job = jobs.start(
        enrolment_import.JOB_KIND,
        organisation_id=org_id,
        actor=current_user,
        org_id=org_id,
        action_id=action.id,
        actor_id=current_user.id,
        path=str(kept[0]),  # the job reads the file and removes it
        limit=_limit(),
        today=today().isoformat(),
    )
    target = url_for(
        ".enrolment_import_job", org_id=org_id, action_id=action.id, public_id=job.public_id
    )
    return redirect(target, 303)


@bp.get(f"{IMPORT}/<public_id>")
@requires(*ASSOCIATION, org_arg="org_id")
def enrolment_import_job(org_id: int, action_id: int, public_id: str):
    action = action_or_404(org_id, action_id)
    job = jobs.get_visible(public_id)
    if job.organisation_id != org_id or job.kind != enrolment_import.JOB_KIND:
        abort(404)
    if job.arguments.get("action_id") != action.id:
        abort(404)
    return render_template(
        "studio/actions/import_job.html", organisation=g.organisation, action=action, job=job
    )
