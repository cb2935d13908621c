"""What a trainer reads about one campaign: one row per participant, like PIX Orga's export.

``campaign_results`` returns plain data that the page, its CSV and XLSX exports share: each
participant's latest session with its status, dates, score, level per competence, orientation
(beginner diagnostic), badges and time spent; sorted and filtered as asked; and how many
participants reached each level in each competence (the chart). Badges belong to the
``badges`` package, which this one may not import: the caller passes them in, session by
session (``badges.session_badges.names_by_session``).
"""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from assessments.models import (
    AssessmentSession,
    Campaign,
    Competence,
    CompetenceResult,
    Framework,
    FrameworkKind,
    LevelDescriptor,
    Response,
)
from assessments.results import DEFAULT_SCALE, localised
from learners.database import utcnow
from learners.models import Learner

# A session left in progress this long without an answer is counted as abandoned.
ABANDONED_AFTER = timedelta(days=30)


class CampaignNotFound(LookupError):
    """No such campaign in this organisation (another organisation's looks the same)."""


class ParticipationStatus(enum.StrEnum):
    """Where a participant's latest session stands."""

    IN_PROGRESS = "en_cours"
    FINISHED = "terminee"
    TIMED_OUT = "temps_ecoule"  # finished by the time limit
    ABANDONED = "abandonnee"  # in progress, but closed campaign, passed deadline or left idle


# Sort keys accepted from a query string; ``level:<code>`` sorts by one competence's level.
SORT_KEYS = (
    "participant", "status", "started", "finished", "answered", "score", "time", "referral",
)  # fmt: skip


@dataclass(frozen=True)
class CompetenceColumn:
    code: str
    title: str


@dataclass(frozen=True)
class ParticipantRow:
    """One participant: their latest session in the campaign."""

    session_id: int
    user_id: int
    participant: str
    status: ParticipationStatus
    started_at: datetime
    finished_at: datetime | None
    answered: int
    score: int | None  # None until the session is finished
    levels: tuple[int | None, ...]  # one per ``CampaignResults.competences``
    referral: str | None  # the referral code (beginner diagnostic), finished sessions only
    referral_label: str | None
    badges: tuple[str, ...]
    time_spent_seconds: int
    attempts: int  # sessions this person started in the campaign

    @property
    def time_spent_minutes(self) -> int:
        """Minutes, rounded to the nearest (the unit the table and its exports show)."""
        return (self.time_spent_seconds + 30) // 60


@dataclass(frozen=True)
class Filters:
    status: ParticipationStatus | None = None
    competence: str | None = None  # with ``min_level``: level in this competence ≥ min_level
    min_level: int | None = None
    badge: str | None = None  # a badge name: participants who hold it


@dataclass(frozen=True)
class Sorting:
    key: str = "participant"
    descending: bool = False


@dataclass(frozen=True)
class LevelCounts:
    """How many finished participants (among those shown) reached each level 0…scale."""

    competence: CompetenceColumn
    counts: tuple[int, ...]


@dataclass(frozen=True)
class CampaignResults:
    campaign_id: int
    campaign_name: str
    assessment_title: str
    framework_title: str
    scale: int
    competences: tuple[CompetenceColumn, ...]
    has_referral: bool
    rows: tuple[ParticipantRow, ...]  # filtered and sorted
    participants: int  # before filtering
    distribution: tuple[LevelCounts, ...]
    badge_names: tuple[str, ...]  # every badge held by a participant (the filter's choices)
    referral_labels: Mapping[str, str] = field(default_factory=dict)


def campaign_of(db: Session, organisation_id: int, campaign_id: int) -> Campaign:
    """The campaign if it belongs to the organisation, else :class:`CampaignNotFound`."""
    campaign = db.get(Campaign, campaign_id)
    if campaign is None or campaign.organisation_id != organisation_id:
        raise CampaignNotFound(campaign_id)
    return campaign


def session_ids(db: Session, campaign: Campaign) -> list[int]:
    """Every session of the campaign (to look up the badges they earned)."""
    return list(
        db.scalars(select(AssessmentSession.id).where(AssessmentSession.campaign_id == campaign.id))
    )


def scale_of(db: Session, framework: Framework) -> int:
    """The highest level the framework describes (levels are drawn out of it)."""
    highest = db.scalar(
        select(func.max(LevelDescriptor.level))
        .join(Competence, Competence.id == LevelDescriptor.competence_id)
        .where(Competence.framework_id == framework.id)
    )
    return max(highest or DEFAULT_SCALE, 1)


