"""Verify any OB 3.0 credential (JSON, compact JWS, baked PNG or SVG) into a readable result.

Verification never raises: each step becomes a check (``passed | failed | unknown``) with a
French and an English sentence, and the checks give one verdict for the employer's page. Validity
is cryptographic and temporal; whether Jalon knows the issuer is reported beside it. Nothing is
fetched unless the caller passes a web-enabled resolver or a status fetcher.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from badges.ob3 import baking, data_integrity, jsonld, schema, status_list
from badges.ob3 import jwt as vcjwt
from badges.ob3.build import Recipient, identity_matches
from badges.ob3.errors import InvalidKey, Ob3Error, UnknownContext
from badges.ob3.resolver import OFFLINE, AnyPublicKey, KeyResolutionError, Resolver

MAX_INPUT_BYTES = baking.MAX_IMAGE_BYTES
VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$")
OB_TYPES = {"OpenBadgeCredential", "AchievementCredential"}
SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"

StatusFetcher = Callable[[str], dict[str, Any]]
KnownIssuer = Callable[[str], bool]


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"


class Verdict(StrEnum):
    """What the employer's page says first (valide / révoqué / expiré / …)."""

    VALID = "valid"
    REVOKED = "revoked"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    INVALID_SIGNATURE = "invalid_signature"
    STATUS_UNKNOWN = "status_unknown"
    MALFORMED = "malformed"


VERDICT_LABELS: dict[Verdict, tuple[str, str]] = {
    Verdict.VALID: ("Badge valide", "Valid badge"),
    Verdict.REVOKED: ("Badge révoqué", "Revoked badge"),
    Verdict.SUSPENDED: ("Badge suspendu", "Suspended badge"),
    Verdict.EXPIRED: ("Badge expiré", "Expired badge"),
    Verdict.NOT_YET_VALID: ("Badge pas encore valide", "Badge not yet valid"),
    Verdict.INVALID_SIGNATURE: ("Signature invalide", "Invalid signature"),
    Verdict.STATUS_UNKNOWN: ("Statut inconnu", "Status unknown"),
    Verdict.MALFORMED: ("Badge illisible ou mal formé", "Unreadable or malformed badge"),
}


@dataclass(frozen=True)
class Check:
    """One verification step and what it found, in plain French and English."""

    code: str
    status: CheckStatus
    message_fr: str
    message_en: str


