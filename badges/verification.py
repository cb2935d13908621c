"""Verification against this platform's database, and the record of each verification.

The OB 3.0 core (``badges.ob3.verify``) is pure; here it is given what only the database knows:
our issuers' key documents (so our badges verify offline, retired keys included), our signed
status lists, and which issuers are ours. Nothing is fetched from the network unless the caller
passes ``fetch`` (the public verifier does, with ``ob3.resolver.SafeHttpFetcher``): then other
issuers' key documents and status lists are read through it; ours never are.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy.orm import Session

from badges import issuance, issuers, status_lists
from badges.models import Credential, VerificationChannel, VerificationEvent
from badges.ob3 import verify
from badges.ob3.resolver import DocumentSource, Resolver
from learners.database import utcnow

QR_CHANNEL_QUERY = "via=qr"


def resolver(session: Session, base_url: str, fetch: DocumentSource | None = None) -> Resolver:
    return Resolver(local=issuers.document_source(session, base_url), fetch=fetch)


def status_fetcher(session: Session, base_url: str, fetch: DocumentSource | None = None):
    """Status list URL → our stored signed list credential; another issuer's list through
    ``fetch`` when given (raises when the list cannot be read)."""
    our_prefix = f"{base_url.rstrip('/')}/"

    def fetch_list(url: str) -> dict[str, Any]:
        found = status_lists.by_url(session, url, base_url)
        if found is not None and found.signed_credential is not None:
            return json.loads(found.signed_credential)
        if fetch is not None and not url.startswith(our_prefix):
            document = fetch(url)
            if isinstance(document, dict):
                return document
        raise LookupError(f"status list unavailable: {url}")

    return fetch_list


def _options(
    session: Session, base_url: str, fetch: DocumentSource | None = None
) -> dict[str, Any]:
    return {
        "resolver": resolver(session, base_url, fetch),
        "status_fetcher": status_fetcher(session, base_url, fetch),
        "is_known_issuer": lambda issuer_id: issuers.is_local_issuer(session, issuer_id, base_url),
    }


def verify_bytes(
    session: Session,
    data: bytes,
    *,
    base_url: str,
    filename: str | None = None,
    fetch: DocumentSource | None = None,
) -> verify.VerificationResult:
    """Verify a file (JSON, JWS, baked PNG or SVG) with local keys and status lists."""
    return verify.verify_bytes(data, filename=filename, **_options(session, base_url, fetch))


def verify_credential(
    session: Session,
    credential: dict[str, Any] | str,
    *,
    base_url: str,
    fetch: DocumentSource | None = None,
) -> verify.VerificationResult:
    return verify.verify_credential(credential, **_options(session, base_url, fetch))


def qr_url(public_id: str, base_url: str) -> str:
    """What a QR code of a credential encodes: its public URL marked so the opening counts as
    a scan (``/c/<id>?via=qr``); the plain URL counts as a link."""
    return f"{issuance.credential_iri(public_id, base_url)}?{QR_CHANNEL_QUERY}"


def issued_here(
    session: Session, result: verify.VerificationResult, base_url: str
) -> Credential | None:
    """Our stored credential behind a verified document, when its signature held.

    A forged copy that merely names one of our URLs is not tied to the real badge (its
    holder's count must not grow with someone else's failed forgery).
    """
    document = result.credential
    if not isinstance(document, dict):
        return None
    if result.verdict in (verify.Verdict.INVALID_SIGNATURE, verify.Verdict.MALFORMED):
        return None
    if not result.issuer_known:
        return None
    credential_id = document.get("id")
    prefix = issuance.credential_iri("", base_url)
    if not isinstance(credential_id, str) or not credential_id.startswith(prefix):
        return None
    try:
        return issuance.get(session, credential_id[len(prefix) :])
    except issuance.CredentialNotFound:
        return None


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
