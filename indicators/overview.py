"""The platform's first figures for the département: structures, accounts, activated accounts.

Counts over the whole platform (not narrowed by the indicators' filters: accounts are not
enrolments), shown at the foot of the dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learners.models import Membership, Organisation, OrganisationKind, Role, User

# Structures the département funds: every kind but the département itself and the platform.
FUNDED_KINDS = tuple(
    k
    for k in OrganisationKind
    if k not in (OrganisationKind.DEPARTEMENT, OrganisationKind.PLATFORM)
)


@dataclass(frozen=True)
class Overview:
    """The département's first figures."""

    structures: int  # funded structures registered on the platform
    learner_accounts: int  # people holding a learner account (in any structure, counted once)
    activated: int  # of those, people who chose their own password (no one-time code left)


def overview(db: Session) -> Overview:
    """Counts over the whole platform (three aggregate queries, no row per person)."""
    structures = db.scalar(
        select(func.count(Organisation.id)).where(Organisation.kind.in_(FUNDED_KINDS))
    )
    learner_accounts = db.scalar(
        select(func.count(func.distinct(Membership.user_id))).where(Membership.role == Role.LEARNER)
    )
    activated = db.scalar(
        select(func.count(func.distinct(Membership.user_id)))
        .join(User, User.id == Membership.user_id)
        .where(Membership.role == Role.LEARNER, User.must_change_password.is_(False))
    )
    return Overview(
        structures=structures or 0,
        learner_accounts=learner_accounts or 0,
        activated=activated or 0,
    )
