"""Sessions really end: after a logout or a trainer's « Déconnecter partout » a copied cookie
no longer opens anything; a session past its idle or absolute limit is signed out; logging in
starts a fresh session (nothing from before the login is kept)."""

from __future__ import annotations

import time

import pytest

from learners.models import User
from tests.learners.factories import PASSWORD
from tests.web.forms import submit, text
from web.auth import session_clock


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _with_cookie(app, value: str):
    copy = app.test_client()
    copy.set_cookie("session", value)
    return copy


def test_a_copied_cookie_fails_after_logout(app, client, world):
    response = submit(client, "/connexion", {"login": "learner-a", "password": PASSWORD})
    assert response.status_code == 302
    stolen = _cookie(client)
    assert _with_cookie(app, stolen).get("/apprenant/").status_code == 200
    submit(client, "/deconnexion", {}, form_path="/apprenant/")
    assert _with_cookie(app, stolen).get("/apprenant/").status_code == 302


def test_a_trainer_ends_every_session_of_a_learner(app, client_as, world):
    from web.database import db

    learner = client_as("learner")
    assert learner.get("/apprenant/").status_code == 200
    trainer = client_as("trainer")
    page = f"/organisations/{world.org_a}/"
    ended = submit(
        trainer,
        f"/organisations/{world.org_a}/apprenants/{world.learner}/fin-des-sessions",
        {},
        form_path=page,
    )
    assert ended.status_code == 302
    assert "déconnecté sur tous ses appareils" in text(trainer.get(page))
    assert learner.get("/apprenant/").status_code == 302
    with app.app_context():
        assert db.session.get(User, world.learner).session_version == 1
    journal = client_as("org_admin").get(f"/organisations/{world.org_a}/journal")
    assert "Apprenant déconnecté sur tous ses appareils" in text(journal)


@pytest.mark.parametrize(
    ("login_ago", "seen_ago", "still_in"),
    [(60, 60, True), (3 * 3600, 3 * 3600, False), (13 * 3600, 60, False)],
)
def test_idle_and_absolute_timeouts(client_as, login_ago, seen_ago, still_in):
    client = client_as("learner")
    now = int(time.time())
    with client.session_transaction() as cookie:
        cookie[session_clock.LOGIN_AT] = now - login_ago
        cookie[session_clock.SEEN_AT] = now - seen_ago
    response = client.get("/apprenant/")
    assert (response.status_code == 200) is still_in
    if not still_in:
        assert response.headers["Location"].endswith("/connexion")
        assert "Votre session a pris fin" in text(client.get("/connexion"))


def test_login_starts_a_fresh_session(client, world):
    with client.session_transaction() as cookie:
        cookie["planted"] = "by someone else"
    submit(client, "/connexion", {"login": "learner-a", "password": PASSWORD})
    with client.session_transaction() as cookie:
        assert "planted" not in cookie
        assert cookie[session_clock.LOGIN_AT] == cookie[session_clock.SEEN_AT]


def test_last_seen_is_rewritten_once_a_minute_not_on_every_request(client_as):
    client = client_as("learner")
    now = int(time.time())
    with client.session_transaction() as cookie:
        cookie[session_clock.LOGIN_AT] = cookie[session_clock.SEEN_AT] = now - 5
    assert client.get("/apprenant/").status_code == 200
    with client.session_transaction() as cookie:
        assert cookie[session_clock.SEEN_AT] == now - 5
        cookie[session_clock.SEEN_AT] = now - 90
    client.get("/apprenant/")
    with client.session_transaction() as cookie:
        assert cookie[session_clock.SEEN_AT] >= now
