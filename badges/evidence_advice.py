"""« Pour obtenir ce badge, passez l'évaluation Sécurité »: badges a session came close to.

A badge whose award rule asks for enough evidence (``award_rules`` « evidence ») is not given
when the levels alone would earn it but the session asked too few questions on the competences
it names, or no practice task of a kind it names. The results page says so plainly and offers
the campaign of the same organisation that would gather that evidence: open, on the same
framework, covering those competences, the most targeted first.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from assessments.models import (
    Assessment,
    AssessmentMode,
    AssessmentSession,
    Campaign,
    CompetenceResult,
)
from badges import award_rules, awarding
from learners.database import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Advice:
    """A badge not given for lack of evidence, what was missing, and where to get it."""

    badge: str
    competences: tuple[str, ...]  # codes with too few answers
    practice: tuple[str, ...]  # practice tasks missing, in plain French
    campaign_name: str | None = None
    campaign_code: str | None = None


def advice(db: Session, session: AssessmentSession, now: datetime | None = None) -> list[Advice]:
    """Badges of the session's organisation that ``session`` would earn on its levels alone
    but not on its evidence, each with the targeted campaign to take (None when there is none)."""
    if not session.finished:
        return []
    _load_results(db, session)
    achieved = awarding.outcome(session)
    found = []
    for achievement in awarding.candidates(db, session):
        try:
            shortfall = award_rules.evidence_shortfall(achievement.award_rules or {}, achieved)
        except award_rules.InvalidRule as error:
            log.warning("achievement %s has an invalid rule: %s", achievement.id, error)
            continue
        if shortfall is None:
            continue
        campaign = targeted_campaign(db, session, shortfall.competences, now)
        found.append(
            Advice(
                badge=achievement.name,
                competences=shortfall.competences,
                practice=tuple(award_rules.PRACTICE_LABELS[p] for p in shortfall.practice),
                campaign_name=campaign.name if campaign else None,
                campaign_code=campaign.code if campaign else None,
            )
        )
    return found


def _load_results(db: Session, session: AssessmentSession) -> None:
    """The session's levels with their competences in one query (not one lazy load each)."""
    db.scalars(
        select(AssessmentSession)
        .where(AssessmentSession.id == session.id)
        .options(selectinload(AssessmentSession.results).joinedload(CompetenceResult.competence))
    ).one()


def targeted_campaign(
    db: Session,
    session: AssessmentSession,
    competences: tuple[str, ...],
    now: datetime | None = None,
) -> Campaign | None:
    """An open adaptive campaign of the session's organisation on the same framework, other
    than the session's, targeted at a set of competences holding ``competences`` (a whole
    framework campaign asks too few questions per competence): the one assessing the fewest."""
    now = now or utcnow()
    own = session.campaign
    rows = db.scalars(
        select(Campaign)
        .join(Assessment, Assessment.id == Campaign.assessment_id)
        .where(
            Campaign.organisation_id == own.organisation_id,
            Campaign.id != own.id,
            Campaign.archived_at.is_(None),
            Campaign.opens_at <= now,
            or_(Campaign.closes_at.is_(None), Campaign.closes_at > now),
            Assessment.framework_id == own.assessment.framework_id,
        )
        .options(joinedload(Campaign.assessment))
        .order_by(Campaign.id)
    ).all()
    covering = [
        c
        for c in rows
        if c.assessment.mode == AssessmentMode.ADAPTIVE
        and (
            not competences  # only a practice task missing: any other campaign may ask it
            or set(competences) <= set(c.assessment.competence_codes or ())
        )
    ]
    if not covering:
        return None
    return min(covering, key=lambda c: len(c.assessment.competence_codes or range(99)))
