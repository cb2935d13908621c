"""Items of the organisation's frameworks, written in forms: a competence's items, a new item of
a chosen type, editing one (a new version when a validated item's meaning changes) and its
status (draft → validated → archived)."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from assessments import authoring, content_bundle, item_authoring, item_history, item_images
from assessments.authoring import ContentRejected, FrameworkNotFound
from assessments.content_export import export_item
from assessments.models import ItemStatus
from web.authz import requires
from web.database import db
from web.studio import bp
from web.studio.authoring_forms import ActionForm
from web.studio.bank import preview_context
from web.studio.frameworks import BASE, framework_or_abort, record, render
from web.studio.item_forms import FORMS, TYPE_NAMES, form_class, show_item_problems
from web.studio.views import STAFF

COMPETENCE = f"{BASE}/<int:framework_id>/competences/<int:competence_id>"

# The names of what a new version may change (item_authoring.EDITABLE), for « what changed ».
CHANGE_LABELS = {
    "level": _l("niveau"),
    "type": _l("type"),
    "instruction": _l("consigne"),
    "instruction_sr": _l("consigne pour lecteur d'écran"),
    "image": _l("image"),
    "accessibility": _l("accessibilité"),
    "timer_seconds": _l("chronomètre"),
    "explanation": _l("explication"),
    "body": _l("contenu (choix, cases, étapes…)"),
    "key": _l("bonne réponse"),
    "tolerance": _l("tolérances"),
}


def _competence(org_id: int, framework_id: int, competence_id: int, *, own: bool = True):
    framework = framework_or_abort(org_id, framework_id, own=own)
    try:
        return framework, authoring.own_competence(db.session, framework, competence_id)
    except FrameworkNotFound:
        abort(404)


def _item(org_id: int, framework_id: int, item_id: int):
    framework = framework_or_abort(org_id, framework_id)
    try:
        return framework, item_authoring.own_item(db.session, framework, item_id)
    except FrameworkNotFound:
        abort(404)


@bp.get(COMPETENCE)
@requires(*STAFF, org_arg="org_id")
def competence(org_id: int, framework_id: int, competence_id: int):
    framework, competence = _competence(org_id, framework_id, competence_id, own=False)
    return render_template(
        "studio/frameworks/competence.html",
        organisation=g.organisation,
        framework=framework,
        competence=competence,
        page=item_authoring.items_of(db.session, competence, request.args.get("page", 1, type=int)),
        types=[(kind.value, TYPE_NAMES[kind]) for kind in FORMS],
        type_names=TYPE_NAMES,
        action_form=ActionForm(),
    )


def _to_competence(org_id: int, framework, item):
    """Back to the list of the item's competence (303 after a POST)."""
    url = url_for(
        "studio.competence",
        org_id=org_id,
        framework_id=framework.id,
        competence_id=item.competence_id,
    )
    return redirect(url, 303)


def _saved(org_id: int, framework, saved) -> object:
    """Journal, commit, and back to the item's competence with what happened."""
    action = (
        "item.created"
        if saved.created
        else ("item.new_version" if saved.new_version else "item.updated")
    )
    record(action, "item", saved.item.id, uid=saved.item.uid, version=saved.item.version)
    db.session.commit()
    if saved.new_version:
        flash(
            _(
                "Question enregistrée en version %(version)s : les réponses déjà données "
                "restent liées à la version précédente.",
                version=saved.item.version,
            ),
            "success",
        )
    else:
        flash(_("Question %(uid)s enregistrée.", uid=saved.item.uid), "success")
    return _to_competence(org_id, framework, saved.item)


def _changes(version: item_history.EarlierVersion) -> str:
    return ", ".join(str(CHANGE_LABELS[name]) for name in version.changed)


