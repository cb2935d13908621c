"""The platform's own issuer: created once with its organisation and keys, found afterwards."""

from __future__ import annotations

from sqlalchemy import func, select

from badges import issuers, keys_store
from badges.models import Issuer, KeyAlgorithm
from learners.models import Organisation, OrganisationKind
from tests.badges.factories import BASE_URL, KEK, make_issuer
from tests.learners.factories import make_organisation


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_no_platform_issuer_until_one_is_ensured(dbsession):
    make_issuer(dbsession)  # an association's issuer is not the platform's
    assert issuers.platform_issuer(dbsession) is None
    assert _count(dbsession, Organisation) == 1


def test_ensure_creates_the_platform_organisation_and_issuer_once(dbsession):
    first = issuers.ensure_platform_issuer(dbsession, BASE_URL, KEK, uses_did_web=False)
    dbsession.commit()
    assert first.organisation.kind is OrganisationKind.PLATFORM
    assert first.url == BASE_URL and not first.uses_did_web
    for algorithm in KeyAlgorithm:
        assert keys_store.active_key(dbsession, first, algorithm) is not None
    again = issuers.ensure_platform_issuer(dbsession, BASE_URL, KEK, uses_did_web=True)
    assert again.id == first.id and not again.uses_did_web  # fixed when created
    assert issuers.platform_issuer(dbsession).id == first.id
    assert (_count(dbsession, Organisation), _count(dbsession, Issuer)) == (1, 1)


def test_ensure_uses_an_existing_platform_organisation(dbsession):
    platform = make_organisation(dbsession, "Jalon (production)", OrganisationKind.PLATFORM)
    issuer = issuers.ensure_platform_issuer(dbsession, BASE_URL, KEK, uses_did_web=True)
    assert issuer.organisation_id == platform.id and issuer.uses_did_web
    assert issuers.issuer_iri(issuer, BASE_URL) == "did:web:jalon.test"
    assert _count(dbsession, Organisation) == 1
