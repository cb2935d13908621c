"""An organisation's campaigns as its trainers see them: the list with each campaign's state and
participants, one campaign's details, and the actions that open, close or archive it.

A campaign's state follows from its dates and ``archived_at`` (no state column to keep in step):
*upcoming* before ``opens_at``, *open* until ``closes_at``, *closed* after, *archived* once put
away. Opening, closing and archiving move those dates, so what learners are told when they
type the code (``campaigns.find_campaign_for``) and what the list says never disagree.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from assessments.campaigns import format_code
from assessments.models import (
    Assessment,
    AssessmentMode,
    AssessmentSession,
    Campaign,
    Competence,
    SessionStatus,
)
from learners.database import utcnow
from learners.models import Organisation
from learners.pagination import Page, paginate


class CampaignState(enum.StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"


class CampaignOrder(enum.StrEnum):
    """How the list is sorted: most recently opened first, by name, or closing soonest first
    (campaigns without a closing date last)."""

    RECENT = "recent"
    NAME = "name"
    CLOSING = "closing"


ORDERINGS = {
    CampaignOrder.RECENT: (Campaign.opens_at.desc(), Campaign.id.desc()),
    CampaignOrder.NAME: (func.lower(Campaign.name), Campaign.id),
    CampaignOrder.CLOSING: (Campaign.closes_at.is_(None), Campaign.closes_at, Campaign.id),
}


class CampaignNotFound(LookupError):
    """No such campaign in this organisation (another organisation's looks the same)."""


def state_of(campaign: Campaign, now: datetime | None = None) -> CampaignState:
    now = now or utcnow()
    if campaign.archived_at is not None:
        return CampaignState.ARCHIVED
    if campaign.closes_at is not None and now >= campaign.closes_at:
        return CampaignState.CLOSED
    if now < campaign.opens_at:
        return CampaignState.UPCOMING
    return CampaignState.OPEN


def _state_filter(state: CampaignState, now: datetime):
    """The SQL condition matching :func:`state_of`."""
    not_closed = or_(Campaign.closes_at.is_(None), Campaign.closes_at > now)
    live = Campaign.archived_at.is_(None)
    return {
        CampaignState.ARCHIVED: Campaign.archived_at.is_not(None),
        CampaignState.CLOSED: and_(live, Campaign.closes_at <= now),
        CampaignState.UPCOMING: and_(live, not_closed, Campaign.opens_at > now),
        CampaignState.OPEN: and_(live, not_closed, Campaign.opens_at <= now),
    }[state]


@dataclass(frozen=True)
class Participants:
    """Learners who started the campaign, and those among them who finished it."""

    started: int = 0
    finished: int = 0


@dataclass(frozen=True)
class CampaignRow:
    """One line of the organisation's list of campaigns."""

    id: int
    name: str
    assessment_title: str
    code: str  # as printed: ABCD-EFGH
    state: CampaignState
    opens_at: datetime
    closes_at: datetime | None
    archived_at: datetime | None
    participants: Participants


def participants(db: Session, campaign_ids: list[int]) -> dict[int, Participants]:
    """Started and finished learners per campaign, in one query (a learner who took the
    campaign twice counts once)."""
    if not campaign_ids:
        return {}
    finished_learner = case(
        (AssessmentSession.status == SessionStatus.FINISHED, AssessmentSession.learner_id)
    )
    rows = db.execute(
        select(
            AssessmentSession.campaign_id,
            func.count(distinct(AssessmentSession.learner_id)),
            func.count(distinct(finished_learner)),
        )
        .where(AssessmentSession.campaign_id.in_(campaign_ids))
        .group_by(AssessmentSession.campaign_id)
    ).all()
    return {campaign_id: Participants(started, done) for campaign_id, started, done in rows}


def _row(campaign: Campaign, counts: Participants, now: datetime) -> CampaignRow:
    return CampaignRow(
        id=campaign.id,
        name=campaign.name,
        assessment_title=campaign.assessment.title,
        code=format_code(campaign.code),
        state=state_of(campaign, now),
        opens_at=campaign.opens_at,
        closes_at=campaign.closes_at,
        archived_at=campaign.archived_at,
        participants=counts,
    )


def _campaigns_query(
    organisation_id: int, state: CampaignState | None, order: CampaignOrder, now: datetime
) -> Select:
    query = select(Campaign).where(Campaign.organisation_id == organisation_id)
    if state is None:
        query = query.where(Campaign.archived_at.is_(None))
    else:
        query = query.where(_state_filter(state, now))
    return query.order_by(*ORDERINGS[order])


def list_campaigns(
    db: Session,
    organisation_id: int,
    *,
    state: CampaignState | None = None,
    order: CampaignOrder = CampaignOrder.RECENT,
    page: int | None = 1,
    per_page: int | None = None,
    now: datetime | None = None,
) -> Page[CampaignRow]:
    """The organisation's campaigns in ``order``: those not archived by default, or only those
    in ``state``."""
    now = now or utcnow()
    found = paginate(db, _campaigns_query(organisation_id, state, order, now), page, per_page)
    counts = participants(db, [c.id for c in found.items])
    rows = [_row(c, counts.get(c.id, Participants()), now) for c in found.items]
    return Page(items=rows, number=found.number, per_page=found.per_page, total=found.total)


def get_campaign(db: Session, organisation_id: int, campaign_id: int) -> Campaign:
    """The campaign if it is this organisation's; :class:`CampaignNotFound` otherwise."""
    campaign = db.get(Campaign, campaign_id)
    if campaign is None or campaign.organisation_id != organisation_id:
        raise CampaignNotFound(campaign_id)
    return campaign


@dataclass(frozen=True)
class CampaignDetails:
    """What the campaign page and its poster say."""

    row: CampaignRow
    organisation_name: str
    framework_title: str
    adaptive: bool
    competences: tuple[str, ...]  # titles; empty = the whole framework
    min_items: int
    max_items: int
    target_se: float | None
    time_limit_minutes: int | None
    accessible_only: bool


def details(
    db: Session, campaign: Campaign, locale: str = "fr", now: datetime | None = None
) -> CampaignDetails:
    """The campaign's settings in words (titles in English when ``locale`` is ``en`` and the
    framework has them)."""
    now = now or utcnow()
    english = locale.startswith("en")
    assessment: Assessment = campaign.assessment
    framework = assessment.framework
    titles: tuple[str, ...] = ()
    if assessment.competence_codes is not None:
        titles = tuple(
            f"{code} {(english and title_en) or title_fr}"
            for code, title_fr, title_en in db.execute(
                select(Competence.code, Competence.title_fr, Competence.title_en)
                .where(
                    Competence.framework_id == assessment.framework_id,
                    Competence.code.in_(assessment.competence_codes),
                )
                .order_by(Competence.position, Competence.id)
            )
        )
    counts = participants(db, [campaign.id]).get(campaign.id, Participants())
    fixed = assessment.mode == AssessmentMode.FIXED
    length = len(assessment.item_uids or []) if fixed else None
    return CampaignDetails(
        row=_row(campaign, counts, now),
        organisation_name=db.get(Organisation, campaign.organisation_id).name,
        framework_title=(english and framework.title_en) or framework.title_fr,
        adaptive=not fixed,
        competences=titles,
        min_items=length or assessment.min_items,
        max_items=length or assessment.max_items,
        target_se=None if fixed else assessment.target_se,
        time_limit_minutes=assessment.time_limit_minutes,
        accessible_only=assessment.accessible_only,
    )


# ---------------------------------------------------------------------------------------------
# Open now, close now, archive: each returns whether it changed anything (a repeated click
# changes nothing and records nothing).


def open_now(db: Session, campaign: Campaign, now: datetime | None = None) -> bool:
    """Open the campaign from now on: an upcoming one opens early, a closed or archived one
    opens again (without a closing date; the trainer closes it when done)."""
    now = now or utcnow()
    if state_of(campaign, now) is CampaignState.OPEN:
        return False
    campaign.archived_at = None
    campaign.opens_at = min(campaign.opens_at, now)
    if campaign.closes_at is not None and campaign.closes_at <= now:
        campaign.closes_at = None
    db.flush()
    return True


def _close(campaign: Campaign, now: datetime) -> None:
    campaign.opens_at = min(campaign.opens_at, now)
    campaign.closes_at = now


def close_now(db: Session, campaign: Campaign, now: datetime | None = None) -> bool:
    """Close the campaign now: no new session starts (sessions under way may finish)."""
    now = now or utcnow()
    if state_of(campaign, now) in (CampaignState.CLOSED, CampaignState.ARCHIVED):
        return False
    _close(campaign, now)
    db.flush()
    return True


def archive(db: Session, campaign: Campaign, now: datetime | None = None) -> bool:
    """Put the campaign away: closed if it was not, and hidden from the list by default.
    Its sessions and results stay."""
    now = now or utcnow()
    state = state_of(campaign, now)
    if state is CampaignState.ARCHIVED:
        return False
    if state is not CampaignState.CLOSED:
        _close(campaign, now)
    campaign.archived_at = now
    db.flush()
    return True
