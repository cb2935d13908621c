"""The organisation's frameworks: list (shipped and own), create, copy a shipped one, edit its
titles and alignments, its domains and competences; export one and import a file (dry run
first). Shipped frameworks answer 403 to every change; another organisation's, 404."""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from assessments import authoring, import_job, item_authoring, org_content
from assessments.authoring import ContentRejected, FrameworkNotFound, ReadOnlyFramework
from assessments.content_errors import ContentInvalid
from assessments.frameworks import certification_state
from learners import audit
from web import jobs
from web.authz import requires
from web.database import db
from web.studio import bp, pending_imports
from web.studio.authoring_forms import (
    ActionForm,
    CompetenceForm,
    ConfirmImportForm,
    CopyFrameworkForm,
    DomainForm,
    FrameworkForm,
    ImportForm,
    NewFrameworkForm,
    show_problems,
)
from web.studio.views import STAFF

jobs.register(import_job.JOB_KIND)(import_job.import_job)

BASE = "/<int:org_id>/referentiels"


def framework_or_abort(org_id: int, framework_id: int, *, own: bool = True):
    """The framework the URL names: another organisation's is 404, a shipped one to change 403."""
    try:
        if own:
            return authoring.own_framework(db.session, org_id, framework_id)
        return authoring.visible_framework(db.session, org_id, framework_id)
    except FrameworkNotFound:
        abort(404)
    except ReadOnlyFramework:
        abort(403, _("Ce référentiel est fourni par Jalon : copiez-le pour le modifier."))


def record(action: str, target_type: str, target_id: int, **detail) -> None:
    audit.record(
        db.session,
        action,
        actor=current_user,
        organisation_id=g.organisation.id,
        target_type=target_type,
        target_id=target_id,
        detail=detail,
    )


def render(template: str, form=None, **context):
    """The page, 422 when a POST came back with problems."""
    status = 422 if request.method == "POST" else 200
    return render_template(template, form=form, organisation=g.organisation, **context), status


@bp.get(BASE)
@requires(*STAFF, org_arg="org_id")
def frameworks(org_id: int):
    return render_template(
        "studio/frameworks/list.html",
        organisation=g.organisation,
        summaries=authoring.frameworks_of(db.session, org_id),
    )


