"""The Flask application: ``create_app`` wires configuration, extensions and blueprints."""

from __future__ import annotations

import importlib
import os
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from web import config as config_module
from web.database import db

# Every blueprint, as "module:attribute". Add yours here (e.g. "web.verify.views:bp"); each of
# its views needs an access decision from web/authz.py and a row in tests/web/test_access_rules.py.
BLUEPRINTS: list[str] = [
    "web.health:bp",
    "web.i18n:bp",
    "web.auth.views:bp",
    "web.learner.views:bp",
    "web.studio:bp",
    "web.department.views:bp",
    "web.department.tokens:bp",  # the département's API tokens
    "web.admin.views:bp",
    "web.endorsements.views:bp",
    "web.jobs:bp",
    "web.evidence:bp",
    "web.item_images:bp",  # item pictures, for the pages that show items
    "web.verify.views:bp",
    "web.api.endpoints:bp",  # the JSON API under /api (web/api/__init__.py: adding an endpoint)
]


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app; ``config`` overrides what the environment gives (tests use it)."""
    instance_path = os.environ.get("JALON_INSTANCE_PATH")
    if config and config.get("INSTANCE_PATH"):
        instance_path = config["INSTANCE_PATH"]
    app = Flask(
        __name__,
        instance_path=str(Path(instance_path).resolve()) if instance_path else None,
        instance_relative_config=True,
    )
    environ = dict(os.environ)
    for key in ("SECRET_KEY", "JALON_BASE_URL"):  # other settings derive from these
        if config and key in config:
            environ[key] = config[key]
    app.config.update(config_module.load(Path(app.instance_path), environ))
    if config:
        app.config.update(config)

    proxies = int(app.config.get("JALON_TRUSTED_PROXIES") or 0)
    if proxies > 0:  # rate limits and logs then see the real client, not the proxy
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    from web.schema import import_models

    import_models()
    db.init_app(app)

    from web import setup

    setup.init_extensions(app)
    for target in BLUEPRINTS:
        module_name, _sep, attribute = target.partition(":")
        app.register_blueprint(getattr(importlib.import_module(module_name), attribute))
    setup.finish(app)
    return app
