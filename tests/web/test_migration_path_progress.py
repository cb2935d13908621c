"""0016 creates the paths' first and last levels (and whether each went up) and fills them from
the sessions already there: written as sessions come, then again by the migration from down at
0015, they are what the sessions and paths say, on both engines."""

from __future__ import annotations

from datetime import UTC, date, datetime

from alembic import command
from sqlalchemy import select

from assessments.models import CompetenceProgress, PathProgress
from learners.database import make_engine, make_session_factory
from tests.assessments.factories import make_campaign, make_framework, make_session
from tests.indicators.factories import enrol
from tests.learners.factories import make_action, make_learner, make_organisation
from web.schema import alembic_config, is_current, upgrade


def _rows(factory) -> set[tuple]:
    with factory() as db:
        levels = db.execute(select(*CompetenceProgress.__table__.c))
        return set(levels) | set(db.execute(select(*PathProgress.__table__.c)))


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
            up, down = (enrol(db, action, p, entry=date(2026, 3, 2)).id for p in (went_up, early))
            for day, levels in ((3, {"1.1": 1, "1.2": 4}), (9, {"1.1": 3, "1.2": 2})):
                at = datetime(2026, 3, day, 10, tzinfo=UTC)
                make_session(db, of_porteur, went_up, levels=levels, finished_at=at)
            # Before the path: not counted; then 5 (the porteur's), 2 (the action's).
            for campaign, day, level in ((of_porteur, 1, 8), (of_porteur, 5, 5), (of_action, 6, 2)):
                at = datetime(2026, 3, day, 10, tzinfo=UTC)
                make_session(db, campaign, early, levels={"1.1": level}, finished_at=at)
            db.commit()
            ids = {c.code: c.id for c in framework.competences}
        expected = {
            (up, ids["1.1"], 1, 3),
            (up, ids["1.2"], 4, 2),
            (down, ids["1.1"], 5, 2),
            (up, True),  # went up in one competence of two
            (down, False),
        }
        assert _rows(factory) == expected
        engine.dispose()

        command.downgrade(alembic_config(database_url), "0015_answer_loop_bank_stamp")
        upgrade(database_url)
        assert is_current(database_url)
        assert _rows(factory) == expected
    finally:
        engine.dispose()
