"""The badge studio's home: the organisation's achievements, their design form (with a preview
before anything is published), their page, publishing, and new versions of issued badges.

Other parts of the badge studio (award rules, awards, endorsements) add their sections to the
achievement's page, ``studio/badges/badge.html``, whose blocks are named for them.
"""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from badges import achievement_design, endorsements, manual_awards
from badges.achievements import AchievementNotFound, InvalidAchievement
from learners import audit
from web.authz import requires
from web.database import db
from web.studio import badge_preview, bp
from web.studio.badge_forms import AchievementForm, PublishForm
from web.studio.results import BADGE_STATUS_LABELS
from web.studio.views import STAFF

BASE = "/<int:org_id>/badges"


def achievement_or_404(org_id: int, public_id: str):
    """The organisation's achievement the URL names; another organisation's is 404."""
    try:
        return achievement_design.own_achievement(db.session, org_id, public_id)
    except AchievementNotFound:
        abort(404)


def _record(action: str, achievement, **detail) -> None:
    audit.record(
        db.session,
        action,
        actor=current_user,
        organisation_id=g.organisation.id,
        target_type="achievement",
        target_id=achievement.id,
        detail={"name": achievement.name, "version": achievement.version, **detail},
    )


def _form_page(form: AchievementForm, achievement=None, preview=None, count: int = 0):
    status = 422 if request.method == "POST" and preview is None else 200
    return render_template(
        "studio/badges/form.html",
        organisation=g.organisation,
        form=form,
        achievement=achievement,
        preview=preview,
        credentials=count,
    ), status


def _read(form: AchievementForm, org_id: int, current=None):
    """The form's fields when the POST is valid (the image is read even when it is not, so a
    mistake elsewhere never loses the upload)."""
    valid = form.validate_on_submit()
    fields = form.read(db.session, org_id, current) if request.method == "POST" else None
    if not valid or fields is None:
        return None
    try:
        achievement_design.check(fields)
    except InvalidAchievement as refused:
        form.form_errors.extend(refused.errors)
        return None
    return fields


@bp.get(BASE)
@requires(*STAFF, org_arg="org_id")
def badges(org_id: int):
    page = achievement_design.achievements_of(
        db.session, org_id, request.args.get("page", 1, type=int)
    )
    return render_template(
        "studio/badges/list.html",
        organisation=g.organisation,
        page=page,
        endorsed=endorsements.endorsed_among(db.session, [s.achievement.id for s in page.items]),
    )


@bp.route(f"{BASE}/nouveau", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def new_badge(org_id: int):
    form = AchievementForm()
    form.offer(db.session, org_id, editing=False)
    fields = _read(form, org_id)
    if fields is not None and form.preview.data:
        return _form_page(form, preview=badge_preview.unsaved(db.session, g.organisation, fields))
    if fields is not None:
        kek = current_app.config["JALON_KEY_ENCRYPTION_KEY"]
        issuer = achievement_design.issuer_for(db.session, g.organisation, kek)
        achievement = achievement_design.create(db.session, issuer, fields)
        _record("achievement.created", achievement)
        db.session.commit()
        flash(_("Brouillon enregistré. Relisez l'aperçu puis publiez le badge."), "success")
        return redirect(
            url_for("studio.badge", org_id=org_id, public_id=achievement.public_id), 303
        )
    return _form_page(form)


@bp.get(f"{BASE}/<public_id>")
@requires(*STAFF, org_arg="org_id")
def badge(org_id: int, public_id: str):
    achievement = achievement_or_404(org_id, public_id)
    return render_template(
        "studio/badges/badge.html",
        organisation=g.organisation,
        achievement=achievement,
        latest=achievement_design.latest_version(db.session, achievement),
        versions=achievement_design.versions(db.session, achievement),
        credentials=achievement_design.credential_count(db.session, achievement),
        preview=badge_preview.preview(db.session, g.organisation, achievement),
        publish_form=PublishForm(),
        holders=manual_awards.holders_of(db.session, achievement),
        badge_statuses=BADGE_STATUS_LABELS,
        endorsements=endorsements.of_achievement(db.session, achievement),
    )


@bp.route(f"{BASE}/<public_id>/modifier", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def edit_badge(org_id: int, public_id: str):
    achievement = achievement_or_404(org_id, public_id)
    latest = achievement_design.latest_version(db.session, achievement)
    if latest is not achievement:  # an old version: its successor is the one to change
        return redirect(url_for("studio.edit_badge", org_id=org_id, public_id=latest.public_id))
    form = AchievementForm()
    form.offer(db.session, org_id, editing=True)
    if request.method == "GET":
        form.fill(db.session, org_id, achievement)
    fields = _read(form, org_id, achievement)
    if fields is not None and form.preview.data:
        shown = badge_preview.unsaved(db.session, g.organisation, fields)
        return _form_page(form, achievement, shown, _count(achievement))
    if fields is not None:
        return _update(org_id, achievement, fields)
    return _form_page(form, achievement, count=_count(achievement))


def _update(org_id: int, achievement, fields):
    try:
        saved = achievement_design.update(db.session, achievement, fields)
    except achievement_design.VersionReplaced:
        abort(409, _("Ce badge vient d'être remplacé par une nouvelle version : rouvrez-le."))
    return _saved(org_id, saved)


def _count(achievement) -> int:
    return achievement_design.credential_count(db.session, achievement)


def _saved(org_id: int, saved: achievement_design.Saved):
    achievement = saved.achievement
    if saved.new_version:
        _record("achievement.new_version", achievement, previous=achievement.previous_version_id)
        message = _(
            "Nouvelle version publiée : les badges déjà délivrés restent inchangés et valides."
        )
    else:
        _record("achievement.updated", achievement)
        message = _("Badge enregistré.")
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("studio.badge", org_id=org_id, public_id=achievement.public_id), 303)


@bp.post(f"{BASE}/<public_id>/publier")
@requires(*STAFF, org_arg="org_id")
def publish_badge(org_id: int, public_id: str):
    achievement = achievement_or_404(org_id, public_id)
    if not PublishForm().validate_on_submit():
        abort(400)
    if achievement_design.publish(db.session, achievement):
        _record("achievement.published", achievement)
        db.session.commit()
        flash(_("Badge publié : il peut maintenant être délivré."), "success")
    return redirect(url_for("studio.badge", org_id=org_id, public_id=public_id), 303)
