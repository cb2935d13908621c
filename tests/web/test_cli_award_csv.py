"""``jalon badges award-csv``: the dry run prints each line's fate; the run awards the ready
lines and says what happened to every line, with the trainer in the journal."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from badges.models import Credential
from learners.models import AuditEvent, Organisation
from tests.badges.factories import make_achievement, make_issuer
from web.cli.badges import badges


@pytest.fixture
def achievement_id(app, world) -> str:
    from web.database import db

    with app.app_context():
        org = db.session.get(Organisation, world.org_a)
        issuer = make_issuer(db.session, org, kek=app.config["JALON_KEY_ENCRYPTION_KEY"])
        achievement = make_achievement(db.session, issuer)
        db.session.commit()
        return achievement.public_id


def _count(app, model, *where) -> int:
    from web.database import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_award_csv_dry_run_then_run(app, world, achievement_id, tmp_path):
    csv_file = tmp_path / "liste.csv"
    csv_file.write_text("learner-a,Stage réussi\nlearner-b\nnobody\n", encoding="utf-8")
    runner = app.test_cli_runner()
    common = ["award-csv", "--achievement", achievement_id, "--file", str(csv_file)]
    dry = runner.invoke(badges, [*common, "--dry-run"], catch_exceptions=False)
    assert dry.exit_code == 0, dry.output
    assert "ligne 1 : learner-a — prêt" in dry.output
    assert "ligne 2 : learner-b — pas un apprenant de la structure" in dry.output
    assert "ligne 3 : nobody — identifiant inconnu" in dry.output
    assert _count(app, Credential) == 0
    done = runner.invoke(
        badges, [*common, "--by", "trainer-a@test.example"], catch_exceptions=False
    )
    assert done.exit_code == 0, done.output
    assert "ligne 1 : learner-a — badge attribué" in done.output
    assert "1 badge(s) attribué(s)." in done.output
    assert _count(app, Credential) == 1
    assert _count(app, AuditEvent, AuditEvent.actor_id == world.trainer) == 1


def test_award_csv_refuses_an_unreadable_file(app, world, achievement_id, tmp_path):
    csv_file = tmp_path / "liste.csv"
    csv_file.write_bytes("élève".encode("latin-1"))
    result = app.test_cli_runner().invoke(
        badges, ["award-csv", "--achievement", achievement_id, "--file", str(csv_file)]
    )
    assert result.exit_code == 1 and "n'est pas en UTF-8" in result.output
