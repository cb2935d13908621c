"""The funded actions of a porteur: creating, changing and archiving one, with what it planned
(beneficiaries, completion, success and employment rates), and listing them and their
beneficiaries for the association's staff (never for the département: it sees aggregates).

Every problem is reported at once (:class:`~learners.action_problems.InvalidEntry`); nothing is
written when there is one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from learners import communes, target_jobs
from learners.action_problems import InvalidEntry, Problem
from learners.database import utcnow
from learners.models import Action, Enrolment, Learner, Typology

MAX_TITLE = 200
MIN_BENEFICIARIES = 10
MAX_BENEFICIARIES = 100_000
YEARS = (2020, 2040)
PLANNED_FIELDS = (
    "planned_completion_rate",
    "planned_success_rate",
    "planned_employment_rate",
)


class ActionNotFound(LookupError):
    """No such action in this organisation (another organisation's is not found either)."""


@dataclass(frozen=True)
class ActionSpec:
    """What the porteur writes about an action; rates are whole percentages or ``None``."""

    title: str
    typologies: tuple[str, ...]
    first_year: int | None
    last_year: int | None
    planned_beneficiaries: int | None
    target_jobs: tuple[str, ...] = ()
    communes: tuple[str, ...] = ()
    planned_completion_rate: int | None = None
    planned_success_rate: int | None = None
    planned_employment_rate: int | None = None


def _unknown(field: str, code: str, values: tuple[str, ...], known) -> list[Problem]:
    unknown = [v for v in values if v not in known]
    return [Problem(field, code, {"values": ", ".join(unknown)})] if unknown else []


def _year_problems(spec: ActionSpec) -> list[Problem]:
    problems = []
    for name in ("first_year", "last_year"):
        year = getattr(spec, name)
        if year is None:
            problems.append(Problem(name, "year_missing"))
        elif not YEARS[0] <= year <= YEARS[1]:
            problems.append(Problem(name, "year_range", {"min": YEARS[0], "max": YEARS[1]}))
    if not problems and spec.last_year < spec.first_year:  # type: ignore[operator]
        problems.append(Problem("last_year", "years_order"))
    return problems


def _planned_problems(spec: ActionSpec) -> list[Problem]:
    problems = []
    if spec.planned_beneficiaries is None:
        problems.append(Problem("planned_beneficiaries", "beneficiaries_missing"))
    elif spec.planned_beneficiaries < MIN_BENEFICIARIES:
        problems.append(Problem("planned_beneficiaries", "beneficiaries_min"))
    elif spec.planned_beneficiaries > MAX_BENEFICIARIES:
        problems.append(
            Problem("planned_beneficiaries", "beneficiaries_max", {"max": MAX_BENEFICIARIES})
        )
    for name in PLANNED_FIELDS:
        rate = getattr(spec, name)
        if rate is not None and not 0 <= rate <= 100:
            problems.append(Problem(name, "rate_range"))
    return problems


def problems_of(spec: ActionSpec) -> list[Problem]:
    """Every problem of ``spec`` (empty when the action may be saved)."""
    problems = []
    title = spec.title.strip()
    if not title:
        problems.append(Problem("title", "title_empty"))
    elif len(title) > MAX_TITLE:
        problems.append(Problem("title", "title_long"))
    if not spec.typologies:
        problems.append(Problem("typologies", "typologies_empty"))
    known_typologies = {t.value for t in Typology}
    problems += _unknown("typologies", "unknown_typology", spec.typologies, known_typologies)
    problems += _unknown("target_jobs", "unknown_job", spec.target_jobs, target_jobs.target_jobs())
    if not spec.communes:
        problems.append(Problem("communes", "communes_empty"))
    problems += _unknown("communes", "unknown_commune", spec.communes, communes.by_code())
    return problems + _year_problems(spec) + _planned_problems(spec)


def _apply(action: Action, spec: ActionSpec) -> None:
    action.title = spec.title.strip()
    action.typologies = [t.value for t in Typology if t.value in spec.typologies]
    action.target_jobs = list(dict.fromkeys(spec.target_jobs))
    action.communes = sorted(set(spec.communes))
    action.first_year = spec.first_year  # type: ignore[assignment]
    action.last_year = spec.last_year  # type: ignore[assignment]
    action.planned_beneficiaries = spec.planned_beneficiaries  # type: ignore[assignment]
    for name in PLANNED_FIELDS:
        setattr(action, name, getattr(spec, name))


def create_action(db: Session, organisation_id: int, spec: ActionSpec) -> Action:
    """A new action of ``organisation_id`` (flushed); raises :class:`InvalidEntry`."""
    problems = problems_of(spec)
    if problems:
        raise InvalidEntry(problems)
    action = Action(organisation_id=organisation_id)
    _apply(action, spec)
    db.add(action)
    db.flush()
    return action


def _inclusion_problems(action: Action, spec: ActionSpec) -> list[Problem]:
    """An action that becomes inclusion numérique must hold RSA beneficiaries only."""
    if Typology.DIGITAL_INCLUSION.value not in spec.typologies:
        return []
    others = sum(not e.public_status.is_rsa for e in action.enrolments)
    return [Problem("typologies", "inclusion_has_others", {"count": others})] if others else []


def update_action(db: Session, action: Action, spec: ActionSpec) -> Action:
    """Change what the action says and plans; raises :class:`InvalidEntry`."""
    problems = problems_of(spec) + _inclusion_problems(action, spec)
    if problems:
        raise InvalidEntry(problems)
    _apply(action, spec)
    db.flush()
    return action


def spec_of(action: Action) -> ActionSpec:
    """The action as a spec (to fill the edit form)."""
    return ActionSpec(
        title=action.title,
        typologies=tuple(action.typologies or ()),
        first_year=action.first_year,
        last_year=action.last_year,
        planned_beneficiaries=action.planned_beneficiaries,
        target_jobs=tuple(action.target_jobs or ()),
        communes=tuple(action.communes or ()),
        planned_completion_rate=action.planned_completion_rate,
        planned_success_rate=action.planned_success_rate,
        planned_employment_rate=action.planned_employment_rate,
    )


def archive_action(db: Session, action: Action, now: datetime | None = None) -> bool:
    """Put the action away (kept, with its enrolments, for the indicators); False when it
    already was, so a repeated click records nothing."""
    if action.archived_at is not None:
        return False
    action.archived_at = now or utcnow()
    db.flush()
    return True


def get_action(db: Session, organisation_id: int, action_id: int) -> Action:
    """The organisation's action ``action_id``; :class:`ActionNotFound` for anyone else's."""
    action = db.get(Action, action_id)
    if action is None or action.organisation_id != organisation_id:
        raise ActionNotFound(action_id)
    return action


@dataclass(frozen=True)
class ActionLine:
    action: Action
    enrolled: int
    exited: int


def actions_of(db: Session, organisation_id: int, *, archived: bool = False) -> list[ActionLine]:
    """The organisation's actions (current ones, or the archived ones), newest first, with how
    many people entered and left each."""
    enrolled = func.count(Enrolment.id)
    exited = func.count(Enrolment.exit_date)
    query = (
        select(Action, enrolled, exited)
        .outerjoin(Enrolment, Enrolment.action_id == Action.id)
        .where(Action.organisation_id == organisation_id)
        .where(Action.archived_at.is_not(None) if archived else Action.archived_at.is_(None))
        .group_by(Action.id)
        .order_by(Action.first_year.desc(), Action.title, Action.id)
    )
    return [ActionLine(a, n, x) for a, n, x in db.execute(query)]


def open_actions(db: Session, organisation_id: int) -> list[Action]:
    """The organisation's actions not archived, by title (for a campaign's choice of action)."""
    query = (
        select(Action)
        .where(Action.organisation_id == organisation_id, Action.archived_at.is_(None))
        .order_by(Action.title, Action.id)
    )
    return list(db.scalars(query))


def beneficiaries(db: Session, action: Action) -> list[Enrolment]:
    """The action's enrolments with their learner and outcomes, by name (staff pages only)."""
    query = (
        select(Enrolment)
        .join(Learner, Learner.id == Enrolment.learner_id)
        .where(Enrolment.action_id == action.id)
        .options(selectinload(Enrolment.outcomes), selectinload(Enrolment.learner))
        .order_by(Learner.display_name, Enrolment.id)
    )
    return list(db.scalars(query))
