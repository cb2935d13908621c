"""Verify any OB 3.0 credential (JSON, compact JWS, baked PNG or SVG) into a readable result.

Verification never raises: each step becomes a check (``passed | failed | unknown``) with a
French and an English sentence, and the checks give one verdict for the employer's page. A step
that raises is a fault of ours: it is logged and becomes an ``error`` check, and the verdict
« internal error » (``internal_errors``), never a finding about the badge. Validity
is cryptographic and temporal; whether Jalon knows the issuer is reported beside it. Nothing is
fetched unless the caller passes a web-enabled resolver or a status fetcher.

This module runs the steps in order and turns their checks into the verdict; each step lives in
its own ``verify_*`` module, the result types in ``verification_result``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from badges.ob3 import data_integrity, input_limits, internal_errors
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
    EndorsementCheck,
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
from badges.ob3.verify_endorsements import check_endorsements
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
    "EndorsementCheck",
    "KnownIssuer",
    "StatusFetcher",
    "Verdict",
    "VerificationResult",
    "verify_bytes",
    "verify_credential",
]

KnownIssuer = Callable[[str], bool]
STRUCTURE_CHECKS = frozenset({"format", "context", "type", "jsonld", "schema"})


def _verdict(run: CheckRun) -> Verdict:
    """Definite findings first; then a step that could not run stops any claim about the badge
    (every later verdict says the signature held); ``issuer_known`` never counts."""
    failed = {c.code for c in run.checks if c.status is CheckStatus.FAILED}
    unknown = {c.code for c in run.checks if c.status is CheckStatus.UNKNOWN}
    errors = {c.code for c in run.checks if c.status is CheckStatus.ERROR} - {"issuer_known"}
    if failed & STRUCTURE_CHECKS:
        return Verdict.MALFORMED
    if (failed | unknown) & {"proof", "key"}:
        return Verdict.INVALID_SIGNATURE
    if errors:
        return Verdict.INTERNAL_ERROR
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


def _step(run: CheckRun, step: str, check: Callable[..., Any], *args: Any) -> Any:
    """Run one step; if it raises, log it and record the step as an internal error."""
    try:
        return check(*args)
    except Exception as error:  # reported as an internal error, never as a finding
        internal_errors.report(run, step, error)
        return None


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
    endorsement_status_fetcher: StatusFetcher | None,
    with_endorsements: bool,
) -> VerificationResult:
    credential = parsed.credential
    # The unsecured document's RDF dataset, made by the jsonld check, canonicalised by the
    # proof check: the document is expanded once.
    digests = data_integrity.DocumentDigests()
    _format_read(source_format, run)
    _step(run, "context", check_context, credential, run)
    _step(run, "type", check_type, credential, run)
    _step(run, "jsonld", check_jsonld, credential, run, digests)
    _step(run, "schema", check_schema, credential, run)
    if _structure_failed(run):
        _not_checked_when_malformed(run)
    else:
        _step(run, "proof", check_proof, parsed, resolver, run, digests)
        _step(run, "status", check_status, credential, resolver, status_fetcher, now, run)
    _step(run, "dates", check_dates, credential, now, run)
    issuer_id = issuer_id_of(credential)
    recipient_match = (
        _step(run, "recipient", check_recipient, credential, recipient, run) if recipient else None
    )
    issuer_known = _check_issuer_known(issuer_id, is_known_issuer, run)
    endorsements = (
        _endorsements(credential, resolver, endorsement_status_fetcher, now, is_known_issuer)
        if with_endorsements and not _structure_failed(run)
        else []
    )
    return VerificationResult(
        verdict=_verdict(run),
        checks=run.checks,
        credential=credential,
        source_format=source_format,
        issuer_id=issuer_id,
        issuer_name=issuer_name_of(credential),
        issuer_known=issuer_known,
        recipient_match=recipient_match,
        endorsements=endorsements,
    )


def _endorsements(
    credential: dict[str, Any],
    resolver: Resolver,
    status_fetcher: StatusFetcher | None,
    now: datetime,
    is_known_issuer: KnownIssuer | None,
) -> list[EndorsementCheck]:
    """Each embedded endorsement verified offline (no fetch, whatever the caller allows for
    the badge itself), one level deep; a fault here never touches the badge's verdict."""
    offline = replace(resolver, fetch=None)

    def verify_one(item: dict[str, Any] | str) -> VerificationResult:
        return verify_credential(
            item, resolver=offline, status_fetcher=status_fetcher, now=now, with_endorsements=False
        )

    try:
        return check_endorsements(credential, verify_one, is_known_issuer)
    except Exception as error:  # logged; the endorsements are then simply not shown
        internal_errors.log("endorsements", error)
        return []


def _structure_failed(run: CheckRun) -> bool:
    return any(c.code in STRUCTURE_CHECKS and c.status is CheckStatus.FAILED for c in run.checks)


