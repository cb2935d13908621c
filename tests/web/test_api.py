"""The JSON API's home (``web/api/``): its blueprint under /api, and one problem+json shape for
every error, whether an endpoint decides it or Flask raises it."""

from __future__ import annotations

import pytest

from web.api.problems import PROBLEM_JSON, problem

PROBLEM_MEMBERS = {"type", "title", "status", "detail"}


def test_the_api_blueprint_holds_the_verifier_endpoint(app):
    rules = {rule.rule: rule.endpoint for rule in app.url_map.iter_rules()}
    assert rules["/api/verifier"] == "api.verifier"
    api_paths = {path for path, endpoint in rules.items() if path.startswith("/api/")}
    assert all(rules[path].startswith("api.") for path in api_paths)


def test_problem_builds_rfc_9457_details_with_extra_members(app):
    with app.test_request_context("/api/verifier"):
        response = problem(422, "Données refusées", "Ce n'est pas un badge.", verdict="malformed")
    assert response.status_code == 422 and response.mimetype == PROBLEM_JSON
    assert response.get_json() == {
        "type": "about:blank",
        "title": "Données refusées",
        "status": 422,
        "detail": "Ce n'est pas un badge.",
        "verdict": "malformed",
    }


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/api/verifier", 400),  # decided by the endpoint (empty body)
        ("GET", "/api/verifier", 405),  # raised by Flask
        ("GET", "/api/nothing-here", 404),  # no such endpoint
    ],
)
def test_every_api_error_has_the_same_problem_shape(client, method, path, status):
    response = client.open(path, method=method, data=b"", content_type="application/json")
    assert response.status_code == status and response.mimetype == PROBLEM_JSON
    body = response.get_json()
    assert set(body) == PROBLEM_MEMBERS
    assert body["type"] == "about:blank" and body["status"] == status
    assert body["title"] and body["detail"]


def test_api_problems_are_in_english_when_asked(client):
    response = client.post("/api/verifier?lang=en", data=b"", content_type="application/json")
    body = response.get_json()
    assert body["title"] == "Bad request"
    assert body["detail"] == "Send the badge as the request body (JSON, JWT, PNG or SVG image)."


def test_the_verifier_api_needs_no_csrf_token_it_reads_no_cookie(app, client):
    assert app.config.get("WTF_CSRF_ENABLED", True)
    response = client.post("/api/verifier", data=b"x", content_type="text/plain")
    assert response.status_code == 422  # judged on its content, not refused for a token
