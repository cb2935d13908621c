"""A learner's path in an action: entering it, leaving it, and their situation at exit and six
months later.

The rules of the call live here: an inclusion-numérique action takes RSA beneficiaries only;
an exit is not before the entry; more sessions attended than planned needs a reason; the
six-month situation is recorded once six months have passed. Every problem is reported at once
(:class:`~learners.action_problems.InvalidEntry`) and nothing is written when there is one.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from learners.action_problems import InvalidEntry, Problem
from learners.communes import by_code
from learners.models import (
    Action,
    Enrolment,
    ExitReason,
    Learner,
    Membership,
    Outcome,
    OutcomeMoment,
    PublicStatus,
    Referrer,
    Role,
    Sex,
    Situation,
)

MAX_SESSIONS = 500
# A plausible beneficiary is between 15 and 100 years old.
YOUNGEST, OLDEST = 15, 100
FOLLOW_UP_MONTHS = 6

PathsChanged = Callable[[Session, Iterable[int]], None]  # (db, learner ids)
# Who must hear that learners' paths started or ended (their dates decide which sessions count
# for them): ``assessments.path_progress`` registers the refresh of each path's first and last
# levels here, since learners sits below assessments and cannot call it.
_path_listeners: list[PathsChanged] = []


def on_paths_changed(listener: PathsChanged) -> PathsChanged:
    """Call ``listener`` whenever :func:`paths_changed` is (once, however often registered)."""
    if listener not in _path_listeners:
        _path_listeners.append(listener)
    return listener


def paths_changed(db: Session, learner_ids: Iterable[int]) -> None:
    """Tell the listeners that these learners' paths were entered or their dates changed."""
    ids = list(learner_ids)
    for listener in _path_listeners:
        listener(db, ids)


class EnrolmentNotFound(LookupError):
    """No such enrolment in this organisation's action."""


@dataclass(frozen=True)
class EnrolmentSpec:
    """What the association records at entry (``None``: not given)."""

    referrer: Referrer | None
    entry_date: date | None
    public_status: PublicStatus | None
    sex: Sex = Sex.NOT_STATED
    birth_year: int | None = None
    commune_code: str | None = None
    sessions_planned: int | None = None


def add_months(day: date, months: int) -> date:
    """``day`` plus ``months`` calendar months, on the month's last day when it is shorter
    (31 August + 6 months = 28 or 29 February)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def follow_up_date(exit_date: date) -> date:
    """The day the six-month situation is due."""
    return add_months(exit_date, FOLLOW_UP_MONTHS)


def is_member(db: Session, learner: Learner, organisation_id: int) -> bool:
    """Whether ``learner`` is a learner of the organisation (staff of it see them)."""
    query = select(Membership.id).where(
        Membership.user_id == learner.user_id,
        Membership.organisation_id == organisation_id,
        Membership.role == Role.LEARNER,
    )
    return db.scalar(query.limit(1)) is not None


def spec_problems(action: Action, spec: EnrolmentSpec, today: date) -> list[Problem]:
    problems = []
    if spec.referrer is None:
        problems.append(Problem("referrer", "referrer_missing"))
    if spec.entry_date is None:
        problems.append(Problem("entry_date", "entry_missing"))
    elif spec.entry_date > today:
        problems.append(Problem("entry_date", "entry_future"))
    elif not action.first_year <= spec.entry_date.year <= action.last_year:
        params = {"first": action.first_year, "last": action.last_year}
        problems.append(Problem("entry_date", "entry_outside_years", params))
    if spec.sessions_planned is not None and not 1 <= spec.sessions_planned <= MAX_SESSIONS:
        problems.append(Problem("sessions_planned", "sessions_range", {"max": MAX_SESSIONS}))
    if spec.public_status is None:
        problems.append(Problem("public_status", "status_missing"))
    elif action.inclusion_only_rsa and not spec.public_status.is_rsa:
        problems.append(Problem("public_status", "inclusion_rsa_only"))
    youngest, oldest = today.year - YOUNGEST, today.year - OLDEST
    if spec.birth_year is not None and not oldest <= spec.birth_year <= youngest:
        problems.append(Problem("birth_year", "birth_year_range", {"min": oldest, "max": youngest}))
    if spec.commune_code and spec.commune_code not in by_code():
        problems.append(Problem("commune_code", "unknown_commune", {"values": spec.commune_code}))
    return problems


def enrolment_problems(
    db: Session, action: Action, learner: Learner, spec: EnrolmentSpec, today: date
) -> list[Problem]:
    """Every reason ``learner`` cannot enter ``action`` as ``spec`` says (empty: they can)."""
    problems = []
    if action.archived_at is not None:
        problems.append(Problem("action", "action_archived"))
    if not is_member(db, learner, action.organisation_id):
        problems.append(Problem("learner", "learner_not_member"))
    elif enrolment_of(db, action, learner) is not None:
        problems.append(Problem("learner", "already_enrolled"))
    return problems + spec_problems(action, spec, today)


def enrolment_of(db: Session, action: Action, learner: Learner) -> Enrolment | None:
    query = select(Enrolment).where(
        Enrolment.action_id == action.id, Enrolment.learner_id == learner.id
    )
    return db.scalar(query)


def enrol(
    db: Session, action: Action, learner: Learner, spec: EnrolmentSpec, today: date
) -> Enrolment:
    """Enter ``learner`` in ``action`` (flushed); raises :class:`InvalidEntry`."""
    problems = enrolment_problems(db, action, learner, spec, today)
    if problems:
        raise InvalidEntry(problems)
    enrolment = Enrolment(
        action=action,
        learner=learner,
        referrer=spec.referrer,
        entry_date=spec.entry_date,
        public_status=spec.public_status,
        sex=spec.sex,
        birth_year=spec.birth_year,
        commune_code=spec.commune_code or None,
        sessions_planned=spec.sessions_planned,
    )
    db.add(enrolment)
    db.flush()
    paths_changed(db, [learner.id])
    return enrolment


@dataclass(frozen=True)
class ExitSpec:
    exit_date: date | None
    reason: ExitReason | None
    sessions_attended: int | None = None
    justification: str = ""


def exit_problems(enrolment: Enrolment, spec: ExitSpec, today: date) -> list[Problem]:
    problems = []
    if spec.exit_date is None:
        problems.append(Problem("exit_date", "exit_missing"))
    elif spec.exit_date < enrolment.entry_date:
        entry = enrolment.entry_date.strftime("%d/%m/%Y")
        problems.append(Problem("exit_date", "exit_before_entry", {"entry": entry}))
    elif spec.exit_date > today:
        problems.append(Problem("exit_date", "exit_future"))
    if spec.reason is None:
        problems.append(Problem("reason", "reason_missing"))
    attended, planned = spec.sessions_attended, enrolment.sessions_planned
    if attended is not None and not 0 <= attended <= MAX_SESSIONS:
        problems.append(Problem("sessions_attended", "attended_range", {"max": MAX_SESSIONS}))
    elif (
        attended is not None
        and planned is not None
        and attended > planned
        and not spec.justification.strip()
    ):
        params = {"attended": attended, "planned": planned}
        problems.append(Problem("justification", "attended_over_planned", params))
    return problems


def record_exit(db: Session, enrolment: Enrolment, spec: ExitSpec, today: date) -> Enrolment:
    """Record (or correct) the learner's exit; raises :class:`InvalidEntry`. The justification of
    extra sessions is the caller's to journal."""
    problems = exit_problems(enrolment, spec, today)
    if problems:
        raise InvalidEntry(problems)
    enrolment.exit_date = spec.exit_date
    enrolment.exit_reason = spec.reason
    enrolment.sessions_attended = spec.sessions_attended
    db.flush()
    paths_changed(db, [enrolment.learner_id])
    return enrolment


