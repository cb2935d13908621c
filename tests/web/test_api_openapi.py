"""The OpenAPI 3.1 document of the indicators API: served by Jalon, valid, and true of the app
(schemathesis calls the app in-process through WSGI with a token: every answer conforms to the
document and none is a 5xx)."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from schemathesis import checks

from indicators import catalogue
from indicators.filters import DIMENSIONS
from learners import api_tokens
from learners.models import Organisation
from web.api.openapi import document

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_headers_conformance,
    checks.response_schema_conformance,
]


def test_document_is_valid_openapi_3_1():
    spec = document()
    assert spec["openapi"].startswith("3.1")
    validate(spec)  # raises on any error


def test_document_is_served_and_lists_what_the_api_takes(app):
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.json
    assert spec == document()
    operation = spec["paths"]["/api/v1/indicators/{key}"]["get"]
    parameters = {p["name"]: p["schema"] for p in operation["parameters"]}
    assert parameters["key"]["enum"] == list(catalogue.INDICATORS)
    assert parameters["par"]["enum"] == list(DIMENSIONS)
    assert parameters["sexe"]["items"]["enum"] == ["f", "m", "nd"]
    assert spec["components"]["securitySchemes"]["jeton"]["scheme"] == "bearer"


@pytest.fixture
def api_schema(app, world):
    """The document as Jalon serves it, bound to the app (no server, no network), over a
    little data so figures are computed for real."""
    from tests.indicators.factories import enrol, make_action
    from web.database import db

    with app.app_context():
        org_a = db.session.get(Organisation, world.org_a)
        action = make_action(db.session, org_a)
        for _n in range(6):
            enrol(db.session, action)
        departement = db.session.get(Organisation, world.departement)
        issued = api_tokens.issue(db.session, departement, "schemathesis", created_by=None)
        db.session.commit()
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app), issued.secret


def test_every_answer_conforms_to_the_document(api_schema):
    """Hypothesis drives schemathesis' generated cases (schemathesis' pytest plugin does not
    load under pytest 9), a bounded number per operation so it runs in seconds."""
    schema, secret = api_schema
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {
        "/api/v1/indicators",
        "/api/v1/indicators/{key}",
        "/api/verifier",  # its answers are checked against the document in test_verify_pages
    }
    operations = [op for op in operations if op.path.startswith("/api/v1/")]
    headers = {"Authorization": f"Bearer {secret}"}
    statuses: set[int] = set()
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=40, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def conforms(case) -> None:
            response = case.call_and_validate(headers=headers, checks=CHECKS)
            statuses.add(response.status_code)

        conforms()
    assert 200 in statuses and not any(status >= 500 for status in statuses)
