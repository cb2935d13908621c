"""``jalon backup`` and ``jalon restore``: the whole database in one portable archive."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from web import backup as archive
from web.database import db


def _run(label: str, total: int | None, work) -> dict:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(label, total=total)

        def advance(table: str, rows: int) -> None:
            progress.update(task, advance=rows, description=f"{label} : {table}")

        return work(advance)


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(out: Path) -> None:
    """Write every table to OUT (a zip); signing keys stay encrypted, the KEK is not written."""
    manifest = _run("Sauvegarde", None, lambda step: archive.backup(db.engine, out, step))
    click.echo(f"Sauvegarde écrite : {out} ({sum(manifest['tables'].values())} lignes).")


@click.command("restore")
@click.argument("archive_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore(archive_file: Path) -> None:
    """Load ARCHIVE_FILE into this empty database (run « jalon db upgrade » first)."""
    try:
        total = sum(archive.read_manifest(archive_file)["tables"].values())
        _run("Restauration", total, lambda step: archive.restore(db.engine, archive_file, step))
    except archive.BackupError as error:
        click.echo(f"Erreur : {error}", err=True)
        raise SystemExit(2) from error
    click.echo(f"Sauvegarde restaurée : {total} lignes.")
