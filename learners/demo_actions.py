"""Demo funded actions: two actions of the demo association (one inclusion numérique) with
enrolments, exits and outcomes, dated from today so the six-month follow-ups and the
dashboards show something.

Besides the demo learners of :mod:`learners.demo`, a few more demo beneficiaries (same public
demo password) fill the actions, so the département's figures are not all masked as small
cells. Loading is idempotent: actions are matched by title, people by login.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from learners import demo
from learners.accounts import create_user, find_by_login
from learners.enrolments import add_months, paths_changed
from learners.models import (
    Action,
    Enrolment,
    ExitReason,
    Learner,
    Organisation,
    Outcome,
    OutcomeMoment,
    PublicStatus,
    Referrer,
    Role,
    Sex,
    Situation,
    Typology,
)

INCLUSION = "Inclusion numérique : premiers pas"
WEB = "Parcours développeur·se web"
EXTRA_BENEFICIARIES = (
    ("yhaddad", "Yasmine Haddad"),
    ("mdiop", "Moussa Diop"),
    ("cmercier", "Claire Mercier"),
    ("anguyen", "Anh Nguyen"),
    ("rbouaziz", "Rachid Bouaziz"),
    ("emartins", "Elena Martins"),
)


@dataclass(frozen=True)
class DemoPath:
    """One demo beneficiary's path: months are counted back from today."""

    login: str
    action: str
    status: PublicStatus
    sex: Sex
    birth_year: int
    commune: str
    entered_months_ago: int
    exited_months_ago: int | None = None
    reason: ExitReason | None = None
    at_exit: Situation | None = None
    at_six_months: Situation | None = None


PATHS = (
    DemoPath(
        "amina@passerelle.example",
        INCLUSION,
        PublicStatus.RSA_CER,
        Sex.FEMALE,
        1988,
        "93066",
        10,
        7,
        ExitReason.COMPLETED,
        Situation.OTHER_TRAINING,
        Situation.QUALIFYING_TRAINING,
    ),
    DemoPath(
        "sdupont",
        INCLUSION,
        PublicStatus.RSA_PPAE,
        Sex.FEMALE,
        1979,
        "93001",
        9,
        6,
        ExitReason.COMPLETED,
        Situation.NO_SOLUTION,
    ),
    DemoPath("sdupont", WEB, PublicStatus.RSA_PPAE, Sex.FEMALE, 1979, "93001", 5),
    DemoPath(
        "yhaddad",
        INCLUSION,
        PublicStatus.RSA_CER,
        Sex.FEMALE,
        1995,
        "93066",
        10,
        8,
        ExitReason.FOUND_JOB,
        Situation.CDD_UNDER_6_MONTHS,
        Situation.CDI,
    ),
    DemoPath(
        "mdiop",
        INCLUSION,
        PublicStatus.RSA_CER,
        Sex.MALE,
        1972,
        "93048",
        9,
        6,
        ExitReason.DROPPED_OUT,
        Situation.UNKNOWN,
    ),
    DemoPath(
        "cmercier",
        INCLUSION,
        PublicStatus.RSA_PPAE,
        Sex.FEMALE,
        1966,
        "93008",
        4,
        1,
        ExitReason.COMPLETED,
        Situation.OTHER_TRAINING,
    ),
    DemoPath(
        "anguyen",
        WEB,
        PublicStatus.JOB_SEEKER,
        Sex.NOT_STATED,
        2001,
        "93066",
        11,
        7,
        ExitReason.COMPLETED,
        Situation.WORK_STUDY,
        Situation.WORK_STUDY,
    ),
    DemoPath(
        "rbouaziz",
        WEB,
        PublicStatus.RSA_CER,
        Sex.MALE,
        1990,
        "93001",
        11,
        2,
        ExitReason.FOUND_JOB,
        Situation.CDD_6_MONTHS_OR_MORE,
    ),
    DemoPath("emartins", WEB, PublicStatus.JOB_SEEKER, Sex.FEMALE, 1998, "93048", 3),
)


def _action(db: Session, organisation: Organisation, title: str, today: date) -> Action:
    found = db.scalar(
        select(Action).where(Action.organisation_id == organisation.id, Action.title == title)
    )
    if found is not None:
        return found
    inclusion = title == INCLUSION
    action = Action(
        organisation_id=organisation.id,
        title=title,
        typologies=(
            [Typology.DIAGNOSTIC.value, Typology.DIGITAL_INCLUSION.value]
            if inclusion
            else [
                Typology.QUALIFYING_TRAINING.value,
                Typology.FEMINISATION.value,
                Typology.BADGE_VALIDATION.value,
            ]
        ),
        target_jobs=[] if inclusion else ["developpeur_web"],
        first_year=today.year - 1,
        last_year=today.year,
        communes=["93001", "93008", "93048", "93066"],
        planned_beneficiaries=12 if inclusion else 15,
        planned_completion_rate=70 if inclusion else 65,
        planned_success_rate=60 if inclusion else 50,
        planned_employment_rate=30 if inclusion else 45,
    )
    db.add(action)
    db.flush()
    return action


def _learner(db: Session, organisation: Organisation, login: str) -> Learner | None:
    user = find_by_login(db, login)
    if user is None:
        name = dict(EXTRA_BENEFICIARIES).get(login)
        if name is None:
            return None
        user = create_user(
            db,
            display_name=name,
            password=demo.DEMO_PASSWORD,
            username=login,
            memberships=((organisation, Role.LEARNER),),
        )
    return user.learner


def _path(db: Session, action: Action, learner: Learner, path: DemoPath, today: date) -> None:
    found = db.scalar(
        select(Enrolment).where(
            Enrolment.action_id == action.id, Enrolment.learner_id == learner.id
        )
    )
    if found is not None:
        return
    exited = add_months(today, -path.exited_months_ago) if path.exited_months_ago else None
    enrolment = Enrolment(
        action=action,
        learner=learner,
        referrer=Referrer.FRANCE_TRAVAIL
        if path.status is PublicStatus.JOB_SEEKER
        else Referrer.ALI,
        entry_date=add_months(today, -path.entered_months_ago),
        exit_date=exited,
        exit_reason=path.reason,
        sessions_planned=12,
        sessions_attended=(12 if path.reason is ExitReason.COMPLETED else 7) if exited else None,
        public_status=path.status,
        sex=path.sex,
        birth_year=path.birth_year,
        commune_code=path.commune,
    )
    db.add(enrolment)
    for moment, situation in (
        (OutcomeMoment.EXIT, path.at_exit),
        (OutcomeMoment.SIX_MONTHS, path.at_six_months),
    ):
        if situation is not None and exited is not None:
            observed = exited if moment is OutcomeMoment.EXIT else add_months(exited, 6)
            db.add(
                Outcome(
                    enrolment=enrolment, moment=moment, situation=situation, observed_on=observed
                )
            )
    db.flush()
    paths_changed(db, [learner.id])


def load_actions(db: Session, today: date) -> list[Action]:
    """The demo association's two actions and its beneficiaries' paths (idempotent)."""
    found = demo.associations(db)
    if not found:
        return []
    organisation = found[0]
    made = {title: _action(db, organisation, title, today) for title in (INCLUSION, WEB)}
    for path in PATHS:
        learner = _learner(db, organisation, path.login)
        if learner is not None:
            _path(db, made[path.action], learner, path, today)
    return list(made.values())
