"""``jalon backup`` / ``jalon restore``: every table in a portable zip (one JSON line per row,
``tables/<name>.jsonl``, and ``manifest.json`` with the schema revision and the row counts).

Values are written by column type, so an archive does not depend on how one engine stores
dates or bytes. Signing keys are copied as stored, encrypted; the key-encryption key lives in
the configuration and is never written. A restore goes into an empty database migrated to the
same revision (``jalon db upgrade`` first), in foreign-key order, then moves the id sequences.
"""

from __future__ import annotations

import base64
import json
import zipfile
from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from alembic.migration import MigrationContext
from sqlalchemy import Date, Enum, LargeBinary, Table, func, insert, select, text
from sqlalchemy.engine import Connection, Engine

from learners.database import Base, UTCDateTime
from web.schema import import_models

FORMAT = "jalon-backup/1"
BATCH = 1000
Progress = Callable[[str, int], None]  # (table name, rows just done)


class BackupError(Exception):
    """The archive or the target database cannot be used; the message is in French."""


def tables() -> list[Table]:
    """Every model table, parents before children."""
    import_models()
    return list(Base.metadata.sorted_tables)


def _encode(column, value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, LargeBinary):
        return base64.b64encode(value).decode("ascii")
    if isinstance(kind, UTCDateTime | Date) or isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(kind, Enum):
        return getattr(value, "value", value)
    return value


def _decode(column, value: Any) -> Any:
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    if isinstance(kind, UTCDateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Enum) and kind.enum_class is not None:
        return kind.enum_class(value)
    return value


def revision(connection: Connection) -> list[str]:
    return sorted(MigrationContext.configure(connection).get_current_heads())


def _rows(connection: Connection, table: Table) -> Iterator[dict[str, Any]]:
    order = list(table.primary_key.columns)
    result = connection.execution_options(yield_per=BATCH).execute(select(table).order_by(*order))
    for row in result.mappings():
        yield {c.name: _encode(c, row[c.name]) for c in table.columns}


def backup(engine: Engine, path: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Write every table to ``path``; returns the manifest."""
    with engine.connect() as connection, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        counts: dict[str, int] = {}
        for table in tables():
            count = 0
            with zf.open(f"tables/{table.name}.jsonl", "w") as handle:
                for row in _rows(connection, table):
                    handle.write(json.dumps(row, ensure_ascii=False).encode() + b"\n")
                    count += 1
                    if progress and count % BATCH == 0:
                        progress(table.name, BATCH)
            if progress:
                progress(table.name, count % BATCH)
            counts[table.name] = count
        manifest = {
            "format": FORMAT,
            "schema_revision": revision(connection),
            "engine": engine.dialect.name,
            "tables": counts,
        }
        zf.writestr("manifest.json", json.dumps(manifest, indent=2))
    return manifest


def read_manifest(path: Path) -> dict[str, Any]:
    try:
        with zipfile.ZipFile(path) as zf:
            manifest = json.loads(zf.read("manifest.json"))
    except (OSError, KeyError, zipfile.BadZipFile, json.JSONDecodeError) as error:
        raise BackupError(f"Archive illisible : {path}") from error
    if manifest.get("format") != FORMAT:
        raise BackupError("Ce fichier n'est pas une sauvegarde Jalon.")
    return manifest


def _insert(connection: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    connection.execute(
        insert(table), [{k: _decode(table.c[k], v) for k, v in r.items()} for r in rows]
    )


def _move_sequences(connection: Connection, table: Table) -> None:
    """On PostgreSQL, the next id follows the restored ones (SQLite needs nothing)."""
    if connection.dialect.name != "postgresql" or "id" not in table.c:
        return
    connection.execute(
        text(
            f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "  # noqa: S608
            f"COALESCE((SELECT MAX(id) FROM {table.name}), 0) + 1, false)"
        )
    )


def restore(engine: Engine, path: Path, progress: Progress | None = None) -> dict[str, Any]:
    """Load an archive into an empty database at the archive's schema revision (one
    transaction: a failed restore leaves the database empty)."""
    manifest = read_manifest(path)
    with engine.begin() as connection, zipfile.ZipFile(path) as zf:
        if revision(connection) != manifest["schema_revision"]:
            raise BackupError(
                "La base n'est pas à la version du schéma de la sauvegarde "
                f"({', '.join(manifest['schema_revision'])}) : lancez « jalon db upgrade »."
            )
        for table in tables():
            if connection.scalar(select(func.count()).select_from(table)):
                raise BackupError(f"La base n'est pas vide (table {table.name}).")
        for table in tables():
            with zf.open(f"tables/{table.name}.jsonl") as handle:
                batch: list[dict[str, Any]] = []
                for line in handle:
                    batch.append(json.loads(line))
                    if len(batch) == BATCH:
                        _insert(connection, table, batch)
                        if progress:
                            progress(table.name, len(batch))
                        batch = []
                if batch:
                    _insert(connection, table, batch)
                    if progress:
                        progress(table.name, len(batch))
            _move_sequences(connection, table)
    return manifest


__all__ = ["BackupError", "backup", "read_manifest", "restore", "tables"]
