"""Verification against this platform's database, the verdict shown, and the record of each.

The OB 3.0 core (``badges.ob3.verify``) is pure; here it is given what only the database knows:
our issuers' key documents (so our badges verify offline, retired keys included), our signed
status lists, and which issuers are ours. Nothing is fetched from the network unless the caller
passes ``fetch`` (the public verifier does, with ``ob3.resolver.SafeHttpFetcher``): then other
issuers' key documents and status lists are read through it; ours never are.

The verdict a person reads (the employer's pages and the API, the learner's wallet) is decided
here, once: ``shown_verdict`` adds what only our records say (a suspension) to the verdict of
the signed document.
"""

from __future__ import annotations

import json
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from badges import issuance, issuers, status_lists
from badges.models import (
    Credential,
    Endorsement,
    SigningKey,
    StatusList,
    VerificationChannel,
    VerificationEvent,
)
from badges.ob3 import verify
from badges.ob3.resolver import DocumentSource, FetchBudget, Resolver, asked_once_per_url
from badges.ob3.verify import CheckStatus, Verdict, VerificationResult
from badges.verification_cache import StampedCache
from badges.verification_sandbox import VerifierPool
from learners.database import utcnow

QR_CHANNEL_QUERY = "via=qr"
# Verdicts about the standing of an authentic badge, which a platform suspension outranks
# (gravest first: revoked > suspended > expired > not yet valid > valid).
SUSPENSION_OUTRANKS = frozenset({Verdict.VALID, Verdict.EXPIRED, Verdict.NOT_YET_VALID})


@dataclass(frozen=True)
class Verification:
    """One verification: the core's result, the verdict to show, and our credential behind it."""

    result: VerificationResult
    verdict: Verdict
    credential: Credential | None


# ------------------------------------------------------------------------------ the verdict


def shown_verdict(verdict: Verdict, credential: Credential | None) -> Verdict:
    """The verdict people read: the signed document's, unless our records say more.

    Suspension is recorded on the platform only (OB 3.0 gives a credential one status entry,
    used for revocation), so the document still verifies as valid: a suspended credential of
    ours is shown suspended. It outranks expiry, as in the wallet, but never a finding that the
    badge is not authentic, revoked, or that we could not verify it.
    """
    if credential is not None and credential.suspended and verdict in SUSPENSION_OUTRANKS:
        return Verdict.SUSPENDED
    return verdict


def recorded_verdict(credential: Credential, now: datetime | None = None) -> Verdict:
    """The verdict from our records alone, without re-verifying (the learner's wallet)."""
    if credential.revoked_at is not None:
        return Verdict.REVOKED
    expired = credential.valid_until is not None and credential.valid_until <= (now or utcnow())
    return shown_verdict(Verdict.EXPIRED if expired else Verdict.VALID, credential)


def signature_held(result: VerificationResult) -> bool:
    """The document is well formed and its proof and key checks all ran and passed."""
    if result.verdict in (Verdict.INVALID_SIGNATURE, Verdict.MALFORMED):
        return False
    signature = [c for c in result.checks if c.code in ("proof", "key")]
    return bool(signature) and all(c.status is CheckStatus.PASSED for c in signature)


# ------------------------------------------------------------------------------ verifying


def resolver(db: Session, base_url: str, fetch: DocumentSource | None = None) -> Resolver:
    """What the core resolves keys with: our issuers' documents from the database (each read
    once for the verification this resolver serves), others' through ``fetch`` when given."""
    return Resolver(local=asked_once_per_url(issuers.document_source(db, base_url)), fetch=fetch)


def status_fetcher(db: Session, base_url: str, fetch: DocumentSource | None = None):
    """Status list URL → our stored signed list credential; another issuer's list through
    ``fetch`` when given (raises when the list cannot be read)."""
    our_prefix = f"{base_url.rstrip('/')}/"

    def fetch_list(url: str) -> dict[str, Any]:
        found = status_lists.by_url(db, url, base_url)
        if found is not None and found.signed_credential is not None:
            return json.loads(found.signed_credential)
        if fetch is not None and not url.startswith(our_prefix):
            document = fetch(url)
            if isinstance(document, dict):
                return document
        raise LookupError(f"status list unavailable: {url}")

    return fetch_list


def _options(db: Session, base_url: str, fetch: DocumentSource | None = None) -> dict[str, Any]:
    """What the core needs; one fetch budget (a few requests, one deadline) per verification."""
    fetch = FetchBudget(fetch) if fetch is not None else None
    return {
        "resolver": resolver(db, base_url, fetch),
        "status_fetcher": status_fetcher(db, base_url, fetch),
        # Embedded endorsements are checked offline: our own lists only, never a fetch.
        "endorsement_status_fetcher": status_fetcher(db, base_url),
        "is_known_issuer": lambda issuer_id: issuers.is_local_issuer(db, issuer_id, base_url),
    }


def verify_bytes(
    db: Session,
    data: bytes,
    *,
    base_url: str,
    filename: str | None = None,
    fetch: DocumentSource | None = None,
    sandbox: VerifierPool | None = None,
) -> VerificationResult:
    """Verify a file (JSON, JWS, baked PNG or SVG) with local keys and status lists; in one of
    ``sandbox``'s child processes, under its CPU and memory limits, when given."""
    options = _options(db, base_url, fetch)
    if sandbox is not None:
        return sandbox.verify(data, filename, options)
    return verify.verify_bytes(data, filename=filename, **options)


def verify_credential(
    db: Session,
    credential: dict[str, Any] | str,
    *,
    base_url: str,
    fetch: DocumentSource | None = None,
) -> VerificationResult:
    return verify.verify_credential(credential, **_options(db, base_url, fetch))


