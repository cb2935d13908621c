"""The PostgreSQL cursor's description (learners/pg_cursor.py): read as psycopg's own, built
only when its columns are read. SQLite's engines keep their driver's cursor."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy import select, text

from learners.database import make_engine
from learners.models import User
from learners.pg_cursor import Cursor, LazyDescription


def _describe_on_postgresql(connection) -> None:
    raw = connection.connection.dbapi_connection
    assert raw.cursor_factory is Cursor
    cursor = raw.cursor()
    cursor.execute("SELECT 1 AS one, 'a'::text AS letter, now() AS at")
    lazy = cursor.description
    assert isinstance(lazy, LazyDescription) and len(lazy) == 3
    own = psycopg.Cursor.description.fget(cursor)
    assert [tuple(c) for c in lazy] == [tuple(c) for c in own]
    assert [c.name for c in lazy] == ["one", "letter", "at"]
    unread = cursor.description
    cursor.execute("SELECT 2 AS two")
    assert lazy[0].name == "one"  # read while its result was the cursor's: kept
    with pytest.raises(RuntimeError):
        unread[0]  # would describe another result: refused, never wrong
    cursor.execute("SET application_name = 'jalon-test'")
    assert cursor.description is None
    cursor.execute("SELECT")
    assert cursor.description is not None and len(cursor.description) == 0


def test_postgresql_connections_describe_as_psycopg_does_when_read(database_url):
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                _describe_on_postgresql(connection)
            else:
                cursor = connection.connection.dbapi_connection.cursor()
                assert not isinstance(cursor, Cursor)
    finally:
        engine.dispose()


def test_results_read_through_sqlalchemy_keep_their_columns(database_url):
    engine = make_engine(database_url)
    try:
        with engine.connect() as connection:
            for _ in range(2):  # the second run uses the statement's cached result shape
                row = connection.execute(text("SELECT 7 AS seven, 'x' AS ex")).one()
                assert row._mapping == {"seven": 7, "ex": "x"}
                assert connection.execute(select(User.id).where(User.id == -1)).all() == []
    finally:
        engine.dispose()
