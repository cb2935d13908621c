"""Alembic environment: runs against the URL given by web.schema.alembic_config."""

from alembic import context

from learners.database import Base, make_engine
from web.schema import import_models

import_models()
config = context.config


def run_migrations() -> None:
    engine = make_engine(config.get_main_option("sqlalchemy.url"))
    try:
        with engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            if sqlite:
                _sqlite_foreign_keys(connection, on=False)
            context.configure(
                connection=connection,
                target_metadata=Base.metadata,
                compare_type=True,
                render_as_batch=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    _check_foreign_keys(connection)
    finally:
        engine.dispose()


def _sqlite_foreign_keys(connection, on: bool) -> None:
    """SQLite rebuilds a table to change it (batch mode): with foreign keys enforced, dropping
    the old copy would delete, or refuse to delete, the rows that reference it. SQLite's own
    procedure for schema changes turns enforcement off outside the transaction, then checks."""
    connection.connection.dbapi_connection.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")


def _check_foreign_keys(connection) -> None:
    """Refuse to commit a migration that left a row pointing at nothing."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"Migration left {len(broken)} broken references, first: {broken[0]}")


run_migrations()
