"""API tokens: issued once, stored hashed, recognised in constant time, refused when revoked,
expired or unknown."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from learners import api_tokens
from learners.database import utcnow
from learners.models import ApiToken, OrganisationKind, Role
from tests.learners.factories import make_organisation, make_user


@pytest.fixture
def departement(dbsession):
    return make_organisation(dbsession, "Département", OrganisationKind.DEPARTEMENT)


def _issue(db, departement, **kwargs):
    admin = make_user(db, Role.ORG_ADMIN, departement)
    return api_tokens.issue(db, departement, "Tableur du service", created_by=admin, **kwargs)


def test_issued_token_opens_the_api_and_notes_its_use(dbsession, departement):
    issued = _issue(dbsession, departement)
    assert issued.secret.startswith(f"jalon_{issued.token.prefix}_")
    found = api_tokens.authenticate(dbsession, issued.secret)
    assert found.id == issued.token.id
    assert found.last_used_at is not None
    assert found.created_by_id is not None


def test_only_the_hash_is_stored(dbsession, departement):
    issued = _issue(dbsession, departement)
    dbsession.commit()
    row = dbsession.execute(text("SELECT * FROM api_tokens")).mappings().one()
    stored = " ".join(str(value) for value in row.values())
    secret_part = issued.secret.rsplit("_", 1)[1]
    assert secret_part not in stored
    assert issued.secret not in stored
    assert row["token_hash"] == api_tokens.digest(issued.secret)


@pytest.mark.parametrize(
    "presented, reason",
    [
        ("", "malformed"),
        ("Bearer x", "malformed"),
        ("jalon_0000000_abc", "malformed"),
        ("jalon_00000000_abc", "unknown"),
    ],
)
def test_malformed_or_unknown_token_is_refused(dbsession, departement, presented, reason):
    _issue(dbsession, departement)
    with pytest.raises(api_tokens.TokenRefused) as refused:
        api_tokens.authenticate(dbsession, presented)
    assert refused.value.reason == reason


def test_right_prefix_with_a_wrong_secret_is_unknown(dbsession, departement):
    issued = _issue(dbsession, departement)
    with pytest.raises(api_tokens.TokenRefused) as refused:
        api_tokens.authenticate(dbsession, issued.secret[:-2] + "zz")
    assert refused.value.reason == "unknown"


def test_revoked_token_is_refused(dbsession, departement):
    issued = _issue(dbsession, departement)
    api_tokens.revoke(dbsession, departement.id, issued.token.id)
    with pytest.raises(api_tokens.TokenRefused) as refused:
        api_tokens.authenticate(dbsession, issued.secret)
    assert refused.value.reason == "revoked"
    with pytest.raises(api_tokens.AlreadyRevoked):
        api_tokens.revoke(dbsession, departement.id, issued.token.id)


def test_expired_token_is_refused_from_its_expiry_on(dbsession, departement):
    expiry = utcnow() + timedelta(days=30)
    issued = _issue(dbsession, departement, expires_at=expiry)
    assert api_tokens.authenticate(dbsession, issued.secret, now=expiry - timedelta(seconds=1))
    with pytest.raises(api_tokens.TokenRefused) as refused:
        api_tokens.authenticate(dbsession, issued.secret, now=expiry)
    assert refused.value.reason == "expired"


def test_another_organisation_cannot_revoke_a_token(dbsession, departement):
    issued = _issue(dbsession, departement)
    other = make_organisation(dbsession, "Autre département", OrganisationKind.DEPARTEMENT)
    with pytest.raises(api_tokens.UnknownToken):
        api_tokens.revoke(dbsession, other.id, issued.token.id)
    assert issued.token.revoked_at is None


def test_an_association_cannot_hold_tokens(dbsession):
    association = make_organisation(dbsession, "Association")
    with pytest.raises(api_tokens.NotADepartement):
        api_tokens.issue(dbsession, association, "x", created_by=None)
    assert dbsession.scalar(select(ApiToken)) is None


def test_last_use_is_written_at_most_once_a_minute(dbsession, departement):
    issued = _issue(dbsession, departement)
    first = utcnow()
    api_tokens.authenticate(dbsession, issued.secret, now=first)
    api_tokens.authenticate(dbsession, issued.secret, now=first + timedelta(seconds=30))
    assert issued.token.last_used_at == first
    later = first + timedelta(minutes=2)
    api_tokens.authenticate(dbsession, issued.secret, now=later)
    assert issued.token.last_used_at == later


def test_tokens_are_listed_newest_first_per_organisation(dbsession, departement):
    older = _issue(dbsession, departement).token
    newer = _issue(dbsession, departement).token
    other = make_organisation(dbsession, "Autre", OrganisationKind.DEPARTEMENT)
    _issue(dbsession, other)
    assert [t.id for t in api_tokens.tokens_of(dbsession, departement.id)] == [newer.id, older.id]
