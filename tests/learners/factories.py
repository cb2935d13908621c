"""Test data for organisations, users and learners, one line each: ``make_user(db, Role.TRAINER,
org)``. Every package's tests make these things here (``tests/assessments/factories.py`` and
``tests/badges/factories.py`` import them), so a learner is the same wherever a test needs one."""

from __future__ import annotations

import itertools
from datetime import date

from sqlalchemy.orm import Session

from learners import accounts
from learners.models import (
    Action,
    Enrolment,
    Learner,
    Organisation,
    OrganisationKind,
    PublicStatus,
    Referrer,
    Role,
    Sex,
    Typology,
    User,
)

PASSWORD = "correct horse battery"
_counter = itertools.count(1)

_KIND_FOR_ROLE = {
    Role.DEPARTMENT: OrganisationKind.DEPARTEMENT,
    Role.PLATFORM_ADMIN: OrganisationKind.PLATFORM,
}


def make_organisation(
    db: Session,
    name: str | None = None,
    kind: OrganisationKind = OrganisationKind.ASSOCIATION,
    siret: str | None = None,
) -> Organisation:
    """An organisation (an association unless ``kind`` says otherwise)."""
    organisation = Organisation(name=name or f"Structure {next(_counter)}", kind=kind, siret=siret)
    db.add(organisation)
    db.flush()
    return organisation


def make_user(
    db: Session,
    role: Role = Role.LEARNER,
    org: Organisation | None = None,
    *,
    name: str | None = None,
    login: str | None = None,
    password: str = PASSWORD,
    email: bool = True,
    must_change_password: bool = False,
) -> User:
    """A user holding ``role`` in ``org`` (an organisation of the fitting kind when omitted).

    ``login`` is an e-mail when it holds ``@``, else a username; by default an e-mail, or a
    username with ``email=False``."""
    n = next(_counter)
    org = org or make_organisation(db, kind=_KIND_FOR_ROLE.get(role, OrganisationKind.ASSOCIATION))
    login = login or (f"{role.value}{n}@test.example" if email else f"{role.value}{n}")
    return accounts.create_user(
        db,
        display_name=name or f"{role.value.title()} {n}",
        password=password,
        email=login if "@" in login else None,
        username=None if "@" in login else login,
        memberships=((org, role),),
        must_change_password=must_change_password,
    )


def make_learner(
    db: Session,
    org: Organisation | None = None,
    *,
    name: str | None = None,
    login: str | None = None,
    password: str = PASSWORD,
    must_change_password: bool = False,
) -> Learner:
    """A learner (profile and account, ``learner.user``) logging in by username by default.

    With ``org``, a member of it (as the staff pages list learners); without, a learner of no
    organisation, which is all the assessment and badge tests need."""
    if org is not None:
        return make_user(
            db,
            Role.LEARNER,
            org,
            name=name,
            login=login,
            password=password,
            email=False,
            must_change_password=must_change_password,
        ).learner
    n = next(_counter)
    login = login or f"learner{n}"
    user = accounts.create_user(
        db,
        display_name=name or f"Learner {n}",
        password=password,
        email=login if "@" in login else None,
        username=None if "@" in login else login,
        must_change_password=must_change_password,
    )
    user.learner = Learner(display_name=user.display_name)
    db.flush()
    return user.learner


def make_action(db: Session, org: Organisation | None = None, **values) -> Action:
    """An action of ``org`` (a new association when omitted), planning 10 beneficiaries;
    ``values`` override any column (``typologies=["inclusion_numerique"]``…)."""
    fields = {
        "title": f"Action {next(_counter)}",
        "typologies": [Typology.DIAGNOSTIC.value],
        "target_jobs": [],
        "first_year": 2025,
        "last_year": 2027,
        "communes": ["93066"],
        "planned_beneficiaries": 10,
    }
    fields.update(values)
    action = Action(organisation=org or make_organisation(db), **fields)
    db.add(action)
    db.flush()
    return action


def make_enrolment(
    db: Session,
    action: Action,
    learner: Learner,
    *,
    entry_date: date = date(2025, 3, 1),
    exit_date: date | None = None,
    public_status: PublicStatus = PublicStatus.RSA_CER,
    sex: Sex = Sex.NOT_STATED,
) -> Enrolment:
    """``learner`` in ``action`` (written directly, without the domain's checks)."""
    enrolment = Enrolment(
        action=action,
        learner=learner,
        referrer=Referrer.FRANCE_TRAVAIL,
        entry_date=entry_date,
        exit_date=exit_date,
        public_status=public_status,
        sex=sex,
    )
    db.add(enrolment)
    db.flush()
    return enrolment
