"""Organisations, users, their role in each organisation, and beneficiary profiles."""

from __future__ import annotations

import enum
import hashlib
import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from learners.database import Base, UTCDateTime, utcnow, value_enum


class OrganisationKind(enum.StrEnum):
    """Kinds of structure the département's call for projects funds, plus the two operators."""

    ASSOCIATION = "association"
    ESS = "ess"
    GIP = "gip"
    CHAMBRE_CONSULAIRE = "chambre_consulaire"
    EPLE = "eple"
    DEPARTEMENT = "departement"
    EMPLOYEUR = "employeur"  # a partner employer: its admins may endorse associations' badges
    PLATFORM = "platform"


class Role(enum.StrEnum):
    """What a member may do inside one organisation."""

    LEARNER = "learner"
    TRAINER = "trainer"
    ORG_ADMIN = "org_admin"
    DEPARTMENT = "department"
    PLATFORM_ADMIN = "platform_admin"


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[OrganisationKind] = mapped_column(
        value_enum(OrganisationKind, "organisation_kind")
    )
    siret: Mapped[str | None] = mapped_column(String(14), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    memberships: Mapped[list[Membership]] = relationship(back_populates="organisation")

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"


class User(Base):
    """A person who logs in: by e-mail, or by username when they have no e-mail (many do not)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str | None] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    locale: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Bumped by logging out or by "end all sessions": every cookie signed before is void.
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    learner: Mapped[Learner | None] = relationship(back_populates="user", uselist=False)

    @validates("email", "username")
    def _stored_normalised(self, _key: str, value: str | None) -> str | None:
        """Logins are kept trimmed and lower-case, the form sign-in looks them up in (an
        equality on the unique index, not a scan on ``lower()``)."""
        return value.strip().lower() if value else value

    # The identity protocol Flask-Login expects, written here without importing Flask.
    is_authenticated = True
    is_anonymous = False

    def get_id(self) -> str:
        """Session identity bound to the password hash and the session version: a password
        change, a logout or "end all sessions" voids every session opened before."""
        bound = f"{self.password_hash}:{self.session_version or 0}"
        fingerprint = hashlib.sha256(bound.encode()).hexdigest()[:16]
        return f"{self.id}:{fingerprint}"

    @property
    def login(self) -> str:
        """What the person types to log in."""
        return self.username or self.email or ""

    def roles_in(self, organisation_id: int) -> set[Role]:
        return {m.role for m in self.memberships if m.organisation_id == organisation_id}

    def has_role(self, *roles: Role) -> bool:
        return any(m.role in roles for m in self.memberships)

    def __repr__(self) -> str:
        return f"<User {self.id} {self.login!r}>"


class Membership(Base):
    """A user's role in one organisation; the unit every authorisation decision looks at."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "organisation_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(value_enum(Role, "membership_role"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    organisation: Mapped[Organisation] = relationship(back_populates="memberships")


def new_pseudonym() -> str:
    return uuid.uuid4().hex


class Learner(Base):
    """A beneficiary's profile: a pseudonymous id and the name they want shown. Nothing else."""

    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    pseudonym: Mapped[str] = mapped_column(String(32), unique=True, default=new_pseudonym)
    display_name: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user: Mapped[User] = relationship(back_populates="learner")


class AuditEvent(Base):
    """One line of an organisation's journal: who changed or opened what, when, and why.

    ``detail`` holds small non-personal facts (a campaign's name, the fields changed, ids);
    never a beneficiary's name. The actor's id is kept while the account exists.
    """

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    reason: Mapped[str | None] = mapped_column(Text)

    actor: Mapped[User | None] = relationship()


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(Base):
    """Long work done away from the request (bulk awards, imports, calibration, big exports):
    its progress is read by the page that started it. ``result`` is a small summary, never
    personal data; ``error`` says what went wrong in words a trainer can act on."""

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_pseudonym)
    kind: Mapped[str] = mapped_column(String(64))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    status: Mapped[JobStatus] = mapped_column(
        value_enum(JobStatus, "job_status"), default=JobStatus.QUEUED
    )
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int | None] = mapped_column()
    arguments: Mapped[dict] = mapped_column(JSON, default=dict)
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int | None:
        if not self.total:
            return 100 if self.status is JobStatus.DONE else None
        return min(100, int(100 * self.done / self.total))


# --- Funded actions, enrolments and outcomes (the département's call for projects) ---------------


class Typology(enum.StrEnum):
    """The eight kinds of action the département's call for projects funds."""

    DIAGNOSTIC = "diagnostic"
    PEER_DISCOVERY = "decouverte_pairs"  # découverte des métiers par les pairs
    QUALIFYING_TRAINING = "formation_qualifiante"  # qualifiante, certifiante ou diplômante
    FEMINISATION = "feminisation"
    DIGITAL_INCLUSION = "inclusion_numerique"  # reserved to RSA beneficiaries
    INNOVATIVE_RECRUITMENT = "recrutement_innovant"
    BADGE_VALIDATION = "validation_badges"  # validation par certifications et open badges
    PROFESSIONAL_ENGLISH = "anglais_professionnel"


class Referrer(enum.StrEnum):
    """The service that sent the beneficiary to the action."""

    ALI = "ali"  # Agence locale d'insertion
    FRANCE_TRAVAIL = "france_travail"
    SSD = "ssd"  # Service social départemental
    PIE = "pie"  # Projet insertion emploi
    OTHER = "autre"


class PublicStatus(enum.StrEnum):
    """The beneficiary's status at entry: what the département's indicators break down by."""

    RSA_CER = "rsa_cer"  # RSA with a contrat d'engagement réciproque
    RSA_PPAE = "rsa_ppae"  # RSA with a projet personnalisé d'accès à l'emploi
    JOB_SEEKER = "demandeur_emploi"
    OTHER = "autre"

    @property
    def is_rsa(self) -> bool:
        return self in (PublicStatus.RSA_CER, PublicStatus.RSA_PPAE)


