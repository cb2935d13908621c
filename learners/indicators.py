"""The département's indicators: aggregate figures over every funded structure.

The département sees counts, never a person: every function here returns numbers only, so a
page or an export built on them cannot name a beneficiary. The figures about people and
structures (accounts, and later entries and exits, participation, outcomes six months later)
grow here: add a field to ``Overview`` or a function beside it, computed in SQL (counts over
the whole département, not rows brought back). Figures about sessions and badges belong to
``assessments`` and ``badges`` (``learners`` imports neither); the dashboard puts them side by
side.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learners.models import Membership, Organisation, OrganisationKind, Role, User

# Structures the département funds: every kind but the département itself, the platform and
# the partner employers (they endorse badges; they are not funded).
FUNDED_KINDS = tuple(
    k
    for k in OrganisationKind
    if k
    not in (OrganisationKind.DEPARTEMENT, OrganisationKind.EMPLOYEUR, OrganisationKind.PLATFORM)
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
