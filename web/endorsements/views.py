"""The endorsement pages: the département's (``/departement/reconnaissances``) and a partner
employer's (``/studio/<org_id>/reconnaissances``, its administrators only).

Both pages are the same page for a different endorser: choose a badge of an association, say
why, and Jalon signs the endorsement with the endorser's own issuer key
(``badges.endorsements``); the list below shows what was endorsed and lets it be withdrawn.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms import SelectChoice

from badges import achievements, endorsements
from badges.models import Endorsement
from learners import audit
from learners.models import Organisation, Role
from web.authz import requires
from web.database import db
from web.endorsements.forms import EndorseForm, WithdrawForm

bp = Blueprint("endorsements", __name__)

ERRORS = {
    endorsements.NotAnEndorser: _l(
        "Seuls le Département et les employeurs partenaires peuvent reconnaître un badge."
    ),
    endorsements.CannotEndorse: _l(
        "Ce badge ne peut pas être reconnu : il est archivé ou c'est le vôtre."
    ),
    endorsements.AlreadyEndorsed: _l("Vous reconnaissez déjà ce badge."),
    endorsements.CommentRequired: _l(
        "Écrivez en quelques mots pourquoi vous reconnaissez ce badge."
    ),
    endorsements.ReasonRequired: _l("Indiquez la raison du retrait."),
    endorsements.AlreadyWithdrawn: _l("Cette reconnaissance est déjà retirée."),
    achievements.AchievementNotFound: _l("Choisissez un badge dans la liste."),
}


def _message(error: Exception) -> str:
    return str(ERRORS.get(type(error), _l("Cette reconnaissance n'est pas possible.")))


def _department() -> Organisation:
    organisation = endorsements.department_organisation(current_user)
    if organisation is None:
        abort(403)
    return organisation


def _partner(organisation: Organisation) -> Organisation:
    """Only organisations of an endorsing kind endorse: an association's admin gets 403."""
    if not endorsements.may_endorse(organisation):
        abort(403)
    return organisation


def _config() -> dict[str, str]:
    return {
        "base_url": current_app.config["JALON_BASE_URL"],
        "kek": current_app.config["JALON_KEY_ENCRYPTION_KEY"],
    }


def _journal(endorsement: Endorsement, action: str) -> None:
    """One line in the endorser's journal and one in the association's."""
    achievement = endorsement.achievement
    detail = {"name": achievement.name, "endorser": endorsement.organisation.name}
    for organisation_id, code in (
        (endorsement.organisation_id, action),
        (achievement.issuer.organisation_id, f"{action}_for_us"),
    ):
        audit.record(
            db.session,
            code,
            actor=current_user,
            organisation_id=organisation_id,
            target_type="endorsement",
            target_id=endorsement.public_id,
            detail=detail,
            reason=endorsement.withdrawal_reason,
        )


def _page(organisation: Organisation, form: EndorseForm, here: str, **extra):
    status = 422 if request.method == "POST" else 200
    return render_template(
        "endorsements/page.html",
        organisation=organisation,
        form=form,
        endorsements=endorsements.of_organisation(db.session, organisation),
        withdraw_form=extra.pop("withdraw_form", None) or WithdrawForm(formdata=None),
        here=here,
        **extra,
    ), status


def _endorse_form(organisation: Organisation, **options) -> EndorseForm:
    """The form, offering the associations' badges ``organisation`` does not endorse yet."""
    form = EndorseForm(**options)
    form.achievement.choices = [SelectChoice("", _("— Choisissez un badge —"))] + [
        SelectChoice(a.public_id, f"{a.association} — {a.name}")
        for a in endorsements.endorsable(db.session, organisation)
    ]
    return form


def _endorse(organisation: Organisation, here: str):
    form = _endorse_form(organisation)
    if form.validate_on_submit():
        try:
            achievement = achievements.get(db.session, form.achievement.data)
            made = endorsements.endorse(
                db.session, organisation, achievement, form.comment.data, actor=current_user,
                **_config(),
            )  # fmt: skip
        except (endorsements.EndorsementError, achievements.AchievementNotFound) as error:
            db.session.rollback()
            form.achievement.errors.append(_message(error))
        else:
            _journal(made, "endorsement.created")
            db.session.commit()
            flash(
                _("Badge reconnu : les prochains badges délivrés porteront votre nom."), "success"
            )
            return redirect(here, code=303)
    return _page(organisation, form, here)


def _withdraw(organisation: Organisation, public_id: str, here: str):
    try:
        endorsement = endorsements.get_for(db.session, organisation, public_id)
    except endorsements.EndorsementNotFound:
        abort(404)
    form = WithdrawForm()
    if form.validate_on_submit():
        try:
            endorsements.withdraw(db.session, endorsement, form.reason.data, **_config())
        except endorsements.EndorsementError as error:
            db.session.rollback()
            form.reason.errors.append(_message(error))
        else:
            _journal(endorsement, "endorsement.withdrawn")
            db.session.commit()
            flash(_("Reconnaissance retirée."), "success")
            return redirect(here, code=303)
    blank = _endorse_form(organisation, formdata=None)
    return _page(organisation, blank, here, withdraw_form=form, withdrawing=public_id)


@bp.route("/departement/reconnaissances", methods=["GET", "POST"])
@requires(Role.DEPARTMENT)
def department():
    return _endorse(_department(), url_for(".department"))


@bp.post("/departement/reconnaissances/<public_id>/retrait")
@requires(Role.DEPARTMENT)
def department_withdraw(public_id: str):
    return _withdraw(_department(), public_id, url_for(".department"))


@bp.route("/studio/<int:org_id>/reconnaissances", methods=["GET", "POST"])
@requires(Role.ORG_ADMIN, org_arg="org_id")
def partner(org_id: int):
    return _endorse(_partner(g.organisation), url_for(".partner", org_id=org_id))


@bp.post("/studio/<int:org_id>/reconnaissances/<public_id>/retrait")
@requires(Role.ORG_ADMIN, org_arg="org_id")
def partner_withdraw(org_id: int, public_id: str):
    return _withdraw(_partner(g.organisation), public_id, url_for(".partner", org_id=org_id))
