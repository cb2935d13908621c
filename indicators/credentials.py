"""The indicators about badges and certifications that count for an action.

A credential counts for an action when it was awarded for it (``Credential.action_id``, set from
the session's campaign or chosen by hand) to a learner enrolled in it; revoked credentials do not
count, except those revoked because the person asked for erasure (the badge was earned: the
figures must not change when someone uses their RGPD rights). Aggregated in SQL over
``scope.enrolments``.
"""

from __future__ import annotations

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import Session

from badges.models import Credential, VerificationEvent
from badges.personal_data import ERASURE_REASON
from indicators import scope
from indicators.figures import Figure
from indicators.filters import Filters


def _rates(key: str, rows) -> dict[str, Figure]:
    figures = {}
    for grp, numerator, denominator, people in rows:
        numerator, denominator = int(numerator or 0), int(denominator or 0)
        figures["" if grp is None else str(grp)] = Figure(
            key=key,
            value=numerator / denominator if denominator else None,
            numerator=numerator,
            denominator=denominator,
            people=people or 0,
        )
    return figures


def _standing():
    """Not revoked, or revoked only because its holder asked for erasure (it was earned)."""
    return or_(Credential.revoked_at.is_(None), Credential.revocation_reason == ERASURE_REASON)


def _counts_for(rows):
    """The credential counts for this row's path: awarded for its action, to its learner."""
    return and_(
        Credential.action_id == rows.c.action_id,
        Credential.learner_id == rows.c.learner_id,
        _standing(),
    )


def _held():
    """One row per (learner, action) holding a credential that counts: joined once to the
    enrolments, instead of one correlated lookup per enrolment."""
    return (
        select(Credential.learner_id, Credential.action_id)
        .where(Credential.action_id.is_not(None), _standing())
        .group_by(Credential.learner_id, Credential.action_id)
        .subquery("held")
    )


def success(db: Session, filters: Filters, group: str | None = None) -> dict[str, Figure]:
    """Taux de réussite certification / badge : bénéficiaires entrés dans la période ayant au
    moins un badge ou une certification non révoqué(e) obtenu(e) pour l'action / bénéficiaires
    entrés dans la période. Prévu : le taux de réussite prévu par l'action."""
    rows = scope.enrolments(db, filters, dated=scope.ENTRY, group=group).subquery()
    held = _held()
    query = (
        select(
            rows.c.grp,
            func.count(held.c.learner_id),
            func.count(),
            func.count(distinct(rows.c.learner_id)),
        )
        .select_from(rows)
        .outerjoin(
            held,
            and_(held.c.learner_id == rows.c.learner_id, held.c.action_id == rows.c.action_id),
        )
    )
    query = query.group_by(rows.c.grp)
    return _rates("taux_reussite_badges", db.execute(query))


def verification(db: Session, filters: Filters, group: str | None = None) -> dict[str, Figure]:
    """Taux de vérification des badges : badges non révoqués délivrés pour les actions aux
    bénéficiaires entrés dans la période et vérifiés au moins une fois par un tiers / ces
    badges. Une ouverture de la page du badge par son titulaire n'est pas comptée comme une
    vérification (``web/verify/openings.py``), ni un rechargement par le même visiteur."""
    rows = scope.enrolments(db, filters, dated=scope.ENTRY, group=group).subquery()
    # The verified credentials, each once: an outer join, not a lookup per credential.
    checked = (
        select(VerificationEvent.credential_id).group_by(VerificationEvent.credential_id)
    ).subquery("checked")
    query = (
        select(
            rows.c.grp,
            func.count(checked.c.credential_id),
            func.count(Credential.id),
            func.count(distinct(rows.c.learner_id)),
        )
        .select_from(rows)
        .join(Credential, _counts_for(rows))
        .outerjoin(checked, checked.c.credential_id == Credential.id)
    )
    query = query.group_by(rows.c.grp)
    return _rates("taux_verification_badges", db.execute(query))