def assessed_competences(db: Session, campaign: Campaign) -> list[Competence]:
    """The competences the campaign's assessment covers, in the framework's order."""
    assessment = campaign.assessment
    query = (
        select(Competence)
        .where(Competence.framework_id == assessment.framework_id)
        .order_by(Competence.position, Competence.id)
    )
    if assessment.competence_codes:
        query = query.where(Competence.code.in_(assessment.competence_codes))
    return list(db.scalars(query))


def status_of(session: AssessmentSession, now: datetime) -> ParticipationStatus:
    """A finished session, one the time limit finished, one still going, one given up."""
    if session.finished:
        deadline, finished_at = session.deadline, session.finished_at
        if deadline is not None and finished_at is not None and finished_at >= deadline:
            return ParticipationStatus.TIMED_OUT
        return ParticipationStatus.FINISHED
    closes = session.campaign.closes_at
    last = max(
        [session.started_at] + [r.answered_at for r in session.responses if r.answered_at],
    )
    if (
        (closes is not None and now >= closes)
        or (session.deadline is not None and now >= session.deadline)
        or now - last >= ABANDONED_AFTER
    ):
        return ParticipationStatus.ABANDONED
    return ParticipationStatus.IN_PROGRESS


def referral_labels(framework: Framework, locale: str) -> dict[str, str]:
    """Referral code → its label in ``locale`` (the beginner diagnostic's file names them)."""
    labels = (framework.referral or {}).get("labels") or {}
    return {
        code: localised(text.get("fr"), text.get("en"), locale) or code
        for code, text in labels.items()
    }


