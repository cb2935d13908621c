"""Demo data: a département and its administrator, two associations, their staff and learners,
a partner employer's administrator, a platform admin.

Loading is idempotent: it adds what is missing, matched by organisation name and login, and
never touches anything else. The passwords are fixed, public demo values (see README): never
load this into a production database.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from learners.accounts import create_user, find_by_login
from learners.models import Membership, Organisation, OrganisationKind, Role

DEMO_PASSWORD = "jalon-demo"  # noqa: S105 -- public demo value, documented in README


@dataclass(frozen=True)
class DemoAccount:
    login: str
    display_name: str
    role: Role
    organisation: str
    email: bool = True


PLATFORM = ("Plateforme Jalon", OrganisationKind.PLATFORM, None)
DEPARTEMENT = ("Département de démonstration", OrganisationKind.DEPARTEMENT, None)
PASSERELLE = ("Association Passerelle Numérique", OrganisationKind.ASSOCIATION, "73282932000074")
ATELIERS = ("Les Ateliers du Lien", OrganisationKind.ASSOCIATION, None)
# A partner employer whose administrator endorses associations' badges.
EMPLOYEUR = ("Transports Durand", OrganisationKind.EMPLOYEUR, None)
ORGANISATIONS = (PLATFORM, DEPARTEMENT, PASSERELLE, ATELIERS, EMPLOYEUR)
# The associations that run the demo's assessments and issue its badges.
ASSOCIATIONS = (PASSERELLE, ATELIERS)

ACCOUNTS = (
    DemoAccount("admin@jalon.example", "Camille Admin", Role.PLATFORM_ADMIN, PLATFORM[0]),
    DemoAccount("departement@jalon.example", "Nadia Mission", Role.DEPARTMENT, DEPARTEMENT[0]),
    # The département's administrator: its API tokens (/departement/<id>/jetons-api).
    DemoAccount("admin@departement.example", "Karim Haddad", Role.ORG_ADMIN, DEPARTEMENT[0]),
    DemoAccount("direction@passerelle.example", "Hélène Roux", Role.ORG_ADMIN, PASSERELLE[0]),
    DemoAccount("formateur@passerelle.example", "Julien Morel", Role.TRAINER, PASSERELLE[0]),
    DemoAccount("amina@passerelle.example", "Amina Benali", Role.LEARNER, PASSERELLE[0]),
    DemoAccount("sdupont", "Sophie Dupont", Role.LEARNER, PASSERELLE[0], email=False),
    DemoAccount("direction@ateliers.example", "Marc Lefèvre", Role.ORG_ADMIN, ATELIERS[0]),
    DemoAccount("formatrice@ateliers.example", "Inès Garnier", Role.TRAINER, ATELIERS[0]),
    DemoAccount("kmartin", "Kevin Martin", Role.LEARNER, ATELIERS[0], email=False),
    DemoAccount("lpetit", "Lucas Petit", Role.LEARNER, ATELIERS[0], email=False),
    DemoAccount("recrutement@durand.example", "Paul Durand", Role.ORG_ADMIN, EMPLOYEUR[0]),
)

# The one account per role `make run` prints first.
SHOWCASE = (
    "admin@jalon.example",
    "departement@jalon.example",
    "direction@passerelle.example",
    "formateur@passerelle.example",
    "sdupont",
)


def _organisation(db: Session, name: str, kind: OrganisationKind, siret: str | None):
    found = db.scalar(select(Organisation).where(Organisation.name == name))
    if found is None:
        found = Organisation(name=name, kind=kind, siret=siret)
        db.add(found)
        db.flush()
    return found


def is_empty(db: Session) -> bool:
    return db.scalar(select(Organisation.id).limit(1)) is None


def load_demo(db: Session) -> list[DemoAccount]:
    """Create whatever demo organisation, account or membership is missing; return the accounts."""
    organisations = {
        name: _organisation(db, name, kind, siret) for name, kind, siret in ORGANISATIONS
    }
    for account in ACCOUNTS:
        organisation = organisations[account.organisation]
        user = find_by_login(db, account.login)
        if user is None:
            create_user(
                db,
                display_name=account.display_name,
                password=DEMO_PASSWORD,
                email=account.login if account.email else None,
                username=None if account.email else account.login,
                memberships=((organisation, account.role),),
            )
        elif account.role not in user.roles_in(organisation.id):
            db.add(Membership(user=user, organisation=organisation, role=account.role))
    db.flush()
    return list(ACCOUNTS)


def associations(db: Session) -> list[Organisation]:
    """The demo associations present in the database, in :data:`ASSOCIATIONS` order."""
    found = []
    for name, _kind, _siret in ASSOCIATIONS:
        organisation = db.scalar(select(Organisation).where(Organisation.name == name))
        if organisation is not None:
            found.append(organisation)
    return found


def showcase_accounts(db: Session) -> list[DemoAccount]:
    """The showcase accounts (one per role) that exist in the database: what to log in with."""
    return [
        account
        for account in ACCOUNTS
        if account.login in SHOWCASE and find_by_login(db, account.login) is not None
    ]
