"""« Qui l'obtiendrait ? »: an award rule tried on a campaign's finished sessions, nothing written.

A trainer editing a rule (saved or not) sees who among the campaign's participants would earn
the badge, who would not and which conditions they missed. ``evaluate`` is pure over
``award_rules.Outcome``s, the very values awarding reads (``awarding.outcome``), so the dry run
and the real award cannot disagree; ``dry_run`` only gathers those outcomes from the database.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from assessments.models import AssessmentSession, Campaign, CompetenceResult, SessionStatus
from badges import award_rules, awarding
from learners.models import Learner


@dataclass(frozen=True)
class Attempt:
    """One finished session of a participant, as the rule sees it."""

    learner_id: int
    participant: str
    session_id: int
    finished_at: datetime | None
    outcome: award_rules.Outcome


@dataclass(frozen=True)
class Verdict:
    """One participant: earns the badge or not; ``unmet`` says which conditions failed (in
    plain French) on the session shown (the first that earns it, else the latest)."""

    participant: str
    session_id: int
    finished_at: datetime | None
    earns: bool
    unmet: tuple[str, ...] = ()


@dataclass(frozen=True)
class DryRun:
    """What the rule would do; ``applies`` is False when it cannot award anything here (a
    badge given by hand, or a rule about another framework than the campaign's)."""

    applies: bool
    earners: tuple[Verdict, ...]
    others: tuple[Verdict, ...]

    @property
    def participants(self) -> int:
        return len(self.earners) + len(self.others)


def _verdict(attempt: Attempt, results: list[bool] | None, rule: Mapping[str, Any]) -> Verdict:
    if results is None:
        return Verdict(attempt.participant, attempt.session_id, attempt.finished_at, False)
    earns = any(results) if rule.get("require", "all") == "any" else all(results)
    unmet = tuple(
        award_rules.describe_condition(condition)
        for condition, met in zip(rule["conditions"], results, strict=True)
        if not met
    )
    missing = award_rules.missing_practice(rule, attempt.outcome)
    if missing:
        earns = False
        unmet += tuple(award_rules.describe_evidence({"practice": missing}))
    return Verdict(attempt.participant, attempt.session_id, attempt.finished_at, earns, unmet)


def evaluate(rule: Mapping[str, Any], framework: str, attempts: Sequence[Attempt]) -> DryRun:
    """Each participant once (``attempts`` oldest first, on ``framework``): earns the badge when
    one of their sessions meets ``rule``. An invalid rule raises ``award_rules.InvalidRule``."""
    errors = award_rules.validate(rule)
    if errors:
        raise award_rules.InvalidRule(errors)
    applies = not award_rules.is_manual(rule) and rule["framework"] == framework
    shown: dict[int, Verdict] = {}
    for attempt in attempts:
        verdict = _verdict(attempt, award_rules.check(rule, attempt.outcome), rule)
        previous = shown.get(attempt.learner_id)
        if previous is None or not previous.earns:
            shown[attempt.learner_id] = verdict
    ordered = sorted(shown.values(), key=lambda v: (v.participant.casefold(), v.session_id))
    return DryRun(
        applies=applies,
        earners=tuple(v for v in ordered if v.earns),
        others=tuple(v for v in ordered if not v.earns),
    )


def attempts(db: Session, campaign: Campaign) -> list[Attempt]:
    """The campaign's finished sessions, oldest first, as the rule sees them."""
    sessions = db.scalars(
        select(AssessmentSession)
        .where(
            AssessmentSession.campaign_id == campaign.id,
            AssessmentSession.status == SessionStatus.FINISHED,
        )
        .options(selectinload(AssessmentSession.results).joinedload(CompetenceResult.competence))
        .order_by(AssessmentSession.finished_at, AssessmentSession.id)
    ).all()
    ids = {s.learner_id for s in sessions}
    learners = db.scalars(select(Learner).where(Learner.id.in_(ids)))
    names = {learner.id: learner.display_name for learner in learners}
    return [
        Attempt(
            learner_id=s.learner_id,
            participant=names.get(s.learner_id, ""),
            session_id=s.id,
            finished_at=s.finished_at,
            outcome=awarding.outcome(s),
        )
        for s in sessions
    ]


def dry_run(db: Session, rule: Mapping[str, Any], campaign: Campaign) -> DryRun:
    """``rule`` tried on ``campaign``'s finished sessions; nothing is written."""
    return evaluate(rule, campaign.assessment.framework.slug, attempts(db, campaign))
