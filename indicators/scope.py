"""The enrolments a figure is computed over, narrowed by ``Filters`` and grouped by a dimension.

Every indicator starts from the same SELECT (one row per enrolment in scope, with the value of
the dimension it is broken down by in ``grp``), so a figure, its breakdowns and its monthly
trend all apply the filters the same way. The actions in scope are resolved first: they are few
(hundreds), and their typologies and target jobs are JSON lists that SQLite and PostgreSQL do
not search alike. Everything about people is then aggregated in SQL, never brought back row by
row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    extract,
    func,
    literal_column,
    select,
    true,
)
from sqlalchemy.orm import Session

from indicators.filters import Filters
from learners.models import Action, Enrolment

# What a figure's period applies to: the date it rests on.
ENTRY = "entry"  # the people who entered in the period
EXIT = "exit"  # the people who left in the period

MONTH = "mois"  # the grouping of monthly trends (not a breakdown dimension)

# Dimensions whose value is a column of the enrolment or its action (grouped in SQL); the
# typology and target-job dimensions are lists on the action, broken down one value at a time.
LIST_DIMENSIONS = ("typologie", "metier")


@dataclass(frozen=True)
class ActionFacts:
    """What an action planned, and what it is classified under (no person in it)."""

    id: int
    organisation_id: int
    title: str
    typologies: tuple[str, ...]
    target_jobs: tuple[str, ...]
    planned_beneficiaries: int
    planned_completion_rate: int | None
    planned_success_rate: int | None
    planned_employment_rate: int | None


def actions_in_scope(db: Session, filters: Filters) -> list[ActionFacts]:
    """The actions the filters keep (by id, porteur, typology and target job)."""
    query = select(
        Action.id,
        Action.organisation_id,
        Action.title,
        Action.typologies,
        Action.target_jobs,
        Action.planned_beneficiaries,
        Action.planned_completion_rate,
        Action.planned_success_rate,
        Action.planned_employment_rate,
    ).order_by(Action.title, Action.id)
    if filters.action_ids:
        query = query.where(Action.id.in_(filters.action_ids))
    if filters.organisation_ids:
        query = query.where(Action.organisation_id.in_(filters.organisation_ids))
    facts = [
        ActionFacts(
            id=row.id,
            organisation_id=row.organisation_id,
            title=row.title,
            typologies=tuple(row.typologies or ()),
            target_jobs=tuple(row.target_jobs or ()),
            planned_beneficiaries=row.planned_beneficiaries,
            planned_completion_rate=row.planned_completion_rate,
            planned_success_rate=row.planned_success_rate,
            planned_employment_rate=row.planned_employment_rate,
        )
        for row in db.execute(query)
    ]
    if filters.typologies:
        facts = [a for a in facts if set(a.typologies) & set(filters.typologies)]
    if filters.target_jobs:
        facts = [a for a in facts if set(a.target_jobs) & set(filters.target_jobs)]
    return facts


def _dialect(db: Session) -> str:
    return db.get_bind().dialect.name


def month_of(db: Session, column) -> ColumnElement:
    """« 2026-03 » for a date column, on either engine."""
    if _dialect(db) == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def day_of(db: Session, column) -> ColumnElement:
    """The calendar day (UTC) of a datetime column, comparable with a date column."""
    if _dialect(db) == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)


def age_band_of() -> ColumnElement:
    """``filters.age_band`` in SQL: the age reached in the year of entry."""
    age = extract("year", Enrolment.entry_date) - Enrolment.birth_year
    return case(
        (Enrolment.birth_year.is_(None), None),
        (age < 26, "moins_26"),
        (age < 50, "26_49"),
        else_="50_plus",
    )


def _group_expression(db: Session, group: str | None, dated) -> ColumnElement:
    expressions = {
        None: literal_column("''"),
        "action": Enrolment.action_id,
        "porteur": Action.organisation_id,
        "periode": extract("year", dated),
        MONTH: month_of(db, dated),
        "sexe": Enrolment.sex,
        "tranche_age": age_band_of(),
        "statut": Enrolment.public_status,
        "commune": Enrolment.commune_code,
    }
    if group not in expressions:
        raise ValueError(f"not a grouping done in SQL: {group!r}")
    return expressions[group]


def enrolments(
    db: Session, filters: Filters, *, dated: str = ENTRY, group: str | None = None
) -> Select:
    """One row per enrolment in scope: ``enrolment_id``, ``learner_id``, ``action_id``,
    ``organisation_id``, the path's facts, and ``grp`` (the dimension's value, '' ungrouped).

    ``dated`` says which date the period applies to; with ``EXIT``, only exits count."""
    date_column = Enrolment.entry_date if dated == ENTRY else Enrolment.exit_date
    query = select(
        Enrolment.id.label("enrolment_id"),
        Enrolment.learner_id,
        Enrolment.action_id,
        Action.organisation_id,
        Enrolment.entry_date,
        Enrolment.exit_date,
        Enrolment.exit_reason,
        Enrolment.sessions_attended,
        Enrolment.sessions_planned,
        _group_expression(db, group, date_column).label("grp"),
    ).join(Action, Action.id == Enrolment.action_id)
    if filters.typologies or filters.target_jobs:
        ids = [a.id for a in actions_in_scope(db, filters)]
        query = query.where(Enrolment.action_id.in_(ids) if ids else ~true())
    else:
        if filters.action_ids:
            query = query.where(Enrolment.action_id.in_(filters.action_ids))
        if filters.organisation_ids:
            query = query.where(Action.organisation_id.in_(filters.organisation_ids))
    if dated == EXIT:
        query = query.where(Enrolment.exit_date.is_not(None))
    if filters.period_start:
        query = query.where(date_column >= filters.period_start)
    if filters.period_end:
        query = query.where(date_column <= filters.period_end)
    if filters.sexes:
        query = query.where(Enrolment.sex.in_(filters.sexes))
    if filters.public_statuses:
        query = query.where(Enrolment.public_status.in_(filters.public_statuses))
    if filters.communes:
        query = query.where(Enrolment.commune_code.in_(filters.communes))
    if filters.age_bands:
        query = query.where(age_band_of().in_(filters.age_bands))
    return query


def six_months_before(today: date) -> date:
    """The last exit date whose six-month follow-up is due on ``today``."""
    month = today.month - 6
    year = today.year + (month - 1) // 12
    month = (month - 1) % 12 + 1
    for day in (today.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")
