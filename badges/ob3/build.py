"""Build OB 3.0 credentials from typed inputs (unsigned: sign with data_integrity or jwt).

The output follows the OB serialization rules: multi-valued properties are arrays, nulls and empty
arrays are omitted, and every term used is defined by the contexts listed in ``@context`` so the
credential expands in JSON-LD safe mode. Terms the OB 3.0.3 context lacks (``endorsementJwt``,
``jti``) are never emitted.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
ACHIEVEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
ENDORSEMENT_CREDENTIAL_SCHEMA = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)
SCHEMA_VALIDATOR_TYPE = "1EdTechJsonSchemaValidator2019"

StatusPurpose = Literal["revocation", "suspension"]


@dataclass(frozen=True)
class Image:
    """An image by URL or data: URI, with an optional caption (alt text)."""

    id: str
    caption: str | None = None


@dataclass(frozen=True)
class IssuerProfile:
    """The issuer, embedded as a Profile (the 1EdTech validator requires an embedded Profile)."""

    id: str
    name: str
    url: str | None = None
    email: str | None = None
    image: Image | None = None
    description: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class Alignment:
    """A link from an achievement or result to a competence in an external framework."""

    target_name: str
    target_url: str
    target_code: str | None = None
    target_description: str | None = None
    target_framework: str | None = None
    target_type: str | None = None


@dataclass(frozen=True)
class RubricLevel:
    """One level of a rubric criterion (e.g. a competence level 1–8)."""

    id: str
    name: str
    description: str | None = None
    level: str | None = None
    points: str | None = None
    alignments: Sequence[Alignment] = ()


@dataclass(frozen=True)
class ResultDescriptionDef:
    """What a result measures (e.g. a competence) and its possible levels or values."""

    id: str
    name: str
    result_type: str = "RubricCriterionLevel"
    levels: Sequence[RubricLevel] = ()
    allowed_values: Sequence[str] = ()
    required_level: str | None = None
    required_value: str | None = None
    value_min: str | None = None
    value_max: str | None = None
    alignments: Sequence[Alignment] = ()


@dataclass(frozen=True)
class AchievementDef:
    """The achievement (badge class) being asserted."""

    id: str
    name: str
    description: str
    criteria_narrative: str | None = None
    criteria_id: str | None = None
    image: Image | None = None
    achievement_type: str | None = "Badge"
    alignments: Sequence[Alignment] = ()
    result_descriptions: Sequence[ResultDescriptionDef] = ()
    tags: Sequence[str] = ()
    in_language: str | None = None
    version: str | None = None
    human_code: str | None = None
    field_of_study: str | None = None
    creator: IssuerProfile | None = None
    # Signed EndorsementCredentials about this achievement, embedded as they were signed.
    endorsements: Sequence[dict[str, Any]] = ()


@dataclass(frozen=True)
class ResultDef:
    """A learner's result against one ResultDescription of the achievement (e.g. per competence)."""

    result_description: str
    achieved_level: str | None = None
    value: str | None = None
    status: str | None = None
    alignments: Sequence[Alignment] = ()


@dataclass(frozen=True)
class Recipient:
    """Who earned it: a hashed identifier (preferred, private), an id (URI, e.g. DID), or both."""

    identity: str | None = None
    identity_type: str = "emailAddress"
    hashed: bool = True
    salt: str | None = None
    id: str | None = None


@dataclass(frozen=True)
class Evidence:
    """Something that supports the award: a page, a data URI, or a narrative."""

    id: str | None = None
    name: str | None = None
    description: str | None = None
    narrative: str | None = None
    genre: str | None = None
    audience: str | None = None


@dataclass(frozen=True)
class StatusEntry:
    """Where the credential's bit sits in a BitstringStatusList credential."""

    status_list_credential: str
    index: int
    purpose: StatusPurpose = "revocation"


@dataclass(frozen=True)
class CredentialOptions:
    """Optional display fields of the credential itself."""

    name: str | None = None
    description: str | None = None
    image: Image | None = None
    awarded_date: datetime | None = None
    include_schema: bool = True
    extra_contexts: Sequence[str] = field(default_factory=tuple)


def format_datetime(value: datetime) -> str:
    """DateTimeZ in UTC with second precision, as the schemas and most verifiers expect."""
    if value.tzinfo is None:
        raise ValueError("datetimes in credentials must be timezone-aware")
    return value.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def new_salt() -> str:
    """A fresh per-credential salt, so equal identifiers give unlinkable hashes."""
    return secrets.token_hex(16)


def hash_identity(identity: str, salt: str, algorithm: str = "sha256") -> str:
    """IdentityHash: ``<alg>$<hex>`` of UTF-8(identity) + UTF-8(salt) (OB 3.0 §IdentityObject)."""
    if algorithm not in {"sha256", "md5"}:
        raise ValueError(f"unsupported identity hash algorithm {algorithm!r}")
    digest = hashlib.new(algorithm, (identity + salt).encode("utf-8")).hexdigest()
    return f"{algorithm}${digest}"