def attach_picture(form, org_id: int) -> bool:
    """Check and keep the picture the form brings (false, with the reason on the field, when
    refused). It is committed at once, so a form refused for another field keeps it; a name
    carried back that is not one of the organisation's pictures is dropped."""
    upload = request.files.get(form.image.name)
    if upload is not None and upload.filename:
        try:
            picture = item_images.check(upload.read(item_images.MAX_BYTES + 1))
        except item_images.ImageRefused as refused:
            why = content_bundle.refusal(refused)  # the import's French words, as for files
            form.image.errors = [f"{why[:1].upper()}{why[1:]}."]
            return False
        form.image_name.data = item_images.store_upload(db.session, org_id, picture)
        db.session.commit()
    elif form.image_name.data not in item_images.stored_names(db.session, org_id):
        form.image_name.data = ""
    return True


def _item_page(form, framework, competence, item=None):
    """The item's form (with its versions and whether it has answers, when editing)."""
    return render(
        "studio/frameworks/item_form.html",
        form,
        framework=framework,
        competence=competence,
        item=item,
        type_name=TYPE_NAMES[form.kind],
        has_answers=item is not None and item_authoring.has_answers(db.session, item),
        versions=[(v, _changes(v)) for v in item_history.history(db.session, item)] if item else [],
    )


@bp.route(f"{COMPETENCE}/questions/nouvelle/<kind>", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def new_item(org_id: int, framework_id: int, competence_id: int, kind: str):
    framework, competence = _competence(org_id, framework_id, competence_id)
    form_type = form_class(kind)
    if form_type is None:
        abort(404)
    form = form_type()
    if form.validate_on_submit() and attach_picture(form, org_id):
        try:
            saved = item_authoring.create_item(db.session, competence, form.content())
            return _saved(org_id, framework, saved)
        except ContentRejected as refused:
            show_item_problems(form, refused.problems)
    return _item_page(form, framework, competence)


@bp.route(f"{BASE}/<int:framework_id>/questions/<int:item_id>", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def edit_item(org_id: int, framework_id: int, item_id: int):
    framework, item = _item(org_id, framework_id, item_id)
    form_type = form_class(item.type)
    if form_type is None:
        abort(404)
    form = form_type()
    form.keep(export_item(item))
    if request.method == "GET":
        form.load(export_item(item))
    elif form.validate_on_submit() and attach_picture(form, org_id):
        try:
            return _saved(
                org_id, framework, item_authoring.update_item(db.session, item, form.content())
            )
        except ContentRejected as refused:
            show_item_problems(form, refused.problems)
    return _item_page(form, framework, item.competence, item)


@bp.get(f"{BASE}/<int:framework_id>/questions/<int:item_id>/versions/<int:version>")
@requires(*STAFF, org_arg="org_id")
def item_version(org_id: int, framework_id: int, item_id: int, version: int):
    """An earlier version, as the learner saw it (read-only), and what the next one changed."""
    framework, item = _item(org_id, framework_id, item_id)
    earlier = item_history.version_of(db.session, item, version)
    if earlier is None:
        abort(404)
    args = {"org_id": org_id, "framework_id": framework_id, "item_id": item_id}
    return render_template(
        "studio/frameworks/item_version.html",
        **preview_context(earlier.item, ".item_version", {**args, "version": version}),
        framework=framework,
        current=item,
        earlier=earlier,
        errors={},
        change_labels=CHANGE_LABELS,
        edit_url=url_for(".edit_item", **args),
    )


@bp.post(f"{BASE}/<int:framework_id>/questions/<int:item_id>/statut")
@requires(*STAFF, org_arg="org_id")
def item_status(org_id: int, framework_id: int, item_id: int):
    framework, item = _item(org_id, framework_id, item_id)
    form = ActionForm()
    if not form.validate_on_submit() or form.status.data not in {s.value for s in ItemStatus}:
        abort(400)
    try:
        before = item_authoring.set_status(db.session, item, ItemStatus(form.status.data))
    except item_authoring.StatusChangeRefused:
        abort(409)
    record(
        "item.status_changed",
        "item",
        item.id,
        uid=item.uid,
        before=before.value,
        after=item.status.value,
    )
    db.session.commit()
    flash(_("Question %(uid)s : statut changé.", uid=item.uid), "success")
    return _to_competence(org_id, framework, item)
