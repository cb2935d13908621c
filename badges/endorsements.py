"""Endorsements: the département or a partner employer vouches for an association's badge.

An endorsement is an OB 3.0 ``EndorsementCredential`` about the achievement's IRI, signed
(eddsa-rdfc-2022) by the endorser's own issuer, whose keys are sealed at rest as every issuer's
are. While it stands, it is embedded in every credential of that achievement issued from then
on (``achievement.endorsement``); credentials issued before it are never changed (they are
signed). Withdrawing it sets its bit in the endorser's revocation list: later credentials no
longer carry it, and the copies already embedded in earlier ones verify as « retirée » — the
badges themselves stay valid.

Who may endorse: an organisation of an endorsing kind (the département, a partner employer),
through its administrators (and the département's own staff).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from badges import achievements, issuers, keys_store, status_lists
from badges.models import (
    Achievement,
    Credential,
    Endorsement,
    Issuer,
    KeyAlgorithm,
    StatusList,
)
from badges.ob3 import build, data_integrity
from badges.ob3.credential_fields import achievement_of, as_list
from learners.database import utcnow
from learners.models import Organisation, OrganisationKind, Role, User
from learners.organisations import FUNDED_KINDS

ENDORSER_KINDS = frozenset({OrganisationKind.DEPARTEMENT, OrganisationKind.EMPLOYEUR})
MAX_COMMENT = 1000
MAX_REASON = 500


class EndorsementError(ValueError):
    """An endorsement cannot be made or withdrawn (the web layer words each subclass)."""


class NotAnEndorser(EndorsementError):
    """Only the département and partner employers endorse badges."""


class CannotEndorse(EndorsementError):
    """The badge is archived, the endorser's own, or not an association's (the platform's)."""


class AlreadyEndorsed(EndorsementError):
    """The organisation endorses this badge already."""


class CommentRequired(EndorsementError):
    """An endorsement says why, in at most MAX_COMMENT characters."""


class ReasonRequired(EndorsementError):
    """A withdrawal gives its reason, in at most MAX_REASON characters."""


class AlreadyWithdrawn(EndorsementError):
    """Withdrawal is final; it was withdrawn already."""


class EndorsementNotFound(LookupError):
    """No endorsement with that public id in that organisation."""


@dataclass(frozen=True)
class EndorsableAchievement:
    """A badge an endorser may choose, with the association that issues it."""

    public_id: str
    name: str
    association: str


def endorsement_iri(public_id: str) -> str:
    """The credential's id: a URN (the signed JSON travels inside the badges it endorses)."""
    return f"urn:uuid:{public_id}"


def may_endorse(organisation: Organisation) -> bool:
    return organisation.kind in ENDORSER_KINDS


def department_organisation(user: User) -> Organisation | None:
    """The département a member of its staff endorses for (their ``department`` membership)."""
    membership = next(
        (
            m
            for m in user.memberships
            if m.role is Role.DEPARTMENT and m.organisation.kind is OrganisationKind.DEPARTEMENT
        ),
        None,
    )
    return membership.organisation if membership is not None else None


def _require_endorser(organisation: Organisation) -> None:
    if not may_endorse(organisation):
        raise NotAnEndorser(organisation.id)


def active_for(db: Session, achievement: Achievement) -> list[Endorsement]:
    """The endorsements standing for ``achievement``, oldest first."""
    return list(
        db.scalars(
            select(Endorsement)
            .where(Endorsement.achievement_id == achievement.id, Endorsement.withdrawn_at.is_(None))
            .order_by(Endorsement.id)
        )
    )


def of_achievement(db: Session, achievement: Achievement) -> list[Endorsement]:
    """Every endorsement of ``achievement`` (what its association sees): standing ones first,
    then withdrawn ones, newest first in each."""
    return list(
        db.scalars(
            select(Endorsement)
            .where(Endorsement.achievement_id == achievement.id)
            .order_by(Endorsement.withdrawn_at.is_not(None), Endorsement.id.desc())
        )
    )


def endorsed_among(db: Session, achievement_ids: list[int]) -> set[int]:
    """Which of these achievements have a standing endorsement (one query for a list page)."""
    if not achievement_ids:
        return set()
    return set(
        db.scalars(
            select(Endorsement.achievement_id).where(
                Endorsement.achievement_id.in_(achievement_ids),
                Endorsement.withdrawn_at.is_(None),
            )
        )
    )


def embedded(db: Session, achievement: Achievement) -> list[dict[str, Any]]:
    """What a credential of ``achievement`` issued now carries: the standing endorsements,
    as signed."""
    return [json.loads(e.signed_json) for e in active_for(db, achievement)]


def recognised_by(db: Session, credential: Credential) -> list[str]:
    """Who recognises this badge of ours now: the endorsers whose endorsement the credential
    carries and who have not withdrawn it (the learner's page says so, in our own records)."""
    carried = as_list(achievement_of(json.loads(credential.signed_json)).get("endorsement"))
    ids = [
        e["id"].removeprefix("urn:uuid:")
        for e in carried
        if isinstance(e, dict) and isinstance(e.get("id"), str)
    ]
    if not ids:
        return []
    return list(
        db.scalars(
            select(Issuer.name)
            .join(Endorsement, Endorsement.issuer_id == Issuer.id)
            .where(Endorsement.public_id.in_(ids), Endorsement.withdrawn_at.is_(None))
            .order_by(Endorsement.id)
        )
    )


def of_organisation(db: Session, organisation: Organisation) -> list[Endorsement]:
    """The endorsements ``organisation`` made, standing ones first, newest first."""
    return list(
        db.scalars(
            select(Endorsement)
            .where(Endorsement.organisation_id == organisation.id)
            .order_by(Endorsement.withdrawn_at.is_not(None), Endorsement.id.desc())
        )
    )


def get_for(db: Session, organisation: Organisation, public_id: str) -> Endorsement:
    """``organisation``'s endorsement; another organisation's reads as not found."""
    endorsement = db.scalar(
        select(Endorsement).where(
            Endorsement.public_id == public_id, Endorsement.organisation_id == organisation.id
        )
    )
    if endorsement is None:
        raise EndorsementNotFound(public_id)
    return endorsement


def endorsable(db: Session, organisation: Organisation) -> list[EndorsableAchievement]:
    """The associations' badges in use that ``organisation`` does not endorse yet."""
    endorsed = select(Endorsement.achievement_id).where(
        Endorsement.organisation_id == organisation.id, Endorsement.withdrawn_at.is_(None)
    )
    rows = db.execute(
        select(Achievement.public_id, Achievement.name, Organisation.name)
        .join(Issuer, Achievement.issuer_id == Issuer.id)
        .join(Organisation, Issuer.organisation_id == Organisation.id)
        .where(
            Achievement.is_archived.is_(False),
            Organisation.kind.in_(FUNDED_KINDS),
            Organisation.id != organisation.id,
            Achievement.id.not_in(endorsed),
        )
        .order_by(Organisation.name, Achievement.name)
    )
    return [EndorsableAchievement(*row) for row in rows]


def _endorser_issuer(db: Session, organisation: Organisation, kek: str | bytes) -> Issuer:
    return issuers.for_organisation(db, organisation) or issuers.create(db, organisation, kek)


def endorse(
    db: Session,
    organisation: Organisation,
    achievement: Achievement,
    comment: str,
    *,
    actor: User | None,
    base_url: str,
    kek: str | bytes,
    now: datetime | None = None,
) -> Endorsement:
    """Sign and store ``organisation``'s endorsement of ``achievement`` (not committed)."""
    _require_endorser(organisation)
    comment = (comment or "").strip()
    if not comment or len(comment) > MAX_COMMENT:
        raise CommentRequired(achievement.public_id)
    owner = achievement.issuer.organisation
    if achievement.is_archived or owner.id == organisation.id or owner.kind not in FUNDED_KINDS:
        raise CannotEndorse(achievement.public_id)
    if any(e.organisation_id == organisation.id for e in active_for(db, achievement)):
        raise AlreadyEndorsed(achievement.public_id)
    now = (now or utcnow()).replace(microsecond=0)
    issuer = _endorser_issuer(db, organisation, kek)
    key = keys_store.active_key(db, issuer, KeyAlgorithm.ED25519)
    private = keys_store.private_key(key, kek)  # a wrong KEK fails here, before any change
    status_list, index = _status_bit(db, issuer, base_url, kek)
    endorsement = Endorsement(
        achievement=achievement,
        issuer=issuer,
        organisation=organisation,
        comment=comment,
        status_list=status_list,
        status_index=index,
        issued_at=now,
        created_by_id=actor.id if actor is not None else None,
        signed_json="",
    )
    db.add(endorsement)
    db.flush()
    unsigned = build.build_endorsement_credential(
        credential_id=endorsement_iri(endorsement.public_id),
        issuer=issuers.profile(issuer, base_url),
        subject_id=achievements.achievement_iri(achievement, base_url),
        comment=comment,
        name=f"Reconnaissance du badge « {achievement.name} » par {issuer.name}",
        valid_from=now,
        status=build.StatusEntry(
            status_list_credential=status_lists.list_url(status_list, base_url), index=index
        ),
    )
    signed = data_integrity.sign(
        unsigned,
        private,  # type: ignore[arg-type]
        issuers.verification_method_id(issuer, key, base_url),
        created=build.format_datetime(now),
    )
    signed["proof"] = [signed["proof"]]  # OB 3.0 serialises proof as an array
    endorsement.signed_json = json.dumps(signed, ensure_ascii=False)
    db.flush()
    return endorsement


def _status_bit(
    db: Session, issuer: Issuer, base_url: str, kek: str | bytes
) -> tuple[StatusList, int]:
    """A revocation bit in the endorser's list, taken as issuance takes one (no lock held while
    the endorsement is signed)."""
    return status_lists.reserve_revocation_bit(db, issuer, base_url=base_url, kek=kek)


def withdraw(
    db: Session,
    endorsement: Endorsement,
    reason: str,
    *,
    base_url: str,
    kek: str | bytes,
    now: datetime | None = None,
) -> Endorsement:
    """Withdraw for good (not committed): later credentials stop carrying it, and its bit in
    the endorser's revocation list is set, so embedded copies verify as withdrawn."""
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_REASON:
        raise ReasonRequired(endorsement.public_id)
    if endorsement.withdrawn_at is not None:
        raise AlreadyWithdrawn(endorsement.public_id)
    now = now or utcnow()
    status_lists.set_bit(
        db,
        endorsement.status_list,
        endorsement.status_index,
        True,
        base_url=base_url,
        kek=kek,
        now=now,
    )
    endorsement.withdrawn_at = now
    endorsement.withdrawal_reason = reason
    db.flush()
    return endorsement
