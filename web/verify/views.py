"""Public, permanent URLs printed inside signed credentials and QR codes.

Every URL served or written here comes from ``JALON_BASE_URL``, never from the request's Host.
JSON documents allow cross-origin reads so browser-based wallets and verifiers can fetch them.
"""

from __future__ import annotations

import json
import os

from flask import Blueprint, Response, abort, current_app, render_template, request

from badges import achievements, issuance, issuers, status_lists, verification
from badges.models import VerificationChannel
from badges.ob3.verify import Verdict
from badges.qr import qr_svg
from web.authz import public
from web.database import db

bp = Blueprint("verify", __name__, template_folder="templates")

JSON_LD = "application/ld+json"
CREDENTIAL_JSON_TYPES = ("application/vc+ld+json", JSON_LD, "application/json")
CREDENTIAL_JWT_TYPES = ("application/vc+jwt", "application/jwt")
STATUS_CACHE_SECONDS = 300


def _base_url() -> str:
    return current_app.config["JALON_BASE_URL"]


def did_web_enabled() -> bool:
    value = current_app.config.get("JALON_ISSUER_DID_WEB", os.environ.get("JALON_ISSUER_DID_WEB"))
    return str(value or "").strip().lower() in {"1", "true", "yes", "on"}


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
    try:
        found = issuance.get(db.session, credential_id)
    except issuance.CredentialNotFound:
        abort(404)
    if not found.is_public:
        abort(404)
    wanted = _wanted_format()
    if wanted == "json":
        response = _json(found.signed_json, _negotiated_type(CREDENTIAL_JSON_TYPES))
    elif wanted == "jwt":
        if not found.jws:
            abort(404)
        response = Response(found.jws, mimetype=_negotiated_type(CREDENTIAL_JWT_TYPES))
        response.headers["Access-Control-Allow-Origin"] = "*"
    else:
        response = Response(_credential_page(found))
    if request.args.get("format") in {"json", "jwt"}:
        extension = "json" if wanted == "json" else "jwt"
        response.headers["Content-Disposition"] = (
            f'attachment; filename="badge-{found.public_id}.{extension}"'
        )
    response.headers["Vary"] = "Accept"
    return response


def _credential_page(found) -> str:
    base_url = _base_url()
    result = verification.verify_stored(db.session, found, base_url=base_url)
    verdict = result.verdict
    if verdict is Verdict.VALID and found.suspended:
        verdict = Verdict.SUSPENDED
    channel = (
        VerificationChannel.QR if request.args.get("via") == "qr" else VerificationChannel.LINK
    )
    verification.record(db.session, found, channel, result)
    db.session.commit()
    url = issuance.credential_iri(found.public_id, base_url)
    return render_template(
        "verify/credential.html",
        credential=found,
        achievement=found.achievement,
        issuer=found.issuer,
        verdict=verdict,
        result=result,
        valid=verdict is Verdict.VALID,
        public_url=url,
        image=achievements.image(found.achievement, base_url),
        qr=qr_svg(url, title="Code QR de ce badge"),
    )


@bp.get("/issuers/<issuer_id>")
@public
def issuer(issuer_id: str):
    """The issuer's Profile, which is also the controller document of its keys."""
    try:
        found = issuers.get(db.session, issuer_id)
    except issuers.IssuerNotFound:
        abort(404)
    return _json(
        issuers.profile_document(db.session, found, _base_url()), cache=STATUS_CACHE_SECONDS
    )


@bp.get("/achievements/<achievement_id>")
@public
def achievement(achievement_id: str):
    try:
        found = achievements.get(db.session, achievement_id)
    except achievements.AchievementNotFound:
        abort(404)
    return _json(achievements.document(found, _base_url()), cache=STATUS_CACHE_SECONDS)


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
    if not did_web_enabled():
        abort(404)
    found = issuers.did_web_issuer(db.session)
    if found is None:
        abort(404)
    document = issuers.did_document(db.session, found, _base_url())
    return _json(document, "application/did+ld+json", cache=STATUS_CACHE_SECONDS)
