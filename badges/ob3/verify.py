"""Verify any OB 3.0 credential (JSON, compact JWS, baked PNG or SVG) into a readable result.

Verification never raises: each step becomes a check (``passed | failed | unknown``) with a
French and an English sentence, and the checks give one verdict for the employer's page. Validity
is cryptographic and temporal; whether Jalon knows the issuer is reported beside it. Nothing is
fetched unless the caller passes a web-enabled resolver or a status fetcher.

This module runs the steps in order and turns their checks into the verdict; each step lives in
its own ``verify_*`` module, the result types in ``verification_result``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from badges.ob3.build import Recipient
from badges.ob3.credential_fields import (
    OB_CONTEXT,
    OB_TYPES,
    VC_V1,
    VC_V2,
    issuer_id_of,
    issuer_name_of,
)
from badges.ob3.resolver import OFFLINE, Resolver
from badges.ob3.verification_result import (
    VERDICT_LABELS,
    Check,
    CheckRun,
    CheckStatus,
    Verdict,
    VerificationResult,
)
from badges.ob3.verify_dates import check_dates
from badges.ob3.verify_document import (
    SCHEMA_VALIDATOR_TYPE,
    check_context,
    check_jsonld,
    check_schema,
    check_type,
)
from badges.ob3.verify_input import MAX_INPUT_BYTES, ParsedCredential, decode_bytes, parse_text
from badges.ob3.verify_proof import check_proof
from badges.ob3.verify_recipient import check_recipient
from badges.ob3.verify_status import StatusFetcher, check_status

__all__ = [
    "MAX_INPUT_BYTES",
    "OB_CONTEXT",
    "OB_TYPES",
    "SCHEMA_VALIDATOR_TYPE",
    "VC_V1",
    "VC_V2",
    "VERDICT_LABELS",
    "Check",
    "CheckStatus",
    "KnownIssuer",
    "StatusFetcher",
    "Verdict",
    "VerificationResult",
    "verify_bytes",
    "verify_credential",
]

KnownIssuer = Callable[[str], bool]


def _verdict(run: CheckRun) -> Verdict:
    failed = {c.code for c in run.checks if c.status is CheckStatus.FAILED}
    unknown = {c.code for c in run.checks if c.status is CheckStatus.UNKNOWN}
    if failed & {"format", "context", "type", "jsonld", "schema"}:
        return Verdict.MALFORMED
    if (failed | unknown) & {"proof", "key"}:
        return Verdict.INVALID_SIGNATURE
    if "revoked" in run.flags:
        return Verdict.REVOKED
    if "suspended" in run.flags:
        return Verdict.SUSPENDED
    if "status" in failed:
        return Verdict.STATUS_UNKNOWN
    if "valid_until" in failed:
        return Verdict.EXPIRED
    if "valid_from" in failed:
        return Verdict.NOT_YET_VALID
    if "status" in unknown:
        return Verdict.STATUS_UNKNOWN
    return Verdict.VALID


def _run_checks(
    parsed: ParsedCredential,
    source_format: str,
    run: CheckRun,
    *,
    resolver: Resolver,
    status_fetcher: StatusFetcher | None,
    now: datetime,
    recipient: Recipient | None,
    is_known_issuer: KnownIssuer | None,
) -> VerificationResult:
    credential = parsed.credential
    _format_read(source_format, run)
    check_context(credential, run)
    check_type(credential, run)
    check_jsonld(credential, run)
    check_schema(credential, run)
    check_proof(parsed, resolver, run)
    check_status(credential, resolver, status_fetcher, now, run)
    check_dates(credential, now, run)
    issuer_id = issuer_id_of(credential)
    recipient_match = check_recipient(credential, recipient, run) if recipient else None
    issuer_known = _check_issuer_known(issuer_id, is_known_issuer, run)
    return VerificationResult(
        verdict=_verdict(run),
        checks=run.checks,
        credential=credential,
        source_format=source_format,
        issuer_id=issuer_id,
        issuer_name=issuer_name_of(credential),
        issuer_known=issuer_known,
        recipient_match=recipient_match,
    )


def _format_read(source_format: str, run: CheckRun) -> None:
    """The passed ``format`` check, saying where the credential was read from."""
    run.ok(
        "format",
        {
            "json": "Badge au format JSON lu.",
            "jws": "Badge au format jeton signé (JWT) lu.",
            "png": "Badge lu dans l'image PNG.",
            "svg": "Badge lu dans l'image SVG.",
        }.get(source_format, "Badge lu."),
        f"Credential read ({source_format}).",
    )


def _check_issuer_known(
    issuer_id: str | None, is_known_issuer: KnownIssuer | None, run: CheckRun
) -> bool | None:
    """Whether Jalon knows the issuer: reported beside validity, never part of the verdict."""
    issuer_known: bool | None = None
    if is_known_issuer is not None and issuer_id is not None:
        try:
            issuer_known = bool(is_known_issuer(issuer_id))
        except Exception:
            issuer_known = None
        if issuer_known:
            run.ok("issuer_known", "Émetteur connu de Jalon.", "Issuer known to Jalon.")
        else:
            run.unknown("issuer_known", "Émetteur inconnu de Jalon.", "Issuer unknown to Jalon.")
    return issuer_known


def _internal_error(run: CheckRun, source_format: str | None) -> VerificationResult:
    run.fail(
        "format",
        "Ce badge n'a pas pu être analysé.",
        "The credential could not be processed.",
    )
    return VerificationResult(Verdict.MALFORMED, run.checks, source_format=source_format)


def verify_credential(
    credential: dict[str, Any] | str,
    *,
    resolver: Resolver = OFFLINE,
    status_fetcher: StatusFetcher | None = None,
    now: datetime | None = None,
    recipient: Recipient | None = None,
    is_known_issuer: KnownIssuer | None = None,
) -> VerificationResult:
    """Verify a credential given as a dict (embedded proof) or a compact JWS; never raises."""
    run = CheckRun()
    now = now or datetime.now(UTC)
    try:
        if isinstance(credential, dict):
            parsed: ParsedCredential | None = ParsedCredential(credential, None)
            source_format = "json"
        elif isinstance(credential, str):
            parsed = parse_text(credential, run)
            source_format = "jws" if parsed is not None and parsed.jws else "json"
        else:
            run.fail("format", "Format de badge inconnu.", "Unknown credential format.")
            parsed = None
            source_format = "unknown"
        if parsed is None:
            return VerificationResult(Verdict.MALFORMED, run.checks, source_format=source_format)
        return _run_checks(
            parsed,
            source_format,
            run,
            resolver=resolver,
            status_fetcher=status_fetcher,
            now=now,
            recipient=recipient,
            is_known_issuer=is_known_issuer,
        )
    except Exception:  # never a 500: an unexpected failure is reported as malformed
        return _internal_error(CheckRun(), None)


def verify_bytes(
    data: bytes,
    *,
    filename: str | None = None,
    resolver: Resolver = OFFLINE,
    status_fetcher: StatusFetcher | None = None,
    now: datetime | None = None,
    recipient: Recipient | None = None,
    is_known_issuer: KnownIssuer | None = None,
) -> VerificationResult:
    """Verify an uploaded file: JSON, compact JWS (.jwt/.jws), baked PNG or SVG; never raises."""
    run = CheckRun()
    now = now or datetime.now(UTC)
    try:
        if not isinstance(data, bytes | bytearray):
            run.fail("format", "Fichier illisible.", "Unreadable file.")
            return VerificationResult(Verdict.MALFORMED, run.checks)
        decoded = decode_bytes(bytes(data), filename, run)
        if decoded is None:
            return VerificationResult(Verdict.MALFORMED, run.checks)
        text, container = decoded
        parsed = parse_text(text, run)
        if parsed is None:
            return VerificationResult(Verdict.MALFORMED, run.checks, source_format=container)
        source_format = (
            container if container in ("png", "svg") else ("jws" if parsed.jws else "json")
        )
        return _run_checks(
            parsed,
            source_format,
            run,
            resolver=resolver,
            status_fetcher=status_fetcher,
            now=now,
            recipient=recipient,
            is_known_issuer=is_known_issuer,
        )
    except Exception:  # never a 500: an unexpected failure is reported as malformed
        return _internal_error(CheckRun(), None)