def identity_matches(identity_object: dict[str, Any], identity: str, identity_type: str) -> bool:
    """Does this IdentityObject designate ``identity``? (OB 3.0 verification step 5)."""
    if identity_object.get("identityType") != identity_type:
        return False
    claimed = identity_object.get("identityHash")
    if not isinstance(claimed, str):
        return False
    if identity_object.get("hashed") is not True:
        return hmac.compare_digest(claimed, identity)
    algorithm, _, digest = claimed.partition("$")
    if algorithm not in {"sha256", "md5"} or not digest:
        return False
    salt = identity_object.get("salt") or ""
    if not isinstance(salt, str):
        return False
    expected = hash_identity(identity, salt, algorithm).partition("$")[2]
    return hmac.compare_digest(expected, digest.lower())


def _compact(obj: dict[str, Any]) -> dict[str, Any]:
    """Drop None values and empty lists/dicts (OB serialization: omit nulls and empties)."""
    return {k: v for k, v in obj.items() if v is not None and v != [] and v != {}}


def _image(image: Image | None) -> dict[str, Any] | None:
    if image is None:
        return None
    return _compact({"id": image.id, "type": "Image", "caption": image.caption})


def _alignments(alignments: Iterable[Alignment]) -> list[dict[str, Any]]:
    return [
        _compact(
            {
                "type": ["Alignment"],
                "targetName": a.target_name,
                "targetUrl": a.target_url,
                "targetCode": a.target_code,
                "targetDescription": a.target_description,
                "targetFramework": a.target_framework,
                "targetType": a.target_type,
            }
        )
        for a in alignments
    ]


def profile_json(profile: IssuerProfile) -> dict[str, Any]:
    """The issuer as an OB 3.0 Profile object."""
    return _compact(
        {
            "id": profile.id,
            "type": ["Profile"],
            "name": profile.name,
            "url": profile.url,
            "email": profile.email,
            "phone": profile.phone,
            "description": profile.description,
            "image": _image(profile.image),
        }
    )


def _rubric_level(level: RubricLevel) -> dict[str, Any]:
    return _compact(
        {
            "id": level.id,
            "type": ["RubricCriterionLevel"],
            "name": level.name,
            "description": level.description,
            "level": level.level,
            "points": level.points,
            "alignment": _alignments(level.alignments),
        }
    )


def _result_description(rd: ResultDescriptionDef) -> dict[str, Any]:
    return _compact(
        {
            "id": rd.id,
            "type": ["ResultDescription"],
            "name": rd.name,
            "resultType": rd.result_type,
            "allowedValue": list(rd.allowed_values),
            "requiredLevel": rd.required_level,
            "requiredValue": rd.required_value,
            "rubricCriterionLevel": [_rubric_level(level) for level in rd.levels],
            "valueMin": rd.value_min,
            "valueMax": rd.value_max,
            "alignment": _alignments(rd.alignments),
        }
    )


def achievement_json(achievement: AchievementDef) -> dict[str, Any]:
    """The Achievement object (also served alone at /achievements/<id>)."""
    if not (achievement.criteria_narrative or achievement.criteria_id):
        raise ValueError("an achievement needs criteria: a narrative or a URL")
    return _compact(
        {
            "id": achievement.id,
            "type": ["Achievement"],
            "achievementType": achievement.achievement_type,
            "name": achievement.name,
            "description": achievement.description,
            "criteria": _compact(
                {"id": achievement.criteria_id, "narrative": achievement.criteria_narrative}
            ),
            "image": _image(achievement.image),
            "alignment": _alignments(achievement.alignments),
            "resultDescription": [
                _result_description(rd) for rd in achievement.result_descriptions
            ],
            "tag": list(achievement.tags),
            "inLanguage": achievement.in_language,
            "version": achievement.version,
            "humanCode": achievement.human_code,
            "fieldOfStudy": achievement.field_of_study,
            "creator": profile_json(achievement.creator) if achievement.creator else None,
            "endorsement": [dict(e) for e in achievement.endorsements],
        }
    )


def identity_object(recipient: Recipient) -> dict[str, Any] | None:
    """The recipient's IdentityObject: salted SHA-256 unless the recipient chose plaintext."""
    if recipient.identity is None:
        return None
    if not recipient.hashed:
        return {
            "type": "IdentityObject",
            "hashed": False,
            "identityHash": recipient.identity,
            "identityType": recipient.identity_type,
        }
    salt = recipient.salt if recipient.salt is not None else new_salt()
    return {
        "type": "IdentityObject",
        "hashed": True,
        "identityHash": hash_identity(recipient.identity, salt),
        "identityType": recipient.identity_type,
        "salt": salt,
    }


