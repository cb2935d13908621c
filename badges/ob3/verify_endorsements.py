"""Endorsements embedded in a credential: each verified on its own, never changing the verdict.

OB 3.0 (verification step 6) verifies every embedded EndorsementCredential with the same steps
as the credential. Where one may sit, and what its subject must then be: the credential itself
(``endorsement``), its issuer (``issuer.endorsement``), the achievement
(``credentialSubject.achievement.endorsement``) and the achievement's creator. Compact JWS
copies (``endorsementJwt``) are verified the same way.

An endorsement says something about the badge, not the badge itself: a forged or withdrawn one
is reported (« reconnaissance non valable ») while the badge keeps its own verdict. The caller
gives the verification to run on each (offline: embedded material, did:key and the platform's
own issuers only, never a request to the network while input is processed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from badges.ob3.credential_fields import (
    achievement_of,
    as_list,
    credential_kind,
    issuer_id_of,
    issuer_name_of,
    subject_of,
)
from badges.ob3.verification_result import (
    CheckStatus,
    EndorsementCheck,
    EndorsementState,
    Verdict,
    VerificationResult,
)

# Each endorsement costs a full verification (canonicalisation, signature): a real badge
# carries a few; the ones past this bound are reported as not checked.
MAX_ENDORSEMENTS = 8
MAX_TEXT = 500

VerifyOne = Callable[[dict[str, Any] | str], VerificationResult]
KnownIssuer = Callable[[str], bool]

# Verdicts that say the endorsement could not be fully checked offline, not that it is false.
_UNVERIFIED = {Verdict.STATUS_UNKNOWN, Verdict.INTERNAL_ERROR}


def _text(value: Any) -> str | None:
    return value.strip()[:MAX_TEXT] if isinstance(value, str) and value.strip() else None


def embedded(credential: dict[str, Any]) -> Iterator[tuple[str, str | None, Any]]:
    """(target, id the endorsement must be about, endorsement as JSON or compact JWS)."""
    achievement = achievement_of(credential)
    issuer = credential.get("issuer")
    creator = achievement.get("creator")
    holders = (
        ("credential", credential),
        ("issuer", issuer if isinstance(issuer, dict) else {}),
        ("achievement", achievement),
        ("creator", creator if isinstance(creator, dict) else {}),
    )
    for target, holder in holders:
        subject_id = holder.get("id") if isinstance(holder.get("id"), str) else None
        for item in as_list(holder.get("endorsement")) + as_list(holder.get("endorsementJwt")):
            yield target, subject_id, item


def _key_unreachable(result: VerificationResult) -> bool:
    """The signature could not be checked because the key is not readable offline."""
    key = result.check("key")
    return (
        result.verdict is Verdict.INVALID_SIGNATURE
        and key is not None
        and key.status is CheckStatus.UNKNOWN
    )


def _first_failure(result: VerificationResult) -> tuple[str, str]:
    for check in result.checks:
        if check.status in (CheckStatus.FAILED, CheckStatus.UNKNOWN, CheckStatus.ERROR):
            return check.message_fr, check.message_en
    return result.label_fr, result.label_en


def _judge(
    result: VerificationResult, expected_subject: str | None
) -> tuple[EndorsementState, str, str]:
    """The endorsement's state and why, in French and English."""
    document = result.credential if isinstance(result.credential, dict) else {}
    if result.verdict is not Verdict.MALFORMED and credential_kind(document) != "endorsement":
        return (
            EndorsementState.INVALID,
            "Ce n'est pas une reconnaissance (EndorsementCredential).",
            "This is not an EndorsementCredential.",
        )
    subject = subject_of(document)
    if result.verdict is not Verdict.MALFORMED and (
        expected_subject is None or subject.get("id") != expected_subject
    ):
        return (
            EndorsementState.INVALID,
            "Cette reconnaissance porte sur autre chose que ce badge.",
            "This endorsement is about something else than this badge.",
        )
    if result.verdict is Verdict.VALID:
        return (
            EndorsementState.VALID,
            "Reconnaissance authentique et en cours de validité.",
            "Authentic endorsement, currently valid.",
        )
    if result.verdict is Verdict.REVOKED:
        return (
            EndorsementState.INVALID,
            "Cette reconnaissance a été retirée par son auteur.",
            "This endorsement was withdrawn by its author.",
        )
    fr, en = _first_failure(result)
    if result.verdict in _UNVERIFIED or _key_unreachable(result):
        return EndorsementState.UNVERIFIED, fr, en
    return EndorsementState.INVALID, fr, en


def _not_checked(target: str) -> EndorsementCheck:
    return EndorsementCheck(
        target=target,
        endorser_id=None,
        endorser_name=None,
        comment=None,
        state=EndorsementState.UNVERIFIED,
        verdict=None,
        reason_fr=f"Non vérifiée : le badge porte plus de {MAX_ENDORSEMENTS} reconnaissances.",
        reason_en=f"Not checked: the credential carries more than {MAX_ENDORSEMENTS}.",
    )


def check_endorsements(
    credential: dict[str, Any],
    verify_one: VerifyOne,
    is_known_issuer: KnownIssuer | None = None,
) -> list[EndorsementCheck]:
    """Verify every endorsement embedded in ``credential`` with ``verify_one``."""
    found = []
    for count, (target, subject_id, item) in enumerate(embedded(credential)):
        if count >= MAX_ENDORSEMENTS:
            found.append(_not_checked(target))
            continue
        result = verify_one(item)
        document = result.credential if isinstance(result.credential, dict) else {}
        state, reason_fr, reason_en = _judge(result, subject_id)
        endorser_id = issuer_id_of(document)
        known = None
        if (
            is_known_issuer is not None
            and endorser_id is not None
            and state is not (EndorsementState.INVALID)
        ):
            known = bool(is_known_issuer(endorser_id))
        found.append(
            EndorsementCheck(
                target=target,
                endorser_id=_text(endorser_id),
                endorser_name=_text(issuer_name_of(document)),
                comment=_text(subject_of(document).get("endorsementComment")),
                state=state,
                verdict=result.verdict,
                reason_fr=reason_fr,
                reason_en=reason_en,
                endorser_known=known,
            )
        )
    return found
