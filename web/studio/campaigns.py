"""The organisation's campaigns: the list (with participants), creating one, its page with the
code, the join link and the QR code, its A4 poster, and open now / close now / archive.

Another organisation's campaign answers 404, as if it did not exist. Every change is recorded
in the organisation's journal.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import (
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from assessments import campaign_admin, campaign_creation, campaign_editing
from assessments.campaign_admin import CampaignOrder, CampaignState
from assessments.campaign_creation import InvalidCampaign
from assessments.campaigns import format_code
from assessments.models import Campaign
from badges import qr
from learners import audit
from web.authz import requires
from web.database import db
from web.studio import bp
from web.studio.campaign_forms import CampaignActionForm, EditCampaignForm, NewCampaignForm
from web.studio.campaign_poster import PosterContent, render_poster
from web.studio.views import STAFF

STATE_LABELS = {
    CampaignState.UPCOMING: _l("À venir"),
    CampaignState.OPEN: _l("Ouverte"),
    CampaignState.CLOSED: _l("Fermée"),
    CampaignState.ARCHIVED: _l("Archivée"),
}
# The list's filter: "" = every campaign not archived.
FILTERS = {
    "": _l("Toutes, sauf les archivées"),
    CampaignState.UPCOMING.value: _l("À venir"),
    CampaignState.OPEN.value: _l("Ouvertes"),
    CampaignState.CLOSED.value: _l("Fermées"),
    CampaignState.ARCHIVED.value: _l("Archivées"),
}


def _locale() -> str:
    return str(get_locale() or "fr")


def _campaign(org_id: int, campaign_id: int) -> Campaign:
    try:
        return campaign_admin.get_campaign(db.session, org_id, campaign_id)
    except campaign_admin.CampaignNotFound:
        abort(404)


def join_link(campaign: Campaign) -> str:
    """The public address of the campaign's page for learners (the code is in it)."""
    base = current_app.config["JALON_BASE_URL"].rstrip("/")
    return base + url_for("learner.campaign", code=format_code(campaign.code))


def _record(action: str, campaign: Campaign) -> None:
    audit.record(
        db.session,
        action,
        actor=current_user,
        organisation_id=campaign.organisation_id,
        target_type="campaign",
        target_id=campaign.id,
        detail={"name": campaign.name, "code": format_code(campaign.code)},
    )


def _record_creation(campaign: Campaign, composed: bool) -> None:
    if composed:
        audit.record(
            db.session,
            "assessment.created",
            actor=current_user,
            organisation_id=campaign.organisation_id,
            target_type="assessment",
            target_id=campaign.assessment_id,
            detail={"name": campaign.assessment.title},
        )
    _record("campaign.created", campaign)


SORTS = {
    CampaignOrder.RECENT.value: _l("Ouvertes le plus récemment"),
    CampaignOrder.NAME.value: _l("Nom"),
    CampaignOrder.CLOSING.value: _l("Fermeture la plus proche"),
}


def _state_filter() -> CampaignState | None:
    try:
        return CampaignState(request.args.get("etat", ""))
    except ValueError:
        return None


def _order() -> CampaignOrder:
    try:
        return CampaignOrder(request.args.get("tri", ""))
    except ValueError:
        return CampaignOrder.RECENT


@bp.get("/<int:org_id>/campagnes")
@requires(*STAFF, org_arg="org_id")
def campaigns(org_id: int):
    state, order = _state_filter(), _order()
    page = campaign_admin.list_campaigns(
        db.session, org_id, state=state, order=order, page=request.args.get("page", 1, type=int)
    )
    return render_template(
        "studio/campaigns/list.html",
        organisation=g.organisation,
        page=page,
        state=state.value if state else "",
        order=order.value,
        filters=FILTERS,
        sorts=SORTS,
        state_labels=STATE_LABELS,
        action_form=CampaignActionForm(),
    )


@bp.route("/<int:org_id>/campagnes/nouvelle", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def new_campaign(org_id: int):
    form = NewCampaignForm()
    form.offer(db.session, org_id, _locale())
    if form.validate_on_submit():
        spec = form.spec(current_app.config["BABEL_DEFAULT_TIMEZONE"])
        try:
            created = campaign_creation.create(db.session, org_id, spec)
        except InvalidCampaign as error:
            db.session.rollback()
            form.show(error)
        else:
            _record_creation(created, composed=spec.new_assessment is not None)
            db.session.commit()
            flash(_("La campagne est créée. Voici son code et son lien."), "success")
            return redirect(url_for(".campaign", org_id=org_id, campaign_id=created.id), 303)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "studio/campaigns/new.html", form=form, organisation=g.organisation
    ), status


