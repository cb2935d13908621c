"""Checks on the document itself: contexts, type, JSON-LD expansion and the OB 3.0 schema.

A failure in any of them makes the badge "malformed", whatever its signature says.
"""

from __future__ import annotations

from typing import Any

from badges.ob3 import data_integrity, jsonld, schema
from badges.ob3.credential_fields import (
    OB_CONTEXT,
    VC_V1,
    VC_V2,
    as_list,
    credential_kind,
    is_v1,
)
from badges.ob3.errors import Ob3Error, UnknownContext
from badges.ob3.verification_result import CheckRun

SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"


def check_context(credential: dict[str, Any], run: CheckRun) -> None:
    contexts = as_list(credential.get("@context"))
    if not contexts or not all(isinstance(c, str | dict) for c in contexts):
        run.fail("context", "Le badge n'a pas de @context.", "The credential has no @context.")
        return
    if contexts[0] not in (VC_V2, VC_V1):
        run.fail(
            "context",
            "Le premier @context n'est pas celui des attestations vérifiables du W3C.",
            "The first @context is not the W3C Verifiable Credentials context.",
        )
        return
    if contexts[0] == VC_V2:
        ok = len(contexts) >= 2 and isinstance(contexts[1], str) and OB_CONTEXT.match(contexts[1])
    else:
        ok = any(isinstance(c, str) and OB_CONTEXT.match(c) for c in contexts[1:])
    if not ok:
        run.fail(
            "context",
            "Le @context Open Badges 3.0 manque ou n'est pas à sa place.",
            "The Open Badges 3.0 @context is missing or misplaced.",
        )
        return
    run.ok("context", "Les contextes JSON-LD sont corrects.", "The JSON-LD contexts are correct.")


def check_type(credential: dict[str, Any], run: CheckRun) -> None:
    if credential_kind(credential) is None:
        run.fail(
            "type",
            "Ce n'est pas un badge Open Badges 3.0 (type OpenBadgeCredential absent).",
            "This is not an Open Badges 3.0 credential (no OpenBadgeCredential type).",
        )
        return
    run.ok("type", "Le type de badge est reconnu.", "The credential type is recognised.")


def check_jsonld(
    credential: dict[str, Any],
    run: CheckRun,
    digests: data_integrity.DocumentDigests | None = None,
) -> None:
    """The credential, without its proof, expands in JSON-LD safe mode. ``digests``: the proof
    check's, given the dataset made here so that the document is expanded once."""
    # Proofs are expanded by the proof check, each with its own suite; an unknown extra proof
    # type must not make an otherwise well-formed credential unreadable.
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    try:
        dataset = jsonld.check_safe(unsecured)
    except UnknownContext as exc:
        run.fail(
            "jsonld",
            f"Le badge utilise un vocabulaire inconnu ({exc.url}).",
            f"The credential uses an unknown JSON-LD context ({exc.url}).",
        )
        return
    except (Ob3Error, RecursionError, ValueError, TypeError) as exc:
        run.fail(
            "jsonld",
            "Le badge contient des termes non définis par ses contextes JSON-LD.",
            f"The credential does not expand in JSON-LD safe mode: {str(exc)[:200]}",
        )
        return
    if digests is not None:
        digests.know(unsecured, dataset)
    run.ok(
        "jsonld",
        "Les données sont bien définies (JSON-LD).",
        "The data expands in JSON-LD safe mode.",
    )


def _schema_view(credential: dict[str, Any]) -> dict[str, Any]:
    """Tolerate what the VC data model allows but the OB 3.0 JSON Schema words more strictly.

    A single proof object (VCDM allows one) is validated as a one-item array, in the
    credential and in the endorsements it embeds; VCDM 1.1 credentials are validated with their
    dates and contexts in 2.0 form.
    """
    view = _proof_as_array(credential)
    _endorsement_proofs_as_arrays(view)
    if is_v1(view):
        contexts = as_list(view.get("@context"))
        ob = [c for c in contexts if isinstance(c, str) and OB_CONTEXT.match(c)]
        rest = [c for c in contexts[1:] if c not in ob]
        view["@context"] = [VC_V2, *(ob[:1] or [contexts[1] if len(contexts) > 1 else ""]), *rest]
        if "issuanceDate" in view and "validFrom" not in view:
            view["validFrom"] = view.pop("issuanceDate")
        if "expirationDate" in view and "validUntil" not in view:
            view["validUntil"] = view.pop("expirationDate")
    return view


