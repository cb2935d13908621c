"""The API blueprint with every endpoint module loaded: ``web.BLUEPRINTS`` registers this ``bp``.

Add the module of a new endpoint to the imports below (see ``web/api/__init__.py``).
"""

from __future__ import annotations

from web.api import (
    bp,
    indicators,  # noqa: F401  (GET /api/v1/indicators, /api/v1/indicators/<key>)
    openapi,  # noqa: F401  (GET /api/v1/openapi.json)
    verifier,  # noqa: F401  (POST /api/verifier)
)

__all__ = ["bp"]
