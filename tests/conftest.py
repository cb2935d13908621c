"""Fixtures: a fresh database per test, built through the migrations, on SQLite and PostgreSQL.

PostgreSQL runs when ``JALON_TEST_POSTGRES_URL`` is set (a server URL whose user may create
databases). Each test gets its own database, cloned from a template migrated once per run, and
dropped afterwards: no test sees another's rows, and nothing is left on the server.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from learners.database import make_engine, make_session_factory
from web.schema import upgrade

POSTGRES_URL = os.environ.get("JALON_TEST_POSTGRES_URL", "")
BACKENDS = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


def pytest_sessionstart(session: pytest.Session) -> None:
    """Compile the translation catalogs if needed, so that a bare ``pytest`` works."""
    from web.catalogs import compile_stale

    compile_stale()


@pytest.fixture(autouse=True, scope="session")
def _cheap_password_hashing() -> None:
    """Argon2 at test cost (production parameters are checked in tests/learners)."""
    from argon2 import PasswordHasher

    from learners import passwords

    passwords.set_hasher(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def _pg_admin_engine():
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg")
    return make_engine(url.render_as_string(hide_password=False), isolation_level="AUTOCOMMIT")


def _pg_url_for(database: str) -> str:
    url = make_url(POSTGRES_URL).set(drivername="postgresql+psycopg", database=database)
    return url.render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    name = f"jalon_tpl_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = _pg_admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        upgrade(_pg_url_for(name))
        yield name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of a fresh, fully migrated database for this test alone."""
    yield from fresh_database(request, tmp_path, request.param, name="jalon_t")


def fresh_database(
    request: pytest.FixtureRequest, tmp_path: Path, backend: str, name: str
) -> Iterator[str]:
    """A fresh, migrated database of ``backend`` cloned from the run's template (dropped after
    the test on PostgreSQL); ``name`` tells a test's several databases apart."""
    if backend == "sqlite":
        path = tmp_path / f"{name}.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    database = f"{name}_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{database}" TEMPLATE "{template}"'))
    try:
        yield _pg_url_for(database)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def dbsession(database_url: str) -> Iterator[Session]:
    """A plain SQLAlchemy session (no Flask) for domain-package tests."""
    engine = make_engine(database_url)
    session = make_session_factory(engine)()
    try:
        yield session
    finally:
        session.close()
        engine.dispose()


@pytest.fixture
def app(database_url: str, tmp_path: Path):
    from web import create_app

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret-key-not-for-production",
            "JALON_BASE_URL": "https://jalon.test",
            "JALON_JOBS": "sync",
        }
    )
    yield app
    from web.database import db

    with app.app_context():
        db.engine.dispose()
    pool = app.extensions.get("jalon.verifier_pool")  # the verifier's children, if it ran
    if pool is not None:
        pool.close()


@pytest.fixture
def client(app):
    return app.test_client()
