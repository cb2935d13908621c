"""Assessments (what is assessed, how) and campaigns (an assessment an organisation offers
under a short access code, between two dates).

Access codes are typed by people who may read with difficulty: 8 characters shown as
``ABCD-EFGH``, from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B), and typing
is forgiving (case, spaces and dashes ignored).
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from assessments.models import (
    Assessment,
    AssessmentMode,
    Campaign,
    Competence,
    Framework,
    Item,
)
from learners.database import utcnow

CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 8


class CampaignError(Exception):
    """Base of the errors met when joining a campaign."""


class UnknownCampaignCode(CampaignError):
    """No campaign has this code."""


class CampaignClosed(CampaignError):
    """The campaign's closing date has passed, or the organisation archived it."""


class CampaignNotOpenYet(CampaignError):
    """The campaign opens later, at ``opens_at`` (the message says when)."""

    def __init__(self, code: str, opens_at: datetime | None = None) -> None:
        super().__init__(code)
        self.code = code
        self.opens_at = opens_at


class InvalidAssessment(ValueError):
    """An assessment definition that cannot work (message in French)."""


def normalise_code(typed: str) -> str:
    """What the person typed, as stored: upper case, no spaces nor dashes."""
    return "".join(ch for ch in typed.upper() if ch.isalnum())


def format_code(code: str) -> str:
    """``ABCDEFGH`` → ``ABCD-EFGH`` (how it is printed)."""
    return f"{code[:4]}-{code[4:]}" if len(code) == CODE_LENGTH else code


def generate_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def create_assessment(
    db: Session,
    framework: Framework,
    title: str,
    *,
    mode: AssessmentMode = AssessmentMode.ADAPTIVE,
    competence_codes: Sequence[str] | None = None,
    item_uids: Sequence[str] | None = None,
    min_items: int = 10,
    max_items: int = 24,
    target_se: float | None = None,
    time_limit_minutes: int | None = None,
    accessible_only: bool = False,
    organisation_id: int | None = None,
) -> Assessment:
    """Define an assessment, checking that its competences and items exist."""
    known = set(db.scalars(select(Competence.code).where(Competence.framework_id == framework.id)))
    if competence_codes is not None:
        unknown = [c for c in competence_codes if c not in known]
        if unknown or not competence_codes:
            raise InvalidAssessment(f"Compétence inconnue : {', '.join(unknown) or '(aucune)'}")
    if mode == AssessmentMode.FIXED:
        if not item_uids:
            raise InvalidAssessment("Une liste fixe d'items ne peut pas être vide.")
        found = set(
            db.scalars(
                select(Item.uid)
                .join(Competence)
                .where(Item.uid.in_(item_uids), Competence.framework_id == framework.id)
            )
        )
        missing = [uid for uid in item_uids if uid not in found]
        if missing:
            raise InvalidAssessment(f"Items inconnus dans ce référentiel : {', '.join(missing)}")
        if len(set(item_uids)) != len(item_uids):
            raise InvalidAssessment("Un item figure deux fois dans la liste.")
    if not 1 <= min_items <= max_items:
        raise InvalidAssessment("Le nombre minimum d'items doit être entre 1 et le maximum.")
    assessment = Assessment(
        title=title,
        framework_id=framework.id,
        framework=framework,
        mode=mode,
        competence_codes=list(competence_codes) if competence_codes is not None else None,
        item_uids=list(item_uids) if item_uids else None,
        min_items=min_items,
        max_items=max_items,
        target_se=target_se,
        time_limit_minutes=time_limit_minutes,
        accessible_only=accessible_only,
        organisation_id=organisation_id,
    )
    db.add(assessment)
    db.flush()
    return assessment


def create_campaign(
    db: Session,
    assessment: Assessment,
    organisation_id: int,
    name: str,
    *,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    code: str | None = None,
) -> Campaign:
    """Open a campaign under a fresh unique code (or ``code`` when given, e.g. in tests)."""
    opens_at = opens_at or utcnow()
    if closes_at is not None and closes_at <= opens_at:
        raise InvalidAssessment("La date de fin doit être après la date de début.")
    for _attempt in range(20):
        candidate = normalise_code(code) if code else generate_code()
        if db.scalar(select(Campaign.id).where(Campaign.code == candidate)) is not None:
            if code:
                raise InvalidAssessment("Ce code est déjà pris.")
            continue
        campaign = Campaign(
            assessment_id=assessment.id,
            assessment=assessment,
            organisation_id=organisation_id,
            name=name,
            code=candidate,
            opens_at=opens_at,
            closes_at=closes_at,
        )
        try:
            with db.begin_nested():
                db.add(campaign)
                db.flush()
        except IntegrityError:  # another worker took the same code at the same moment
            continue
        return campaign
    raise RuntimeError("could not allocate a unique campaign code")


def _by_code(db: Session, typed_code: str) -> Campaign | None:
    return db.scalars(select(Campaign).where(Campaign.code == normalise_code(typed_code))).first()


def _check_open(campaign: Campaign, now: datetime | None) -> Campaign:
    now = now or utcnow()
    if campaign.archived_at is not None:
        raise CampaignClosed(campaign.code)
    if now < campaign.opens_at:
        raise CampaignNotOpenYet(campaign.code, campaign.opens_at)
    if campaign.closes_at is not None and now >= campaign.closes_at:
        raise CampaignClosed(campaign.code)
    return campaign


def find_campaign(db: Session, typed_code: str, now: datetime | None = None) -> Campaign:
    """The open campaign a typed code names; precise errors otherwise."""
    campaign = _by_code(db, typed_code)
    if campaign is None:
        raise UnknownCampaignCode(typed_code)
    return _check_open(campaign, now)


def find_campaign_for(
    db: Session,
    typed_code: str,
    organisation_ids: Collection[int],
    now: datetime | None = None,
) -> Campaign:
    """The open campaign a typed code names among the campaigns of ``organisation_ids`` (the
    person's own organisations). Another organisation's code is "unknown", exactly like a code
    that does not exist: it reveals nothing. Then :class:`CampaignNotOpenYet` (with the opening
    date) or :class:`CampaignClosed`."""
    campaign = _by_code(db, typed_code)
    if campaign is None or campaign.organisation_id not in organisation_ids:
        raise UnknownCampaignCode(typed_code)
    return _check_open(campaign, now)
