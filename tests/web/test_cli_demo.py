"""`jalon demo`: loads once, idempotent, prints one account per role."""

from __future__ import annotations

from sqlalchemy import func, select

from learners.models import Organisation, User
from tests.web.forms import submit


def _count(app, model) -> int:
    from web.database import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_demo_loads_idempotently_and_prints_accounts(app):
    from web.cli import main

    runner = app.test_cli_runner()
    first = runner.invoke(main, ["demo"])
    assert first.exit_code == 0, first.output
    assert "jalon-demo" in first.output
    for login in ("admin@jalon.example", "departement@jalon.example", "sdupont"):
        assert login in first.output
    for code in ("TYPE-PA33", "PREM-AT77"):  # the campaign codes a demo learner types
        assert code in first.output
    counts = (_count(app, Organisation), _count(app, User))
    assert runner.invoke(main, ["demo"]).exit_code == 0
    # 12 accounts (the partner employer's and the département's administrators included) and
    # the 6 more beneficiaries of the demo actions (learners/demo_actions.py).
    assert (_count(app, Organisation), _count(app, User)) == counts == (5, 18)


def test_demo_if_empty_leaves_an_existing_database_alone(app, world):
    from web.cli import main

    before = _count(app, User)
    result = app.test_cli_runner().invoke(main, ["demo", "--if-empty"])
    assert result.exit_code == 0
    assert "déjà des données" in result.output
    assert _count(app, User) == before


def test_demo_departement_admin_opens_the_api_tokens_page(app):
    """The demo lets `make run` try the département's API tokens: its administrator logs in and
    lands on the page's link; the département's agent (no admin role) is refused."""
    from learners.demo import DEMO_PASSWORD, DEPARTEMENT
    from web.cli import main
    from web.database import db

    assert app.test_cli_runner().invoke(main, ["demo"]).exit_code == 0
    with app.app_context():
        org_id = db.session.scalar(
            select(Organisation.id).where(Organisation.name == DEPARTEMENT[0])
        )
    page = f"/departement/{org_id}/jetons-api"
    for login, status in (("admin@departement.example", 200), ("departement@jalon.example", 403)):
        client = app.test_client()
        landing = submit(client, "/connexion", {"login": login, "password": DEMO_PASSWORD})
        assert landing.status_code == 302, login
        assert client.get(page).status_code == status, login
