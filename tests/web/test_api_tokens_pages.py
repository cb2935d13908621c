"""The département's API tokens page: its administrator creates a token (the secret shown once,
only its hash kept), sees it listed, revokes it; each step is in the journal; nobody else may."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from learners import api_tokens
from learners.models import ApiToken, AuditEvent, Organisation, Role, User
from tests.learners.factories import make_user
from tests.web.forms import login_as, submit, text

SECRET = re.compile(r'value="(jalon_[0-9a-f]{8}_[A-Za-z0-9_-]+)"')


@pytest.fixture
def admin_client(app, world):
    """A test client signed in as the administrator of the world's département."""
    from web.database import db

    with app.app_context():
        departement = db.session.get(Organisation, world.departement)
        admin = make_user(db.session, Role.ORG_ADMIN, departement, login="admin-dept@test.example")
        db.session.commit()
        client = app.test_client()
        login_as(client, db.session.get(User, admin.id))
    return client


def _page(world) -> str:
    return f"/departement/{world.departement}/jetons-api"


def _tokens(app) -> list[ApiToken]:
    from web.database import db

    with app.app_context():
        return list(db.session.scalars(select(ApiToken)))


def _journal(app, org_id: int) -> list[str]:
    from web.database import db

    with app.app_context():
        query = select(AuditEvent.action).where(AuditEvent.organisation_id == org_id)
        return list(db.session.scalars(query.order_by(AuditEvent.id)))


def test_the_departement_space_links_to_the_tokens(world, admin_client, client_as):
    space = f"/organisations/{world.departement}/"
    assert _page(world) in admin_client.get(space).get_data(as_text=True)
    association = client_as("org_admin").get(f"/organisations/{world.org_a}/")
    assert "jetons-api" not in association.get_data(as_text=True)


def test_admin_creates_a_token_whose_secret_is_shown_once(app, world, admin_client):
    response = submit(admin_client, _page(world), {"name": "Tableau de bord du service"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    secret = SECRET.search(response.get_data(as_text=True)).group(1)
    (token,) = _tokens(app)
    assert token.name == "Tableau de bord du service"
    assert token.token_hash == api_tokens.digest(secret)
    assert secret.split("_", 2)[2] not in token.token_hash
    listing = admin_client.get(_page(world))
    assert secret not in listing.get_data(as_text=True)  # never shown again
    assert f"jalon_{token.prefix}_…" in text(listing)
    assert _journal(app, world.departement) == ["api_token.created"]
    api = app.test_client().get(
        "/api/v1/openapi.json", headers={"Authorization": f"Bearer {secret}"}
    )
    assert api.status_code == 200


def test_admin_sets_an_expiry_day(app, world, admin_client):
    last_day = date.today() + timedelta(days=10)
    response = submit(
        admin_client, _page(world), {"name": "Essai", "expires_on": last_day.isoformat()}
    )
    assert response.status_code == 201
    (token,) = _tokens(app)
    assert token.expires_at is not None
    assert last_day <= token.expires_at.date() <= last_day + timedelta(days=1)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"name": ""}, "Donnez un nom au jeton"),
        ({"name": "x" * 121}, "120 caractères au plus"),
        ({"name": "Essai", "expires_on": "2001-01-01"}, "Choisissez une date à venir"),
        ({"name": "Essai", "expires_on": "demain"}, "Essai"),
    ],
)
def test_bad_input_re_renders_with_french_messages(app, world, admin_client, data, message):
    response = submit(admin_client, _page(world), data)
    assert response.status_code == 422
    assert message in text(response)
    assert _tokens(app) == []


def test_admin_revokes_a_token_and_the_api_refuses_it(app, world, admin_client):
    created = submit(admin_client, _page(world), {"name": "À révoquer"})
    secret = SECRET.search(created.get_data(as_text=True)).group(1)
    (token,) = _tokens(app)
    revoke = f"{_page(world)}/{token.id}/revoquer"
    response = submit(admin_client, revoke, {}, form_path=_page(world))
    assert response.status_code == 303
    assert "Révoqué le" in text(admin_client.get(_page(world)))
    assert _tokens(app)[0].revoked_at is not None
    assert _journal(app, world.departement) == ["api_token.created", "api_token.revoked"]
    from web.database import db

    with app.app_context(), pytest.raises(api_tokens.TokenRefused):
        api_tokens.authenticate(db.session, secret)


@pytest.mark.parametrize("role", ["learner", "trainer", "org_admin", "department"])
def test_nobody_but_the_departement_admin_creates_tokens(app, world, client_as, role):
    app.config["WTF_CSRF_ENABLED"] = False
    client = client_as(role)
    response = client.post(_page(world), data={"name": "Intrus"})
    assert response.status_code == 403
    own = client.post(f"/departement/{world.org_a}/jetons-api", data={"name": "Intrus"})
    assert own.status_code in (403, 404)  # an association holds no tokens
    assert _tokens(app) == []


def test_another_departement_admin_cannot_revoke(app, world, admin_client):
    from learners.models import OrganisationKind
    from tests.learners.factories import make_organisation
    from web.database import db

    with app.app_context():
        other = make_organisation(db.session, "Autre département", OrganisationKind.DEPARTEMENT)
        issued = api_tokens.issue(db.session, other, "Le leur", created_by=None)
        db.session.commit()
        other_id, token_id = other.id, issued.token.id
    app.config["WTF_CSRF_ENABLED"] = False
    mine = admin_client.post(f"/departement/{world.departement}/jetons-api/{token_id}/revoquer")
    theirs = admin_client.post(f"/departement/{other_id}/jetons-api/{token_id}/revoquer")
    assert (mine.status_code, theirs.status_code) == (404, 403)
    assert _tokens(app)[0].revoked_at is None
