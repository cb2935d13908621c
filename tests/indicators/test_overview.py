"""The platform's figures (``indicators.overview``) without Flask: funded structures only,
each person counted once whatever their memberships, activation by chosen password."""

from __future__ import annotations

from indicators import overview
from learners.models import Membership, OrganisationKind, Role
from tests.learners.factories import make_learner, make_organisation, make_user


def test_an_empty_platform_counts_zero(dbsession):
    assert overview.overview(dbsession) == overview.Overview(0, 0, 0)


def test_the_overview_counts_structures_people_and_activated_accounts(dbsession):
    association = make_organisation(dbsession, "Association A")
    ess = make_organisation(dbsession, "Régie B", OrganisationKind.ESS)
    # Neither the département nor the platform is a funded structure.
    make_organisation(dbsession, "Département", OrganisationKind.DEPARTEMENT)
    make_organisation(dbsession, "Plateforme", OrganisationKind.PLATFORM)
    active = make_learner(dbsession, association).user
    make_learner(dbsession, ess, must_change_password=True)  # still on a one-time code
    twice = make_learner(dbsession, association).user
    twice.memberships.append(Membership(organisation=ess, role=Role.LEARNER))
    make_user(dbsession, Role.TRAINER, association)  # staff are not beneficiaries
    dbsession.flush()

    counts = overview.overview(dbsession)
    assert counts.structures == 2
    assert counts.learner_accounts == 3  # the person in two structures counts once
    assert counts.activated == 2  # ``active`` and ``twice``
    assert not active.must_change_password