def qr_url(public_id: str, base_url: str) -> str:
    """What a QR code of a credential encodes: its public URL marked so the opening counts as
    a scan (``/c/<id>?via=qr``); the plain URL counts as a link."""
    return f"{issuance.credential_iri(public_id, base_url)}?{QR_CHANNEL_QUERY}"


def issued_here(db: Session, result: VerificationResult, base_url: str) -> Credential | None:
    """Our stored credential behind a verified document, when its signature held.

    A forged copy that merely names one of our URLs is not tied to the real badge (its
    holder's count must not grow with someone else's failed forgery).
    """
    document = result.credential
    if not isinstance(document, dict) or not signature_held(result):
        return None
    if not result.issuer_known:
        return None
    credential_id = document.get("id")
    prefix = issuance.credential_iri("", base_url)
    if not isinstance(credential_id, str) or not credential_id.startswith(prefix):
        return None
    try:
        return issuance.get(db, credential_id[len(prefix) :])
    except issuance.CredentialNotFound:
        return None


def verify_stored(db: Session, credential: Credential, *, base_url: str) -> VerificationResult:
    """Re-verify a credential we issued, from its stored signed JSON."""
    return verify_credential(db, json.loads(credential.signed_json), base_url=base_url)


def stamp(db: Session, credential: Credential) -> Hashable:
    """What the verification of one of our credentials depends on, as we record it: its
    revocation, suspension and dates, its signed document, the signature of its status list,
    the state of its issuer's keys (a withdrawn key no longer verifies) and the withdrawals of
    its achievement's endorsements. Two small queries; a change to any of these changes the
    stamp."""
    rows = db.execute(
        select(
            StatusList.signed_at,
            StatusList.signed_credential.is_(None),
            SigningKey.id,
            SigningKey.state,
            SigningKey.retired_at,
        )
        .select_from(StatusList)
        .outerjoin(SigningKey, SigningKey.issuer_id == credential.issuer_id)
        .where(StatusList.id == credential.status_list_id)
        .order_by(SigningKey.id)
    ).all()
    # Withdrawing an endorsement changes what the embedded copies verify as.
    withdrawals = db.execute(
        select(Endorsement.id, Endorsement.withdrawn_at)
        .where(Endorsement.achievement_id == credential.achievement_id)
        .order_by(Endorsement.id)
    ).all()
    return (
        credential.revoked_at,
        credential.suspended,
        credential.issued_at,
        credential.valid_until,
        hash(credential.signed_json),
        tuple(tuple(row) for row in rows),
        tuple(tuple(row) for row in withdrawals),
    )


def _seconds_to_next_boundary(credential: Credential, now: datetime) -> float | None:
    """Until the badge becomes valid or expires, whichever comes next (None: no such date)."""
    ahead = [
        (moment - now).total_seconds()
        for moment in (credential.issued_at, credential.valid_until)
        if moment is not None and moment > now
    ]
    return min(ahead) if ahead else None


def verify_stored_cached(
    db: Session,
    credential: Credential,
    *,
    base_url: str,
    cache: StampedCache[VerificationResult] | None,
) -> VerificationResult:
    """``verify_stored``, answered from ``cache`` while nothing it depends on has changed
    (``stamp``). A result read from the cache is shared: never modify it."""
    if cache is None or not cache.enabled:
        return verify_stored(db, credential, base_url=base_url)
    key = (credential.public_id, base_url)
    current = stamp(db, credential)
    result = cache.get(key, current)
    if result is None:
        result = verify_stored(db, credential, base_url=base_url)
        if result.verdict is not Verdict.INTERNAL_ERROR:  # a fault may pass: try again next time
            boundary = _seconds_to_next_boundary(credential, utcnow())
            cache.put(key, current, result, at_most=boundary)
    return result


def check_stored(
    db: Session,
    credential: Credential,
    *,
    base_url: str,
    channel: VerificationChannel | None = None,
    cache: StampedCache[VerificationResult] | None = None,
) -> Verification:
    """Re-verify one of our credentials for its public page (through ``cache`` when given);
    counted when ``channel`` is given (not committed)."""
    result = verify_stored_cached(db, credential, base_url=base_url, cache=cache)
    if channel is not None:
        record(db, credential, channel, result)
    return Verification(result, shown_verdict(result.verdict, credential), credential)


def check_sent(
    db: Session,
    data: bytes,
    *,
    base_url: str,
    channel: VerificationChannel,
    filename: str | None = None,
    fetch: DocumentSource | None = None,
    sandbox: VerifierPool | None = None,
) -> Verification:
    """Verify bytes a visitor sent (a file, pasted text, an API body) and count it (not
    committed). The bytes are not kept; the count goes to our credential when it is one.
    The public verifier passes ``sandbox``: untrusted input is verified under limits."""
    result = verify_bytes(
        db, data, base_url=base_url, filename=filename, fetch=fetch, sandbox=sandbox
    )
    ours = issued_here(db, result, base_url)
    record(db, ours, channel, result)
    return Verification(result, shown_verdict(result.verdict, ours), ours)


def record(
    db: Session,
    credential: Credential | None,
    channel: VerificationChannel,
    result: VerificationResult,
) -> VerificationEvent:
    """Count one verification: credential, time, channel, verdict — nothing about the verifier."""
    event = VerificationEvent(
        credential=credential,
        channel=channel,
        result=result.verdict.value,
        occurred_at=utcnow(),
    )
    db.add(event)
    db.flush()
    return event
