"""Alembic driven from code: `jalon db upgrade`, tests, and the model/migration drift check."""

from __future__ import annotations

import importlib
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from learners.database import Base, make_engine

MIGRATIONS = Path(__file__).parent / "migrations"

# Every module that declares models; Alembic and the app import them all.
MODEL_MODULES = ("learners.models", "assessments.models", "badges.models")


def import_models() -> None:
    for name in MODEL_MODULES:
        importlib.import_module(name)


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    """Apply the migrations (all branch heads by default)."""
    command.upgrade(alembic_config(url), revision)


def drift(engine: Engine) -> list:
    """What autogenerate would still write: empty when models and migrations agree."""
    import_models()
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "render_as_batch": True}
        )
        return compare_metadata(context, Base.metadata)


def is_current(url: str) -> bool:
    """True when the database is at every migration head."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config(url))
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            current = set(MigrationContext.configure(connection).get_current_heads())
    finally:
        engine.dispose()
    return current == set(script.get_heads())
