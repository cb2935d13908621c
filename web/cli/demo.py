"""``jalon demo``: load the demo data (``learners``, ``assessments`` and ``badges`` ``demo``
modules) and print how to log in and which campaign codes to type."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from assessments import demo as assessments_demo
from badges import demo as badges_demo
from learners import demo as learners_demo
from learners import demo_actions
from web.database import db


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Load only into a database with no organisation.")
@with_appcontext
def demo(if_empty: bool) -> None:
    """Load the demo organisations and accounts (idempotent) and print how to log in."""
    if if_empty and not learners_demo.is_empty(db.session):
        click.echo("La base contient déjà des données : démo non chargée.")
    else:
        learners_demo.load_demo(db.session)
        demo_actions.load_actions(db.session, date.today())
        db.session.commit()
        assessments_demo.load(db.session)
        badges_demo.load(db.session, kek=current_app.config["JALON_KEY_ENCRYPTION_KEY"])
        db.session.commit()
        click.echo("Données de démonstration chargées.")
    _print_accounts()


def _print_accounts() -> None:
    """One account per role, then the campaign codes; nothing when the accounts are gone."""
    accounts = learners_demo.showcase_accounts(db.session)
    if not accounts:
        return
    base_url = current_app.config["JALON_BASE_URL"]
    click.echo(f"\nComptes de démonstration — {base_url}/connexion")
    click.echo(f"(mot de passe de tous les comptes : {learners_demo.DEMO_PASSWORD})")
    for account in accounts:
        click.echo(f"  {account.role.value:<15} {account.login:<32} {account.organisation}")
    _print_campaigns()


def _print_campaigns() -> None:
    """The campaign codes a demo learner types on « Rejoindre une évaluation »."""
    shown = assessments_demo.existing_campaigns(db.session)
    if not shown:
        return
    click.echo("\nCodes des évaluations de démonstration (à taper dans « J'ai un code ») :")
    for campaign in shown:
        click.echo(f"  {campaign.code:<11} {campaign.title:<44} {campaign.organisation}")
