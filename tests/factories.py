"""One-line makers for test data (CTFd's ``gen_*`` idea): ``make_user(s, Role.TRAINER, org)``."""

from __future__ import annotations

import itertools

from sqlalchemy.orm import Session

from learners import accounts
from learners.models import Organisation, OrganisationKind, Role, User

PASSWORD = "correct horse battery"
_counter = itertools.count(1)

_KIND_FOR_ROLE = {
    Role.DEPARTMENT: OrganisationKind.DEPARTEMENT,
    Role.PLATFORM_ADMIN: OrganisationKind.PLATFORM,
}


def make_org(
    session: Session,
    name: str | None = None,
    kind: OrganisationKind = OrganisationKind.ASSOCIATION,
    siret: str | None = None,
) -> Organisation:
    organisation = Organisation(name=name or f"Structure {next(_counter)}", kind=kind, siret=siret)
    session.add(organisation)
    session.flush()
    return organisation


def make_user(
    session: Session,
    role: Role = Role.LEARNER,
    org: Organisation | None = None,
    *,
    login: str | None = None,
    password: str = PASSWORD,
    email: bool = True,
    must_change_password: bool = False,
    display_name: str | None = None,
) -> User:
    """A user holding ``role`` in ``org`` (an organisation of the fitting kind when omitted)."""
    n = next(_counter)
    org = org or make_org(session, kind=_KIND_FOR_ROLE.get(role, OrganisationKind.ASSOCIATION))
    login = login or (f"{role.value}{n}@test.example" if email else f"{role.value}{n}")
    return accounts.create_user(
        session,
        display_name=display_name or f"{role.value.title()} {n}",
        password=password,
        email=login if "@" in login else None,
        username=None if "@" in login else login,
        memberships=((org, role),),
        must_change_password=must_change_password,
    )


def make_learner(session: Session, org: Organisation | None = None, **kwargs) -> User:
    """A learner without e-mail (the common case), logging in by username."""
    return make_user(session, Role.LEARNER, org, email=False, **kwargs)


def login_as(client, user: User) -> None:
    """Sign ``user`` in on a Flask test client without a login request (no rate limit used)."""
    with client.session_transaction() as session:
        session["_user_id"] = user.get_id()
        session["_fresh"] = True
