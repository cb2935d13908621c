"""Verification against this platform's database, and the record of each verification.

The OB 3.0 core (``badges.ob3.verify``) is pure; here it is given what only the database knows:
our issuers' key documents (so our badges verify offline, retired keys included), our signed
status lists, and which issuers are ours. Nothing is fetched from the network.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from badges import issuers, status_lists
from badges.models import Credential, VerificationChannel, VerificationEvent
from badges.ob3 import verify
from badges.ob3.resolver import Resolver
from learners.database import utcnow


def resolver(session: Session, base_url: str) -> Resolver:
    return Resolver(local=issuers.document_source(session, base_url))


def status_fetcher(session: Session, base_url: str):
    """Status list URL → our stored signed list credential (raises when it is not ours)."""

    def fetch(url: str) -> dict[str, Any]:
        found = status_lists.by_url(session, url, base_url)
        if found is None or found.signed_credential is None:
            raise LookupError(f"not a status list of this platform: {url}")
        return json.loads(found.signed_credential)

    return fetch


def _options(session: Session, base_url: str) -> dict[str, Any]:
    return {
        "resolver": resolver(session, base_url),
        "status_fetcher": status_fetcher(session, base_url),
        "is_known_issuer": lambda issuer_id: issuers.is_local_issuer(session, issuer_id, base_url),
    }


def verify_bytes(
    session: Session, data: bytes, *, base_url: str, filename: str | None = None
) -> verify.VerificationResult:
    """Verify a file (JSON, JWS, baked PNG or SVG) with local keys and status lists."""
    return verify.verify_bytes(data, filename=filename, **_options(session, base_url))


def verify_credential(
    session: Session, credential: dict[str, Any] | str, *, base_url: str
) -> verify.VerificationResult:
    return verify.verify_credential(credential, **_options(session, base_url))


def verify_stored(
    session: Session, credential: Credential, *, base_url: str
) -> verify.VerificationResult:
    """Re-verify a credential we issued, from its stored signed JSON."""
    return verify_credential(session, json.loads(credential.signed_json), base_url=base_url)


def record(
    session: Session,
    credential: Credential | None,
    channel: VerificationChannel,
    result: verify.VerificationResult,
) -> VerificationEvent:
    """Count one verification: credential, time, channel, verdict — nothing about the verifier."""
    event = VerificationEvent(
        credential=credential,
        channel=channel,
        result=result.verdict.value,
        occurred_at=utcnow(),
    )
    session.add(event)
    session.flush()
    return event
