"""Public, permanent URLs printed inside signed credentials and QR codes, and the verifier page.

Every URL served or written here comes from ``JALON_BASE_URL``, never from the request's Host.
JSON documents allow cross-origin reads so browser-based wallets and verifiers can fetch them.
The JSON verification API is in ``web/api/``.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request
from flask_babel import gettext as _

from badges import achievements, endorsements, issuance, issuers, status_lists, verification
from badges.models import Credential, VerificationChannel
from badges.qr import qr_svg
from web import errors
from web.authz import public
from web.config import did_web_enabled
from web.database import db
from web.extensions import rate_limited
from web.verify import checking, openings, sections
from web.verify.forms import VerifierForm
from web.verify.log_privacy import keep_addresses_out_of_logs

bp = Blueprint("verify", __name__, template_folder="templates")

JSON_LD = "application/ld+json"
CREDENTIAL_JSON_TYPES = ("application/vc+ld+json", JSON_LD, "application/json")
CREDENTIAL_JWT_TYPES = ("application/vc+jwt", "application/jwt")
STATUS_CACHE_SECONDS = 300
IMAGE_CACHE_SECONDS = 365 * 24 * 3600

bp.record_once(lambda _state: keep_addresses_out_of_logs())


def _json(document: dict | str, mimetype: str = JSON_LD, *, cache: int | None = None) -> Response:
    body = document if isinstance(document, str) else json.dumps(document, ensure_ascii=False)
    response = Response(body, mimetype=mimetype)
    response.headers["Access-Control-Allow-Origin"] = "*"
    if cache is not None:
        response.headers["Cache-Control"] = f"public, max-age={cache}"
    return response


def _wanted_format() -> str | None:
    """``json`` / ``jwt`` / None (HTML), from ``?format=`` or the Accept header."""
    asked = request.args.get("format")
    if asked in {"json", "jwt"}:
        return asked
    best = request.accept_mimetypes.best_match(
        ["text/html", *CREDENTIAL_JSON_TYPES, *CREDENTIAL_JWT_TYPES]
    )
    if best in CREDENTIAL_JSON_TYPES:
        return "json"
    if best in CREDENTIAL_JWT_TYPES:
        return "jwt"
    return None


def _negotiated_type(candidates: tuple[str, ...]) -> str:
    best = request.accept_mimetypes.best_match(candidates)
    return best or candidates[0]


@bp.get("/c/<credential_id>")
@public
def credential(credential_id: str):
    """The credential: signed JSON, its VC-JWT, or the page an employer reads after a scan."""
    found = _credential_or_404(credential_id)
    wanted = _wanted_format()
    if not found.is_public and not openings.is_holder(found):
        return _not_shared(wanted)
    if wanted == "json":
        response = _json(found.signed_json, _negotiated_type(CREDENTIAL_JSON_TYPES))
    elif wanted == "jwt":
        response = _jwt(found)
    else:
        response = _credential_page(found)
    if request.args.get("format") in {"json", "jwt"}:
        extension = "json" if wanted == "json" else "jwt"
        response.headers["Content-Disposition"] = (
            f'attachment; filename="badge-{found.public_id}.{extension}"'
        )
    response.headers["Vary"] = "Accept"
    return response


def _credential_or_404(credential_id: str) -> Credential:
    try:
        return issuance.get(db.session, credential_id)
    except issuance.CredentialNotFound:
        abort(404)


def _not_shared(wanted: str | None) -> Response | tuple[str, int]:
    """A private badge: its holder has not shared it. Nothing is shown, nothing counted; the
    holder, signed in, sees the page as a preview instead."""
    if wanted is not None:
        abort(404)
    return render_template("verify/not_shared.html"), 404


def _jwt(found: Credential) -> Response:
    if not found.jws:
        abort(404)
    response = Response(found.jws, mimetype=_negotiated_type(CREDENTIAL_JWT_TYPES))
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _credential_page(found: Credential) -> Response:
    """The employer's page; the verification comes from the cache while nothing changed, the
    QR code from ``qr_svg``'s memory, and the opening is counted once per visitor and period."""
    base_url = checking.base_url()
    opening = openings.channel(found)
    checked = verification.check_stored(
        db.session, found, base_url=base_url, channel=opening, cache=openings.result_cache()
    )
    db.session.commit()
    response = Response(
        render_template(
            "verify/credential.html",
            credential=found,
            public_url=issuance.credential_iri(found.public_id, base_url),
            preview=not found.is_public,
            qr=qr_svg(
                verification.qr_url(found.public_id, base_url), title=_("Code QR de ce badge")
            ),
            **sections.context(checked, base_url),
        )
    )
    if opening is not None:
        openings.remember(response)
    return response


