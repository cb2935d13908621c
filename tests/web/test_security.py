"""Security defaults: headers, cookie flags, error formats."""

from __future__ import annotations

import pytest

from tests.learners.factories import PASSWORD
from tests.web.forms import submit, text


def test_every_page_gets_strict_security_headers(client):
    response = client.get("/connexion")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_a_header_the_view_set_is_kept_and_each_header_is_sent_once():
    from flask import Flask, Response

    from web.security import add_security_headers

    app = Flask(__name__)
    app.config["JALON_BASE_URL"] = "https://jalon.example"
    with app.test_request_context("/"):
        own = Response("x", headers={"content-security-policy": "default-src 'none'"})
        headers = add_security_headers(own).headers
        assert headers.getlist("Content-Security-Policy") == ["default-src 'none'"]
        assert headers.getlist("X-Frame-Options") == ["DENY"]
        assert headers.getlist("Strict-Transport-Security") == ["max-age=31536000"]
        assert add_security_headers(Response("y")).headers.getlist("X-Frame-Options") == ["DENY"]
    app.config["JALON_BASE_URL"] = "http://localhost"
    with app.test_request_context("/"):
        assert "Strict-Transport-Security" not in add_security_headers(Response("z")).headers


def test_pages_contain_no_inline_script_or_style(client_as, world):
    for role, path in [("anonymous", "/connexion"), ("trainer", f"/organisations/{world.org_a}/")]:
        page = text(client_as(role).get(path))
        assert "<script>" not in page and "<script " not in page.replace("<script src=", "")
        assert " style=" not in page and "<style" not in page


def test_session_cookie_is_secure_when_base_url_is_https(client, world):
    response = submit(client, "/connexion", {"login": "learner-a", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_new_secret_key_voids_the_cookies_signed_with_the_old_one(app, client_as):
    """The session cookie's serializer is built once per key (web/static_files.py): a changed
    key (a rotation without fallback) must not keep accepting cookies signed with the old one."""
    client = client_as("learner")
    assert client.get("/apprenant/").status_code == 200
    app.secret_key = "another-secret-key-for-this-test"
    response = client.get("/apprenant/")
    assert response.status_code == 302 and "/connexion" in response.headers["Location"]


def test_plain_http_base_url_does_not_set_secure_cookies(tmp_path, monkeypatch):
    from web import create_app

    monkeypatch.setenv("JALON_BASE_URL", "http://127.0.0.1:5000")
    app = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] is False
    assert "Strict-Transport-Security" not in app.test_client().get("/healthz").headers


def test_secret_key_is_generated_once_into_the_instance_folder(tmp_path, monkeypatch):
    from web import create_app

    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://"})
    second = create_app({"INSTANCE_PATH": str(tmp_path), "DATABASE_URL": "sqlite://"})
    assert len(first.config["SECRET_KEY"]) >= 40
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"]
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("status_path", [(404, "/nowhere"), (405, "/deconnexion")])
def test_error_pages_are_french_html(client, status_path):
    status, path = status_path
    response = client.get(path)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert '<html lang="fr">' in text(response)
    assert ("Page introuvable" if status == 404 else "Action impossible") in text(response)


def test_json_clients_get_problem_json(client):
    response = client.get("/nowhere", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 404 and body["title"] == "Page introuvable"
    api = client.get("/api/v1/nothing")
    assert api.mimetype == "application/problem+json"


def test_forbidden_page_is_french(client_as):
    response = client_as("learner").get("/admin/organisations")
    assert response.status_code == 403
    assert "Accès refusé" in text(response)


def test_unexpected_error_gets_a_french_500_without_details(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    def boom():
        raise RuntimeError("secret internals")

    from web.authz import public

    app.add_url_rule("/boom", "boom", public(boom))
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Erreur du service" in text(response)
    assert "secret internals" not in text(response)
