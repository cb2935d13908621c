"""The ``jalon`` command: Flask's CLI with Jalon's groups (db, demo, badges, assess)."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext

from web import create_app


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_version_option=False)
def main() -> None:
    """Jalon: assessments and Open Badges for insertion programmes."""


@main.group()
def db() -> None:
    """Database schema (Alembic migrations)."""


@db.command("upgrade")
@with_appcontext
def db_upgrade() -> None:
    """Apply every pending migration."""
    from web.schema import upgrade

    upgrade(current_app.config["DATABASE_URL"])
    click.echo("Base de données à jour.")


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


@main.command("demo")
@click.option("--if-empty", is_flag=True, help="Load only into a database with no organisation.")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Load the demo organisations and accounts (idempotent) and print how to log in."""
    from learners import demo as demo_data
    from web.database import db as database

    session = database.session
    if if_empty and not demo_data.is_empty(session):
        click.echo("La base contient déjà des données : démo non chargée.")
    else:
        demo_data.load_demo(session)
        session.commit()
        from web import demo_journey

        demo_journey.load(session, kek=current_app.config["JALON_KEY_ENCRYPTION_KEY"])
        session.commit()
        click.echo("Données de démonstration chargées.")
    if not any(_demo_user_exists(session, login) for login in demo_data.SHOWCASE):
        return
    base_url = current_app.config["JALON_BASE_URL"]
    click.echo(f"\nComptes de démonstration — {base_url}/connexion")
    click.echo(f"(mot de passe de tous les comptes : {demo_data.DEMO_PASSWORD})")
    for account in demo_data.ACCOUNTS:
        if account.login in demo_data.SHOWCASE and _demo_user_exists(session, account.login):
            click.echo(f"  {account.role.value:<15} {account.login:<32} {account.organisation}")
    _print_demo_campaigns(session)


def _print_demo_campaigns(session) -> None:
    """The campaign codes a demo learner types on « Rejoindre une évaluation »."""
    from sqlalchemy import select

    from assessments.campaigns import normalise_code
    from assessments.models import Campaign
    from web import demo_journey

    existing = set(session.scalars(select(Campaign.code)))
    shown = [c for c in demo_journey.demo_campaigns() if normalise_code(c.code) in existing]
    if not shown:
        return
    click.echo("\nCodes des évaluations de démonstration (à taper dans « J'ai un code ») :")
    for campaign in shown:
        click.echo(f"  {campaign.code:<11} {campaign.title:<44} {campaign.organisation}")


def _demo_user_exists(session, login: str) -> bool:
    from learners.accounts import find_by_login

    return find_by_login(session, login) is not None


# Other command groups register here: main.add_command(<group>) (badges, assess, ...).


from web.cli_assess import assess  # noqa: E402

main.add_command(assess)

from web.cli_badges import badges  # noqa: E402

main.add_command(badges)