@dataclass
class VerificationResult:
    """Verdict, the checks behind it, and what the page shows about the credential."""

    verdict: Verdict
    checks: list[Check]
    credential: dict[str, Any] | None = None
    source_format: str | None = None
    issuer_id: str | None = None
    issuer_name: str | None = None
    issuer_known: bool | None = None
    recipient_match: bool | None = None

    @property
    def valid(self) -> bool:
        return self.verdict is Verdict.VALID

    @property
    def label_fr(self) -> str:
        return VERDICT_LABELS[self.verdict][0]

    @property
    def label_en(self) -> str:
        return VERDICT_LABELS[self.verdict][1]

    def check(self, code: str) -> Check | None:
        """The check with this code, if it ran."""
        return next((c for c in self.checks if c.code == code), None)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (for the API and verification events)."""
        return {
            "verdict": self.verdict.value,
            "label_fr": self.label_fr,
            "label_en": self.label_en,
            "format": self.source_format,
            "issuer": {"id": self.issuer_id, "name": self.issuer_name, "known": self.issuer_known},
            "recipient_match": self.recipient_match,
            "checks": [
                {
                    "code": c.code,
                    "status": c.status.value,
                    "message_fr": c.message_fr,
                    "message_en": c.message_en,
                }
                for c in self.checks
            ],
        }


@dataclass
class _Run:
    checks: list[Check] = field(default_factory=list)
    flags: set[str] = field(default_factory=set)  # "revoked", "suspended"

    def add(self, code: str, status: CheckStatus, fr: str, en: str) -> None:
        self.checks.append(Check(code, status, fr, en))

    def ok(self, code: str, fr: str, en: str) -> None:
        self.add(code, CheckStatus.PASSED, fr, en)

    def fail(self, code: str, fr: str, en: str) -> None:
        self.add(code, CheckStatus.FAILED, fr, en)

    def unknown(self, code: str, fr: str, en: str) -> None:
        self.add(code, CheckStatus.UNKNOWN, fr, en)

    def status(self, code: str) -> CheckStatus | None:
        found = [c.status for c in self.checks if c.code == code]
        if not found:
            return None
        if CheckStatus.FAILED in found:
            return CheckStatus.FAILED
        if CheckStatus.UNKNOWN in found:
            return CheckStatus.UNKNOWN
        return CheckStatus.PASSED


# ------------------------------------------------------------------------------- parsing


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_json(text: str) -> dict[str, Any]:
    value = json.loads(text, parse_constant=_reject_constant)
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


@dataclass
class _Parsed:
    credential: dict[str, Any]
    jws: vcjwt.DecodedJwt | None


def _parse_text(text: str, run: _Run) -> _Parsed | None:
    stripped = text.strip().lstrip("\ufeff")
    if stripped.startswith("{"):
        try:
            return _Parsed(_parse_json(stripped), None)
        except (ValueError, RecursionError):
            run.fail(
                "format",
                "Le contenu n'est pas un document JSON lisible.",
                "The content is not a readable JSON document.",
            )
            return None
    if vcjwt.looks_like_jws(stripped):
        try:
            decoded = vcjwt.decode_vc_jwt(stripped)
        except (vcjwt.JwtError, RecursionError):
            run.fail(
                "format",
                "Le jeton signé (JWT) est mal formé.",
                "The signed token (JWT) is malformed.",
            )
            return None
        return _Parsed(decoded.credential, decoded)
    run.fail(
        "format",
        "Ce contenu n'est ni un badge JSON ni un jeton signé.",
        "This content is neither a JSON badge nor a signed token.",
    )
    return None


def _decode_bytes(data: bytes, filename: str | None, run: _Run) -> tuple[str, str] | None:
    """(text, format) from raw bytes; records a failed ``format`` check otherwise."""
    if len(data) > MAX_INPUT_BYTES:
        run.fail(
            "format",
            "Le fichier est trop volumineux (5 Mo au plus).",
            "The file is too large (5 MB at most).",
        )
        return None
    kind = baking.sniff(data)
    name = (filename or "").lower()
    if kind is None and name.endswith(".svg"):
        kind = "svg"
    if kind in ("png", "svg"):
        try:
            return baking.unbake(data) if kind == "png" else baking.unbake_svg(data), kind
        except baking.BakingError as exc:
            run.fail(
                "format",
                "Aucun badge lisible dans cette image "
                f"({'PNG' if kind == 'png' else 'SVG'}) : {_fr_baking(exc)}",
                f"No readable badge in this image: {exc}",
            )
            return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        run.fail(
            "format",
            "Le fichier n'est ni une image de badge (PNG, SVG) ni un texte lisible.",
            "The file is neither a badge image (PNG, SVG) nor readable text.",
        )
        return None
    stripped = text.strip()
    return text, "json" if stripped.startswith("{") else "jws"


def _fr_baking(exc: Exception) -> str:
    message = str(exc)
    if "entities" in message:
        return "l'image contient des entités XML, refusées par sécurité."
    if "no Open Badges credential" in message:
        return "elle ne contient pas de badge."
    if "larger" in message:
        return "elle est trop volumineuse."
    return "le fichier est abîmé ou mal formé."


# ------------------------------------------------------------------------------ structure


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _is_v1(credential: dict[str, Any]) -> bool:
    contexts = _as_list(credential.get("@context"))
    return bool(contexts) and contexts[0] == VC_V1


def _check_context(credential: dict[str, Any], run: _Run) -> None:
    contexts = _as_list(credential.get("@context"))
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


def _credential_kind(credential: dict[str, Any]) -> str | None:
    types = _as_list(credential.get("type"))
    if "VerifiableCredential" not in types:
        return None
    if OB_TYPES & set(types):
        return "achievement"
    if "EndorsementCredential" in types:
        return "endorsement"
    return None


def _check_type(credential: dict[str, Any], run: _Run) -> None:
    if _credential_kind(credential) is None:
        run.fail(
            "type",
            "Ce n'est pas un badge Open Badges 3.0 (type OpenBadgeCredential absent).",
            "This is not an Open Badges 3.0 credential (no OpenBadgeCredential type).",
        )
        return
    run.ok("type", "Le type de badge est reconnu.", "The credential type is recognised.")


def _check_jsonld(credential: dict[str, Any], run: _Run) -> None:
    # Proofs are expanded by the proof check, each with its own suite; an unknown extra proof
    # type must not make an otherwise well-formed credential unreadable.
    unsecured = {k: v for k, v in credential.items() if k != "proof"}
    try:
        jsonld.expand_safe(unsecured)
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
    run.ok(
        "jsonld",
        "Les données sont bien définies (JSON-LD).",
        "The data expands in JSON-LD safe mode.",
    )


def _schema_view(credential: dict[str, Any]) -> dict[str, Any]:
    """Tolerate what the VC data model allows but the OB 3.0 JSON Schema words more strictly.

    A single proof object (VCDM allows one) is validated as a one-item array; VCDM 1.1
    credentials are validated with their dates and contexts in 2.0 form.
    """
    view = dict(credential)
    if isinstance(view.get("proof"), dict):
        view["proof"] = [view["proof"]]
    if _is_v1(view):
        contexts = _as_list(view.get("@context"))
        ob = [c for c in contexts if isinstance(c, str) and OB_CONTEXT.match(c)]
        rest = [c for c in contexts[1:] if c not in ob]
        view["@context"] = [VC_V2, *(ob[:1] or [contexts[1] if len(contexts) > 1 else ""]), *rest]
        if "issuanceDate" in view and "validFrom" not in view:
            view["validFrom"] = view.pop("issuanceDate")
        if "expirationDate" in view and "validUntil" not in view:
            view["validUntil"] = view.pop("expirationDate")
    return view


def _check_schema(credential: dict[str, Any], run: _Run) -> None:
    kind = _credential_kind(credential)
    url = schema.ENDORSEMENT_CREDENTIAL if kind == "endorsement" else schema.ACHIEVEMENT_CREDENTIAL
    urls = [url]
    unknown: list[str] = []
    for entry in _as_list(credential.get("credentialSchema")):
        if isinstance(entry, dict) and entry.get("type") == SCHEMA_VALIDATOR_TYPE:
            inline = entry.get("id")
            if isinstance(inline, str) and schema.known_schema(inline):
                if inline not in urls:
                    urls.append(inline)
            elif isinstance(inline, str):
                unknown.append(inline)
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
    if _credential_kind(credential) == "achievement":
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


def _issuer_id(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) else None


def _issuer_name(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    name = issuer.get("name") if isinstance(issuer, dict) else None
    return name if isinstance(name, str) else None


# --------------------------------------------------------------------------------- proofs


def _same_key(a: AnyPublicKey, b: AnyPublicKey) -> bool:
    if isinstance(a, ed25519.Ed25519PublicKey) and isinstance(b, ed25519.Ed25519PublicKey):
        return a.public_bytes(Encoding.Raw, PublicFormat.Raw) == b.public_bytes(
            Encoding.Raw, PublicFormat.Raw
        )
    try:
        return vcjwt.public_jwk(a) == vcjwt.public_jwk(b)  # type: ignore[arg-type]
    except InvalidKey:
        return False


def _key_failure(exc: KeyResolutionError, run: _Run) -> None:
    if exc.unreachable:
        run.unknown(
            "key",
            f"La clé de l'émetteur n'a pas pu être consultée : {exc.reason_fr}.",
            f"The issuer's key could not be retrieved: {exc.reason_en}.",
        )
        run.unknown(
            "proof",
            "La signature ne peut pas être vérifiée sans la clé de l'émetteur.",
            "The signature cannot be checked without the issuer's key.",
        )
    else:
        run.fail(
            "key",
            f"La clé de signature n'est pas valable : {exc.reason_fr}.",
            f"The signing key is not usable: {exc.reason_en}.",
        )
        run.unknown(
            "proof",
            "La signature n'a pas pu être vérifiée faute de clé valable.",
            "The signature could not be checked without a usable key.",
        )


def _controller_mismatch(run: _Run) -> None:
    run.fail(
        "key",
        "La clé de signature n'appartient pas à l'émetteur indiqué sur le badge.",
        "The signing key's controller is not the credential's issuer.",
    )


def _check_embedded_proofs(credential: dict[str, Any], resolver: Resolver, run: _Run) -> None:
    proofs = [p for p in _as_list(credential.get("proof")) if isinstance(p, dict)]
    if not proofs:
        run.fail("proof", "Le badge n'est pas signé.", "The credential carries no proof.")
        return
    issuer_id = _issuer_id(credential)
    supported = [
        p
        for p in proofs
        if p.get("type") == data_integrity.PROOF_TYPE
        and p.get("cryptosuite") == data_integrity.CRYPTOSUITE
    ]
    if not supported:
        kinds = ", ".join(sorted({str(p.get("cryptosuite") or p.get("type")) for p in proofs}))
        run.fail(
            "proof",
            f"Type de signature non pris en charge ({kinds}) : eddsa-rdfc-2022 attendu.",
            f"Unsupported proof type ({kinds}); eddsa-rdfc-2022 is expected.",
        )
        return
    first_failure: tuple[str, Any] | None = None
    for proof in supported:
        try:
            resolved = resolver.resolve(proof.get("verificationMethod"))
        except KeyResolutionError as exc:
            first_failure = first_failure or ("key", exc)
            continue
        outcome = data_integrity.verify(credential, resolved.public_key, proof=proof)
        if not outcome.ok:
            first_failure = first_failure or ("proof", outcome)
            continue
        if issuer_id is None or resolved.controller != issuer_id:
            first_failure = first_failure or ("controller", resolved)
            continue
        run.ok(
            "key",
            "La clé de signature appartient bien à l'émetteur.",
            "The signing key is controlled by the issuer.",
        )
        run.ok(
            "proof",
            "La signature est valide : le badge n'a pas été modifié.",
            "The signature is valid: the credential has not been altered.",
        )
        return
    assert first_failure is not None
    kind, detail = first_failure
    if kind == "key":
        _key_failure(detail, run)
    elif kind == "proof":
        run.ok("key", "La clé de signature a été trouvée.", "The signing key was found.")
        run.fail(
            "proof",
            f"Signature invalide : {detail.reason_fr}",
            f"Invalid signature: {detail.reason_en}",
        )
    else:
        _controller_mismatch(run)
        run.ok(
            "proof",
            "La signature correspond au contenu, mais avec une clé qui n'est pas celle de "
            "l'émetteur.",
            "The signature matches the content, but with a key that is not the issuer's.",
        )


def _check_jws(
    decoded: vcjwt.DecodedJwt, credential: dict[str, Any], resolver: Resolver, run: _Run
) -> bool:
    """Check a VC-JWT's header, claims, key and signature; True when it verified."""
    try:
        vcjwt.check_header(decoded.header)
    except vcjwt.JwtError as exc:
        run.fail(
            "proof",
            "L'en-tête du jeton signé ne respecte pas Open Badges 3.0 "
            "(algorithme RS256 ou ES256 et clé attendus).",
            f"The JWT header breaks OB 3.0 rules: {exc}",
        )
        return False
    issuer_id = _issuer_id(credential)
    try:
        if "kid" in decoded.header:
            resolved = resolver.resolve(decoded.header["kid"])
            key, controller = resolved.public_key, resolved.controller
        else:
            key = vcjwt.public_key_from_jwk(decoded.header["jwk"])
            published = resolver.keys_of(issuer_id) if issuer_id else []
            controller = issuer_id if any(_same_key(key, k.public_key) for k in published) else None
            if controller is None:
                raise KeyResolutionError(
                    "the key embedded in the token is not published by the issuer",
                    "la clé jointe au jeton n'est pas publiée par l'émetteur",
                )
    except KeyResolutionError as exc:
        _key_failure(exc, run)
        return False
    except InvalidKey as exc:
        run.fail(
            "key",
            "La clé jointe au jeton est inutilisable.",
            f"The key given in the token is unusable: {exc}",
        )
        run.unknown(
            "proof",
            "La signature n'a pas pu être vérifiée faute de clé valable.",
            "The signature could not be checked without a usable key.",
        )
        return False
    if not vcjwt.verify_signature(decoded, key):  # type: ignore[arg-type]
        run.ok("key", "La clé de signature a été trouvée.", "The signing key was found.")
        run.fail(
            "proof",
            "Signature invalide : le jeton a été modifié ou la clé est incorrecte.",
            "Invalid signature: the token was altered or the key is wrong.",
        )
        return False
    if issuer_id is None or controller != issuer_id:
        _controller_mismatch(run)
        return False
    problems = vcjwt.check_claims(decoded)
    if problems:
        run.ok("key", "La clé de signature appartient bien à l'émetteur.", "Key is the issuer's.")
        run.fail(
            "proof",
            "Le jeton signé contredit le badge qu'il contient.",
            f"The JWT claims contradict the credential: {'; '.join(problems)}",
        )
        return False
    run.ok(
        "key",
        "La clé de signature appartient bien à l'émetteur.",
        "The signing key is controlled by the issuer.",
    )
    run.ok(
        "proof",
        "La signature est valide : le badge n'a pas été modifié.",
        "The signature (VC-JWT) is valid: the credential has not been altered.",
    )
    return True


