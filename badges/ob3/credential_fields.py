"""Tolerant reads of the credential fields that verification steps and pages share.

Nothing here trusts the input: a missing or mistyped field reads as ``None``, an empty dict or
an empty list. The verification pages (``web/verify/display.py``) read through these too, so a
field the verifier accepts (a date ending in a lowercase ``z``) is also one the page shows.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

VC_V2 = "https://www.w3.org/ns/credentials/v2"
VC_V1 = "https://www.w3.org/2018/credentials/v1"
OB_CONTEXT = re.compile(r"^https://purl\.imsglobal\.org/spec/ob/v3p0/context(-3\.\d\.\d)*\.json$")
OB_TYPES = {"OpenBadgeCredential", "AchievementCredential"}


def as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def is_v1(credential: dict[str, Any]) -> bool:
    contexts = as_list(credential.get("@context"))
    return bool(contexts) and contexts[0] == VC_V1


def credential_kind(credential: dict[str, Any]) -> str | None:
    types = as_list(credential.get("type"))
    if "VerifiableCredential" not in types:
        return None
    if OB_TYPES & set(types):
        return "achievement"
    if "EndorsementCredential" in types:
        return "endorsement"
    return None


def issuer_id_of(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    value = issuer.get("id") if isinstance(issuer, dict) else issuer
    return value if isinstance(value, str) else None


def issuer_name_of(credential: dict[str, Any]) -> str | None:
    issuer = credential.get("issuer")
    name = issuer.get("name") if isinstance(issuer, dict) else None
    return name if isinstance(name, str) else None


def subject_of(credential: dict[str, Any]) -> dict[str, Any]:
    """``credentialSubject`` when it is one object (an empty dict otherwise)."""
    subject = credential.get("credentialSubject")
    return subject if isinstance(subject, dict) else {}


def achievement_of(credential: dict[str, Any]) -> dict[str, Any]:
    """The subject's ``achievement`` when it is one object (an empty dict otherwise)."""
    achievement = subject_of(credential).get("achievement")
    return achievement if isinstance(achievement, dict) else {}


def raw_valid_from(credential: dict[str, Any]) -> Any:
    """``validFrom`` (VC 2.0), else ``issuanceDate`` (VC 1.1), as written."""
    return credential.get("validFrom", credential.get("issuanceDate"))


def raw_valid_until(credential: dict[str, Any]) -> Any:
    """``validUntil`` (VC 2.0), else ``expirationDate`` (VC 1.1), as written."""
    return credential.get("validUntil", credential.get("expirationDate"))


def valid_from_of(credential: dict[str, Any]) -> datetime | None:
    return parse_date(raw_valid_from(credential))


def valid_until_of(credential: dict[str, Any]) -> datetime | None:
    return parse_date(raw_valid_until(credential))


def parse_date(value: Any) -> datetime | None:
    """An XML Schema dateTime (``Z``, ``z`` or an offset; UTC when none), or ``None``."""
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
