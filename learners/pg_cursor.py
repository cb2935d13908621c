"""psycopg's cursor, with a description that describes its columns only when read.

SQLAlchemy reads ``cursor.description`` after every statement, and psycopg builds it in full:
a ``Column`` per column, with its name decoded and its type looked up, about 1 µs each. A
page's statements load a session with its campaign, assessment, framework and item: some 100
columns, a tenth of a millisecond per request. SQLAlchemy then only checks that the
description is there, as long as the statement's compiled form already holds its result's
shape (every statement after the first of its kind); the first one reads the columns, which
are described then, from the same result.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg.pq import ExecStatus

_ROWS = (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE, ExecStatus.TUPLES_CHUNK)
_DESCRIBE = psycopg.Cursor.description.fget  # psycopg's own, building every Column


class LazyDescription(Sequence):
    """``cursor.description`` of one result: its length at once, its columns when read."""

    __slots__ = ("_columns", "_cursor", "_result")

    def __init__(self, cursor: psycopg.Cursor, result: Any) -> None:
        self._cursor = cursor
        self._result = result
        self._columns: list[psycopg.Column] | None = None

    def __len__(self) -> int:
        return self._result.nfields

    def __getitem__(self, index):  # type: ignore[override]
        if self._columns is None:
            if self._cursor.pgresult is not self._result:
                raise RuntimeError("the cursor has run another statement since")
            self._columns = _DESCRIBE(self._cursor)
        return self._columns[index]


class Cursor(psycopg.Cursor):
    """The connections' cursor (``make_engine``): psycopg's, but for its description."""

    @property
    def description(self) -> LazyDescription | None:  # type: ignore[override]
        result = self.pgresult
        if result and (result.nfields or result.status in _ROWS):
            return LazyDescription(self, result)
        return None
