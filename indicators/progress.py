"""Competences acquired: who went up at least one level between their first and last assessment.

The sessions that count for a path are the finished sessions of the learner in the action's
campaigns, or in the porteur's campaigns tied to no action taken during the path (from entry to
exit, or until now). For each path and competence measured at least twice, the level of the
first and of the last of those sessions (by end time) are compared in SQL, with two aggregates
per path and competence (no window function to sort), so no result is brought back per person.
"""

from __future__ import annotations

from sqlalchemy import and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from assessments.models import AssessmentSession, Campaign, CompetenceResult, SessionStatus
from indicators import scope
from indicators.figures import Figure
from indicators.filters import Filters

LEVELS = 100  # levels are 0–8: a level fits under this in the (end time, level) sort key


def _measures(db: Session, filters: Filters, group: str | None):
    """(grp, enrolment, learner, competence, first level, last level) for every competence a
    path measured twice or more."""
    rows = scope.enrolments(db, filters, dated=scope.ENTRY, group=group).subquery()
    finished_day = scope.day_of(db, AssessmentSession.finished_at)
    during_path = and_(
        Campaign.action_id.is_(None),
        Campaign.organisation_id == rows.c.organisation_id,
        finished_day >= rows.c.entry_date,
        or_(rows.c.exit_date.is_(None), finished_day <= rows.c.exit_date),
    )
    # The level rides on the end time: the smallest (end time, level) key is the first
    # session's level, the largest the last one's. Two aggregates, no window to sort.
    ordered = scope.epoch_of(db, AssessmentSession.finished_at) * LEVELS + CompetenceResult.level
    return (
        select(
            rows.c.grp,
            rows.c.enrolment_id,
            rows.c.learner_id,
            CompetenceResult.competence_id,
            (func.min(ordered) % LEVELS).label("first_level"),
            (func.max(ordered) % LEVELS).label("last_level"),
        )
        .select_from(rows)
        .join(
            AssessmentSession,
            and_(
                AssessmentSession.learner_id == rows.c.learner_id,
                AssessmentSession.status == SessionStatus.FINISHED,
            ),
        )
        .join(
            Campaign,
            and_(
                Campaign.id == AssessmentSession.campaign_id,
                or_(Campaign.action_id == rows.c.action_id, during_path),
            ),
        )
        .join(CompetenceResult, CompetenceResult.session_id == AssessmentSession.id)
        .group_by(
            rows.c.grp, rows.c.enrolment_id, rows.c.learner_id, CompetenceResult.competence_id
        )
        .having(func.count() >= 2)
        .subquery()
    )


def _rate_rows(rows) -> dict[str, Figure]:
    figures = {}
    for grp, numerator, denominator in rows:
        numerator, denominator = int(numerator or 0), int(denominator or 0)
        figures["" if grp is None else str(grp)] = Figure(
            key="competences_acquises",
            value=numerator / denominator if denominator else None,
            numerator=numerator,
            denominator=denominator,
            people=denominator,
        )
    return figures


def competences_acquired(
    db: Session, filters: Filters, group: str | None = None
) -> dict[str, Figure]:
    """Compétences acquises : bénéficiaires (entrés dans la période) ayant progressé d'au moins
    un niveau dans au moins une compétence entre leur première et leur dernière évaluation
    terminée / bénéficiaires évalués au moins deux fois sur une même compétence."""
    measures = _measures(db, filters, group)
    # One pass over the measures: a person counts once in the base, and once on top when any
    # of their competences went up (no intermediate grouping per person).
    query = select(
        measures.c.grp,
        func.count(
            distinct(case((measures.c.last_level > measures.c.first_level, measures.c.learner_id)))
        ),
        func.count(distinct(measures.c.learner_id)),
    )
    query = query.group_by(measures.c.grp)
    return _rate_rows(db.execute(query))


def by_competence(db: Session, filters: Filters) -> dict[int, Figure]:
    """The same share per competence: people who went up at least one level in it / people
    measured at least twice in it (competence id → figure, unmasked)."""
    measures = _measures(db, filters, None)
    query = select(
        measures.c.competence_id,
        func.count(
            distinct(case((measures.c.last_level > measures.c.first_level, measures.c.learner_id)))
        ),
        func.count(distinct(measures.c.learner_id)),
    ).group_by(measures.c.competence_id)
    return {
        competence_id: Figure(
            key="competences_acquises",
            value=progressed / measured if measured else None,
            numerator=progressed,
            denominator=measured,
            people=measured,
        )
        for competence_id, progressed, measured in db.execute(query)
    }
