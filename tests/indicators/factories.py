"""Test data for the indicators, one line each: an action (``make_action``, shared with the
learners' tests), a path in it (``enrol``) and a situation observed at exit or six months later
(``observe``)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from learners.enrolments import paths_changed
from learners.models import (
    Action,
    Enrolment,
    ExitReason,
    Learner,
    Outcome,
    OutcomeMoment,
    PublicStatus,
    Referrer,
    Sex,
    Situation,
)
from tests.learners.factories import make_action, make_learner

__all__ = ["enrol", "make_action", "observe"]


def enrol(
    db: Session,
    action: Action,
    learner: Learner | None = None,
    *,
    entry: date = date(2026, 2, 1),
    exit: date | None = None,
    reason: ExitReason | None = None,
    attended: int | None = None,
    planned: int | None = None,
    status: PublicStatus = PublicStatus.RSA_CER,
    sex: Sex = Sex.FEMALE,
    birth_year: int | None = 1990,
    commune: str | None = None,
) -> Enrolment:
    """``learner`` (a new learner of the action's porteur when omitted) enrolled in ``action``."""
    enrolment = Enrolment(
        action=action,
        learner=learner or make_learner(db, action.organisation),
        referrer=Referrer.FRANCE_TRAVAIL,
        entry_date=entry,
        exit_date=exit,
        exit_reason=reason or (ExitReason.COMPLETED if exit else None),
        sessions_attended=attended,
        sessions_planned=planned,
        public_status=status,
        sex=sex,
        birth_year=birth_year,
        commune_code=commune,
    )
    db.add(enrolment)
    db.flush()
    paths_changed(db, [enrolment.learner_id])  # as ``learners.enrolments.enrol`` does
    return enrolment


def observe(
    db: Session, enrolment: Enrolment, situation: Situation, moment=OutcomeMoment.SIX_MONTHS
) -> Outcome:
    outcome = Outcome(enrolment=enrolment, moment=moment, situation=situation)
    db.add(outcome)
    db.flush()
    return outcome
