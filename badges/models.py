"""Badge models: issuers and keys, achievements, issued credentials, status lists, verifications.

Public identifiers are random UUIDs (``public_id``), never the integer primary keys: they end up in
signed credentials and QR codes, and must reveal nothing about how many badges exist.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learners.database import Base, UTCDateTime, utcnow, value_enum
from learners.models import Learner, Organisation

# A W3C Bitstring Status List must hold at least 131,072 entries (16 KiB), so that one revoked
# credential hides among many: the herd privacy the specification asks for.
STATUS_LIST_SIZE = 131_072


def new_public_id() -> str:
    return str(uuid.uuid4())


class KeyAlgorithm(enum.StrEnum):
    """Ed25519 signs Data Integrity proofs (eddsa-rdfc-2022); RSA signs VC-JWTs (RS256)."""

    ED25519 = "ed25519"
    RSA = "rsa"


class KeyState(enum.StrEnum):
    """Active keys sign; retired keys stay published so older badges still verify; compromised
    keys are withdrawn from the issuer's documents, so what they signed no longer verifies."""

    ACTIVE = "active"
    RETIRED = "retired"
    COMPROMISED = "compromised"


class StatusPurpose(enum.StrEnum):
    REVOCATION = "revocation"
    SUSPENSION = "suspension"


class VerificationChannel(enum.StrEnum):
    """How a verifier reached the credential (counted; nothing about the verifier is kept)."""

    QR = "qr"
    LINK = "link"
    UPLOAD = "upload"
    API = "api"
    CLI = "cli"


