"""« Mes badges »: the learner's credentials, one page per badge, and every file to take away.

Only the credential's own learner reaches these pages: anyone else's credential id answers 404,
exactly as an unknown id does, so nothing says whether a badge exists.
"""

from __future__ import annotations

from flask import Response, abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from badges import endorsements, issuance, verification, wallet
from badges.models import Credential
from badges.qr import qr_png, qr_svg
from learners.models import Role
from web.authz import requires
from web.database import db
from web.learner.views import bp
from web.learner.wallet_forms import PRIVATE, PUBLIC, VisibilityForm

JSON_LD = "application/ld+json"


def _base_url() -> str:
    return current_app.config["JALON_BASE_URL"]


def _owned(credential_id: str) -> Credential:
    try:
        return wallet.owned(db.session, current_user.learner, credential_id)
    except issuance.CredentialNotFound:
        abort(404)


def _file(body: bytes | str, mimetype: str, filename: str, *, attachment: bool = True) -> Response:
    """A personal file: never cached by shared caches, saved under a readable name."""
    response = Response(body, mimetype=mimetype)
    disposition = "attachment" if attachment else "inline"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.app_template_global()
def my_badge_count() -> int:
    """For the learner's home page: called only by the templates that show it."""
    return wallet.count_of(db.session, getattr(current_user, "learner", None))


@bp.get("/badges")
@requires(Role.LEARNER)
def my_badges():
    """Every badge with its state and how often employers checked it."""
    badges = wallet.entries_of(db.session, current_user.learner)
    return render_template("learner/wallet.html", badges=badges)


@bp.get("/badges/<credential_id>")
@requires(Role.LEARNER)
def badge(credential_id: str):
    credential = _owned(credential_id)
    return _badge_page(credential, VisibilityForm())


def _badge_page(credential: Credential, form: VisibilityForm, status_code: int = 200):
    sheet = wallet.sheet(db.session, credential, _base_url())
    page = render_template(
        "learner/badge.html",
        credential=credential,
        achievement=credential.achievement,
        sheet=sheet,
        recognised_by=endorsements.recognised_by(db.session, credential),
        qr=qr_svg(sheet.qr_url, title=_("Code QR de l'adresse de ce badge")),
        form=form,
        PUBLIC=PUBLIC,
        PRIVATE=PRIVATE,
    )
    return page, status_code


@bp.post("/badges/<credential_id>/visibilite")
@requires(Role.LEARNER)
def badge_visibility(credential_id: str):
    """Public: anyone with the link or QR code sees the badge. Private: the link answers 404."""
    credential = _owned(credential_id)
    form = VisibilityForm()
    if not form.validate_on_submit():
        return _badge_page(credential, form, 422)
    wallet.set_public(db.session, credential, form.wants_public)
    db.session.commit()
    if form.wants_public:
        flash(
            _("Votre badge est public. Les personnes qui ont le lien peuvent le voir."), "success"
        )
    else:
        flash(_("Votre badge est privé. Le lien et le code QR ne l'affichent plus."), "success")
    return redirect(url_for(".badge", credential_id=credential.public_id))


@bp.get("/badges/<credential_id>/image.png")
@requires(Role.LEARNER)
def badge_image(credential_id: str):
    """The badge picture shown in the pages (without the credential baked in)."""
    credential = _owned(credential_id)
    response = Response(wallet.badge_images(credential.achievement).png, mimetype="image/png")
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.get("/badges/<credential_id>/badge.json")
@requires(Role.LEARNER)
def badge_json(credential_id: str):
    credential = _owned(credential_id)
    return _file(wallet.signed_json(credential), JSON_LD, wallet.file_name(credential, "json"))


@bp.get("/badges/<credential_id>/badge.jwt")
@requires(Role.LEARNER)
def badge_jwt(credential_id: str):
    credential = _owned(credential_id)
    if not credential.jws:
        abort(404)
    return _file(credential.jws, "application/vc+jwt", wallet.file_name(credential, "jwt"))


@bp.get("/badges/<credential_id>/badge.png")
@requires(Role.LEARNER)
def badge_png(credential_id: str):
    credential = _owned(credential_id)
    return _file(wallet.baked_png(credential), "image/png", wallet.file_name(credential, "png"))


@bp.get("/badges/<credential_id>/badge.svg")
@requires(Role.LEARNER)
def badge_svg(credential_id: str):
    credential = _owned(credential_id)
    return _file(wallet.baked_svg(credential), "image/svg+xml", wallet.file_name(credential, "svg"))


@bp.get("/badges/<credential_id>/qr.png")
@requires(Role.LEARNER)
def badge_qr_png(credential_id: str):
    credential = _owned(credential_id)
    url = verification.qr_url(credential.public_id, _base_url())
    return _file(qr_png(url), "image/png", wallet.file_name(credential, "png", "qr"))


@bp.get("/badges/<credential_id>/qr.svg")
@requires(Role.LEARNER)
def badge_qr_svg(credential_id: str):
    credential = _owned(credential_id)
    url = verification.qr_url(credential.public_id, _base_url())
    svg = qr_svg(url, title=_("Code QR de l'adresse de ce badge"))
    return _file(svg, "image/svg+xml", wallet.file_name(credential, "svg", "qr"))


@bp.get("/badges/<credential_id>/attestation.pdf")
@requires(Role.LEARNER)
def badge_attestation(credential_id: str):
    credential = _owned(credential_id)
    pdf = wallet.attestation_pdf(credential, _base_url())
    return _file(pdf, "application/pdf", wallet.file_name(credential, "pdf", "attestation"))
