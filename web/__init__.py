"""The Flask application: ``create_app`` wires configuration, extensions and blueprints."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from web import config as config_module
from web.database import db


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
    if config and "SECRET_KEY" in config:
        environ["SECRET_KEY"] = config["SECRET_KEY"]
    app.config.update(config_module.load(Path(app.instance_path), environ))
    if config:
        app.config.update(config)

    from web.schema import import_models

    import_models()
    db.init_app(app)

    from web import health

    app.register_blueprint(health.bp)
    return app