def _check_proof(parsed: _Parsed, resolver: Resolver, run: _Run) -> None:
    if parsed.jws is None:
        _check_embedded_proofs(parsed.credential, resolver, run)
        return
    jws_run = _Run()
    if _check_jws(parsed.jws, parsed.credential, resolver, jws_run):
        run.checks.extend(jws_run.checks)
        return
    if parsed.credential.get("proof"):
        embedded = _Run()
        _check_embedded_proofs(parsed.credential, resolver, embedded)
        if embedded.status("proof") is CheckStatus.PASSED and embedded.status("key") is (
            CheckStatus.PASSED
        ):
            run.checks.extend(embedded.checks)
            return
    run.checks.extend(jws_run.checks)


# ------------------------------------------------------------------------- status, dates


def _check_one_status(
    entry: Any,
    issuer_id: str | None,
    resolver: Resolver,
    fetcher: StatusFetcher | None,
    now: datetime,
    run: _Run,
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
    except Exception:  # any failure to read the list means "unknown", never "not revoked"
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
    list_issuer = _issuer_id(list_credential)
    if issuer_id is None or list_issuer != issuer_id:
        return (
            "la liste de révocation ne vient pas de l'émetteur du badge.",
            "the status list's issuer is not the credential's issuer.",
        )
    proofs = [p for p in _as_list(list_credential.get("proof")) if isinstance(p, dict)]
    for proof in proofs:
        try:
            resolved = resolver.resolve(proof.get("verificationMethod"))
        except KeyResolutionError:
            continue
        if resolved.controller != issuer_id:
            continue
        if data_integrity.verify(list_credential, resolved.public_key, proof=proof).ok:
            break
    else:
        return (
            "la signature de la liste de révocation n'a pas pu être vérifiée.",
            "the status list's proof could not be verified.",
        )
    valid_until = _parse_date(list_credential.get("validUntil"))
    if valid_until is not None and valid_until < now:
        return ("la liste de révocation a expiré.", "the status list has expired.")
    return None


def _check_status(
    credential: dict[str, Any],
    resolver: Resolver,
    fetcher: StatusFetcher | None,
    now: datetime,
    run: _Run,
) -> None:
    entries = _as_list(credential.get("credentialStatus"))
    if not entries:
        run.ok(
            "status",
            "L'émetteur ne publie pas de révocation pour ce badge.",
            "The issuer publishes no status (revocation) for this credential.",
        )
        return
    for entry in entries:
        _check_one_status(entry, _issuer_id(credential), resolver, fetcher, now, run)


def _parse_date(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _french_date(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%d/%m/%Y")


def _check_dates(credential: dict[str, Any], now: datetime, run: _Run) -> None:
    raw_from = credential.get("validFrom", credential.get("issuanceDate"))
    valid_from = _parse_date(raw_from)
    if valid_from is None:
        run.fail(
            "valid_from",
            "La date de délivrance du badge manque ou est illisible.",
            "validFrom (issuanceDate) is missing or not a date-time.",
        )
    elif valid_from > now:
        run.fail(
            "valid_from",
            f"Ce badge n'est valable qu'à partir du {_french_date(valid_from)}.",
            f"The credential is not valid before {valid_from.isoformat()}.",
        )
    else:
        run.ok(
            "valid_from",
            f"Délivré le {_french_date(valid_from)}.",
            f"Valid from {valid_from.isoformat()}.",
        )
    raw_until = credential.get("validUntil", credential.get("expirationDate"))
    if raw_until is None:
        run.ok("valid_until", "Ce badge n'expire pas.", "The credential does not expire.")
        return
    valid_until = _parse_date(raw_until)
    if valid_until is None:
        run.fail(
            "valid_until",
            "La date d'expiration du badge est illisible.",
            "validUntil (expirationDate) is not a date-time.",
        )
    elif valid_until < now:
        run.fail(
            "valid_until",
            f"Ce badge a expiré le {_french_date(valid_until)}.",
            f"The credential expired on {valid_until.isoformat()}.",
        )
    else:
        run.ok(
            "valid_until",
            f"Valable jusqu'au {_french_date(valid_until)}.",
            f"Valid until {valid_until.isoformat()}.",
        )


def _check_recipient(credential: dict[str, Any], recipient: Recipient, run: _Run) -> bool:
    subject = credential.get("credentialSubject")
    subject = subject if isinstance(subject, dict) else {}
    matched = False
    if recipient.id is not None and subject.get("id") == recipient.id:
        matched = True
    if recipient.identity is not None:
        for identifier in _as_list(subject.get("identifier")):
            if isinstance(identifier, dict) and identity_matches(
                identifier, recipient.identity, recipient.identity_type
            ):
                matched = True
    if matched:
        run.ok(
            "recipient",
            "Ce badge a bien été délivré à cette personne.",
            "The credential was issued to this recipient.",
        )
    else:
        run.fail(
            "recipient",
            "Ce badge n'a pas été délivré à cette personne.",
            "The credential was not issued to this recipient.",
        )
    return matched


# -------------------------------------------------------------------------------- verdict


def _verdict(run: _Run) -> Verdict:
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
    parsed: _Parsed,
    source_format: str,
    run: _Run,
    *,
    resolver: Resolver,
    status_fetcher: StatusFetcher | None,
    now: datetime,
    recipient: Recipient | None,
    is_known_issuer: KnownIssuer | None,
) -> VerificationResult:
    credential = parsed.credential
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
    _check_context(credential, run)
    _check_type(credential, run)
    _check_jsonld(credential, run)
    _check_schema(credential, run)
    _check_proof(parsed, resolver, run)
    _check_status(credential, resolver, status_fetcher, now, run)
    _check_dates(credential, now, run)
    issuer_id = _issuer_id(credential)
    recipient_match = _check_recipient(credential, recipient, run) if recipient else None
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
    return VerificationResult(
        verdict=_verdict(run),
        checks=run.checks,
        credential=credential,
        source_format=source_format,
        issuer_id=issuer_id,
        issuer_name=_issuer_name(credential),
        issuer_known=issuer_known,
        recipient_match=recipient_match,
    )


def _internal_error(run: _Run, source_format: str | None) -> VerificationResult:
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
    run = _Run()
    now = now or datetime.now(UTC)
    try:
        if isinstance(credential, dict):
            parsed: _Parsed | None = _Parsed(credential, None)
            source_format = "json"
        elif isinstance(credential, str):
            parsed = _parse_text(credential, run)
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
        return _internal_error(_Run(), None)


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
    run = _Run()
    now = now or datetime.now(UTC)
    try:
        if not isinstance(data, bytes | bytearray):
            run.fail("format", "Fichier illisible.", "Unreadable file.")
            return VerificationResult(Verdict.MALFORMED, run.checks)
        decoded = _decode_bytes(bytes(data), filename, run)
        if decoded is None:
            return VerificationResult(Verdict.MALFORMED, run.checks)
        text, container = decoded
        parsed = _parse_text(text, run)
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
        return _internal_error(_Run(), None)