@bp.route(f"{BASE}/nouveau", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def new_framework(org_id: int):
    form = NewFrameworkForm()
    if form.validate_on_submit():
        try:
            framework = authoring.create_framework(
                db.session, org_id, form.slug.data.strip(), form.fields()
            )
        except ContentRejected as refused:
            show_problems(form, refused.problems)
        else:
            record("framework.created", "framework", framework.id, slug=framework.slug)
            db.session.commit()
            flash(_("Référentiel créé. Ajoutez maintenant un domaine."), "success")
            return redirect(
                url_for("studio.framework", org_id=org_id, framework_id=framework.id), 303
            )
    return render("studio/frameworks/framework_form.html", form, framework=None)


@bp.get(f"{BASE}/<int:framework_id>")
@requires(*STAFF, org_arg="org_id")
def framework(org_id: int, framework_id: int):
    framework = framework_or_abort(org_id, framework_id, own=False)
    return render_template(
        "studio/frameworks/framework.html",
        organisation=g.organisation,
        framework=framework,
        summary=authoring.summary_of(db.session, framework),
        certification_state=certification_state(framework),
        action_form=ActionForm(),
    )


@bp.route(f"{BASE}/<int:framework_id>/modifier", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def edit_framework(org_id: int, framework_id: int):
    framework = framework_or_abort(org_id, framework_id)
    form = FrameworkForm(obj=framework)
    if form.validate_on_submit():
        try:
            authoring.update_framework(db.session, framework, form.fields())
        except ContentRejected as refused:
            show_problems(form, refused.problems)
        else:
            record("framework.updated", "framework", framework.id, slug=framework.slug)
            db.session.commit()
            return redirect(
                url_for("studio.framework", org_id=org_id, framework_id=framework_id), 303
            )
    return render("studio/frameworks/framework_form.html", form, framework=framework)


def _copy(org_id: int, source, form: CopyFrameworkForm):
    """Copy and redirect to the copy, or put the refusal on the form and return ``None``."""
    try:
        copied = org_content.copy_framework(
            db.session, org_id, source, form.slug.data.strip(), form.title_fr.data.strip()
        )
    except ContentRejected as refused:
        show_problems(form, refused.problems)
        return None
    record(
        "framework.copied", "framework", copied.framework.id, source=source.slug, items=copied.items
    )
    db.session.commit()
    flash(
        _(
            "Copie créée : %(count)s question(s) en brouillon, à relire puis valider.",
            count=copied.items,
        ),
        "success",
    )
    return redirect(
        url_for("studio.framework", org_id=org_id, framework_id=copied.framework.id), 303
    )


@bp.route(f"{BASE}/<int:framework_id>/copier", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def copy_framework(org_id: int, framework_id: int):
    source = framework_or_abort(org_id, framework_id, own=False)
    form = CopyFrameworkForm()
    if form.validate_on_submit() and (done := _copy(org_id, source, form)):
        return done
    return render("studio/frameworks/copy.html", form, source=source)


def _save_domain(org_id: int, framework, form: DomainForm, domain=None):
    """Save and redirect, or put the refusal on the form and return ``None``."""
    try:
        saved = authoring.save_domain(
            db.session,
            framework,
            form.code.data.strip(),
            form.title_fr.data.strip(),
            form.title_en.data,
            domain,
        )
    except ContentRejected as refused:
        show_problems(form, refused.problems)
        return None
    record("framework.domain_saved", "framework", framework.id, domain=saved.code)
    db.session.commit()
    return redirect(url_for("studio.framework", org_id=org_id, framework_id=framework.id), 303)


@bp.route(f"{BASE}/<int:framework_id>/domaines/nouveau", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def new_domain(org_id: int, framework_id: int):
    framework = framework_or_abort(org_id, framework_id)
    form = DomainForm()
    if form.validate_on_submit() and (done := _save_domain(org_id, framework, form)):
        return done
    return render("studio/frameworks/domain_form.html", form, framework=framework, domain=None)


@bp.route(f"{BASE}/<int:framework_id>/domaines/<int:domain_id>/modifier", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def edit_domain(org_id: int, framework_id: int, domain_id: int):
    framework = framework_or_abort(org_id, framework_id)
    try:
        domain = authoring.own_domain(db.session, framework, domain_id)
    except FrameworkNotFound:
        abort(404)
    form = DomainForm(obj=domain)
    if form.validate_on_submit() and (done := _save_domain(org_id, framework, form, domain)):
        return done
    return render("studio/frameworks/domain_form.html", form, framework=framework, domain=domain)


def _competence_form(framework, competence=None) -> CompetenceForm:
    form = CompetenceForm()
    form.domain_id.choices = [(d.id, f"{d.code} — {d.title_fr}") for d in framework.domains]
    if competence is not None and request.method == "GET":
        form.load(authoring.competence_fields(competence))
    return form


def _save_competence(org_id: int, framework, form: CompetenceForm, competence=None):
    """Save and redirect, or put the refusal on the form and return ``None``."""
    try:
        saved = authoring.save_competence(db.session, framework, form.fields(), competence)
    except ContentRejected as refused:
        show_problems(form, refused.problems)
        return None
    record(
        "framework.competence_saved",
        "competence",
        saved.id,
        framework=framework.slug,
        code=saved.code,
    )
    db.session.commit()
    return redirect(url_for("studio.framework", org_id=org_id, framework_id=framework.id), 303)


@bp.route(f"{BASE}/<int:framework_id>/competences/nouvelle", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def new_competence(org_id: int, framework_id: int):
    framework = framework_or_abort(org_id, framework_id)
    if not framework.domains:
        flash(_("Ajoutez d'abord un domaine : chaque compétence appartient à un domaine."), "info")
        return redirect(url_for("studio.new_domain", org_id=org_id, framework_id=framework_id), 303)
    form = _competence_form(framework)
    if form.validate_on_submit() and (done := _save_competence(org_id, framework, form)):
        return done
    return render(
        "studio/frameworks/competence_form.html", form, framework=framework, competence=None
    )


@bp.route(
    f"{BASE}/<int:framework_id>/competences/<int:competence_id>/modifier", methods=["GET", "POST"]
)
@requires(*STAFF, org_arg="org_id")
def edit_competence(org_id: int, framework_id: int, competence_id: int):
    framework = framework_or_abort(org_id, framework_id)
    try:
        competence = authoring.own_competence(db.session, framework, competence_id)
    except FrameworkNotFound:
        abort(404)
    form = _competence_form(framework, competence)
    if form.validate_on_submit() and (
        done := _save_competence(org_id, framework, form, competence)
    ):
        return done
    return render(
        "studio/frameworks/competence_form.html", form, framework=framework, competence=competence
    )


@bp.post(f"{BASE}/<int:framework_id>/valider-brouillons")
@requires(*STAFF, org_arg="org_id")
def validate_drafts(org_id: int, framework_id: int):
    framework = framework_or_abort(org_id, framework_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    count = item_authoring.validate_drafts(db.session, framework)
    record("framework.drafts_validated", "framework", framework.id, items=count)
    db.session.commit()
    flash(_("%(count)s question(s) validée(s).", count=count), "success")
    return redirect(url_for("studio.framework", org_id=org_id, framework_id=framework_id), 303)


@bp.get(f"{BASE}/<int:framework_id>/export.json")
@requires(*STAFF, org_arg="org_id")
def export_framework(org_id: int, framework_id: int):
    framework = framework_or_abort(org_id, framework_id)
    response = current_app.response_class(
        org_content.export_own(framework, db.session), mimetype="application/json"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{framework.slug}.json"'
    return response


@bp.get(f"{BASE}/<int:framework_id>/export.zip")
@requires(*STAFF, org_arg="org_id")
def export_framework_zip(org_id: int, framework_id: int):
    """The same bundle with its items' pictures (``images/<slug>/…``), as one zip."""
    framework = framework_or_abort(org_id, framework_id)
    response = current_app.response_class(
        org_content.export_bundle(framework, db.session), mimetype="application/zip"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{framework.slug}.zip"'
    return response


def _upload_report(org_id: int, raw: bytes, name: str, *, dry_run: bool):
    """(report, errors) of importing an uploaded file, or of its dry run."""
    try:
        report = org_content.import_upload(
            db.session,
            org_id,
            raw,
            name,
            limit=current_app.config["JALON_MAX_CONTENT_IMPORT_BYTES"],
            dry_run=dry_run,
        )
    except ContentInvalid as refused:
        return None, refused.errors
    return report, []


def _import_page(form, report=None, errors=(), confirm=None):
    failed = request.method == "POST" and (bool(errors) or bool(form.errors))
    return render_template(
        "studio/frameworks/import.html",
        organisation=g.organisation,
        form=form,
        report=report,
        errors=list(errors),
        confirm=confirm,
    ), (422 if failed else 200)


@bp.route(f"{BASE}/import", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def import_framework(org_id: int):
    """Upload a file and see what importing it would do (a dry run: nothing is written)."""
    form = ImportForm()
    if not form.validate_on_submit():
        return _import_page(form)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        form.file.errors = [_("Choisissez un fichier JSON ou zip à vérifier.")]
        return _import_page(form)
    raw = upload.read(current_app.config["JALON_MAX_CONTENT_IMPORT_BYTES"] + 1)
    report, errors = _upload_report(org_id, raw, upload.filename, dry_run=True)
    confirm = None
    if report is not None:
        token = pending_imports.keep(org_id, raw, upload.filename)
        confirm = ConfirmImportForm(token=token)
    return _import_page(form, report, errors, confirm)


@bp.post(f"{BASE}/import/confirmer")
@requires(*STAFF, org_arg="org_id")
def confirm_import(org_id: int):
    """The real import of the file a dry run accepted: a background job (checked again in
    full, then written in batches) whose progress the next page shows."""
    form = ConfirmImportForm()
    if not form.validate_on_submit():
        abort(400)
    kept = pending_imports.hand_over(org_id, form.token.data)
    if kept is None:
        return _import_page(ImportForm(), errors=[pending_imports.GONE])
    path, name = kept
    job = jobs.start(
        import_job.JOB_KIND,
        organisation_id=org_id,
        actor=current_user,
        org_id=org_id,
        actor_id=current_user.id,
        path=str(path),
        name=name,
        limit=current_app.config["JALON_MAX_CONTENT_IMPORT_BYTES"],
    )
    return redirect(url_for("studio.import_progress", org_id=org_id, public_id=job.public_id), 303)


@bp.get(f"{BASE}/import/<public_id>")
@requires(*STAFF, org_arg="org_id")
def import_progress(org_id: int, public_id: str):
    """The import's progress bar, then what it did (or why it stopped)."""
    job = jobs.get_visible(public_id)
    if job.organisation_id != org_id or job.kind != import_job.JOB_KIND:
        abort(404)
    return render_template(
        "studio/frameworks/import_progress.html", organisation=g.organisation, job=job
    )
