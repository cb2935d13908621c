"""Awarding a badge by hand: what no quiz shows (a practical test, a placement, a project).

A trainer or an organisation admin awards one of the organisation's achievements to one of its
learners, resting on evidence: a narrative, a URL, and a file (``badges.evidence_files``) the
person agreed to attach. The credential is issued by ``badges.issuance`` like any other (so it
passes the OB 3.0 schema and verifies), records who awarded it, and the journal says so.

A learner holds an achievement at most once while it stands: awarding it again is refused
(``AlreadyHolds``) until the earlier credential is revoked. The check runs under the learner's
row lock, so two awards to one person at the same moment cannot both pass it, while awards to
different people (a CSV file split between workers) do not wait for each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select, update
from sqlalchemy.orm import Session, joinedload

from badges import evidence_files, issuance, session_badges, wallet
from badges.achievements import AchievementNotFound
from badges.models import Achievement, Credential, Issuer, new_public_id
from learners import audit
from learners.models import Learner, Membership, Role, User

MAX_NARRATIVE = 4000
MAX_URL = 2000


class LearnerNotFound(LookupError):
    """Not a learner of this organisation."""


class AlreadyHolds(ValueError):
    """The learner holds this achievement already (not revoked)."""


class InvalidEvidenceUrl(ValueError):
    """The evidence URL is not an http(s) address."""


class NothingToRestOn(ValueError):
    """A manual award needs at least a narrative, a URL or a file."""


@dataclass(frozen=True)
class Evidence:
    """What a manual award rests on (all optional, at least one given)."""

    narrative: str = ""
    url: str = ""
    file: evidence_files.CheckedFile | None = None


def achievement_of(db: Session, organisation_id: int, public_id: str) -> Achievement:
    """The organisation's own achievement ``public_id`` that can be awarded now (published, the
    current version: earlier versions are archived), else ``AchievementNotFound``."""
    found = db.scalar(
        select(Achievement)
        .join(Issuer, Achievement.issuer_id == Issuer.id)
        .where(
            Achievement.public_id == public_id[:36],
            Issuer.organisation_id == organisation_id,
            Achievement.is_archived.is_(False),
            Achievement.is_draft.is_(False),
        )
    )
    if found is None:
        raise AchievementNotFound(public_id)
    return found


def learners_of(db: Session, organisation_id: int) -> list[Learner]:
    """The organisation's learners, by name (the award form's choices)."""
    return list(
        db.scalars(
            select(Learner)
            .join(User, Learner.user_id == User.id)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.organisation_id == organisation_id, Membership.role == Role.LEARNER)
            .order_by(Learner.display_name, Learner.id)
        )
    )


def learner_of(db: Session, organisation_id: int, learner_id: int) -> Learner:
    found = db.scalar(
        select(Learner)
        .join(Membership, Membership.user_id == Learner.user_id)
        .where(
            Learner.id == learner_id,
            Membership.organisation_id == organisation_id,
            Membership.role == Role.LEARNER,
        )
    )
    if found is None:
        raise LearnerNotFound(str(learner_id))
    return found


def current_credential(
    db: Session, achievement: Achievement, learner: Learner
) -> Credential | None:
    """The learner's standing (not revoked) credential of ``achievement``, if any."""
    return db.scalar(
        select(Credential)
        .where(
            Credential.achievement_id == achievement.id,
            Credential.learner_id == learner.id,
            Credential.revoked_at.is_(None),
        )
        .limit(1)
    )


def _lock(db: Session, learner: Learner) -> None:
    """The learner's row lock until commit (a no-op UPDATE: the row lock on PostgreSQL, the
    write lock on SQLite), taken before the check that they do not hold the badge yet."""
    db.execute(
        update(Learner)
        .where(Learner.id == learner.id)
        .values(display_name=Learner.display_name)
        .execution_options(synchronize_session=False)
    )


def clean_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if len(url) > MAX_URL or parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidEvidenceUrl(url[:80])
    return url


def _evidence_json(evidence: Evidence, file_url: str | None) -> list[dict[str, Any]]:
    """OB 3.0 Evidence objects (French: the credential's language)."""
    items: list[dict[str, Any]] = []
    if evidence.narrative:
        items.append(
            {
                "name": "Appréciation de l'organisme",
                "narrative": evidence.narrative,
                "genre": "Observation",
            }
        )
    if file_url and evidence.file is not None:
        items.append(
            {
                "id": file_url,
                # Not the file's name: it may name the person, and the credential is public.
                "name": "Pièce justificative (PDF)"
                if evidence.file.media_type == "application/pdf"
                else "Pièce justificative (image)",
                "description": "Pièce justificative, consultable par la personne et l'organisme.",
                "genre": "Document",
            }
        )
    if evidence.url:
        items.append({"id": evidence.url, "name": "Lien vers la réalisation", "genre": "Lien"})
    return items