class Sex(enum.StrEnum):
    FEMALE = "f"
    MALE = "m"
    NOT_STATED = "nd"


class ExitReason(enum.StrEnum):
    COMPLETED = "parcours_termine"
    DROPPED_OUT = "abandon"
    REORIENTED = "reorientation"
    FOUND_JOB = "emploi"
    MOVED = "demenagement"
    OTHER = "autre"


class OutcomeMoment(enum.StrEnum):
    """When the situation was observed: at exit, or six months after it."""

    EXIT = "sortie"
    SIX_MONTHS = "six_mois"


class Situation(enum.StrEnum):
    """The beneficiary's situation at a moment, in the call's categories."""

    CDI = "cdi"
    CDD_6_MONTHS_OR_MORE = "cdd_6_mois_plus"
    CDD_UNDER_6_MONTHS = "cdd_moins_6_mois"
    INTERIM = "interim"
    WORK_STUDY = "alternance"
    BUSINESS_CREATION = "creation_entreprise"
    QUALIFYING_TRAINING = "formation_qualifiante"
    OTHER_TRAINING = "autre_formation"
    NO_SOLUTION = "sans_solution"
    UNKNOWN = "inconnue"

    @property
    def is_employment(self) -> bool:
        return self in EMPLOYMENT_SITUATIONS

    @property
    def is_training(self) -> bool:
        return self in (Situation.QUALIFYING_TRAINING, Situation.OTHER_TRAINING)


EMPLOYMENT_SITUATIONS = frozenset(
    {
        Situation.CDI,
        Situation.CDD_6_MONTHS_OR_MORE,
        Situation.CDD_UNDER_6_MONTHS,
        Situation.INTERIM,
        Situation.WORK_STUDY,
        Situation.BUSINESS_CREATION,
    }
)


class Action(Base):
    """A programme funded under the call: what its porteur planned, against which the
    département judges what it achieved. Rates are whole percentages (0–100)."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(32), unique=True, default=new_pseudonym)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    typologies: Mapped[list[str]] = mapped_column(JSON, default=list)  # Typology values
    target_jobs: Mapped[list[str]] = mapped_column(JSON, default=list)  # codes of target_jobs.json
    first_year: Mapped[int] = mapped_column(SmallInteger)
    last_year: Mapped[int] = mapped_column(SmallInteger)
    communes: Mapped[list[str]] = mapped_column(JSON, default=list)  # INSEE codes
    planned_beneficiaries: Mapped[int] = mapped_column(Integer)
    planned_completion_rate: Mapped[int | None] = mapped_column(SmallInteger)
    planned_success_rate: Mapped[int | None] = mapped_column(SmallInteger)
    planned_employment_rate: Mapped[int | None] = mapped_column(SmallInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    enrolments: Mapped[list[Enrolment]] = relationship(back_populates="action")

    @property
    def inclusion_only_rsa(self) -> bool:
        """An inclusion-numérique action is reserved to RSA beneficiaries."""
        return Typology.DIGITAL_INCLUSION.value in (self.typologies or [])

    def __repr__(self) -> str:
        return f"<Action {self.id} {self.title!r}>"


class Enrolment(Base):
    """A learner's path in one action, with the few facts the indicators need about them:
    sensitive personal data (RSA status), kept to the call's minimum and never shown to the
    département except as aggregates."""

    __tablename__ = "enrolments"
    __table_args__ = (
        UniqueConstraint("action_id", "learner_id"),
        Index("ix_enrolments_action_entry", "action_id", "entry_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("actions.id", ondelete="CASCADE"))
    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), index=True
    )
    referrer: Mapped[Referrer] = mapped_column(value_enum(Referrer, "enrolment_referrer"))
    entry_date: Mapped[date] = mapped_column(Date)
    exit_date: Mapped[date | None] = mapped_column(Date, index=True)
    exit_reason: Mapped[ExitReason | None] = mapped_column(value_enum(ExitReason, "exit_reason"))
    sessions_attended: Mapped[int | None] = mapped_column(SmallInteger)
    sessions_planned: Mapped[int | None] = mapped_column(SmallInteger)
    public_status: Mapped[PublicStatus] = mapped_column(value_enum(PublicStatus, "public_status"))
    sex: Mapped[Sex] = mapped_column(value_enum(Sex, "sex"), default=Sex.NOT_STATED)
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    commune_code: Mapped[str | None] = mapped_column(String(5))  # INSEE code
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    action: Mapped[Action] = relationship(back_populates="enrolments")
    learner: Mapped[Learner] = relationship()
    outcomes: Mapped[list[Outcome]] = relationship(
        back_populates="enrolment", cascade="all, delete-orphan"
    )


class Outcome(Base):
    """The beneficiary's situation at exit or six months after it (one of each at most)."""

    __tablename__ = "outcomes"
    __table_args__ = (UniqueConstraint("enrolment_id", "moment"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id", ondelete="CASCADE"))
    moment: Mapped[OutcomeMoment] = mapped_column(value_enum(OutcomeMoment, "outcome_moment"))
    situation: Mapped[Situation] = mapped_column(value_enum(Situation, "situation"))
    observed_on: Mapped[date | None] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    enrolment: Mapped[Enrolment] = relationship(back_populates="outcomes")


class ApiToken(Base):
    """A key the département's own tools present to the indicators API (``Authorization:
    Bearer …``). Only the SHA-256 of the secret is kept: the secret is shown once, at creation;
    ``prefix`` is its public start, shown in lists so a token can be recognised and revoked."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or now < self.expires_at)
