"""The ``status`` check: is the badge revoked or suspended, by the issuer's own signed status list?

A list that cannot be read or trusted gives "unknown", never "not revoked".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from badges.ob3 import data_integrity, input_limits, status_list
from badges.ob3.credential_fields import as_list, issuer_id_of, parse_date
from badges.ob3.errors import Ob3Error
from badges.ob3.resolver import KeyResolutionError, Resolver
from badges.ob3.verification_result import CheckRun

StatusFetcher = Callable[[str], dict[str, Any]]
# What a fetcher raises when the list cannot be read (unreachable, refused, not found, not
# JSON). Anything else is a fault of ours: the step fails as an internal error (``verify``).
UNREADABLE_LIST = (Ob3Error, LookupError, OSError, ValueError)


def _check_one_status(
    entry: Any,
    issuer_id: str | None,
    resolver: Resolver,
    fetcher: StatusFetcher | None,
    now: datetime,
    run: CheckRun,
) -> None:
    entry_type = entry.get("type") if isinstance(entry, dict) else None
    if entry_type != "BitstringStatusListEntry":
        run.unknown(
            "status",
            "Statut inconnu : le mode de révocation de ce badge n'est pas pris en charge.",
            f"Status unknown: unsupported status method {entry_type!r}.",
        )
        return
    try:
        ref = status_list.parse_entry(entry)
    except status_list.StatusListError as exc:
        run.fail(
            "status",
            "L'indication de statut du badge est mal formée.",
            f"The credential's status entry is malformed: {exc}",
        )
        return
    if fetcher is None:
        run.unknown(
            "status",
            "Statut inconnu : la liste de révocation n'a pas pu être consultée.",
            "Status unknown: the status list could not be read (offline).",
        )
        return
    try:
        list_credential = fetcher(ref.list_url)
    except UNREADABLE_LIST:  # the list cannot be read: "unknown", never "not revoked"
        list_credential = None
    if not isinstance(list_credential, dict):
        run.unknown(
            "status",
            "Statut inconnu : la liste de révocation n'a pas pu être consultée.",
            "Status unknown: the status list could not be read.",
        )
        return
    problem = _status_list_problem(list_credential, ref, issuer_id, resolver, now)
    if problem is not None:
        run.unknown("status", f"Statut inconnu : {problem[0]}", f"Status unknown: {problem[1]}")
        return
    try:
        flagged = status_list.read_status(list_credential, ref)
    except status_list.StatusListError as exc:
        run.unknown(
            "status",
            "Statut inconnu : la liste de révocation est illisible.",
            f"Status unknown: {exc}",
        )
        return
    _report_flag(flagged, ref, run)


def _report_flag(flagged: bool, ref: status_list.EntryRef, run: CheckRun) -> None:
    """Revoked or suspended (by the entry's purpose) when the list flags it, otherwise passed."""
    if flagged:
        run.flags.add("revoked" if ref.purpose == "revocation" else "suspended")
    if flagged and ref.purpose == "revocation":
        run.fail("status", "Ce badge a été révoqué par l'émetteur.", "The issuer revoked it.")
    elif flagged:
        run.fail("status", "Ce badge est suspendu par l'émetteur.", "The issuer suspended it.")
    else:
        what = "révoqué" if ref.purpose == "revocation" else "suspendu"
        run.ok(
            "status",
            f"L'émetteur indique que ce badge n'est pas {what}.",
            f"The issuer's list says it is not {'revoked' if what == 'révoqué' else 'suspended'}.",
        )


def _status_list_problem(
    list_credential: dict[str, Any],
    ref: status_list.EntryRef,
    issuer_id: str | None,
    resolver: Resolver,
    now: datetime,
) -> tuple[str, str] | None:
    """Why the list cannot be trusted (its own proof, issuer, dates), or None."""
    if input_limits.refusal(list_credential) is not None:
        return (
            "la liste de révocation publiée dépasse ce qu'une vraie liste contient.",
            "the status list credential is outside the verifier's input limits.",
        )
    list_issuer = issuer_id_of(list_credential)
    if issuer_id is None or list_issuer != issuer_id:
        return (
            "la liste de révocation ne vient pas de l'émetteur du badge.",
            "the status list's issuer is not the credential's issuer.",
        )
    proofs = [p for p in as_list(list_credential.get("proof")) if isinstance(p, dict)]
    digests = data_integrity.DocumentDigests()
    for proof in proofs:
        try:
            resolved = resolver.resolve(proof.get("verificationMethod"))
        except KeyResolutionError:
            continue
        if resolved.controller != issuer_id:
            continue
        if data_integrity.verify(
            list_credential, resolved.public_key, proof=proof, digests=digests
        ).ok:
            break
    else:
        return (
            "la signature de la liste de révocation n'a pas pu être vérifiée.",
            "the status list's proof could not be verified.",
        )
    valid_until = parse_date(list_credential.get("validUntil"))
    if valid_until is not None and valid_until < now:
        return ("la liste de révocation a expiré.", "the status list has expired.")
    return None


def check_status(
    credential: dict[str, Any],
    resolver: Resolver,
    fetcher: StatusFetcher | None,
    now: datetime,
    run: CheckRun,
) -> None:
    entries = as_list(credential.get("credentialStatus"))
    if not entries:
        run.ok(
            "status",
            "L'émetteur ne publie pas de révocation pour ce badge.",
            "The issuer publishes no status (revocation) for this credential.",
        )
        return
    for entry in entries:
        _check_one_status(entry, issuer_id_of(credential), resolver, fetcher, now, run)
