"""Assessment models: frameworks and their competences, the item bank, assessments, campaigns,
sessions, responses and per-competence results.

A framework is identified by ``slug`` + ``version`` (a new edition of a framework is a new row,
so results obtained against the old one keep their meaning). An item is identified by its
public ``uid`` (``crcn-1.1-003``) and carries a ``version``: the row always holds the current
version and each response records the version it was checked against.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from learners.database import Base, UTCDateTime, utcnow, value_enum


class FrameworkKind(enum.StrEnum):
    """``levels``: results are levels 1–8; ``referral``: the beginner diagnostic's orientation."""

    LEVELS = "levels"
    REFERRAL = "referral"


class ItemType(enum.StrEnum):
    QCU = "qcu"
    QCM = "qcm"
    QROC = "qroc"
    QROCM_IND = "qrocm_ind"
    QROCM_DEP = "qrocm_dep"
    NUMBER = "number"
    ORDERING = "ordering"
    MATCHING = "matching"
    TASK_WEBMAIL = "task_webmail"
    TASK_FORM = "task_form"
    TASK_PHISHING = "task_phishing"
    TASK_PROCEDURE = "task_procedure"


class ItemStatus(enum.StrEnum):
    DRAFT = "draft"
    VALIDATED = "validated"
    ARCHIVED = "archived"


class Accessibility(enum.StrEnum):
    """Whether an item works with an impairment; ``na``: the impairment does not matter."""

    OK = "ok"
    KO = "ko"
    NA = "na"


class AnswerStatus(enum.StrEnum):
    """How an item ended: stored on each response and read by the engine. Only ``ok`` counts
    as right (PIX: "je ne sais pas" and a time-out are failures too)."""

    OK = "ok"
    KO = "ko"
    SKIPPED = "skipped"  # "Je ne sais pas"
    TIMED_OUT = "timed_out"


class AssessmentMode(enum.StrEnum):
    ADAPTIVE = "adaptive"
    FIXED = "fixed"


class SessionStatus(enum.StrEnum):
    IN_PROGRESS = "in_progress"
    FINISHED = "finished"


class Referral(enum.StrEnum):
    """Orientation given by the beginner diagnostic."""

    AUTONOME = "autonome"
    A_ACCOMPAGNER = "a_accompagner"
    ATELIER_INITIATION = "atelier_initiation"


class Framework(Base):
    """A competency framework edition (CRCN, a trade, the beginner diagnostic)."""

    __tablename__ = "frameworks"
    __table_args__ = (UniqueConstraint("slug", "version", name="uq_frameworks_slug_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[str] = mapped_column(String(32))
    title_fr: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[FrameworkKind] = mapped_column(value_enum(FrameworkKind, "framework_kind"))
    source_url: Mapped[str | None] = mapped_column(String(500))
    licence: Mapped[str | None] = mapped_column(String(500))
    attribution: Mapped[str | None] = mapped_column(Text)
    colour: Mapped[str | None] = mapped_column(String(16))
    # cut_points[i] is the lowest ability (logit) reaching level i + 1.
    cut_points: Mapped[list[float]] = mapped_column(JSON)
    occupation_esco_uri: Mapped[str | None] = mapped_column(String(300))
    occupation_name: Mapped[str | None] = mapped_column(String(200))
    certification_register: Mapped[str | None] = mapped_column(String(16))
    certification_code: Mapped[str | None] = mapped_column(String(32))
    certification_title: Mapped[str | None] = mapped_column(String(300))
    certification_valid_until: Mapped[date | None] = mapped_column(Date)
    certification_url: Mapped[str | None] = mapped_column(String(500))
    # Referral frameworks only: thresholds, labels and next steps (see FORMAT.md).
    referral: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Optional fields of the file this framework was imported from, kept for a faithful export.
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The organisation that wrote or copied it; ``None``: shipped with Jalon, read-only. (No
    # cascade: an organisation whose content has answers is not deleted with it.)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # Changed whenever one of its items or competences is written (``assessments.item_pool``):
    # a worker's cached item pool is good while the stamp it was read with is current.
    bank_stamp: Mapped[str] = mapped_column(
        String(32), default=lambda: uuid.uuid4().hex, server_default="initial"
    )

    domains: Mapped[list[Domain]] = relationship(
        back_populates="framework", order_by="Domain.position", cascade="all, delete-orphan"
    )
    competences: Mapped[list[Competence]] = relationship(
        order_by="Competence.position", viewonly=True
    )

    def __repr__(self) -> str:
        return f"<Framework {self.slug}@{self.version}>"


class Domain(Base):
    __tablename__ = "framework_domains"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32))
    title_fr: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer, default=0)

    framework: Mapped[Framework] = relationship(back_populates="domains")
    competences: Mapped[list[Competence]] = relationship(
        back_populates="domain", order_by="Competence.position", cascade="all, delete-orphan"
    )