def outcome_of(enrolment: Enrolment, moment: OutcomeMoment) -> Outcome | None:
    return next((o for o in enrolment.outcomes if o.moment is moment), None)


def record_outcome(
    db: Session,
    enrolment: Enrolment,
    moment: OutcomeMoment,
    situation: Situation | None,
    today: date,
    observed_on: date | None = None,
) -> Outcome:
    """The situation at exit or at six months (one of each: a second record corrects the
    first); the six-month one only from six months after the exit. Raises :class:`InvalidEntry`."""
    problems = []
    if enrolment.exit_date is None:
        problems.append(Problem("moment", "not_exited"))
    elif moment is OutcomeMoment.SIX_MONTHS and today < follow_up_date(enrolment.exit_date):
        due = follow_up_date(enrolment.exit_date).strftime("%d/%m/%Y")
        problems.append(Problem("moment", "six_months_not_reached", {"due": due}))
    elif observed_on is not None and observed_on < enrolment.exit_date:
        problems.append(Problem("observed_on", "observed_before_exit"))
    if situation is None:
        problems.append(Problem("situation", "situation_missing"))
    if problems:
        raise InvalidEntry(problems)
    outcome = outcome_of(enrolment, moment)
    if outcome is None:
        outcome = Outcome(enrolment=enrolment, moment=moment)
        db.add(outcome)
    outcome.situation = situation  # type: ignore[assignment]
    outcome.observed_on = observed_on or today
    db.flush()
    return outcome


def get_enrolment(db: Session, action: Action, enrolment_id: int) -> Enrolment:
    """``action``'s enrolment ``enrolment_id``; :class:`EnrolmentNotFound` otherwise."""
    enrolment = db.get(Enrolment, enrolment_id)
    if enrolment is None or enrolment.action_id != action.id:
        raise EnrolmentNotFound(enrolment_id)
    return enrolment


def enrolments_of(db: Session, learner: Learner, organisation_id: int) -> list[Enrolment]:
    """The learner's enrolments in the organisation's actions, latest entry first."""
    query = (
        select(Enrolment)
        .join(Action, Action.id == Enrolment.action_id)
        .where(Enrolment.learner_id == learner.id, Action.organisation_id == organisation_id)
        .options(selectinload(Enrolment.outcomes), selectinload(Enrolment.action))
        .order_by(Enrolment.entry_date.desc(), Enrolment.id.desc())
    )
    return list(db.scalars(query))
