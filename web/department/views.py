"""The département's indicators space: aggregates only, never a beneficiary's name."""

from __future__ import annotations

from flask import Blueprint, render_template
from sqlalchemy import func, select

from learners.models import Membership, Organisation, OrganisationKind, Role, User
from web.authz import requires
from web.database import db

bp = Blueprint("department", __name__, url_prefix="/departement")

FUNDED_KINDS = tuple(
    k
    for k in OrganisationKind
    if k not in (OrganisationKind.DEPARTEMENT, OrganisationKind.PLATFORM)
)


@bp.get("/")
@requires(Role.DEPARTMENT)
def home():
    structures = db.session.scalar(
        select(func.count(Organisation.id)).where(Organisation.kind.in_(FUNDED_KINDS))
    )
    learner_accounts = db.session.scalar(
        select(func.count(func.distinct(Membership.user_id))).where(Membership.role == Role.LEARNER)
    )
    activated = db.session.scalar(
        select(func.count(func.distinct(Membership.user_id)))
        .join(User, User.id == Membership.user_id)
        .where(Membership.role == Role.LEARNER, User.must_change_password.is_(False))
    )
    return render_template(
        "department/home.html",
        structures=structures or 0,
        learner_accounts=learner_accounts or 0,
        activated=activated or 0,
    )
