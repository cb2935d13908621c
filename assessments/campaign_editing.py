"""Changing a campaign after it was created: its name and dates at any time; the settings of its
assessment (time limit, accessibility adjustment, stop rule) only while nobody has started it,
so that every participant of a campaign took the same assessment.

A shipped assessment, or one another campaign also uses, is never changed in place: the new
settings go to a copy owned by the organisation, which only this campaign then uses. Problems
come back all at once as :class:`~assessments.campaign_creation.InvalidCampaign` (the same codes
as at creation, plus ``assessment_locked``), nothing written.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessments.campaign_creation import (
    AssessmentSpec,
    CampaignSpec,
    InvalidCampaign,
    Problem,
    date_problems,
    name_problems,
    setting_problems,
)
from assessments.models import Assessment, AssessmentMode, AssessmentSession, Campaign
from learners.database import utcnow

SETTINGS = ("time_limit_minutes", "accessible_only", "min_items", "max_items", "target_se")
ADAPTIVE_ONLY = ("accessible_only", "min_items", "max_items", "target_se")


@dataclass(frozen=True)
class CampaignChanges:
    """The campaign as the trainer wants it; ``opens_at`` None keeps the current opening."""

    name: str
    opens_at: datetime | None
    closes_at: datetime | None
    time_limit_minutes: int | None
    accessible_only: bool
    min_items: int
    max_items: int
    target_se: float | None


def current(campaign: Campaign) -> CampaignChanges:
    """The campaign as it stands (what the edit form starts from)."""
    a = campaign.assessment
    return CampaignChanges(
        campaign.name,
        campaign.opens_at,
        campaign.closes_at,
        a.time_limit_minutes,
        a.accessible_only,
        a.min_items,
        a.max_items,
        a.target_se,
    )


def has_sessions(db: Session, campaign: Campaign) -> bool:
    query = select(func.count()).where(AssessmentSession.campaign_id == campaign.id)
    return bool(db.scalar(query))


def _setting_changes(assessment: Assessment, changes: CampaignChanges) -> dict[str, Any]:
    """The assessment's settings that would change (a fixed list keeps its length and its
    accessibility, chosen with its items at creation)."""
    fixed = assessment.mode is AssessmentMode.FIXED
    return {
        name: getattr(changes, name)
        for name in SETTINGS
        if not (fixed and name in ADAPTIVE_ONLY)
        and getattr(changes, name) != getattr(assessment, name)
    }


def _problems(
    db: Session, campaign: Campaign, changes: CampaignChanges, settings: dict[str, Any], now
) -> list[Problem]:
    name = changes.name.strip()
    problems = []
    if name.casefold() != campaign.name.strip().casefold():  # its own name is no duplicate
        problems += name_problems(db, campaign.organisation_id, name)
    opens_at = changes.opens_at or campaign.opens_at
    spec = CampaignSpec(name, opens_at=opens_at, closes_at=changes.closes_at)
    dates = date_problems(spec, now)
    if changes.closes_at == campaign.closes_at:  # an old closing date kept is no problem
        dates = [p for p in dates if p.code != "closes_past"]
    problems += dates
    if not settings:
        return problems
    if has_sessions(db, campaign):
        return [*problems, Problem(next(iter(settings)), "assessment_locked")]
    a = campaign.assessment
    adaptive = a.mode is AssessmentMode.ADAPTIVE
    asked = AssessmentSpec(
        a.framework_id,
        mode=a.mode,
        min_items=changes.min_items if adaptive else a.min_items,
        max_items=changes.max_items if adaptive else a.max_items,
        target_se=changes.target_se if adaptive else None,
        time_limit_minutes=changes.time_limit_minutes,
    )
    return problems + setting_problems(asked)


def _own_copy(db: Session, campaign: Campaign) -> Assessment:
    """The assessment this campaign alone may change: itself when it is the organisation's and
    no other campaign uses it, otherwise a copy of it."""
    a = campaign.assessment
    others = select(func.count()).where(Campaign.assessment_id == a.id, Campaign.id != campaign.id)
    if a.organisation_id == campaign.organisation_id and not db.scalar(others):
        return a
    copy = Assessment(
        title=campaign.name,
        framework_id=a.framework_id,
        competence_codes=a.competence_codes,
        mode=a.mode,
        item_uids=a.item_uids,
        min_items=a.min_items,
        max_items=a.max_items,
        target_se=a.target_se,
        time_limit_minutes=a.time_limit_minutes,
        accessible_only=a.accessible_only,
        organisation_id=campaign.organisation_id,
    )
    db.add(copy)
    db.flush()
    campaign.assessment = copy
    return copy


def edit(
    db: Session, campaign: Campaign, changes: CampaignChanges, now: datetime | None = None
) -> dict[str, tuple[Any, Any]]:
    """Apply ``changes``; what changed as ``{field: (before, after)}`` (empty: nothing to do).
    Raises :class:`InvalidCampaign` listing every problem, having written nothing."""
    now = now or utcnow()
    changes = replace(changes, name=changes.name.strip())
    settings = _setting_changes(campaign.assessment, changes)
    problems = _problems(db, campaign, changes, settings, now)
    if problems:
        raise InvalidCampaign(problems)
    changed: dict[str, tuple[Any, Any]] = {}
    wanted = {
        "name": changes.name,
        "opens_at": changes.opens_at or campaign.opens_at,
        "closes_at": changes.closes_at,
    }
    for name, after in wanted.items():
        if after != getattr(campaign, name):
            changed[name] = (getattr(campaign, name), after)
            setattr(campaign, name, after)
    if settings:
        assessment = _own_copy(db, campaign)
        for name, after in settings.items():
            changed[name] = (getattr(assessment, name), after)
            setattr(assessment, name, after)
    db.flush()
    return changed
