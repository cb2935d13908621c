"""Public, permanent URLs printed inside signed credentials and QR codes.

Every URL served or written here comes from ``JALON_BASE_URL``, never from the request's Host.
JSON documents allow cross-origin reads so browser-based wallets and verifiers can fetch them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from badges import achievements, issuance, issuers, status_lists, verification
from badges.models import Credential, VerificationChannel
from badges.ob3.resolver import SafeHttpFetcher
from badges.ob3.verify import Verdict, VerificationResult
from badges.qr import qr_svg
from web import errors
from web.authz import public
from web.database import db
from web.extensions import csrf, limiter
from web.verify import display, verdicts
from web.verify.forms import VerifierForm
from web.verify.log_privacy import keep_addresses_out_of_logs

bp = Blueprint("verify", __name__, template_folder="templates")

JSON_LD = "application/ld+json"
CREDENTIAL_JSON_TYPES = ("application/vc+ld+json", JSON_LD, "application/json")
CREDENTIAL_JWT_TYPES = ("application/vc+jwt", "application/jwt")
STATUS_CACHE_SECONDS = 300
VERIFIER_RATE_LIMIT = "20 per minute"
FETCH_TIMEOUT = 3.0  # seconds per request to another issuer's server

bp.record_once(lambda _state: keep_addresses_out_of_logs())


def _base_url() -> str:
    return current_app.config["JALON_BASE_URL"]


def did_web_enabled() -> bool:
    value = current_app.config.get("JALON_ISSUER_DID_WEB")  # from the environment (web.config)
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


def _new_opening(found: Credential) -> bool:
    """Count a GET, but not a HEAD (link checkers), nor the page coming back to itself (a
    language switch or a reload, whose referrer is this very page), nor the holder looking at
    their own badge: "vérifié N fois" tells them how often *others* checked it."""
    if request.method != "GET":
        return False
    learner = getattr(current_user, "learner", None) if current_user.is_authenticated else None
    if learner is not None and learner.id == found.learner_id:
        return False
    referrer = urlsplit(request.referrer or "")
    return referrer.path != request.path


def _credential_page(found: Credential) -> str:
    base_url = _base_url()
    result = verification.verify_stored(db.session, found, base_url=base_url)
    verdict = result.verdict
    if verdict is Verdict.VALID and found.suspended:
        verdict = Verdict.SUSPENDED
    if _new_opening(found):
        channel = (
            VerificationChannel.QR if request.args.get("via") == "qr" else VerificationChannel.LINK
        )
        verification.record(db.session, found, channel, result)
        db.session.commit()
    url = issuance.credential_iri(found.public_id, base_url)
    view = display.read(result.credential or json.loads(found.signed_json), base_url)
    return render_template(
        "verify/credential.html",
        credential=found,
        view=view,
        holder_name=found.learner.display_name if found.learner else view.holder_name,
        issuer_url=view.issuer_url or found.issuer.url,
        outcome=verdicts.outcome(
            result,
            verdict=verdict,
            valid_from=view.valid_from,
            valid_until=view.valid_until,
            revocation_reason=found.revocation_reason,
        ),
        checks=verdicts.check_lines(result),
        public_url=url,
        qr=qr_svg(verification.qr_url(found.public_id, base_url), title=_("Code QR de ce badge")),
    )


# ------------------------------------------------------------------------------ verifier


def _verifier_limit() -> str:
    return current_app.config.get("JALON_VERIFIER_RATE_LIMIT", VERIFIER_RATE_LIMIT)


def _fetcher():
    """How other issuers' keys and status lists are read: the guarded https fetcher with a
    short timeout, or what the configuration injects (tests: a fake; ``False``: offline)."""
    configured = current_app.config.get("JALON_VERIFIER_FETCHER")
    if configured is not None:
        return configured or None
    timeout = float(current_app.config.get("JALON_VERIFIER_FETCH_TIMEOUT", FETCH_TIMEOUT))
    return SafeHttpFetcher(timeout=timeout)


@dataclass
class Verified:
    """One verification of something sent to us, and the credential of ours behind it."""

    result: VerificationResult
    credential: Credential | None


def _verify_sent(data: bytes, filename: str | None, channel: VerificationChannel) -> Verified:
    """Verify bytes sent by a visitor and count it; the bytes themselves are not kept."""
    base_url = _base_url()
    result = verification.verify_bytes(
        db.session, data, base_url=base_url, filename=filename, fetch=_fetcher()
    )
    ours = verification.issued_here(db.session, result, base_url)
    verification.record(db.session, ours, channel, result)
    db.session.commit()
    return Verified(result, ours)


def _verifier_page(form: VerifierForm, verified: Verified | None = None, status: int = 200):
    context: dict = {"form": form, "verified": verified}
    if verified is not None:
        result = verified.result
        view = display.read(result.credential, _base_url())
        ours = verified.credential
        verdict = result.verdict
        if ours is not None and verdict is Verdict.VALID and ours.suspended:
            verdict = Verdict.SUSPENDED
        context.update(
            view=view,
            holder_name=(
                ours.learner.display_name if ours and ours.learner and ours.is_public else None
            )
            or view.holder_name,
            issuer_url=view.issuer_url or (ours.issuer.url if ours else None),
            outcome=verdicts.outcome(
                result,
                verdict=verdict,
                valid_from=view.valid_from,
                valid_until=view.valid_until,
                revocation_reason=ours.revocation_reason if ours else None,
            ),
            checks=verdicts.check_lines(result),
        )
    return render_template("verify/verifier.html", **context), status


@bp.route("/verifier", methods=["GET", "POST"])
@public
@limiter.limit(_verifier_limit, methods=["POST"])
def verifier():
    """Check a badge file or pasted text, from Jalon or any Open Badges 3.0 issuer."""
    form = VerifierForm()
    if request.method == "GET":
        return _verifier_page(form)
    if not form.validate_on_submit():
        return _verifier_page(form, status=422)
    data, filename = form.payload()
    verified = _verify_sent(data, filename, VerificationChannel.UPLOAD)
    return _verifier_page(VerifierForm(formdata=None), verified)


def _problem(status: int, title: str, detail: str, **extra) -> Response:
    response = jsonify(type="about:blank", title=title, status=status, detail=detail, **extra)
    response.status_code = status
    response.mimetype = "application/problem+json"
    return response


@bp.post("/api/verifier")
@public
@limiter.limit(_verifier_limit)
def api_verify():
    """JSON verification for other systems: the credential as the body (JSON, JWT, PNG, SVG)
    or as a multipart ``file``; the verdict and each check come back as JSON."""
    upload = request.files.get("file")
    if upload is not None:
        data, filename = upload.read(), upload.filename
    else:
        data, filename = request.get_data(cache=False), None
    if not data.strip():
        return _problem(
            400,
            _("Demande incorrecte"),
            _("Envoyez le badge dans le corps de la requête (JSON, JWT, image PNG ou SVG)."),
        )
    verified = _verify_sent(data, filename, VerificationChannel.API)
    body = verified.result.to_dict()
    view = display.read(verified.result.credential, _base_url())
    body["credential"] = {
        "id": (verified.result.credential or {}).get("id"),
        "name": view.name,
        "issued_by_jalon": verified.credential is not None,
    }
    if verified.result.verdict is Verdict.MALFORMED:
        outcome = verdicts.outcome(verified.result)
        return _problem(422, outcome.headline, outcome.reason or outcome.sentence, **body)
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


csrf.exempt(api_verify)  # no cookie, no session: nothing a forged request could ride on


@bp.errorhandler(413)
def too_large(error):
    """An upload over the limit: the verifier page again, saying so in words."""
    message = _(
        "Ce fichier est trop volumineux : %(max)s Mo au plus. "
        "Envoyez l'image ou le fichier du badge tel que vous l'avez reçu.",
        max=current_app.config["MAX_CONTENT_LENGTH"] // (1024 * 1024),
    )
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
