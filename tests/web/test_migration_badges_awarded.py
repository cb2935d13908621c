"""Revision 0004: sessions finished before it count as awarded (the old results page issued
their badges); one in progress stays pending. Down and up again loses no answer."""

from __future__ import annotations

from alembic import command
from sqlalchemy import func, select

from assessments import sessions
from assessments.models import AssessmentSession, Response
from learners.database import make_engine, make_session_factory
from tests.assessments.factories import make_campaign
from tests.learners.factories import make_learner
from web.schema import alembic_config, is_current, upgrade


def test_finished_sessions_count_as_awarded_and_answers_survive(database_url):
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as db:
            campaign = make_campaign(db)
            done = sessions.start(db, campaign.code, make_learner(db, name="fini"))
            while not done.finished:
                sessions.skip(db, done, done.current_item.id)
            going = sessions.start(db, campaign.code, make_learner(db, name="encours"))
            db.commit()
            ids, finished_at = (done.id, going.id), done.finished_at
            answers = db.scalar(select(func.count()).select_from(Response))
        engine.dispose()

        command.downgrade(alembic_config(database_url), "0002_assessments")
        upgrade(database_url)
        assert is_current(database_url)

        with factory() as db:
            first, second = (db.get(AssessmentSession, i) for i in ids)
            assert first.badges_awarded_at == finished_at and not first.badges_pending
            assert second.badges_awarded_at is None and not second.finished
            assert db.scalar(select(func.count()).select_from(Response)) == answers > 0
    finally:
        engine.dispose()