def _time_spent(db: Session, ids: Sequence[int]) -> dict[int, int]:
    """Seconds spent answering, per session (the time each answered item was on screen)."""
    if not ids:
        return {}
    rows = db.execute(
        select(Response.session_id, func.coalesce(func.sum(Response.time_spent_ms), 0))
        .where(Response.session_id.in_(ids), Response.status.is_not(None))
        .group_by(Response.session_id)
    )
    return {session_id: int(total) // 1000 for session_id, total in rows}


def _latest_sessions(db: Session, campaign: Campaign) -> tuple[list[AssessmentSession], dict]:
    """Each participant's latest session, and how many sessions each started."""
    sessions = db.scalars(
        select(AssessmentSession)
        .where(AssessmentSession.campaign_id == campaign.id)
        .options(
            selectinload(AssessmentSession.responses),
            selectinload(AssessmentSession.results).joinedload(CompetenceResult.competence),
        )
        .order_by(AssessmentSession.started_at.desc(), AssessmentSession.id.desc())
    ).all()
    latest: dict[int, AssessmentSession] = {}
    attempts: dict[int, int] = {}
    for session in sessions:
        latest.setdefault(session.learner_id, session)
        attempts[session.learner_id] = attempts.get(session.learner_id, 0) + 1
    return list(latest.values()), attempts


def _learners(db: Session, ids: Sequence[int]) -> dict[int, Learner]:
    if not ids:
        return {}
    rows = db.scalars(select(Learner).where(Learner.id.in_(ids)).options(joinedload(Learner.user)))
    return {learner.id: learner for learner in rows}


def participant_rows(
    db: Session,
    campaign: Campaign,
    competences: Sequence[Competence],
    *,
    badges: Mapping[int, Sequence[str]],
    labels: Mapping[str, str],
    now: datetime,
) -> list[ParticipantRow]:
    """One row per participant (their latest session), unsorted and unfiltered."""
    sessions, attempts = _latest_sessions(db, campaign)
    people = _learners(db, [s.learner_id for s in sessions])
    spent = _time_spent(db, [s.id for s in sessions])
    rows = []
    for session in sessions:
        person = people[session.learner_id]
        by_code = {r.competence.code: r.level for r in session.results}
        referral = session.referral.value if session.finished and session.referral else None
        rows.append(
            ParticipantRow(
                session_id=session.id,
                user_id=person.user_id,
                participant=person.display_name,
                status=status_of(session, now),
                started_at=session.started_at,
                finished_at=session.finished_at,
                answered=sum(1 for r in session.responses if r.status is not None),
                score=session.total_score if session.finished else None,
                levels=tuple(
                    by_code.get(c.code) if session.finished else None for c in competences
                ),
                referral=referral,
                referral_label=labels.get(referral, referral) if referral else None,
                badges=tuple(sorted(badges.get(session.id, ()))),
                time_spent_seconds=spent.get(session.id, 0),
                attempts=attempts[session.learner_id],
            )
        )
    return rows


def matches(row: ParticipantRow, filters: Filters, codes: Sequence[str]) -> bool:
    if filters.status is not None and row.status != filters.status:
        return False
    if filters.badge and filters.badge not in row.badges:
        return False
    if filters.min_level is not None:
        # Without a competence, the filter asks for that level in at least one competence.
        wanted = [codes.index(filters.competence)] if filters.competence in codes else None
        levels = [row.levels[i] for i in wanted] if wanted else list(row.levels)
        if not any(level is not None and level >= filters.min_level for level in levels):
            return False
    return True


STATUS_ORDER = {status: position for position, status in enumerate(ParticipationStatus)}


def _sort_value(row: ParticipantRow, key: str, codes: Sequence[str]):
    """A comparable value; rows without a value sort last whatever the direction."""
    if key.startswith("level:") and key[6:] in codes:
        return row.levels[codes.index(key[6:])]
    return {
        "participant": row.participant.casefold(),
        "status": STATUS_ORDER[row.status],
        "started": row.started_at,
        "finished": row.finished_at,
        "answered": row.answered,
        "score": row.score,
        "time": row.time_spent_seconds,
        "referral": row.referral_label,
    }.get(key, row.participant.casefold())


def sort_rows(
    rows: Sequence[ParticipantRow], sorting: Sorting, codes: Sequence[str]
) -> list[ParticipantRow]:
    """Sorted by ``sorting`` then by name; empty values last in both directions."""
    by_name = sorted(rows, key=lambda r: (r.participant.casefold(), r.session_id))
    present = [r for r in by_name if _sort_value(r, sorting.key, codes) is not None]
    missing = [r for r in by_name if _sort_value(r, sorting.key, codes) is None]
    present.sort(key=lambda r: _sort_value(r, sorting.key, codes), reverse=sorting.descending)
    return present + missing


def distribution(
    rows: Sequence[ParticipantRow], competences: Sequence[CompetenceColumn], scale: int
) -> tuple[LevelCounts, ...]:
    """Per competence, how many of the finished rows reached each level 0…scale."""
    out = []
    for index, competence in enumerate(competences):
        counts = [0] * (scale + 1)
        for row in rows:
            level = row.levels[index]
            if level is not None:
                counts[min(max(level, 0), scale)] += 1
        out.append(LevelCounts(competence=competence, counts=tuple(counts)))
    return tuple(out)


def campaign_results(
    db: Session,
    campaign: Campaign,
    locale: str,
    *,
    badges: Mapping[int, Sequence[str]] | None = None,
    filters: Filters | None = None,
    sorting: Sorting | None = None,
    now: datetime | None = None,
) -> CampaignResults:
    """The campaign's table, filtered by ``filters`` and sorted by ``sorting``; ``badges`` maps
    a session id to the names of the badges it earned. Nothing is written."""
    framework = campaign.assessment.framework
    competences = assessed_competences(db, campaign)
    columns = tuple(
        CompetenceColumn(c.code, localised(c.title_fr, c.title_en, locale)) for c in competences
    )
    codes = [c.code for c in columns]
    labels = referral_labels(framework, locale)
    rows = participant_rows(
        db, campaign, competences, badges=badges or {}, labels=labels, now=now or utcnow()
    )
    shown = [r for r in rows if matches(r, filters or Filters(), codes)]
    reached = [level for r in rows for level in r.levels if level is not None]
    scale = max([scale_of(db, framework), *reached])
    return CampaignResults(
        campaign_id=campaign.id,
        campaign_name=campaign.name,
        assessment_title=campaign.assessment.title,
        framework_title=localised(framework.title_fr, framework.title_en, locale),
        scale=scale,
        competences=columns,
        has_referral=framework.kind == FrameworkKind.REFERRAL,
        rows=tuple(sort_rows(shown, sorting or Sorting(), codes)),
        participants=len(rows),
        distribution=distribution(shown, columns, scale),
        badge_names=tuple(sorted({name for r in rows for name in r.badges})),
        referral_labels=labels,
    )


__all__ = [
    "ABANDONED_AFTER",
    "CampaignNotFound",
    "CampaignResults",
    "Filters",
    "ParticipantRow",
    "ParticipationStatus",
    "Sorting",
    "campaign_of",
    "campaign_results",
    "session_ids",
]
