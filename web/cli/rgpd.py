"""``jalon rgpd``: apply the retention periods of docs/RGPD.md to the database."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from badges import retention
from web.config import retention_policy
from web.database import db


@click.group("rgpd")
def rgpd() -> None:
    """Personal data: retention periods."""


@rgpd.command("purge")
@click.option("--dry-run", is_flag=True, help="Compter sans rien effacer.")
@with_appcontext
def purge(dry_run: bool) -> None:
    """Remove or empty the personal data older than its retention period."""
    policy = retention_policy(current_app.config)
    due = retention.due(db.session, policy)
    labels = {rule.key: rule.label for rule in retention.RULES}
    if dry_run:
        for key, ids in due.items():
            click.echo(f"{labels[key]} : {len(ids)} à purger")
        return
    total = sum(len(ids) for ids in due.values())
    done: dict[str, int] = dict.fromkeys(due, 0)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("Purge", total=total)
        for rule, count in retention.purge(db.session, policy):
            done[rule.key] += count
            progress.update(task, advance=count, description=rule.label)
    for key, count in done.items():
        click.echo(f"{labels[key]} : {count} purgé(s)")