class Competence(Base):
    __tablename__ = "competences"
    __table_args__ = (UniqueConstraint("framework_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    domain_id: Mapped[int] = mapped_column(
        ForeignKey("framework_domains.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(32))
    title_fr: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    description_fr: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    position: Mapped[int] = mapped_column(Integer, default=0)

    framework: Mapped[Framework] = relationship(viewonly=True)
    domain: Mapped[Domain] = relationship(back_populates="competences")
    levels: Mapped[list[LevelDescriptor]] = relationship(
        back_populates="competence",
        order_by="LevelDescriptor.level",
        cascade="all, delete-orphan",
    )
    alignments: Mapped[list[Alignment]] = relationship(
        back_populates="competence", order_by="Alignment.id", cascade="all, delete-orphan"
    )

    def __repr__(self) -> str:
        return f"<Competence {self.code}>"


class LevelDescriptor(Base):
    """What a person at ``level`` can do in a competence (plain French)."""

    __tablename__ = "level_descriptors"
    __table_args__ = (
        UniqueConstraint("competence_id", "level"),
        CheckConstraint("level BETWEEN 1 AND 8", name="level_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("competences.id", ondelete="CASCADE"), index=True
    )
    level: Mapped[int] = mapped_column(Integer)
    text_fr: Mapped[str] = mapped_column(Text)
    text_en: Mapped[str | None] = mapped_column(Text)

    competence: Mapped[Competence] = relationship(back_populates="levels")


class Alignment(Base):
    """A competence's match in an external framework (DigComp, ESCO skill, RNCP block): badges
    copy these into ``Achievement.alignment``."""

    __tablename__ = "competence_alignments"

    id: Mapped[int] = mapped_column(primary_key=True)
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("competences.id", ondelete="CASCADE"), index=True
    )
    framework_name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str | None] = mapped_column(String(100))
    name: Mapped[str | None] = mapped_column(String(300))
    url: Mapped[str | None] = mapped_column(String(500))

    competence: Mapped[Competence] = relationship(back_populates="alignments")


def visually_accessible(blind: Accessibility | str, colour_blind: Accessibility | str) -> bool:
    """PIX's rule for an accessibility adjustment, on the two columns (sessions read them
    without loading whole items)."""
    return Accessibility.KO not in (blind, colour_blind)


class Item(Base):
    """One question or simulated task of the bank, in its current version."""

    __tablename__ = "items"
    __table_args__ = (
        CheckConstraint("level BETWEEN 1 AND 8", name="level_range"),
        CheckConstraint("version >= 1", name="version_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(String(100), unique=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("competences.id", ondelete="RESTRICT"), index=True
    )
    level: Mapped[int] = mapped_column(Integer)
    type: Mapped[ItemType] = mapped_column(value_enum(ItemType, "item_type"))
    status: Mapped[ItemStatus] = mapped_column(value_enum(ItemStatus, "item_status"), index=True)
    instruction: Mapped[str] = mapped_column(Text)
    instruction_sr: Mapped[str | None] = mapped_column(Text)
    image_file: Mapped[str | None] = mapped_column(String(200))
    image_alt: Mapped[str | None] = mapped_column(Text)
    access_blind: Mapped[Accessibility] = mapped_column(value_enum(Accessibility, "accessibility"))
    access_colour_blind: Mapped[Accessibility] = mapped_column(
        value_enum(Accessibility, "accessibility")
    )
    access_deaf: Mapped[Accessibility] = mapped_column(value_enum(Accessibility, "accessibility"))
    timer_seconds: Mapped[int | None] = mapped_column(Integer)
    a: Mapped[float] = mapped_column(Float, default=1.0)
    b: Mapped[float] = mapped_column(Float)
    calibrated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    explanation: Mapped[str] = mapped_column(Text)
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    key: Mapped[Any] = mapped_column(JSON)
    tolerance: Mapped[list[str] | None] = mapped_column(JSON)
    extra: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # Always its framework's owner (``None``: shipped), kept here so the bank filters items
    # by organisation without joining competences and frameworks.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    competence: Mapped[Competence] = relationship()

    @property
    def accessible_blind(self) -> bool:
        return self.access_blind != Accessibility.KO

    @property
    def accessible_visual(self) -> bool:
        """PIX's rule for an accessibility adjustment: fine for blind and colour-blind people."""
        return visually_accessible(self.access_blind, self.access_colour_blind)

    def __repr__(self) -> str:
        return f"<Item {self.uid} v{self.version} {self.type.value}>"


class ItemImage(Base):
    """A picture an organisation's items show (uploaded in the studio or imported beside the
    JSON), stored checked (PNG re-encoded, SVG sanitised: ``assessments.item_images``).

    An item names it by ``name`` (its ``image_file``), looked up in the item's organisation;
    shipped items' pictures are files under ``content/images/<slug>/`` and have no row."""

    __tablename__ = "item_images"
    __table_args__ = (UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(40))
    sha256: Mapped[str] = mapped_column(String(64))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ItemVersion(Base):
    """An earlier version of an item, in its file shape (``content_export.export_item``).

    The ``items`` row always holds the current version; when a change of meaning (type, body,
    key, tolerance) raises the version, the version it replaces is kept here, so responses
    (``item_id`` + ``item_version``) still say what the learner was asked and which key
    checked them."""

    __tablename__ = "item_versions"
    __table_args__ = (UniqueConstraint("item_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    replaced_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Assessment(Base):
    """What is assessed and how: a framework (or some of its competences), adaptive or a fixed
    list of items, a stopping rule and an optional time limit."""

    __tablename__ = "assessments"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="RESTRICT"), index=True
    )
    # None = the whole framework; else a list of competence codes.
    competence_codes: Mapped[list[str] | None] = mapped_column(JSON)
    mode: Mapped[AssessmentMode] = mapped_column(value_enum(AssessmentMode, "assessment_mode"))
    # Fixed mode: the item uids, in the order they are asked.
    item_uids: Mapped[list[str] | None] = mapped_column(JSON)
    min_items: Mapped[int] = mapped_column(Integer, default=10)
    max_items: Mapped[int] = mapped_column(Integer, default=24)
    # Adaptive mode stops early once every assessed competence's standard error is below this.
    target_se: Mapped[float | None] = mapped_column(Float)
    time_limit_minutes: Mapped[int | None] = mapped_column(Integer)
    # Only items fine for blind and colour-blind people (an accessibility adjustment).
    accessible_only: Mapped[bool] = mapped_column(Boolean, default=False)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    framework: Mapped[Framework] = relationship()


class Campaign(Base):
    """An assessment offered by one organisation under an access code, between two dates."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessments.id", ondelete="RESTRICT"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    code: Mapped[str] = mapped_column(String(16), unique=True)
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Set when the organisation puts the campaign away: hidden from its list, and closed.
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The funded action the campaign serves: its sessions count in that action's indicators.
    action_id: Mapped[int | None] = mapped_column(ForeignKey("actions.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    assessment: Mapped[Assessment] = relationship()

    def __repr__(self) -> str:
        return f"<Campaign {self.code}>"


class AssessmentSession(Base):
    """One learner taking one campaign; holds the item currently asked so a closed browser
    resumes where it stopped, and the seed that makes the adaptive draw reproducible."""

    __tablename__ = "assessment_sessions"
    # Covers the indicators' walk from a learner to their finished sessions (tests/bench).
    __table_args__ = (
        Index(
            "ix_assessment_sessions_learner_status",
            "learner_id",
            "status",
            "finished_at",
            "campaign_id",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[SessionStatus] = mapped_column(value_enum(SessionStatus, "session_status"))
    seed: Mapped[int] = mapped_column(Integer)
    current_item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="SET NULL"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    theta: Mapped[float | None] = mapped_column(Float)
    se: Mapped[float | None] = mapped_column(Float)
    total_score: Mapped[int | None] = mapped_column(Integer)
    referral: Mapped[Referral | None] = mapped_column(value_enum(Referral, "referral"))
    # When the badges this session earns were issued (``badges.awarding``). Empty on a finished
    # session means its awarding is pending: it failed, or the time limit ended the session on
    # a page view (badges are never issued by a GET); a POST or ``jalon badges award-pending``
    # issues them.
    badges_awarded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    campaign: Mapped[Campaign] = relationship()
    current_item: Mapped[Item | None] = relationship()
    responses: Mapped[list[Response]] = relationship(
        back_populates="session", order_by="Response.position", cascade="all, delete-orphan"
    )
    results: Mapped[list[CompetenceResult]] = relationship(
        back_populates="session", order_by="CompetenceResult.id", cascade="all, delete-orphan"
    )

    @property
    def finished(self) -> bool:
        return self.status == SessionStatus.FINISHED

    @property
    def badges_pending(self) -> bool:
        """Finished, and its badges not issued yet."""
        return self.finished and self.badges_awarded_at is None


class Response(Base):
    """An item asked in a session; ``status`` stays empty until it is answered, skipped or
    timed out. One row per (session, item): a double submit cannot count twice."""

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("session_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_sessions.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="RESTRICT"), index=True)
    item_version: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status: Mapped[AnswerStatus | None] = mapped_column(value_enum(AnswerStatus, "answer_status"))
    answer: Mapped[Any] = mapped_column(JSON, nullable=True)
    time_spent_ms: Mapped[int | None] = mapped_column(Integer)

    session: Mapped[AssessmentSession] = relationship(back_populates="responses")
    item: Mapped[Item] = relationship()

    @property
    def correct(self) -> bool:
        return self.status == AnswerStatus.OK


class CompetenceResult(Base):
    """A finished session's result in one competence: ability, its error, level and score."""

    __tablename__ = "competence_results"
    __table_args__ = (
        UniqueConstraint("session_id", "competence_id"),
        # Covers what « compétences acquises » reads of a result (tests/bench: indicators).
        Index("ix_competence_results_session_level", "session_id", "competence_id", "level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("assessment_sessions.id", ondelete="CASCADE"), index=True
    )
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("competences.id", ondelete="RESTRICT"), index=True
    )
    theta: Mapped[float] = mapped_column(Float)
    se: Mapped[float] = mapped_column(Float)
    level: Mapped[int] = mapped_column(Integer)
    score: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    correct: Mapped[int] = mapped_column(Integer)

    session: Mapped[AssessmentSession] = relationship(back_populates="results")
    competence: Mapped[Competence] = relationship()


class CompetenceProgress(Base):
    """The first and last level of one path (enrolment) in one competence it was measured in
    at least twice, kept by ``assessments.path_progress`` as sessions finish and paths change: what
    « compétences acquises » compares, so the indicator reads one row per path and competence
    instead of every result of every session (tests/bench: indicators)."""

    __tablename__ = "competence_progress"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True
    )
    competence_id: Mapped[int] = mapped_column(
        ForeignKey("competences.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    first_level: Mapped[int] = mapped_column(Integer)
    last_level: Mapped[int] = mapped_column(Integer)


class PathProgress(Base):
    """Whether a path went up at least one level in any competence among those it was measured
    in twice (one row per path with a ``CompetenceProgress`` row): the headline of « compétences
    acquises » reads one row per path, kept with the rows it sums up."""

    __tablename__ = "path_progress"

    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="CASCADE"), primary_key=True
    )
    progressed: Mapped[bool] = mapped_column(Boolean)


class ItemFit(Base):
    """An item's last calibration from one organisation's answers: the ``a``/``b`` it found,
    and whether the item fits the model (``misfit``: to review before trusting it). Kept per
    organisation, since each calibrates from its own learners; the item's own ``a``/``b``
    change only for items the organisation owns (shipped items stay read-only)."""

    __tablename__ = "item_fits"
    __table_args__ = (UniqueConstraint("organisation_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), index=True)
    item_version: Mapped[int] = mapped_column(Integer)
    calibrated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    answers: Mapped[int] = mapped_column(Integer)
    a: Mapped[float] = mapped_column(Float)
    b: Mapped[float] = mapped_column(Float)
    se_a: Mapped[float] = mapped_column(Float)
    se_b: Mapped[float] = mapped_column(Float)
    fit_p: Mapped[float] = mapped_column(Float)
    misfit: Mapped[bool] = mapped_column(Boolean)
    # Whether a and b were saved on the item (only items the organisation owns, fitting ones).
    applied: Mapped[bool] = mapped_column(Boolean, default=False)


def shipped_or_own(model: type, organisation_id: int) -> ColumnElement[bool]:
    """Rows of ``model`` (a framework, an item, an assessment) an organisation may use: those
    shipped with Jalon (no owning organisation) and its own, never another organisation's."""
    owner = model.organisation_id
    return or_(owner.is_(None), owner == organisation_id)
