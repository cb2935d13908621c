"""``jalon demo``: load the demo data (``learners``, ``assessments`` and ``badges`` ``demo``
modules) and print how to log in and which campaign codes to type; with ``--scale N``, add N
fictitious beneficiaries and everything around them (``indicators.synthetic``), with a
progress bar, to try the département's indicators at the size they must answer to."""

from __future__ import annotations

import time
from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from assessments import demo as assessments_demo
from badges import demo as badges_demo
from indicators import synthetic
from learners import demo as learners_demo
from learners import demo_actions
from web.database import db


@click.command("demo")
@click.option("--if-empty", is_flag=True, help="Load only into a database with no organisation.")
@click.option(
    "--scale",
    type=click.IntRange(min=1, max=2_000_000),
    default=None,
    help="Add this many fictitious beneficiaries (actions, paths, sessions, badges).",
)
@click.option("--seed", type=int, default=None, help="Seed of the fictitious data (reproducible).")
@with_appcontext
def demo(if_empty: bool, scale: int | None, seed: int | None) -> None:
    """Load the demo organisations and accounts (idempotent) and print how to log in."""
    if scale is not None:
        _load_demo()
        _scale(scale, seed)
        return
    if if_empty and not learners_demo.is_empty(db.session):
        click.echo("La base contient déjà des données : démo non chargée.")
    else:
        _load_demo()
        click.echo("Données de démonstration chargées.")
    _print_accounts()


def _load_demo() -> None:
    learners_demo.load_demo(db.session)
    demo_actions.load_actions(db.session, date.today())
    db.session.commit()
    assessments_demo.load(db.session)
    badges_demo.load(db.session, kek=current_app.config["JALON_KEY_ENCRYPTION_KEY"])
    db.session.commit()


def _scale(beneficiaries: int, seed: int | None) -> None:
    """Generate at scale with a progress bar per stage, commit once, print what was written."""
    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    context = synthetic.Context(
        base_url=current_app.config["JALON_BASE_URL"],
        kek=current_app.config["JALON_KEY_ENCRYPTION_KEY"],
    )
    started = time.perf_counter()
    with Progress(*columns, console=console) as progress:
        tasks: dict[str, int] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage.capitalize(), total=total)
            progress.update(tasks[stage], completed=done)

        counts = synthetic.generate(
            db.session, beneficiaries, context=context, seed=seed, progress=report
        )
        db.session.commit()
    _print_counts(console, counts, time.perf_counter() - started)


def _print_counts(console: Console, counts: dict[str, int], seconds: float) -> None:
    table = Table(title=f"Données fictives écrites en {seconds:.0f} s")
    table.add_column("Table")
    table.add_column("Lignes", justify="right")
    for name, count in counts.items():
        table.add_row(name, f"{count:,}".replace(",", "\u202f"))
    Console().print(table)


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
