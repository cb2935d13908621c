"""A NUL character anywhere in a request gets a French 400 (never a 500, on either engine), and
nothing shown to a signed-in person may be kept in a browser's or a proxy's cache."""

from __future__ import annotations

import pytest

from learners.models import User
from tests.web.forms import text

MESSAGE = "contient un caractère invisible interdit"


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/connexion", {"login": "trainer-a@test.example\x00", "password": "x"}),
        ("/mot-de-passe-oublie", {"email": "a\x00@test.example"}),
    ],
)
def test_a_nul_in_a_public_form_is_a_french_400(client, world, path, data):
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert MESSAGE in text(response)


@pytest.mark.parametrize(
    "path",
    [
        "/c/00000000-0000-4000-8000-000000000000%00",
        "/issuers/1%00",
        "/connexion?next=%2F%00",
    ],
)
def test_a_nul_in_an_address_is_a_french_400(client, world, path):
    response = client.get(path)
    assert response.status_code == 400
    assert MESSAGE in text(response)


def test_a_nul_in_a_json_body_is_a_problem_400(client, world):
    response = client.post("/api/verifier", json={"credential": {"name": "a\x00b"}})
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert MESSAGE in response.get_json()["detail"]


def test_a_nul_in_a_new_learner_name_writes_nothing(client_as, world, count_rows):
    before = count_rows(User)
    response = client_as("trainer").post(
        f"/organisations/{world.org_a}/apprenants/nouveau", data={"display_name": "Awa\x00"}
    )
    assert response.status_code == 400
    assert MESSAGE in text(response)
    assert count_rows(User) == before


@pytest.mark.parametrize("role", ["learner", "trainer", "department", "platform_admin"])
def test_signed_in_pages_are_never_cached(client_as, role):
    client = client_as(role)
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200
    assert home.headers["Cache-Control"] == "no-store"


def test_public_pages_and_static_files_keep_their_own_caching(client, client_as):
    assert "no-store" not in client.get("/connexion").headers.get("Cache-Control", "")
    signed_in = client_as("learner")
    assert "no-store" not in signed_in.get("/static/css/jalon.css").headers.get("Cache-Control", "")
