"""Organisations on the platform: listing them with their size, creating one.

Functions take the database session (``db: Session``) and never commit (the caller ends the unit
of work).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from learners.models import Membership, Organisation, OrganisationKind

# Structures the département funds: every kind but the département itself, the platform and
# the partner employers (they endorse badges; they are not funded).
FUNDED_KINDS = tuple(
    k
    for k in OrganisationKind
    if k
    not in (OrganisationKind.DEPARTEMENT, OrganisationKind.EMPLOYEUR, OrganisationKind.PLATFORM)
)


class SiretTaken(ValueError):
    """Another organisation already has this SIRET number (one legal entity, one structure)."""


@dataclass(frozen=True)
class OrganisationSize:
    organisation: Organisation
    members: int  # memberships, every role counted


def with_member_counts(db: Session) -> list[OrganisationSize]:
    """Every organisation by name, with its number of memberships (one grouped query)."""
    members = (
        select(Membership.organisation_id, func.count(Membership.id).label("members"))
        .group_by(Membership.organisation_id)
        .subquery()
    )
    rows = db.execute(
        select(Organisation, func.coalesce(members.c.members, 0))
        .outerjoin(members, members.c.organisation_id == Organisation.id)
        .order_by(Organisation.name)
    )
    return [OrganisationSize(organisation, count) for organisation, count in rows]


def create_organisation(
    db: Session, name: str, kind: OrganisationKind, siret: str | None = None
) -> Organisation:
    """A new organisation (``siret`` already normalised, or None); :class:`SiretTaken` when
    another one has the same SIRET number."""
    if siret and db.scalar(select(Organisation.id).where(Organisation.siret == siret)):
        raise SiretTaken(siret)
    organisation = Organisation(name=name.strip(), kind=kind, siret=siret or None)
    db.add(organisation)
    db.flush()
    return organisation
