"""Revoking (and suspending) issued credentials.

Revocation sets the credential's bit in its status list and re-signs the list credential, so any
verifier that reads the list sees it; the reason stays in our database for the verification page.
Suspension is recorded here only: OB 3.0 gives a credential a single ``credentialStatus``, which
Jalon uses for revocation.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from badges import status_lists
from badges.models import Credential
from learners.database import utcnow


class AlreadyRevoked(ValueError):
    """Revocation is final; the credential was revoked already."""


class ReasonRequired(ValueError):
    """A revocation needs a reason (it is shown to whoever verifies the badge)."""


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
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired("Indiquez la raison de la révocation.")
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
