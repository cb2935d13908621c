"""The one declarative ``Base`` and the session factory every domain package shares.

It lives here, not in ``web``, so that ``assessments`` and ``badges`` can define models and run
services with a plain SQLAlchemy ``Session`` and no Flask at all.
"""

from __future__ import annotations

import enum
import time
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, MetaData, create_engine, event, exc
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, sessionmaker
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every Jalon model."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every engine (SQLite drops the offset otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given where a UTC datetime is required")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def value_enum(enum_cls: type[enum.Enum], name: str) -> Enum:
    """An enum stored as its value in a VARCHAR, identical on SQLite and PostgreSQL (no native
    PostgreSQL type to migrate when a member is added)."""
    return Enum(
        enum_cls,
        name=name,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def utcnow() -> datetime:
    """Now, as an aware UTC datetime (the only kind stored)."""
    return datetime.now(UTC)


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; on SQLite, enforce foreign keys and wait on locks instead of failing;
    on PostgreSQL, describe results' columns only when read (``learners.pg_cursor``)."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"timeout": 15})
    elif make_url(url).get_driver_name() == "psycopg":
        from learners.pg_cursor import Cursor

        kwargs.setdefault("connect_args", {}).setdefault("cursor_factory", Cursor)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.close()

        @event.listens_for(engine, "savepoint")
        def _begin_before_savepoint(connection, _name) -> None:
            # pysqlite only opens a transaction before a write, so a SAVEPOINT that comes first
            # would open its own, and RELEASE would commit it: the session's later rollback
            # would no longer undo it, as it does on PostgreSQL. Open the transaction first.
            if not connection.connection.dbapi_connection.in_transaction:
                connection.exec_driver_sql("BEGIN")

    return engine


# A pooled connection unused for longer is checked before a request gets it (below).
PING_IDLE_SECONDS = 10.0
_IDLE_SINCE = "jalon_idle_since"


def ping_when_idle(engine: Engine) -> None:
    """Check a pooled connection before handing it out when it sat unused for more than
    :data:`PING_IDLE_SECONDS` (a firewall or the server may have dropped it meanwhile); a dead
    one is replaced, unseen by the request. SQLAlchemy's ``pool_pre_ping`` checks every
    checkout: a round trip on every request, a tenth of a millisecond of CPU. A connection in
    use that the server drops (a restart) fails its request once, answered as an outage, and
    the pool then renews every connection opened before."""

    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection, record, _proxy) -> None:
        since = record.info.get(_IDLE_SINCE)
        if since is None or time.monotonic() - since <= PING_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("a pooled connection was dropped") from error


def make_session_factory(engine: Engine) -> sessionmaker:
    """Sessions that keep loaded objects usable after commit (views render after committing)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