def award(
    db: Session,
    *,
    achievement: Achievement,
    learner: Learner,
    evidence: Evidence,
    actor: User | None,
    organisation_id: int,
    base_url: str,
    kek: str | bytes,
    source: str = "manual",
    now: datetime | None = None,
    keys: issuance.SigningKeys | None = None,
) -> Credential:
    """Issue ``achievement`` to ``learner`` by hand (flushed, not committed), with its evidence
    and a journal line. ``source`` names the way in (``manual``, ``csv``) in the award key;
    ``keys``: the issuer's keys already opened (a CSV file opens them once)."""
    narrative = (evidence.narrative or "").strip()[:MAX_NARRATIVE]
    evidence = Evidence(narrative, clean_url(evidence.url), evidence.file)
    if not (evidence.narrative or evidence.url or evidence.file):
        raise NothingToRestOn()
    _lock(db, learner)
    if current_credential(db, achievement, learner) is not None:
        raise AlreadyHolds(achievement.public_id)
    stored = None
    if evidence.file is not None:
        stored = evidence_files.store(
            db, evidence.file, organisation_id=organisation_id, learner=learner, uploaded_by=actor
        )
    file_url = evidence_files.url(stored.public_id, base_url) if stored else None
    issued = issuance.issue(
        db,
        achievement=achievement,
        learner=learner,
        award_key=f"{source}:{achievement.public_id}:{learner.pseudonym}:{new_public_id()}",
        base_url=base_url,
        kek=kek,
        evidence=_evidence_json(evidence, file_url),
        awarded_by_id=actor.id if actor is not None else None,
        now=now,
        keys=keys,
    )
    credential = issued.credential
    if stored is not None:
        stored.credential_id = credential.id
    audit.record(
        db,
        "credential.awarded",
        actor=actor,
        organisation_id=organisation_id,
        target_type="credential",
        target_id=credential.public_id,
        detail={"achievement": achievement.name, "source": source, "file": stored is not None},
    )
    return credential


def credentials_of(db: Session, organisation_id: int, learner: Learner) -> list[Credential]:
    """The learner's credentials issued by this organisation, newest first (revoked included)."""
    return list(
        db.scalars(
            select(Credential)
            .join(Issuer, Credential.issuer_id == Issuer.id)
            .where(Credential.learner_id == learner.id, Issuer.organisation_id == organisation_id)
            .options(joinedload(Credential.achievement))
            .order_by(Credential.issued_at.desc(), Credential.id.desc())
        )
    )


def holders_of(
    db: Session, achievement: Achievement, limit: int = 200
) -> list[tuple[Credential, wallet.WalletStatus]]:
    """The achievement's credentials and their state, newest first (the badge's page lists and
    manages them)."""
    found = db.scalars(
        select(Credential)
        .where(Credential.achievement_id == achievement.id)
        .options(joinedload(Credential.learner))
        .order_by(Credential.issued_at.desc(), Credential.id.desc())
        .limit(limit)
    )
    return [(credential, wallet.status(credential)) for credential in found]


def awarded_by_hand(
    db: Session, organisation_id: int, learner: Learner
) -> list[tuple[Credential, wallet.WalletStatus]]:
    """The learner's badges this organisation awarded by hand or from a file (not those an
    assessment earned, which the learner's record lists with their session), and their state."""
    return [
        (credential, wallet.status(credential))
        for credential in credentials_of(db, organisation_id, learner)
        if session_badges.session_of(credential) is None
    ]


def credential_of(db: Session, organisation_id: int, public_id: str) -> Credential:
    """A credential this organisation issued, else ``issuance.CredentialNotFound`` (the same
    answer for another organisation's badge and for none: existence is not revealed)."""
    found = db.scalar(
        select(Credential)
        .join(Issuer, Credential.issuer_id == Issuer.id)
        .where(Credential.public_id == public_id[:36], Issuer.organisation_id == organisation_id)
    )
    if found is None:
        raise issuance.CredentialNotFound(public_id)
    return found