# ------------------------------------------------------------------------------ verifier


def _verifier_page(
    form: VerifierForm, checked: verification.Verification | None = None, status: int = 200
):
    context = sections.context(checked, checking.base_url()) if checked is not None else {}
    return render_template("verify/verifier.html", form=form, verified=checked, **context), status


@bp.route("/verifier", methods=["GET", "POST"])
@public
@rate_limited(checking.rate_limit, methods=["POST"])
def verifier():
    """Check a badge file or pasted text, from Jalon or any Open Badges 3.0 issuer."""
    form = VerifierForm()
    if request.method == "GET":
        return _verifier_page(form)
    if not form.validate_on_submit():
        return _verifier_page(form, status=422)
    data, filename = form.payload()
    checked = checking.check_sent(data, filename, VerificationChannel.UPLOAD)
    return _verifier_page(VerifierForm(formdata=None), checked)


@bp.errorhandler(413)
def too_large(error):
    """An upload over the limit: the verifier page again, saying so in words."""
    message = checking.too_large_message()
    if request.endpoint == "verify.verifier":
        form = VerifierForm(formdata=None)
        form.form_errors.append(message)
        return _verifier_page(form, status=413)
    return errors.error_response(413, message)


@bp.get("/issuers/<issuer_id>")
@public
def issuer(issuer_id: str):
    """The issuer's Profile, which is also the controller document of its keys."""
    try:
        found = issuers.get(db.session, issuer_id)
    except issuers.IssuerNotFound:
        abort(404)
    return _json(
        issuers.profile_document(db.session, found, checking.base_url()), cache=STATUS_CACHE_SECONDS
    )


@bp.get("/achievements/<achievement_id>")
@public
def achievement(achievement_id: str):
    try:
        found = achievements.get(db.session, achievement_id)
    except achievements.AchievementNotFound:
        abort(404)
    if found.is_draft:  # a badge being designed is published by no credential yet
        abort(404)
    standing = endorsements.embedded(db.session, found)
    document = achievements.document(found, checking.base_url(), endorsements=standing)
    return _json(document, cache=STATUS_CACHE_SECONDS)


@bp.get("/achievements/<achievement_id>/image/<file_name>")
@public
def achievement_image(achievement_id: str, file_name: str):
    """The badge's image that credentials name by URL. The URL holds a hash of the bytes, so
    browsers and proxies keep it for a year; an older name (should an image ever change under
    a published badge) leads to the current one rather than breaking a signed URL."""
    try:
        found = achievements.get(db.session, achievement_id)
    except achievements.AchievementNotFound:
        abort(404)
    current = achievements.image_file_name(found)
    if found.is_draft or current is None:
        abort(404)
    if file_name != current:
        return redirect(achievements.image_url(found, checking.base_url()))
    response = Response(found.image_data, mimetype=found.image_media_type)
    response.headers["Cache-Control"] = f"public, max-age={IMAGE_CACHE_SECONDS}, immutable"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.get("/status/<issuer_id>/<list_id>")
@public
def status_list(issuer_id: str, list_id: str):
    """The signed BitstringStatusListCredential, cached briefly so revocations show quickly."""
    try:
        found = status_lists.get(db.session, issuer_id, list_id)
    except status_lists.StatusListNotFound:
        abort(404)
    if found.signed_credential is None:
        abort(404)
    return _json(found.signed_credential, "application/vc+ld+json", cache=STATUS_CACHE_SECONDS)


@bp.get("/.well-known/did.json")
@public
def did_document():
    """The did:web document of the platform's issuer, when JALON_ISSUER_DID_WEB is on."""
    if not did_web_enabled(current_app.config):
        abort(404)
    found = issuers.did_web_issuer(db.session)
    if found is None:
        abort(404)
    document = issuers.did_document(db.session, found, checking.base_url())
    return _json(document, "application/did+ld+json", cache=STATUS_CACHE_SECONDS)
