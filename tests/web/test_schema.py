"""The schema comes from the migrations, and the migrations say exactly what the models say."""

from sqlalchemy import inspect

from learners.database import make_engine
from web.schema import drift, is_current


def test_migrations_build_every_model_table(database_url):
    engine = make_engine(database_url)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"organisations", "users", "memberships", "learners", "alembic_version"} <= tables


def test_models_and_migrations_do_not_drift(database_url):
    engine = make_engine(database_url)
    try:
        assert drift(engine) == []
    finally:
        engine.dispose()


def test_database_is_at_every_migration_head(database_url):
    assert is_current(database_url)