def _record_edit(campaign: Campaign, changed: dict) -> None:
    """One journal line naming each changed setting with its old and new value."""
    detail = {name: [str(before), str(after)] for name, (before, after) in changed.items()}
    audit.record(
        db.session,
        "campaign.edited",
        actor=current_user,
        organisation_id=campaign.organisation_id,
        target_type="campaign",
        target_id=campaign.id,
        detail={"name": campaign.name, "code": format_code(campaign.code), "changes": detail},
    )


@bp.route("/<int:org_id>/campagnes/<int:campaign_id>/modifier", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def edit_campaign(org_id: int, campaign_id: int):
    found = _campaign(org_id, campaign_id)
    zone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    form = EditCampaignForm(data=EditCampaignForm.initial(found, zone))
    if form.validate_on_submit():
        try:
            changed = campaign_editing.edit(db.session, found, form.changes(found, zone))
        except InvalidCampaign as error:
            form.show(error)
        else:
            if changed:
                _record_edit(found, changed)
            db.session.commit()
            flash(_("Les changements sont enregistrés."), "success")
            return redirect(url_for(".campaign", org_id=org_id, campaign_id=found.id), 303)
    locked = campaign_editing.has_sessions(db.session, found)
    page = render_template(
        "studio/campaigns/edit.html",
        form=form,
        organisation=g.organisation,
        campaign=found,
        locked=locked,
    )
    return page, 422 if request.method == "POST" else 200


@bp.get("/<int:org_id>/campagnes/<int:campaign_id>")
@requires(*STAFF, org_arg="org_id")
def campaign(org_id: int, campaign_id: int):
    found = _campaign(org_id, campaign_id)
    link = join_link(found)
    return render_template(
        "studio/campaigns/show.html",
        organisation=g.organisation,
        campaign=found,
        details=campaign_admin.details(db.session, found, _locale()),
        link=link,
        qr_svg=qr.qr_svg(link, title=_("Code QR du lien pour rejoindre la campagne")),
        state_labels=STATE_LABELS,
        action_form=CampaignActionForm(),
    )


def _local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def _until(campaign: Campaign) -> str | None:
    if campaign.closes_at is None:
        return None
    closes = _local(campaign.closes_at)
    return _(
        "%(date)s à %(hour)s h %(minute)s",
        date=format_date(closes, "d MMMM y"),
        hour=f"{closes:%H}",
        minute=f"{closes:%M}",
    )


@bp.get("/<int:org_id>/campagnes/<int:campaign_id>/affiche.pdf")
@requires(*STAFF, org_arg="org_id")
def campaign_poster(org_id: int, campaign_id: int):
    found = _campaign(org_id, campaign_id)
    link = join_link(found)
    content = PosterContent(
        campaign_name=found.name,
        organisation_name=g.organisation.name,
        code=format_code(found.code),
        link=link,
        qr_png=qr.qr_png(link),
        closes_on=_until(found),
    )
    response = make_response(render_poster(content))
    response.headers["Content-Type"] = "application/pdf"
    response.headers["Content-Disposition"] = f'inline; filename="affiche-{found.code}.pdf"'
    return response


def _change(org_id: int, campaign_id: int, change, action: str, done: str):
    """Open, close or archive (a POST with its CSRF token); a repeated click records nothing."""
    found = _campaign(org_id, campaign_id)
    if not CampaignActionForm().validate_on_submit():
        abort(400)
    if change(db.session, found):
        _record(action, found)
        flash(done % {"name": found.name}, "success")
    db.session.commit()
    back = request.form.get("next") == "list"
    target = url_for(".campaigns", org_id=org_id) if back else None
    return redirect(target or url_for(".campaign", org_id=org_id, campaign_id=found.id), 303)


@bp.post("/<int:org_id>/campagnes/<int:campaign_id>/ouvrir")
@requires(*STAFF, org_arg="org_id")
def open_campaign(org_id: int, campaign_id: int):
    done = _("La campagne « %(name)s » est ouverte : les apprenants peuvent la commencer.")
    return _change(org_id, campaign_id, campaign_admin.open_now, "campaign.opened", done)


@bp.post("/<int:org_id>/campagnes/<int:campaign_id>/fermer")
@requires(*STAFF, org_arg="org_id")
def close_campaign(org_id: int, campaign_id: int):
    done = _("La campagne « %(name)s » est fermée : personne ne peut plus la commencer.")
    return _change(org_id, campaign_id, campaign_admin.close_now, "campaign.closed", done)


@bp.post("/<int:org_id>/campagnes/<int:campaign_id>/archiver")
@requires(*STAFF, org_arg="org_id")
def archive_campaign(org_id: int, campaign_id: int):
    done = _("La campagne « %(name)s » est archivée. Ses résultats sont gardés.")
    return _change(org_id, campaign_id, campaign_admin.archive, "campaign.archived", done)
