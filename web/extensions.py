"""Flask extensions, created unbound here and bound to the app in ``create_app``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

csrf = CSRFProtect()
# Storage comes from RATELIMIT_STORAGE_URI (memory:// by default; redis:// for several workers).
limiter = Limiter(get_remote_address)
login_manager = LoginManager()
babel = Babel()


RATE_LIMITED = "jalon_rate_limited"


def rate_limited(limit: Any, **options: Any) -> Callable:
    """``limiter.limit`` for a view, which it marks as limited: with no default or application
    limit configured, Flask-Limiter then skips every other view (:func:`unlimited_view`)
    rather than resolving, on each of them, limits that are not there."""

    def decorate(view: Callable) -> Callable:
        limited = limiter.limit(limit, **options)(view)
        setattr(limited, RATE_LIMITED, True)
        return limited

    return decorate


@limiter.request_filter
def unlimited_view() -> bool:
    """True (exempt) for a view without limits of its own when no limit covers every view:
    resolving nothing cost a tenth of a millisecond per request."""
    config = current_app.config
    if config.get("RATELIMIT_DEFAULT") or config.get("RATELIMIT_APPLICATION"):
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    return not getattr(view, RATE_LIMITED, False)
