"""What the verdict, badge and checks sections receive, on /c/<id> and /verifier alike.

The verdict shown is the one ``badges.verification`` decided; the badge is read from the
verified document (``display``), with what our own records add when the badge is ours: the
holder's name (only while the badge is public), the issuer's address, the revocation reason.
"""

from __future__ import annotations

import json
from typing import Any

from flask_babel import gettext as _

from badges import achievements, awarding, issuers
from badges.models import Credential
from badges.ob3.credential_fields import achievement_of
from badges.verification import Verification
from web.database import db
from web.verify import display, endorsement_lines, verdicts
from web.verify.display import CredentialView


def _holder_name(ours: Credential | None, view: CredentialView) -> str | None:
    known = ours.learner.display_name if ours and ours.learner and ours.is_public else None
    return known or view.holder_name


def _published_definition(
    ours: Credential | None, document: Any, base_url: str
) -> dict[str, Any] | None:
    """Our achievement's result descriptions as ``/achievements/<id>`` serves them (with the
    alignments our credentials leave out), when the document is our badge of that achievement."""
    if ours is None or not isinstance(document, dict):
        return None
    iri = achievements.achievement_iri(ours.achievement, base_url)
    if achievement_of(document).get("id") != iri:
        return None
    return {"resultDescription": list(ours.achievement.result_descriptions or ())}


def outcome(checked: Verification, view: CredentialView) -> verdicts.Outcome:
    """The verdict block, with the reason our records hold (revocation or suspension): the
    same on /c/<id>, /verifier and /api/verifier."""
    ours = checked.credential
    return verdicts.outcome(
        checked.result,
        verdict=checked.verdict,
        valid_from=view.valid_from,
        valid_until=view.valid_until,
        revocation_reason=ours.revocation_reason if ours else None,
        suspension_reason=ours.suspension_reason if ours else None,
    )


def borrowed_name(checked: Verification, view: CredentialView) -> str | None:
    """The name of an organisation Jalon knows that a badge from an issuer unknown to Jalon
    gives itself (someone may have copied it), or None: the same on /verifier and the API."""
    if checked.result.issuer_known is not False:
        return None
    return issuers.known_name_like(db.session, view.issuer_name)


def borrowed_name_warning(name: str) -> str:
    """The warning /verifier shows in bold above such a badge, in the current language."""
    return _(
        "Attention : ce badge dit venir de %(name)s, mais il n'a pas été délivré par Jalon "
        "pour %(name)s.",
        name=name,
    )


def context(checked: Verification, base_url: str) -> dict[str, Any]:
    """Template variables ``view``, ``holder_name``, ``issuer_url``, ``outcome``, ``checks``,
    ``endorsements``, ``borrowed_name`` (the known organisation an unknown issuer names itself
    after, if any)."""
    result, ours = checked.result, checked.credential
    document = result.credential or (json.loads(ours.signed_json) if ours else None)
    if ours is not None and isinstance(document, dict):
        document = awarding.without_private_details(document)
    view = display.read(document, base_url, _published_definition(ours, document, base_url))
    return {
        "view": view,
        "holder_name": _holder_name(ours, view),
        "issuer_url": view.issuer_url or (ours.issuer.url if ours else None),
        "outcome": outcome(checked, view),
        "checks": verdicts.check_lines(result),
        "endorsements": endorsement_lines.lines(result),
        "borrowed_name": borrowed_name(checked, view),
    }
