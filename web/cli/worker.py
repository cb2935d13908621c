"""``jalon worker``: runs the jobs the web puts on the RQ queue (``JALON_JOBS=rq``)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from web import queue


@click.command("worker")
@click.option("--burst", is_flag=True, help="S'arrêter quand la file est vide.")
@with_appcontext
def worker(burst: bool) -> None:
    """Run queued jobs (one database session per job; progress as in the other modes)."""
    app = current_app._get_current_object()
    if not queue.configured(app):
        raise click.ClickException(
            "Aucune file configurée : définissez JALON_JOBS=rq et JALON_REDIS_URL."
        )
    click.echo(f"Travailleur sur la file « {app.config['JALON_JOBS_QUEUE']} ».")
    queue.work(app, burst=burst)
