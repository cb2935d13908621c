"""What a trainer reads about one learner: every session in the organisation's campaigns, and
their levels over time per competence (first and latest assessment: the progress the
département asks about).

Plain data shared by the record page and the printable individual report
(``badges.learner_report``); badges are the ``badges`` package's and are added by the caller.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from assessments.campaign_results import (
    ParticipationStatus,
    referral_labels,
    status_of,
)
from assessments.models import (
    Assessment,
    AssessmentSession,
    Campaign,
    Competence,
    CompetenceResult,
    Framework,
)
from assessments.results import localised
from learners.database import utcnow
from learners.models import Learner


@dataclass(frozen=True)
class LevelReached:
    code: str
    title: str
    level: int


@dataclass(frozen=True)
class SessionLine:
    """One session: which campaign, where it stands, and its results once finished."""

    session_id: int
    campaign_id: int
    campaign_name: str
    assessment_title: str
    framework_title: str
    status: ParticipationStatus
    started_at: datetime
    finished_at: datetime | None
    answered: int
    score: int | None
    referral_label: str | None
    levels: tuple[LevelReached, ...]


@dataclass(frozen=True)
class LevelPoint:
    """A level reached at a date (one finished session)."""

    at: datetime
    level: int


@dataclass(frozen=True)
class CompetenceProgress:
    """A competence's levels over the finished sessions, oldest first."""

    framework_title: str
    code: str
    title: str
    history: tuple[LevelPoint, ...]
    can_do: str | None  # the descriptor of the latest level (None at level 0)

    @property
    def first(self) -> LevelPoint:
        return self.history[0]

    @property
    def latest(self) -> LevelPoint:
        return self.history[-1]

    @property
    def change(self) -> int:
        """Levels gained (negative: lost) between the first and the latest assessment."""
        return self.latest.level - self.first.level

    @property
    def assessed_twice(self) -> bool:
        return len(self.history) > 1


@dataclass(frozen=True)
class LearnerRecord:
    user_id: int
    display_name: str
    sessions: tuple[SessionLine, ...]  # newest first
    progress: tuple[CompetenceProgress, ...]  # framework, then competence order

    @property
    def session_ids(self) -> list[int]:
        return [s.session_id for s in self.sessions]


def _sessions(db: Session, learner: Learner, organisation_id: int) -> list[AssessmentSession]:
    return list(
        db.scalars(
            select(AssessmentSession)
            .join(Campaign, Campaign.id == AssessmentSession.campaign_id)
            .where(
                AssessmentSession.learner_id == learner.id,
                Campaign.organisation_id == organisation_id,
            )
            .options(
                joinedload(AssessmentSession.campaign)
                .joinedload(Campaign.assessment)
                .joinedload(Assessment.framework),
                selectinload(AssessmentSession.responses),
                selectinload(AssessmentSession.results)
                .joinedload(CompetenceResult.competence)
                .selectinload(Competence.levels),
            )
            .order_by(AssessmentSession.started_at.desc(), AssessmentSession.id.desc())
        )
    )


def _descriptor(competence: Competence, level: int, locale: str) -> str | None:
    for descriptor in competence.levels:
        if descriptor.level == level:
            return localised(descriptor.text_fr, descriptor.text_en, locale)
    return None


def _ordered_results(session: AssessmentSession) -> list[CompetenceResult]:
    return sorted(session.results, key=lambda r: (r.competence.position, r.competence.id))


def _line(session: AssessmentSession, locale: str, now: datetime) -> SessionLine:
    framework: Framework = session.campaign.assessment.framework
    referral = session.referral.value if session.finished and session.referral else None
    return SessionLine(
        session_id=session.id,
        campaign_id=session.campaign_id,
        campaign_name=session.campaign.name,
        assessment_title=session.campaign.assessment.title,
        framework_title=localised(framework.title_fr, framework.title_en, locale),
        status=status_of(session, now),
        started_at=session.started_at,
        finished_at=session.finished_at,
        answered=sum(1 for r in session.responses if r.status is not None),
        score=session.total_score if session.finished else None,
        referral_label=referral_labels(framework, locale).get(referral, referral)
        if referral
        else None,
        levels=tuple(
            LevelReached(
                r.competence.code,
                localised(r.competence.title_fr, r.competence.title_en, locale),
                r.level,
            )
            for r in _ordered_results(session)
        )
        if session.finished
        else (),
    )


def _progress(sessions: list[AssessmentSession], locale: str) -> tuple[CompetenceProgress, ...]:
    """Per competence, its level in each finished session (oldest first)."""
    finished = sorted(
        (s for s in sessions if s.finished),
        key=lambda s: (s.finished_at or s.started_at, s.id),
    )
    points: dict[int, list[LevelPoint]] = {}
    competences: dict[int, Competence] = {}
    for session in finished:
        for result in session.results:
            competences[result.competence_id] = result.competence
            points.setdefault(result.competence_id, []).append(
                LevelPoint(session.finished_at or session.started_at, result.level)
            )
    order = sorted(competences.values(), key=lambda c: (c.framework_id, c.position, c.id))
    progress = []
    for competence in order:
        history = tuple(points[competence.id])
        framework = competence.framework
        progress.append(
            CompetenceProgress(
                framework_title=localised(framework.title_fr, framework.title_en, locale),
                code=competence.code,
                title=localised(competence.title_fr, competence.title_en, locale),
                history=history,
                can_do=_descriptor(competence, history[-1].level, locale)
                if history[-1].level
                else None,
            )
        )
    return tuple(progress)


def learner_record(
    db: Session,
    learner: Learner,
    organisation_id: int,
    locale: str,
    now: datetime | None = None,
) -> LearnerRecord:
    """The learner's sessions in ``organisation_id``'s campaigns and their progress; nothing
    is written (the caller records the look in the journal)."""
    sessions = _sessions(db, learner, organisation_id)
    now = now or utcnow()
    return LearnerRecord(
        user_id=learner.user_id,
        display_name=learner.display_name,
        sessions=tuple(_line(s, locale, now) for s in sessions),
        progress=_progress(sessions, locale),
    )
