"""Problem details (RFC 9457): the one shape every API error takes, ``application/problem+json``.

Used by the API's endpoints for the errors they decide (a body they cannot read, a badge they
cannot find in it) and by ``web.errors`` for the errors Flask raises under ``/api/`` (404, 405,
413, 429, 500…), so a client parses one shape whatever went wrong. ``detail`` is a sentence in
the client's language (French unless ``?lang=en`` or the language cookie asks for English).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

PROBLEM_JSON = "application/problem+json"


def problem(status: int, title: str, detail: str, **extra: Any) -> Response:
    """A problem+json response: ``type`` (about:blank), ``title``, ``status``, ``detail``, and
    ``extra`` members that help the client (e.g. the verdict and checks of a refused badge)."""
    response = jsonify(type="about:blank", title=title, status=status, detail=detail, **extra)
    response.status_code = status
    response.mimetype = PROBLEM_JSON
    return response
