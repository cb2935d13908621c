"""Competences acquired: who went up at least one level between their first and last assessment.

The sessions that count for a path are the finished sessions of the learner in the action's
campaigns, or in the porteur's campaigns tied to no action taken during the path (from entry to
exit, or until now). For each path and competence measured at least twice, the level of the
first and of the last of those sessions (by end time) are compared, with window functions, in
SQL, so no result is brought back per person.
"""

from __future__ import annotations

from sqlalchemy import and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from assessments.models import AssessmentSession, Campaign, CompetenceResult, SessionStatus
from indicators import scope
from indicators.figures import Figure
from indicators.filters import Filters


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
    partition = (rows.c.enrolment_id, CompetenceResult.competence_id)
    ordered = (AssessmentSession.finished_at, AssessmentSession.id)
    results = (
        select(
            rows.c.grp,
            rows.c.enrolment_id,
            rows.c.learner_id,
            CompetenceResult.competence_id,
            CompetenceResult.level,
            func.row_number().over(partition_by=partition, order_by=ordered).label("first_n"),
            func.row_number()
            .over(partition_by=partition, order_by=[o.desc() for o in ordered])
            .label("last_n"),
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
        .subquery()
    )
    return (
        select(
            results.c.grp,
            results.c.enrolment_id,
            results.c.learner_id,
            results.c.competence_id,
            func.max(case((results.c.first_n == 1, results.c.level))).label("first_level"),
            func.max(case((results.c.last_n == 1, results.c.level))).label("last_level"),
        )
        .group_by(
            results.c.grp, results.c.enrolment_id, results.c.learner_id, results.c.competence_id
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
    per_person = (
        select(
            measures.c.grp,
            measures.c.learner_id,
            func.max(case((measures.c.last_level > measures.c.first_level, 1), else_=0)).label(
                "progressed"
            ),
        )
        .group_by(measures.c.grp, measures.c.learner_id)
        .subquery()
    )
    query = select(
        per_person.c.grp, func.sum(per_person.c.progressed), func.count(per_person.c.learner_id)
    )
    query = query.group_by(per_person.c.grp)
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
