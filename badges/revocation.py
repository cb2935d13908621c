"""Revoking, suspending and reinstating issued credentials.

Revocation sets the credential's bit in its status list and re-signs the list credential, so any
verifier that reads the list sees it; the reason stays in our database for the verification page.
Suspension is recorded here only: OB 3.0 gives a credential a single ``credentialStatus``, which
Jalon uses for revocation; ``badges.verification.shown_verdict`` shows it on ``/c/<id>``, on
``/verifier`` and in the wallet alike. A suspension is lifted by reinstating; a revocation is
final. ``change`` is what the staff do: one of the three, with a reason, in the journal.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from badges import status_lists
from badges.models import Credential
from learners import audit
from learners.database import utcnow
from learners.models import User

MAX_REASON = 1000


class AlreadyRevoked(ValueError):
    """Revocation is final; the credential was revoked already."""


class ReasonRequired(ValueError):
    """A revocation needs a reason (it is shown to whoever verifies the badge)."""


class AlreadySuspended(ValueError):
    """The credential is suspended already."""


class NotSuspended(ValueError):
    """Only a suspended credential can be reinstated."""


def _reason(reason: str | None, message: str) -> str:
    reason = (reason or "").strip()[:MAX_REASON]
    if not reason:
        raise ReasonRequired(message)
    return reason


def revoke(
    db: Session,
    credential: Credential,
    reason: str,
    *,
    base_url: str,
    kek: str | bytes,
    now: datetime | None = None,
) -> Credential:
    """Revoke for good (not committed): flip the status bit, re-sign the list."""
    reason = _reason(reason, "Indiquez la raison de la révocation.")
    if credential.revoked_at is not None:
        raise AlreadyRevoked(credential.public_id)
    now = now or utcnow()
    status_lists.set_bit(
        db,
        credential.status_list,
        credential.status_index,
        True,
        base_url=base_url,
        kek=kek,
        now=now,
    )
    credential.revoked_at = now
    credential.revocation_reason = reason
    db.flush()
    return credential


def set_suspended(db: Session, credential: Credential, suspended: bool) -> Credential:
    """Suspend or reinstate (shown on the verification page; reversible, unlike revocation)."""
    credential.suspended = suspended
    db.flush()
    return credential


def suspend(db: Session, credential: Credential, reason: str) -> Credential:
    """Put a standing credential on hold, with the reason its holder and verifiers read."""
    reason = _reason(reason, "Indiquez la raison de la suspension.")
    if credential.revoked_at is not None:
        raise AlreadyRevoked(credential.public_id)
    if credential.suspended:
        raise AlreadySuspended(credential.public_id)
    credential.suspension_reason = reason
    return set_suspended(db, credential, True)


def reinstate(db: Session, credential: Credential, reason: str) -> Credential:
    """Lift a suspension (never a revocation: that one is final)."""
    _reason(reason, "Indiquez la raison du rétablissement.")
    if credential.revoked_at is not None:
        raise AlreadyRevoked(credential.public_id)
    if not credential.suspended:
        raise NotSuspended(credential.public_id)
    credential.suspension_reason = None
    return set_suspended(db, credential, False)


ACTIONS = ("revoke", "suspend", "reinstate")


def change(
    db: Session,
    credential: Credential,
    action: str,
    reason: str,
    *,
    actor: User | None,
    organisation_id: int,
    base_url: str,
    kek: str | bytes,
) -> Credential:
    """Revoke, suspend or reinstate on a staff member's request, recorded in the journal with
    its reason (not committed; the revocation re-signs the status list at once)."""
    if action == "revoke":
        revoke(db, credential, reason, base_url=base_url, kek=kek)
    elif action == "suspend":
        suspend(db, credential, reason)
    elif action == "reinstate":
        reinstate(db, credential, reason)
    else:
        raise ValueError(f"unknown action {action!r}")
    audit.record(
        db,
        {"revoke": "credential.revoked", "suspend": "credential.suspended"}.get(
            action, "credential.reinstated"
        ),
        actor=actor,
        organisation_id=organisation_id,
        target_type="credential",
        target_id=credential.public_id,
        detail={"achievement": credential.achievement.name},
        reason=reason.strip()[:MAX_REASON],
    )
    return credential
