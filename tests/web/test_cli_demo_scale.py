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
        fictitious = select(Learner.id).where(
            Learner.display_name.startswith("Bénéficiaire fictif")
        )
        assert db.session.scalar(select(func.count()).select_from(fictitious.subquery())) == 40
        enrolled = select(func.count()).where(Enrolment.learner_id.in_(fictitious))
        assert db.session.scalar(enrolled.select_from(Enrolment)) == 40  # one path each


def test_demo_scale_refuses_nonsense(app):
    from web.cli import main

    result = app.test_cli_runner().invoke(main, ["demo", "--scale", "0"])
    assert result.exit_code == 2
    assert "0" in result.output