def _result(result: ResultDef, known: dict[str, ResultDescriptionDef]) -> dict[str, Any]:
    rd = known.get(result.result_description)
    if rd is None:
        raise ValueError(
            f"result refers to {result.result_description!r}, "
            "which is not a resultDescription of the achievement"
        )
    if result.achieved_level is not None and result.achieved_level not in {
        level.id for level in rd.levels
    }:
        raise ValueError(f"achieved level {result.achieved_level!r} is not a level of {rd.id!r}")
    if rd.result_type == "Status" and result.status is None:
        raise ValueError(f"result for {rd.id!r} needs a status (its resultType is Status)")
    return _compact(
        {
            "type": ["Result"],
            "resultDescription": result.result_description,
            "achievedLevel": result.achieved_level,
            "value": result.value,
            "status": result.status,
            "alignment": _alignments(result.alignments),
        }
    )


def _evidence(evidence: Evidence) -> dict[str, Any]:
    return _compact(
        {
            "id": evidence.id,
            "type": ["Evidence"],
            "name": evidence.name,
            "description": evidence.description,
            "narrative": evidence.narrative,
            "genre": evidence.genre,
            "audience": evidence.audience,
        }
    )


def status_entry_json(status: StatusEntry) -> dict[str, Any]:
    """A BitstringStatusListEntry (terms defined by the VC v2 context)."""
    if status.index < 0:
        raise ValueError("status list index must be non-negative")
    return {
        "id": f"{status.status_list_credential}#{status.index}",
        "type": "BitstringStatusListEntry",
        "statusPurpose": status.purpose,
        "statusListIndex": str(status.index),
        "statusListCredential": status.status_list_credential,
    }


def build_achievement_credential(
    *,
    credential_id: str,
    issuer: IssuerProfile,
    achievement: AchievementDef,
    recipient: Recipient,
    valid_from: datetime,
    valid_until: datetime | None = None,
    results: Sequence[ResultDef] = (),
    evidence: Sequence[Evidence] = (),
    status: StatusEntry | None = None,
    options: CredentialOptions | None = None,
) -> dict[str, Any]:
    """An unsigned AchievementCredential for ``data_integrity.sign`` or ``jwt.sign_vc_jwt``."""
    options = options or CredentialOptions()
    if recipient.identity is None and recipient.id is None:
        raise ValueError("the recipient needs an identifier or an id")
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("validUntil must be after validFrom")
    known = {rd.id: rd for rd in achievement.result_descriptions}
    identifier = identity_object(recipient)
    subject = _compact(
        {
            "id": recipient.id,
            "type": ["AchievementSubject"],
            "identifier": [identifier] if identifier else None,
            "achievement": achievement_json(achievement),
            "result": [_result(r, known) for r in results],
        }
    )
    contexts = [VC_V2_CONTEXT, OB_CONTEXT]
    if options.include_schema:
        contexts.append(OB_EXTENSIONS_CONTEXT)
    contexts.extend(c for c in options.extra_contexts if c not in contexts)
    credential = _compact(
        {
            "@context": contexts,
            "id": credential_id,
            "type": ["VerifiableCredential", "OpenBadgeCredential"],
            "name": options.name or achievement.name,
            "description": options.description,
            "image": _image(options.image or achievement.image),
            "issuer": profile_json(issuer),
            "validFrom": format_datetime(valid_from),
            "validUntil": format_datetime(valid_until) if valid_until else None,
            "awardedDate": format_datetime(options.awarded_date) if options.awarded_date else None,
            "credentialSubject": subject,
            "evidence": [_evidence(e) for e in evidence],
            "credentialStatus": status_entry_json(status) if status else None,
            "credentialSchema": (
                [{"id": ACHIEVEMENT_CREDENTIAL_SCHEMA, "type": SCHEMA_VALIDATOR_TYPE}]
                if options.include_schema
                else None
            ),
        }
    )
    return credential


def build_endorsement_credential(
    *,
    credential_id: str,
    issuer: IssuerProfile,
    subject_id: str,
    comment: str | None,
    valid_from: datetime,
    name: str,
    valid_until: datetime | None = None,
    status: StatusEntry | None = None,
) -> dict[str, Any]:
    """An unsigned EndorsementCredential: ``issuer`` vouches for ``subject_id`` (an achievement,
    a profile or a credential), in its own words (``endorsementComment``)."""
    if valid_until is not None and valid_until <= valid_from:
        raise ValueError("validUntil must be after validFrom")
    return _compact(
        {
            "@context": [VC_V2_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT],
            "id": credential_id,
            "type": ["VerifiableCredential", "EndorsementCredential"],
            "name": name,
            "issuer": profile_json(issuer),
            "validFrom": format_datetime(valid_from),
            "validUntil": format_datetime(valid_until) if valid_until else None,
            "credentialSubject": _compact(
                {
                    "id": subject_id,
                    "type": ["EndorsementSubject"],
                    "endorsementComment": comment,
                }
            ),
            "credentialStatus": status_entry_json(status) if status else None,
            "credentialSchema": [
                {"id": ENDORSEMENT_CREDENTIAL_SCHEMA, "type": SCHEMA_VALIDATOR_TYPE}
            ],
        }
    )
