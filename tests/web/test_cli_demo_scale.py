"""``jalon demo --scale N``: the demo, then N fictitious beneficiaries, counted in a table."""

from __future__ import annotations

from sqlalchemy import func, select

from learners.models import Enrolment, Learner


def test_demo_scale_adds_fictitious_beneficiaries(app):
    from web.cli import main
    from web.database import db

    result = app.test_cli_runner().invoke(main, ["demo", "--scale", "40", "--seed", "3"])
    assert result.exit_code == 0, result.output
    assert "enrolments" in result.output and "responses" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrolment)) == 40
        names = db.session.scalars(select(Learner.display_name))
        assert sum(name.startswith("Bénéficiaire fictif") for name in names) == 40


def test_demo_scale_refuses_nonsense(app):
    from web.cli import main

    result = app.test_cli_runner().invoke(main, ["demo", "--scale", "0"])
    assert result.exit_code == 2
    assert "0" in result.output
