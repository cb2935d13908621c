"""Embedded endorsements in words: « Badge reconnu par … », or why one does not hold.

``badges.ob3.verify`` verifies each endorsement apart from the badge; here each becomes one line
of the verification page in the visitor's language. An endorsement that does not hold is said
plainly, with what it means: the badge itself may still be valid. Nothing is shown for a badge
whose own signature failed (an endorsement copied into a forged badge proves nothing about it).
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _

from badges.ob3.verification_result import EndorsementCheck, EndorsementState
from badges.ob3.verify import Verdict, VerificationResult
from badges.verification import signature_held

# ok: green, warn: amber, bad: red, as the verdict block (web/static/css/verify.css).
TONES = {EndorsementState.VALID: "ok", EndorsementState.UNVERIFIED: "warn",
         EndorsementState.INVALID: "bad"}  # fmt: skip
ICONS = {EndorsementState.VALID: "✓", EndorsementState.UNVERIFIED: "?",
         EndorsementState.INVALID: "✗"}  # fmt: skip
ABOUT_THE_ORGANISATION = frozenset({"issuer", "creator"})


@dataclass(frozen=True)
class EndorsementLine:
    """One endorsement as the page shows it."""

    state: str  # valid | unverified | invalid (also the CSS class)
    tone: str
    icon: str
    headline: str
    comment: str | None
    detail: str | None
    endorser_known: bool | None


def _headline(check: EndorsementCheck, name: str) -> str:
    if check.state is EndorsementState.VALID:
        if check.target in ABOUT_THE_ORGANISATION:
            return _("Organisme reconnu par %(name)s", name=name)
        return _("Badge reconnu par %(name)s", name=name)
    if check.state is EndorsementState.UNVERIFIED:
        return _("Reconnaissance par %(name)s non vérifiable", name=name)
    if check.verdict is Verdict.REVOKED:
        return _("Reconnaissance par %(name)s retirée", name=name)
    return _("Reconnaissance par %(name)s non valable", name=name)


def _detail(check: EndorsementCheck) -> str | None:
    if check.state is EndorsementState.VALID:
        return None
    english = str(get_locale() or "fr").startswith("en")
    reason = check.reason_en if english else check.reason_fr
    return _(
        "%(reason)s Le badge lui-même peut rester valide : seule cette reconnaissance est en "
        "cause.",
        reason=reason,
    )


def line(check: EndorsementCheck) -> EndorsementLine:
    name = check.endorser_name or check.endorser_id or _("un organisme sans nom")
    return EndorsementLine(
        state=check.state.value,
        tone=TONES[check.state],
        icon=ICONS[check.state],
        headline=_headline(check, name),
        comment=check.comment if check.state is EndorsementState.VALID else None,
        detail=_detail(check),
        endorser_known=check.endorser_known,
    )


def lines(result: VerificationResult) -> list[EndorsementLine]:
    """The page's endorsement lines, valid ones first (none when the badge is not authentic)."""
    if not signature_held(result):
        return []
    order = {EndorsementState.VALID: 0, EndorsementState.UNVERIFIED: 1, EndorsementState.INVALID: 2}
    return [line(c) for c in sorted(result.endorsements, key=lambda c: order[c.state])]
