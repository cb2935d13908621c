"""Bad input gets a French message and a 4xx, and writes nothing."""

from __future__ import annotations

import re
import time

import pytest
from itsdangerous.timed import TimestampSigner

from learners import accounts
from learners.models import Learner, Membership, Organisation, User
from tests.learners.factories import PASSWORD
from tests.web.forms import csrf_token, submit, text
from web.extensions import unlimited_view

MODELS = (User, Membership, Learner, Organisation)


@pytest.fixture
def snapshot(count_rows):
    def take() -> dict[str, int]:
        return {model.__name__: count_rows(model) for model in MODELS}

    return take


def _password_hash(app, user_id: int) -> str:
    from web.database import db

    with app.app_context():
        return db.session.get(User, user_id).password_hash


def test_wrong_password_is_refused_in_french_with_the_same_message_as_unknown_user(
    client, world, snapshot
):
    before = snapshot()
    wrong = submit(client, "/connexion", {"login": "trainer-a@test.example", "password": "nope"})
    unknown = submit(client, "/connexion", {"login": "ghost@test.example", "password": "nope"})
    assert wrong.status_code == unknown.status_code == 422
    message = "Identifiant ou mot de passe incorrect."
    assert message in text(wrong) and message in text(unknown)
    assert snapshot() == before


def test_every_failed_login_costs_the_same_two_verifications(client, client_as, world, monkeypatch):
    """No timing oracle: an unknown login, a password account and an account holding a one-time
    code all run argon2 twice on a failed attempt."""
    from learners import passwords

    renew = f"/organisations/{world.org_a}/apprenants/{world.learner}/nouveau-code"
    sheet = submit(client_as("trainer"), renew, {}, form_path=f"/organisations/{world.org_a}/")
    assert sheet.status_code == 200
    calls = []
    real = passwords.verify_password
    monkeypatch.setattr(passwords, "verify_password", lambda h, p: calls.append(h) or real(h, p))
    costs = []
    for login in ("ghost@test.example", "trainer-a@test.example", "learner-a"):
        calls.clear()
        response = submit(client, "/connexion", {"login": login, "password": "nope"})
        assert response.status_code == 422
        costs.append(len(calls))
        assert all(h.startswith("$argon2id$") for h in calls)
    assert costs == [2, 2, 2]


def test_a_one_time_code_expires_and_says_so(app, client, client_as, world):
    from datetime import timedelta

    from learners.models import User
    from web.database import db

    renew = f"/organisations/{world.org_a}/apprenants/{world.learner}/nouveau-code"
    sheet = submit(client_as("trainer"), renew, {}, form_path=f"/organisations/{world.org_a}/")
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}", text(sheet)).group(0)
    with app.app_context():
        user = db.session.get(User, world.learner)
        user.password_changed_at -= timedelta(days=31)
        db.session.commit()
    expired = submit(client, "/connexion", {"login": "learner-a", "password": code})
    assert expired.status_code == 422
    assert "Ce code d'accès a expiré" in text(expired)
    wrong = submit(client, "/connexion", {"login": "learner-a", "password": "nope"})
    assert "Ce code d'accès a expiré" not in text(wrong)  # only a right code learns it expired
    with app.app_context():
        db.session.get(User, world.learner).password_changed_at += timedelta(days=2)
        db.session.commit()
    assert submit(client, "/connexion", {"login": "learner-a", "password": code}).status_code == 302


@pytest.mark.parametrize(
    "login",
    ["' OR '1'='1", "admin'--", 'x"; DROP TABLE users; --', "%", "_", "learner-a' OR 1=1 --"],
)
def test_sql_looking_usernames_are_just_wrong_logins(login, client, world, snapshot):
    before = snapshot()
    response = submit(client, "/connexion", {"login": login, "password": "' OR '1'='1"})
    assert response.status_code == 422
    assert "Identifiant ou mot de passe incorrect." in text(response)
    assert snapshot() == before
    reset = submit(client, "/mot-de-passe-oublie", {"login": login})
    assert reset.status_code == 200
    assert snapshot() == before


def test_sql_looking_learner_name_is_stored_as_plain_text(app, client_as, world, count_rows):
    trainer = client_as("trainer")
    name = "Robert'); DROP TABLE users;--"
    response = submit(
        trainer, f"/organisations/{world.org_a}/apprenants/nouveau", {"display_name": name}
    )
    assert response.status_code == 200
    assert count_rows(User) == 8
    assert name in text(trainer.get(f"/organisations/{world.org_a}/"))


def test_expired_reset_link_is_refused_in_french(app, client, world, monkeypatch):
    from web.database import db

    with app.app_context():
        user = db.session.get(User, world.trainer)
        with monkeypatch.context() as m:
            m.setattr(TimestampSigner, "get_timestamp", lambda self: int(time.time()) - 3 * 3600)
            token = accounts.make_reset_token(app.config["SECRET_KEY"], user)
    before = _password_hash(app, world.trainer)
    page = client.get(f"/mot-de-passe/nouveau/{token}")
    assert page.status_code == 400
    assert "Ce lien a expiré" in text(page)
    posted = client.post(
        f"/mot-de-passe/nouveau/{token}",
        data={
            "new_password": "nouveau secret",
            "confirm": "nouveau secret",
            "csrf_token": csrf_token(client, "/connexion"),
        },
    )
    assert posted.status_code == 400
    assert _password_hash(app, world.trainer) == before


