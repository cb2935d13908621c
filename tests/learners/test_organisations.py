"""Organisations without Flask (``learners.organisations``): the list with member counts, and
creation refusing a SIRET number another structure already has."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from learners import organisations
from learners.models import Organisation, OrganisationKind, Role
from tests.learners.factories import make_learner, make_organisation, make_user


def test_organisations_are_listed_by_name_with_their_member_counts(dbsession):
    busy = make_organisation(dbsession, "Bretelle")
    make_organisation(dbsession, "Avenir")  # nobody yet
    make_learner(dbsession, busy)
    make_user(dbsession, Role.TRAINER, busy)
    rows = organisations.with_member_counts(dbsession)
    assert [(r.organisation.name, r.members) for r in rows] == [("Avenir", 0), ("Bretelle", 2)]


def test_an_organisation_is_created_with_its_name_trimmed(dbsession):
    created = organisations.create_organisation(
        dbsession, "  Régie de quartier  ", OrganisationKind.ESS, "73282932000074"
    )
    assert (created.name, created.kind) == ("Régie de quartier", OrganisationKind.ESS)
    assert created.id is not None and created.siret == "73282932000074"
    without = organisations.create_organisation(dbsession, "Sans SIRET", OrganisationKind.GIP, "")
    assert without.siret is None


def test_a_siret_already_taken_is_refused_and_nothing_is_added(dbsession):
    make_organisation(dbsession, "Première", siret="73282932000074")
    before = dbsession.scalar(select(func.count()).select_from(Organisation))
    with pytest.raises(organisations.SiretTaken):
        organisations.create_organisation(
            dbsession, "Seconde", OrganisationKind.ASSOCIATION, "73282932000074"
        )
    assert dbsession.scalar(select(func.count()).select_from(Organisation)) == before
