"""Competences acquired: who went up at least one level between their first and last assessment.

The sessions that count for a path are the finished sessions of the learner in the action's
campaigns, or in the porteur's campaigns tied to no action taken during the path (from entry to
exit, or until now). The first and last level of each path in each competence measured at least
twice, and whether it went up in any, are kept as sessions finish (``assessments.path_progress``):
the figure reads one row per path, its table per competence one per path and competence, and no
result is brought back per person.
"""

from __future__ import annotations

from sqlalchemy import case, distinct, func, select
from sqlalchemy.orm import Session

from assessments.models import CompetenceProgress, PathProgress
from indicators import scope
from indicators.figures import Figure
from indicators.filters import Filters


def _measures(db: Session, filters: Filters, group: str | None):
    """(grp, enrolment, learner, competence, first level, last level) for every competence a
    path measured twice or more."""
    rows = scope.enrolments(db, filters, dated=scope.ENTRY, group=group).subquery()
    return (
        select(
            rows.c.grp,
            rows.c.enrolment_id,
            rows.c.learner_id,
            CompetenceProgress.competence_id,
            CompetenceProgress.first_level,
            CompetenceProgress.last_level,
        )
        .select_from(rows)
        .join(CompetenceProgress, CompetenceProgress.enrolment_id == rows.c.enrolment_id)
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
    rows = scope.enrolments(db, filters, dated=scope.ENTRY, group=group).subquery()
    # One row per path measured twice in some competence, saying whether any went up: a
    # person counts once in the base, and once on top when any of their paths went up.
    query = (
        select(
            rows.c.grp,
            func.count(distinct(case((PathProgress.progressed, rows.c.learner_id)))),
            func.count(distinct(rows.c.learner_id)),
        )
        .select_from(rows)
        .join(PathProgress, PathProgress.enrolment_id == rows.c.enrolment_id)
        .group_by(rows.c.grp)
    )
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