class Issuer(Base):
    """An organisation's issuing profile (OB 3.0 ``Profile``); one per organisation."""

    __tablename__ = "issuers"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), unique=True
    )
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(254))
    description: Mapped[str | None] = mapped_column(Text)
    image_url: Mapped[str | None] = mapped_column(String(2000))
    # The platform's own issuer may be identified by ``did:web:<host>`` (JALON_ISSUER_DID_WEB).
    uses_did_web: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    organisation: Mapped[Organisation] = relationship()
    keys: Mapped[list[SigningKey]] = relationship(
        back_populates="issuer", order_by="SigningKey.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Issuer {self.id} {self.name!r}>"


class SigningKey(Base):
    """A key pair; the private half only ever stored encrypted (see ``badges.keys_store``)."""

    __tablename__ = "signing_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    algorithm: Mapped[KeyAlgorithm] = mapped_column(value_enum(KeyAlgorithm, "key_algorithm"))
    state: Mapped[KeyState] = mapped_column(
        value_enum(KeyState, "key_state"), default=KeyState.ACTIVE
    )
    public_key_pem: Mapped[str] = mapped_column(Text)
    # ``z6Mk…`` Multikey for Ed25519 keys (also the fragment of their verification method id).
    public_key_multibase: Mapped[str | None] = mapped_column(String(80))
    encrypted_private_key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    issuer: Mapped[Issuer] = relationship(back_populates="keys")

    @property
    def fragment(self) -> str:
        """Fragment of the verification method id: the Multikey itself for Ed25519 (so a
        verifier can read the key from the id without fetching), the key's UUID for RSA."""
        return self.public_key_multibase or self.public_id

    def __repr__(self) -> str:
        return f"<SigningKey {self.id} {self.algorithm} {self.state}>"


class Achievement(Base):
    """A badge class: what is earned, the criteria, and the award rules that grant it."""

    __tablename__ = "achievements"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    issuer_id: Mapped[int] = mapped_column(
        ForeignKey("issuers.id", ondelete="RESTRICT"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    criteria_narrative: Mapped[str] = mapped_column(Text)
    criteria_url: Mapped[str | None] = mapped_column(String(2000))
    achievement_type: Mapped[str] = mapped_column(String(64), default="Badge")
    image_data: Mapped[bytes | None] = mapped_column(LargeBinary)
    image_media_type: Mapped[str | None] = mapped_column(String(64))
    image_path: Mapped[str | None] = mapped_column(String(500))
    image_alt: Mapped[str | None] = mapped_column(String(300))
    # OB 3.0 objects kept as plain JSON: [{"targetName", "targetUrl", ...}], [{"id", "name",
    # "resultType", ...}], ["tag", ...]; award rules follow ``badges.award_rules``.
    alignments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    result_descriptions: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    award_rules: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    in_language: Mapped[str] = mapped_column(String(16), default="fr")
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    # Designed in the studio (``badges.achievement_design``): a draft is never awarded; a badge
    # already issued is changed by a new version (a new row pointing to the one it replaces,
    # which is archived), so credentials issued earlier keep the achievement they were signed
    # with. ``validity_months`` sets each credential's ``validUntil`` at issuance.
    is_draft: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Unique: a version is replaced once, so two concurrent edits cannot fork the history.
    previous_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("achievements.id", ondelete="RESTRICT"), unique=True
    )
    validity_months: Mapped[int | None] = mapped_column(Integer)
    # The medallion drawn for it ({"colour", "icon", "label", "sublabel"}), None when uploaded.
    design: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # A badge shipped with Jalon (``badges.shipped``): its slug, and the hash of the definition
    # installed last. A row whose definition still hashes to it was not edited by its
    # organisation, so a release that changes the shipped definition may update it.
    shipped_slug: Mapped[str | None] = mapped_column(String(100))
    shipped_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    issuer: Mapped[Issuer] = relationship()

    def __repr__(self) -> str:
        return f"<Achievement {self.id} {self.name!r}>"


class StatusList(Base):
    """A W3C Bitstring Status List owned by an issuer, and its last signed list credential.

    Indexes are handed out by a counter that is mapped through a per-list affine permutation of
    ``[0, size)``: allocation stays a single atomic ``UPDATE`` yet neighbouring credentials do not
    get neighbouring bits, which hides the issuance order from whoever reads the list.
    """

    __tablename__ = "status_lists"
    __table_args__ = (
        CheckConstraint("size >= 131072", name="size_at_least_131072"),
        CheckConstraint("allocated <= size", name="allocated_within_size"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[StatusPurpose] = mapped_column(value_enum(StatusPurpose, "status_purpose"))
    size: Mapped[int] = mapped_column(Integer, default=STATUS_LIST_SIZE)
    bits: Mapped[bytes] = mapped_column(LargeBinary)
    allocated: Mapped[int] = mapped_column(Integer, default=0)
    permutation_multiplier: Mapped[int] = mapped_column(Integer)
    permutation_offset: Mapped[int] = mapped_column(Integer)
    signed_credential: Mapped[str | None] = mapped_column(Text)
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    issuer: Mapped[Issuer] = relationship()

    @property
    def is_full(self) -> bool:
        return self.allocated >= self.size

    def __repr__(self) -> str:
        return f"<StatusList {self.id} {self.purpose} {self.allocated}/{self.size}>"


class Credential(Base):
    """An issued AchievementCredential: the signed bytes served forever, plus its live state."""

    __tablename__ = "credentials"
    __table_args__ = (
        UniqueConstraint("status_list_id", "status_index"),
        # A path's credentials (learner and action): the badge indicators look them up per
        # enrolment; without it SQLite walks every badge of the action (tests/bench: indicators).
        Index("ix_credentials_learner_action", "learner_id", "action_id", "revoked_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    # The award event (e.g. "session:42:achievement:7"): issuing twice for it gives one credential.
    award_key: Mapped[str] = mapped_column(String(200), unique=True)
    issuer_id: Mapped[int] = mapped_column(
        ForeignKey("issuers.id", ondelete="RESTRICT"), index=True
    )
    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("achievements.id", ondelete="RESTRICT"), index=True
    )
    learner_id: Mapped[int | None] = mapped_column(
        ForeignKey("learners.id", ondelete="SET NULL"), index=True
    )
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    evidence: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    signed_json: Mapped[str] = mapped_column(Text)
    jws: Mapped[str | None] = mapped_column(Text)
    status_list_id: Mapped[int] = mapped_column(
        ForeignKey("status_lists.id", ondelete="RESTRICT"), index=True
    )
    status_index: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revocation_reason: Mapped[str | None] = mapped_column(Text)
    # Suspension is platform-side only: OB 3.0 allows one credentialStatus, used for revocation.
    suspended: Mapped[bool] = mapped_column(Boolean, default=False)
    suspension_reason: Mapped[str | None] = mapped_column(Text)
    # The staff member who awarded it by hand (None for a badge earned by an assessment).
    awarded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # Private until the holder publishes it: the public page /c/<id> shows nothing before.
    is_public: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The funded action the award counts for (from the session's campaign, or chosen by hand).
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    issuer: Mapped[Issuer] = relationship()
    achievement: Mapped[Achievement] = relationship()
    learner: Mapped[Learner | None] = relationship()
    status_list: Mapped[StatusList] = relationship()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    def __repr__(self) -> str:
        return f"<Credential {self.id} {self.public_id}>"


class EvidenceFile(Base):
    """A file a manual award rests on (PDF or re-encoded image), kept in the database, never
    under ``static``: its URL in the credential's ``evidence`` opens only for the holder and the
    staff of the organisation; the holder may hide it (then it opens for them alone)."""

    __tablename__ = "evidence_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    credential_id: Mapped[int | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    credential: Mapped[Credential | None] = relationship()
    learner: Mapped[Learner] = relationship()

    def __repr__(self) -> str:
        return f"<EvidenceFile {self.id} {self.media_type}>"


class VerificationEvent(Base):
    """One verification of one credential: when, through which channel, with what outcome.

    No address, user agent or any other trace of the verifier is stored.
    """

    __tablename__ = "verification_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    credential_id: Mapped[int | None] = mapped_column(
        ForeignKey("credentials.id", ondelete="CASCADE"), index=True
    )
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    channel: Mapped[VerificationChannel] = mapped_column(
        value_enum(VerificationChannel, "verification_channel")
    )
    # The verdict: valid | revoked | suspended | expired | not_yet_valid | invalid_signature |
    # status_unknown | malformed | internal_error (``badges.ob3.verify.Verdict``).
    result: Mapped[str] = mapped_column(String(32))

    credential: Mapped[Credential | None] = relationship()


class Endorsement(Base):
    """An EndorsementCredential an organisation (the département, a partner employer) signed
    about another's achievement; embedded in the achievement's credentials issued while it
    stands. Withdrawing it sets its bit in the endorser's revocation list, so the copies already
    embedded in earlier credentials verify as withdrawn while those badges stay valid."""

    __tablename__ = "endorsements"
    __table_args__ = (UniqueConstraint("status_list_id", "status_index"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(36), unique=True, default=new_public_id)
    achievement_id: Mapped[int] = mapped_column(
        ForeignKey("achievements.id", ondelete="RESTRICT"), index=True
    )
    # The endorser: its issuer signs; its organisation owns the endorsement.
    issuer_id: Mapped[int] = mapped_column(
        ForeignKey("issuers.id", ondelete="RESTRICT"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    comment: Mapped[str] = mapped_column(Text)
    signed_json: Mapped[str] = mapped_column(Text)
    status_list_id: Mapped[int] = mapped_column(
        ForeignKey("status_lists.id", ondelete="RESTRICT"), index=True
    )
    status_index: Mapped[int] = mapped_column(Integer)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    withdrawal_reason: Mapped[str | None] = mapped_column(Text)

    achievement: Mapped[Achievement] = relationship()
    issuer: Mapped[Issuer] = relationship()
    organisation: Mapped[Organisation] = relationship()
    status_list: Mapped[StatusList] = relationship()

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def __repr__(self) -> str:
        return f"<Endorsement {self.id} of achievement {self.achievement_id}>"
