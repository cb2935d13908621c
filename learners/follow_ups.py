"""The six-month follow-ups an association owes: beneficiaries who left an action six months
ago (due this month) or longer ago (overdue) and whose six-month situation is not recorded.

A follow-up is due in the calendar month six months after the exit's month (a 31 August exit
is due on 28 or 29 February, so in February): "due this month" is exactly the exits of the
month six months back, which the database compares as plain dates on every engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, joinedload

from learners.enrolments import FOLLOW_UP_MONTHS, add_months, follow_up_date
from learners.models import Action, Enrolment, Learner, Outcome, OutcomeMoment


@dataclass(frozen=True)
class FollowUp:
    enrolment: Enrolment
    due_on: date

    @property
    def learner_name(self) -> str:
        return self.enrolment.learner.display_name

    @property
    def action(self) -> Action:
        return self.enrolment.action


@dataclass(frozen=True)
class FollowUps:
    due: list[FollowUp]  # due this month
    overdue: list[FollowUp]  # due in an earlier month, still not recorded


def _pending(organisation_id: int):
    recorded = exists().where(
        Outcome.enrolment_id == Enrolment.id, Outcome.moment == OutcomeMoment.SIX_MONTHS
    )
    return (
        select(Enrolment)
        .join(Action, Action.id == Enrolment.action_id)
        .join(Learner, Learner.id == Enrolment.learner_id)
        .where(Action.organisation_id == organisation_id, Enrolment.exit_date.is_not(None))
        .where(~recorded)
        .options(joinedload(Enrolment.learner), joinedload(Enrolment.action))
        .order_by(Enrolment.exit_date, Learner.display_name, Enrolment.id)
    )


def follow_ups(db: Session, organisation_id: int, today: date) -> FollowUps:
    """The organisation's follow-ups due in ``today``'s month, and the overdue ones."""
    first_of_month = today.replace(day=1)
    exits_from = add_months(first_of_month, -FOLLOW_UP_MONTHS)
    exits_until = add_months(first_of_month, 1 - FOLLOW_UP_MONTHS)  # exclusive
    query = _pending(organisation_id)
    due = db.scalars(
        query.where(Enrolment.exit_date >= exits_from, Enrolment.exit_date < exits_until)
    ).all()
    overdue = db.scalars(query.where(Enrolment.exit_date < exits_from)).all()
    return FollowUps(
        due=[FollowUp(e, follow_up_date(e.exit_date)) for e in due],  # type: ignore[arg-type]
        overdue=[FollowUp(e, follow_up_date(e.exit_date)) for e in overdue],  # type: ignore[arg-type]
    )
