"""``jalon db``: the database schema (Alembic migrations)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext


@click.group("db")
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply every pending migration."""
    from web.cli.badges import print_shipped_updates
    from web.database import db as database
    from web.schema import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    click.echo("Base de données à jour.")
    # A new release may ship stronger badge rules: bring the untouched shipped badges to them.
    print_shipped_updates(database.session)


@db.command("check")
@with_appcontext
def db_check() -> None:
    """Exit 1 when the models and the migrations disagree."""
    from web.database import db as database
    from web.schema import drift

    differences = drift(database.engine)
    for difference in differences:
        click.echo(repr(difference))
    raise SystemExit(1 if differences else 0)