def _proof_as_array(document: dict[str, Any]) -> dict[str, Any]:
    view = dict(document)
    if isinstance(view.get("proof"), dict):
        view["proof"] = [view["proof"]]
    return view


def _endorsement_proofs_as_arrays(view: dict[str, Any]) -> None:
    """The same tolerance for embedded endorsements (credential, issuer, achievement, creator):
    the objects on the way are copied, the caller's credential is left as it was."""

    def endorsed(holder: dict[str, Any]) -> dict[str, Any]:
        holder = dict(holder)
        if isinstance(holder.get("endorsement"), list):
            holder["endorsement"] = [
                _proof_as_array(e) if isinstance(e, dict) else e for e in holder["endorsement"]
            ]
        return holder

    view.update(endorsed(view))
    if isinstance(view.get("issuer"), dict):
        view["issuer"] = endorsed(view["issuer"])
    subject = view.get("credentialSubject")
    if isinstance(subject, dict) and isinstance(subject.get("achievement"), dict):
        achievement = endorsed(subject["achievement"])
        if isinstance(achievement.get("creator"), dict):
            achievement["creator"] = endorsed(achievement["creator"])
        view["credentialSubject"] = {**subject, "achievement": achievement}


def _schema_urls(credential: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(schemas to validate against, declared schemas not vendored so not checkable offline)."""
    kind = credential_kind(credential)
    url = schema.ENDORSEMENT_CREDENTIAL if kind == "endorsement" else schema.ACHIEVEMENT_CREDENTIAL
    urls = [url]
    unknown: list[str] = []
    for entry in as_list(credential.get("credentialSchema")):
        if isinstance(entry, dict) and entry.get("type") == SCHEMA_VALIDATOR_TYPE:
            inline = entry.get("id")
            if isinstance(inline, str) and schema.known_schema(inline):
                if inline not in urls:
                    urls.append(inline)
            elif isinstance(inline, str):
                unknown.append(inline)
    return urls, unknown


def check_schema(credential: dict[str, Any], run: CheckRun) -> None:
    urls, unknown = _schema_urls(credential)
    view = _schema_view(credential)
    errors = []
    for schema_url in urls:
        errors.extend(schema.validate(view, schema_url))
    errors.extend(_semantic_errors(credential))
    if errors:
        first = errors[0]
        run.fail(
            "schema",
            f"Le badge ne respecte pas le format Open Badges 3.0 ({len(errors)} écart(s), "
            f"d'abord : {first.path}).",
            f"The credential does not follow the OB 3.0 JSON Schema ({len(errors)} error(s); "
            f"first at {first.path}: {first.message})",
        )
        return
    if unknown:
        run.ok(
            "schema",
            "Le badge respecte le format Open Badges 3.0 (un schéma supplémentaire déclaré "
            "n'est pas consultable hors ligne).",
            "The credential follows the OB 3.0 JSON Schema (an extra declared schema cannot "
            f"be read offline: {', '.join(unknown)[:200]}).",
        )
        return
    run.ok(
        "schema",
        "Le badge respecte le format Open Badges 3.0.",
        "The credential follows the OB 3.0 JSON Schema.",
    )


def _semantic_errors(credential: dict[str, Any]) -> list[schema.SchemaError]:
    """Rules of the OB 3.0 verification algorithm that the JSON Schema leaves out."""
    errors = []
    issuer = credential.get("issuer")
    if not isinstance(issuer, dict):
        errors.append(schema.SchemaError("issuer", "the issuer must be an embedded Profile"))
    if credential_kind(credential) == "achievement":
        subject = credential.get("credentialSubject")
        if isinstance(subject, dict) and not subject.get("id") and not subject.get("identifier"):
            errors.append(
                schema.SchemaError("credentialSubject", "an id or an identifier is required")
            )
        achievement = subject.get("achievement") if isinstance(subject, dict) else None
        criteria = achievement.get("criteria") if isinstance(achievement, dict) else None
        if isinstance(criteria, dict) and not (criteria.get("id") or criteria.get("narrative")):
            errors.append(
                schema.SchemaError(
                    "credentialSubject/achievement/criteria", "criteria needs id or narrative"
                )
            )
    return errors
