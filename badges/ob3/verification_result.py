"""What a verification finds: the checks, their statuses and the verdict the employer reads first.

``CheckRun`` collects checks while the steps run; ``VerificationResult`` is what callers keep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class CheckStatus(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNKNOWN = "unknown"
    ERROR = "error"  # the check could not run: a fault of ours, never a finding about the badge


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
    INTERNAL_ERROR = "internal_error"


VERDICT_LABELS: dict[Verdict, tuple[str, str]] = {
    Verdict.VALID: ("Badge valide", "Valid badge"),
    Verdict.REVOKED: ("Badge révoqué", "Revoked badge"),
    Verdict.SUSPENDED: ("Badge suspendu", "Suspended badge"),
    Verdict.EXPIRED: ("Badge expiré", "Expired badge"),
    Verdict.NOT_YET_VALID: ("Badge pas encore valide", "Badge not yet valid"),
    Verdict.INVALID_SIGNATURE: ("Signature invalide", "Invalid signature"),
    Verdict.STATUS_UNKNOWN: ("Statut inconnu", "Status unknown"),
    Verdict.MALFORMED: ("Badge illisible ou mal formé", "Unreadable or malformed badge"),
    Verdict.INTERNAL_ERROR: (
        "Vérification impossible (erreur interne)",
        "Verification impossible (internal error)",
    ),
}


@dataclass(frozen=True)
class Check:
    """One verification step and what it found, in plain French and English."""

    code: str
    status: CheckStatus
    message_fr: str
    message_en: str


class EndorsementState(StrEnum):
    """What an embedded endorsement is worth; it never changes the badge's own verdict."""

    VALID = "valid"
    UNVERIFIED = "unverified"  # authentic as far as offline checks go: key or status unreadable
    INVALID = "invalid"


@dataclass(frozen=True)
class EndorsementCheck:
    """One endorsement embedded in a credential and what its own verification found.

    ``target`` is what it is attached to (``achievement``, ``issuer``, ``credential``);
    ``endorser_name`` and ``comment`` are read from the (untrusted) endorsement as written.
    """

    target: str
    endorser_id: str | None
    endorser_name: str | None
    comment: str | None
    state: EndorsementState
    verdict: Verdict | None
    reason_fr: str
    reason_en: str
    endorser_known: bool | None = None

    @property
    def valid(self) -> bool:
        return self.state is EndorsementState.VALID

    def to_dict(self) -> dict[str, Any]:
        return {
            "target": self.target,
            "endorser": {
                "id": self.endorser_id,
                "name": self.endorser_name,
                "known": self.endorser_known,
            },
            "comment": self.comment,
            "state": self.state.value,
            "verdict": self.verdict.value if self.verdict else None,
            "reason_fr": self.reason_fr,
            "reason_en": self.reason_en,
        }


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
    endorsements: list[EndorsementCheck] = field(default_factory=list)

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
            "endorsements": [e.to_dict() for e in self.endorsements],
        }


@dataclass
class CheckRun:
    """The checks collected while the steps run, and the flags the verdict reads."""

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

    def error(self, code: str, fr: str, en: str) -> None:
        self.add(code, CheckStatus.ERROR, fr, en)

    def status(self, code: str) -> CheckStatus | None:
        found = [c.status for c in self.checks if c.code == code]
        if not found:
            return None
        if CheckStatus.ERROR in found:
            return CheckStatus.ERROR
        if CheckStatus.FAILED in found:
            return CheckStatus.FAILED
        if CheckStatus.UNKNOWN in found:
            return CheckStatus.UNKNOWN
        return CheckStatus.PASSED
