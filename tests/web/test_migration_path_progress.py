"""0015 creates the paths' first and last levels and fills them from the sessions already there:
down to 0014 and up again gives back exactly what the sessions and paths say, on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import select, true

from assessments import path_progress
from assessments.models import CompetenceProgress
from learners.database import make_engine, make_session_factory
from tests.assessments.factories import make_campaign, make_framework, make_session
from tests.indicators.factories import enrol
from tests.learners.factories import make_action, make_learner, make_organisation
from web.schema import alembic_config, is_current, upgrade


def _rows(factory) -> set[tuple]:
    with factory() as db:
        return set(db.execute(select(*CompetenceProgress.__table__.c)))


def test_the_migration_fills_the_levels_of_existing_paths(database_url):
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as db:
            org = make_organisation(db)
            action = make_action(db, org)
            framework = make_framework(db)
            of_action = make_campaign(db, framework, organisation=org, name="De l'action")
            of_action.action_id = action.id
            of_porteur = make_campaign(db, framework, organisation=org, name="Du porteur")
            went_up, early = make_learner(db, org), make_learner(db, org)
            for learner in (went_up, early):
                enrol(db, action, learner, entry=date(2026, 3, 2))
            for day, levels in ((3, {"1.1": 1, "1.2": 4}), (9, {"1.1": 3, "1.2": 2})):
                at = datetime(2026, 3, day, 10, tzinfo=UTC)
                make_session(db, of_porteur, went_up, levels=levels, finished_at=at)
            for day in (1, 5):  # the first, before the path, does not count
                at = datetime(2026, 3, day, 10, tzinfo=UTC)
                make_session(db, of_porteur, early, levels={"1.1": day}, finished_at=at)
            make_session(db, of_action, early, levels={"1.1": 6}, finished_at=at)
            db.commit()
            expected = set(db.execute(path_progress.measures(db, true())))
        assert len(expected) == 3 and _rows(factory) == expected
        engine.dispose()

        command.downgrade(alembic_config(database_url), "0014_privacy_defaults_private")
        upgrade(database_url)
        assert is_current(database_url)
        assert _rows(factory) == expected
    finally:
        engine.dispose()
