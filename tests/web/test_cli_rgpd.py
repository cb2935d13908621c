"""``jalon rgpd purge``: the dry run counts and changes nothing; the run applies the configured
periods."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from learners import audit
from learners.database import utcnow
from learners.models import AuditEvent
from web.cli.rgpd import rgpd


def _journal_lines(app) -> int:
    from web.database import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEvent))


def test_purge_dry_run_then_run_with_the_configured_period(app, world):
    from web.database import db

    with app.app_context():
        for days in (400, 10):
            event = audit.record(
                db.session,
                "campaign.created",
                actor=None,
                organisation_id=world.org_a,
                target_type="campaign",
                target_id=world.campaign_a,
            )
            event.at = utcnow() - timedelta(days=days)
        db.session.commit()
    app.config["JALON_RETENTION_JOURNAL_DAYS"] = 365
    runner = app.test_cli_runner()
    dry = runner.invoke(rgpd, ["purge", "--dry-run"], catch_exceptions=False)
    assert dry.exit_code == 0, dry.output
    assert "Journal : lignes anciennes : 1 à purger" in dry.output
    assert _journal_lines(app) == 2
    done = runner.invoke(rgpd, ["purge"], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "Journal : lignes anciennes : 1 purgé(s)" in done.output
    assert _journal_lines(app) == 1
