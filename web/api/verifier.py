"""``POST /api/verifier``: verification for other systems, with the same verdict as the pages.

The body is the credential (JSON, JWT, baked PNG or SVG) or a multipart ``file``. A readable
badge gets 200 and its verdict, the ``reason`` people read on /c/<id> and /verifier (a
revocation's or suspension's, or the failed check's; null when valid), checks, embedded
endorsements (``endorsements``: each one's state, endorser and reason, beside the verdict)
and a short description, whatever the verdict (a forged badge is a finding, not an error), and
``issuer_look_alike`` when an issuer unknown to Jalon gives itself the name of an organisation
Jalon knows (the warning /verifier shows; null otherwise); an
empty body is a 400, bytes holding no badge a 422, both problem+json. Calls are counted like
the page's, and limited per address the same way.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, jsonify, request
from flask_babel import force_locale
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

from badges.models import VerificationChannel
from badges.ob3.verification_result import VERDICT_LABELS
from badges.ob3.verify import Verdict
from badges.verification import Verification
from web.api import bp
from web.api.problems import problem
from web.authz import public
from web.extensions import csrf, rate_limited
from web.verify import checking, display, sections, verdicts


def _sent_badge() -> tuple[bytes, str | None]:
    """The bytes to verify and their file name; 413 in words when over the upload limit."""
    try:
        upload = request.files.get("file")
        if upload is not None:
            return upload.read(), upload.filename
        return request.get_data(cache=False), None
    except RequestEntityTooLarge:
        abort(413, description=checking.too_large_message())


def _answer(checked: Verification) -> dict[str, Any]:
    """The core's result as JSON, and what the badge is."""
    result = checked.result
    view = display.read(result.credential, checking.base_url())
    body = result.to_dict()
    # What our records add (a suspension) is what a caller must act on, as on the pages.
    body["verdict"] = checked.verdict.value
    body["label_fr"], body["label_en"] = VERDICT_LABELS[checked.verdict]
    # The reason people read on /c/<id> and /verifier (revocation, suspension, failed check).
    body["reason"] = sections.outcome(checked, view).reason
    body["credential"] = {
        "id": (result.credential or {}).get("id"),
        "name": view.name,
        "issued_by_jalon": checked.credential is not None,
    }
    body["issuer_look_alike"] = _look_alike(sections.borrowed_name(checked, view))
    return body


def _look_alike(name: str | None) -> dict[str, str] | None:
    """The known name a badge borrows and the warning in French and English, or None."""
    if name is None:
        return None
    with force_locale("fr"):
        message_fr = sections.borrowed_name_warning(name)
    with force_locale("en"):
        message_en = sections.borrowed_name_warning(name)
    return {"known_name": name, "message_fr": message_fr, "message_en": message_en}


@bp.post("/verifier")
@public
@rate_limited(checking.rate_limit)
def verifier() -> Response:
    """Verify the badge sent; the verdict and each check come back as JSON."""
    data, filename = _sent_badge()
    if not data.strip():
        return problem(
            400,
            _("Demande incorrecte"),
            _("Envoyez le badge dans le corps de la requête (JSON, JWT, image PNG ou SVG)."),
        )
    checked = checking.check_sent(data, filename, VerificationChannel.API)
    body = _answer(checked)
    if checked.result.verdict is Verdict.MALFORMED:
        outcome = verdicts.outcome(checked.result)
        return problem(422, outcome.headline, outcome.reason or outcome.sentence, **body)
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


csrf.exempt(verifier)  # no cookie, no session: nothing a forged request could ride on
