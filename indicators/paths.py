"""The indicators about paths: entries, exits, attendance, what came next, six months on.

Each function returns the unmasked figure of every group (``''`` when ungrouped), computed by
one aggregate query over ``scope.enrolments``; ``catalogue`` adds the planned value and masks.
A path is an enrolment: a person enrolled in two actions counts in each, but masking looks at
distinct people.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from indicators import scope
from indicators.figures import Figure
from indicators.filters import Filters
from learners.models import (
    EMPLOYMENT_SITUATIONS,
    ExitReason,
    Outcome,
    OutcomeMoment,
    Situation,
)

TRAINING_SITUATIONS = (Situation.QUALIFYING_TRAINING, Situation.OTHER_TRAINING)
EMPLOYMENT = tuple(EMPLOYMENT_SITUATIONS)


def _key(value) -> str:
    return "" if value is None else str(value)


def _count(key: str, rows) -> dict[str, Figure]:
    return {
        _key(grp): Figure(key=key, value=people or 0, people=people or 0) for grp, people in rows
    }


def _rate(key: str, rows) -> dict[str, Figure]:
    """Rows of (grp, numerator, denominator, people) → rate figures (None on an empty base).
    Grouped by ``grp`` even ungrouped (one constant group then: no row at all when nothing is
    in scope, which the catalogue reads as an empty figure)."""
    figures = {}
    for grp, numerator, denominator, people in rows:
        numerator, denominator = int(numerator or 0), int(denominator or 0)
        figures[_key(grp)] = Figure(
            key=key,
            value=numerator / denominator if denominator else None,
            numerator=numerator,
            denominator=denominator,
            people=people or 0,
        )
    return figures


def _sum_if(condition) -> object:
    return func.sum(case((condition, 1), else_=0))


def entries(db: Session, filters: Filters, group: str | None = None) -> dict[str, Figure]:
    """Bénéficiaires entrés : nombre de personnes distinctes dont le parcours a commencé dans la
    période (date d'entrée), toutes actions du périmètre confondues."""
    rows = scope.enrolments(db, filters, dated=scope.ENTRY, group=group).subquery()
    query = select(rows.c.grp, func.count(distinct(rows.c.learner_id)))
    return _count("beneficiaires_entree", db.execute(query.group_by(rows.c.grp)))


def exits(db: Session, filters: Filters, group: str | None = None) -> dict[str, Figure]:
    """Bénéficiaires sortis : nombre de personnes distinctes dont le parcours s'est terminé dans
    la période (date de sortie renseignée), quel qu'en soit le motif."""
    rows = scope.enrolments(db, filters, dated=scope.EXIT, group=group).subquery()
    query = select(rows.c.grp, func.count(distinct(rows.c.learner_id)))
    return _count("beneficiaires_sortie", db.execute(query.group_by(rows.c.grp)))


def participation(db: Session, filters: Filters, group: str | None = None) -> dict[str, Figure]:
    """Taux de participation : séances suivies / séances prévues, sommées sur les parcours entrés
    dans la période dont les séances prévues sont renseignées (et non nulles)."""
    rows = scope.enrolments(db, filters, dated=scope.ENTRY, group=group).subquery()
    known = and_(rows.c.sessions_planned > 0, rows.c.sessions_attended.is_not(None))
    query = select(
        rows.c.grp,
        func.sum(case((known, rows.c.sessions_attended), else_=0)).cast(Integer),
        func.sum(case((known, rows.c.sessions_planned), else_=0)).cast(Integer),
        func.count(distinct(case((known, rows.c.learner_id)))),
    )
    return _rate("taux_participation", db.execute(query.group_by(rows.c.grp)))


def _exit_rate(db, filters, group, key: str, condition_of) -> dict[str, Figure]:
    """A share of the exits of the period; ``condition_of(rows, at_exit)`` says which count."""
    rows = scope.enrolments(db, filters, dated=scope.EXIT, group=group).subquery()
    at_exit = Outcome.__table__.alias("at_exit")
    query = (
        select(
            rows.c.grp,
            _sum_if(condition_of(rows, at_exit)),
            func.count(),
            func.count(distinct(rows.c.learner_id)),
        )
        .select_from(rows)
        .outerjoin(
            at_exit,
            and_(
                at_exit.c.enrolment_id == rows.c.enrolment_id,
                at_exit.c.moment == OutcomeMoment.EXIT.value,
            ),
        )
    )
    return _rate(key, db.execute(query.group_by(rows.c.grp)))


def continuation(db: Session, filters: Filters, group: str | None = None) -> dict[str, Figure]:
    """Taux de suite de parcours : sorties de la période vers l'emploi, la formation ou une
    réorientation (motif de sortie « emploi » ou « réorientation », ou situation à la sortie en
    emploi ou en formation) / sorties de la période."""
    return _exit_rate(
        db,
        filters,
        group,
        "taux_suite_parcours",
        lambda rows, at_exit: or_(
            rows.c.exit_reason.in_((ExitReason.REORIENTED.value, ExitReason.FOUND_JOB.value)),
            at_exit.c.situation.in_([s.value for s in EMPLOYMENT + TRAINING_SITUATIONS]),
        ),
    )


def complete_paths(db: Session, filters: Filters, group: str | None = None) -> dict[str, Figure]:
    """Taux de parcours complets : sorties de la période au motif « parcours terminé » / sorties
    de la période. Prévu : le taux d'achèvement prévu par l'action."""
    return _exit_rate(
        db,
        filters,
        group,
        "taux_parcours_complets",
        lambda rows, at_exit: rows.c.exit_reason == ExitReason.COMPLETED.value,
    )


def return_to_employment(
    db: Session, filters: Filters, group: str | None = None
) -> dict[str, Figure]:
    """Retour à l'emploi : sorties de la période en emploi (motif « emploi », ou situation en
    emploi — CDI, CDD, intérim, alternance, création d'entreprise — à la sortie ou à six mois)
    / sorties de la période. Prévu : le taux d'accès à l'emploi prévu par l'action."""
    rows = scope.enrolments(db, filters, dated=scope.EXIT, group=group).subquery()
    employed = (
        select(Outcome.enrolment_id)
        .where(Outcome.situation.in_(EMPLOYMENT))
        .group_by(Outcome.enrolment_id)
        .subquery()
    )
    query = (
        select(
            rows.c.grp,
            _sum_if(
                or_(
                    rows.c.exit_reason == ExitReason.FOUND_JOB.value,
                    employed.c.enrolment_id.is_not(None),
                )
            ),
            func.count(),
            func.count(distinct(rows.c.learner_id)),
        )
        .select_from(rows)
        .outerjoin(employed, employed.c.enrolment_id == rows.c.enrolment_id)
    )
    return _rate("retour_emploi", db.execute(query.group_by(rows.c.grp)))


def _six_months(db, filters, group, today: date | None):
    """Exits of the period whose six-month follow-up is due, with their situation then."""
    due = scope.six_months_before(today or date.today())
    rows = scope.enrolments(db, filters, dated=scope.EXIT, group=group)
    rows = rows.where(scope.Enrolment.exit_date <= due).subquery()
    later = Outcome.__table__.alias("six_months")
    joined = rows.outerjoin(
        later,
        and_(
            later.c.enrolment_id == rows.c.enrolment_id,
            later.c.moment == OutcomeMoment.SIX_MONTHS.value,
        ),
    )
    known = and_(later.c.situation.is_not(None), later.c.situation != Situation.UNKNOWN.value)
    return rows, later, joined, known


def access_at_six_months(
    db: Session, filters: Filters, group: str | None = None, today: date | None = None
) -> dict[str, Figure]:
    """Accès à l'emploi ou à la formation à six mois : sorties de la période dont la situation
    six mois après est connue et en emploi ou en formation / sorties de la période dont la
    situation à six mois est connue (le suivi n'est dû que six mois après la sortie)."""
    rows, later, joined, known = _six_months(db, filters, group, today)
    wanted = [s.value for s in EMPLOYMENT + TRAINING_SITUATIONS]
    query = select(
        rows.c.grp,
        _sum_if(later.c.situation.in_(wanted)),
        _sum_if(known),
        func.count(distinct(case((known, rows.c.learner_id)))),
    ).select_from(joined)
    return _rate("acces_six_mois", db.execute(query.group_by(rows.c.grp)))


def known_at_six_months(
    db: Session, filters: Filters, group: str | None = None, today: date | None = None
) -> dict[str, Figure]:
    """Part des sorties dont la situation à six mois est connue : sorties de la période dont la
    situation six mois après est renseignée (et non « inconnue ») / sorties de la période dont
    le suivi à six mois est dû (sortie il y a six mois ou plus)."""
    rows, _, joined, known = _six_months(db, filters, group, today)
    query = select(
        rows.c.grp, _sum_if(known), func.count(), func.count(distinct(rows.c.learner_id))
    ).select_from(joined)
    return _rate("situations_connues_six_mois", db.execute(query.group_by(rows.c.grp)))