def test_tampered_reset_link_is_refused(client, world):
    response = client.get("/mot-de-passe/nouveau/eyJ1IjoxfQ.forged.signature")
    assert response.status_code == 400
    assert "pas valide" in text(response)


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/connexion", {"login": "trainer-a@test.example", "password": PASSWORD}),
        ("/mot-de-passe-oublie", {"login": "trainer-a@test.example"}),
    ],
)
def test_missing_csrf_token_is_refused_in_french(path, data, app, client, world, snapshot):
    before = snapshot()
    response = client.post(path, data=data)
    assert response.status_code == 400
    assert "Le formulaire a expiré ou n'est pas valide" in text(response)
    assert "Rien n'a été enregistré" in text(response)
    assert snapshot() == before
    assert client.get("/apprenant/").status_code == 302  # not logged in


def test_missing_csrf_token_on_learner_creation_writes_nothing(client_as, world, snapshot):
    before = snapshot()
    trainer = client_as("trainer")
    response = trainer.post(
        f"/organisations/{world.org_a}/apprenants/nouveau", data={"display_name": "Sans Jeton"}
    )
    assert response.status_code == 400
    assert snapshot() == before


def test_oversized_body_gets_a_french_413(app, client_as, world, snapshot):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    before = snapshot()
    trainer = client_as("trainer")
    token = csrf_token(trainer, f"/organisations/{world.org_a}/apprenants/nouveau")
    response = trainer.post(
        f"/organisations/{world.org_a}/apprenants/nouveau",
        data={"display_name": "x" * 5000, "csrf_token": token},
    )
    assert response.status_code == 413
    assert "Envoi trop volumineux" in text(response)
    assert snapshot() == before


def test_too_long_name_is_a_form_error_not_a_crash(client_as, world, snapshot):
    before = snapshot()
    trainer = client_as("trainer")
    response = submit(
        trainer, f"/organisations/{world.org_a}/apprenants/nouveau", {"display_name": "x" * 121}
    )
    assert response.status_code == 422
    assert "120 caractères au plus" in text(response)
    assert 'aria-describedby="display_name-hint display_name-error"' in text(response)
    assert snapshot() == before


def test_unknown_language_code_gets_a_french_400(client):
    response = client.get("/langue?lang=xx&next=/connexion")
    assert response.status_code == 400
    assert "Cette langue n'est pas disponible" in text(response)
    assert "jalon_lang" not in response.headers.get("Set-Cookie", "")


def test_unknown_lang_query_parameter_is_ignored(client):
    response = client.get("/connexion?lang=klingon")
    assert response.status_code == 200
    assert '<html lang="fr">' in text(response)


def test_login_is_rate_limited_with_a_french_message(app, client, world):
    app.config["RATELIMIT_ENABLED"] = True
    statuses = []
    for _ in range(11):
        response = submit(
            client, "/connexion", {"login": "trainer-a@test.example", "password": "nope"}
        )
        statuses.append(response.status_code)
    assert statuses[:10] == [422] * 10
    assert statuses[10] == 429
    assert "Vous avez fait trop d'essais" in text(response)
    assert response.headers["Retry-After"]
    # Even the right password waits: the limit is on attempts, not on failures.
    right = submit(client, "/connexion", {"login": "trainer-a@test.example", "password": PASSWORD})
    assert right.status_code == 429


def _attempt(client, login: str, address: str):
    token = csrf_token(client, "/connexion")
    return client.post(
        "/connexion",
        data={"login": login, "password": "nope", "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


def test_guessing_one_account_is_slow_from_any_number_of_addresses(app, client, world):
    app.config["RATELIMIT_ENABLED"] = True
    statuses = [
        _attempt(client, "Trainer-A@test.example", f"198.51.100.{n}").status_code for n in range(11)
    ]
    assert statuses == [422] * 10 + [429]


def test_a_training_room_behind_one_address_can_all_log_in(app, client, world):
    app.config["RATELIMIT_ENABLED"] = True
    statuses = {_attempt(client, f"stagiaire{n}", "203.0.113.7").status_code for n in range(20)}
    assert statuses == {422}


@pytest.mark.parametrize(("trusted", "separate"), [(0, False), (1, True)])
def test_behind_a_trusted_proxy_each_client_has_its_own_address_limit(
    database_url, tmp_path, trusted, separate
):
    from web import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret-key-not-for-production",
            "JALON_TRUSTED_PROXIES": trusted,
            "JALON_LOGIN_RATE_LIMIT": "3 per minute",
            "RATELIMIT_ENABLED": True,
            "WTF_CSRF_ENABLED": False,  # the limit counts attempts the form reads
        }
    )
    client = app.test_client()

    def attempt(forwarded_for: str) -> int:
        return client.post(
            "/connexion",
            data={"login": f"x{forwarded_for}", "password": "nope"},
            headers={"X-Forwarded-For": forwarded_for},
            environ_base={"REMOTE_ADDR": "10.0.0.1"},  # the proxy
        ).status_code

    first = [attempt("192.0.2.1") for _ in range(3)]
    other = attempt("192.0.2.2")
    assert 429 not in first
    assert (other != 429) is separate


def test_views_without_a_limit_of_their_own_skip_the_limiter(app):
    with app.test_request_context("/connexion", method="POST"):
        assert not unlimited_view()  # the login form's limits are resolved and counted
    with app.test_request_context("/healthz"):
        assert unlimited_view()
    app.config["RATELIMIT_DEFAULT"] = "100 per minute"
    with app.test_request_context("/healthz"):
        assert not unlimited_view()