def _not_checked_when_malformed(run: CheckRun) -> None:
    """A malformed document is not worth a signature check nor a request to its issuer."""
    run.unknown(
        "proof",
        "La signature n'a pas été vérifiée : le badge est mal formé.",
        "The signature was not checked: the credential is malformed.",
    )
    run.unknown(
        "status",
        "La révocation n'a pas été consultée : le badge est mal formé.",
        "The status was not checked: the credential is malformed.",
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
    if is_known_issuer is None or issuer_id is None:
        return None
    issuer_known = _step(run, "issuer_known", is_known_issuer, issuer_id)
    if run.status("issuer_known") is CheckStatus.ERROR:
        return None
    if issuer_known:
        run.ok("issuer_known", "Émetteur connu de Jalon.", "Issuer known to Jalon.")
        return True
    run.unknown("issuer_known", "Émetteur inconnu de Jalon.", "Issuer unknown to Jalon.")
    return False


def _internal_error(
    run: CheckRun, step: str, error: Exception, source_format: str | None
) -> VerificationResult:
    internal_errors.report(run, step, error)
    return VerificationResult(Verdict.INTERNAL_ERROR, run.checks, source_format=source_format)


def _read_credential(
    credential: dict[str, Any] | str, run: CheckRun
) -> tuple[ParsedCredential | None, str]:
    """The credential given as a dict or as text (JSON or compact JWS), and its format."""
    if isinstance(credential, dict):
        return ParsedCredential(credential, None), "json"
    if isinstance(credential, str):
        parsed = parse_text(credential, run)
        return parsed, ("jws" if parsed is not None and parsed.jws else "json")
    run.fail("format", "Format de badge inconnu.", "Unknown credential format.")
    return None, "unknown"


def _read_bytes(
    data: bytes, filename: str | None, run: CheckRun
) -> tuple[ParsedCredential | None, str | None]:
    """The credential inside a file (JSON, JWS, baked PNG or SVG), and where it was read from."""
    if not isinstance(data, bytes | bytearray):
        run.fail("format", "Fichier illisible.", "Unreadable file.")
        return None, None
    decoded = decode_bytes(bytes(data), filename, run)
    if decoded is None:
        return None, None
    text, container = decoded
    parsed = parse_text(text, run)
    if parsed is None:
        return None, container
    return parsed, (container if container in ("png", "svg") else ("jws" if parsed.jws else "json"))


def _refused(run: CheckRun, parsed: ParsedCredential) -> bool:
    """Refuse, before any JSON-LD work, what no real badge needs (``input_limits``)."""
    refusal = input_limits.refusal(parsed.credential)
    if refusal is None:
        return False
    run.fail("format", f"Fichier refusé : {refusal.reason_fr}", f"Refused: {refusal.reason_en}")
    return True


def _verify_parsed(
    run: CheckRun, parsed: ParsedCredential | None, source_format: str | None, **options: Any
) -> VerificationResult:
    if parsed is None or source_format is None or _refused(run, parsed):
        return VerificationResult(Verdict.MALFORMED, run.checks, source_format=source_format)
    try:
        return _run_checks(parsed, source_format, run, **options)
    except Exception as error:  # never a 500: an internal error, logged
        return _internal_error(run, "verify", error, source_format)


def verify_credential(
    credential: dict[str, Any] | str,
    *,
    resolver: Resolver = OFFLINE,
    status_fetcher: StatusFetcher | None = None,
    now: datetime | None = None,
    recipient: Recipient | None = None,
    is_known_issuer: KnownIssuer | None = None,
    endorsement_status_fetcher: StatusFetcher | None = None,
    with_endorsements: bool = True,
) -> VerificationResult:
    """Verify a credential given as a dict (embedded proof) or a compact JWS; never raises."""
    run = CheckRun()
    try:
        parsed, source_format = _read_credential(credential, run)
    except Exception as error:  # never a 500: an internal error, logged
        return _internal_error(run, "format", error, None)
    return _verify_parsed(
        run,
        parsed,
        source_format,
        resolver=resolver,
        status_fetcher=status_fetcher,
        now=now or datetime.now(UTC),
        recipient=recipient,
        is_known_issuer=is_known_issuer,
        endorsement_status_fetcher=endorsement_status_fetcher,
        with_endorsements=with_endorsements,
    )


def verify_bytes(
    data: bytes,
    *,
    filename: str | None = None,
    resolver: Resolver = OFFLINE,
    status_fetcher: StatusFetcher | None = None,
    now: datetime | None = None,
    recipient: Recipient | None = None,
    is_known_issuer: KnownIssuer | None = None,
    endorsement_status_fetcher: StatusFetcher | None = None,
    with_endorsements: bool = True,
) -> VerificationResult:
    """Verify an uploaded file: JSON, compact JWS (.jwt/.jws), baked PNG or SVG; never raises."""
    run = CheckRun()
    try:
        parsed, source_format = _read_bytes(data, filename, run)
    except Exception as error:  # never a 500: an internal error, logged
        return _internal_error(run, "format", error, None)
    return _verify_parsed(
        run,
        parsed,
        source_format,
        resolver=resolver,
        status_fetcher=status_fetcher,
        now=now or datetime.now(UTC),
        recipient=recipient,
        is_known_issuer=is_known_issuer,
        endorsement_status_fetcher=endorsement_status_fetcher,
        with_endorsements=with_endorsements,
    )
