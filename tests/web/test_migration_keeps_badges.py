"""Migrations that rebuild a table on SQLite (batch mode) keep every row that points at it.

An existing database holds issued badges and their verifications: rebuilding ``achievements``
or ``credentials`` with foreign keys enforced would refuse (RESTRICT) or delete (CASCADE) them.
Down to the actions revision and up again must lose nothing, on both engines.
"""

from __future__ import annotations

from alembic import command
from sqlalchemy import func, select

from badges import issuance
from badges.models import Achievement, Credential, VerificationEvent
from learners.database import make_engine, make_session_factory
from tests.badges.factories import BASE_URL, KEK, make_achievement, make_issuer
from tests.learners.factories import make_learner, make_organisation
from web.schema import alembic_config, is_current, upgrade

TABLES = (Achievement, Credential, VerificationEvent)


def _counts(factory) -> tuple[int, ...]:
    with factory() as db:
        return tuple(db.scalar(select(func.count()).select_from(t)) for t in TABLES)


def test_badges_and_their_verifications_survive_down_and_up(database_url):
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as db:
            org = make_organisation(db, "Association Tremplin")
            achievement = make_achievement(db, make_issuer(db, org))
            issued = issuance.issue(
                db,
                achievement=achievement,
                learner=make_learner(db, org, login="amina"),
                award_key="migration:1",
                base_url=BASE_URL,
                kek=KEK,
            )
            db.add(
                VerificationEvent(
                    credential_id=issued.credential.id, channel="link", result="valid"
                )
            )
            db.commit()
        before = _counts(factory)
        assert before == (1, 1, 1)
        engine.dispose()

        command.downgrade(alembic_config(database_url), "0012_actions")
        upgrade(database_url)
        assert is_current(database_url)
        assert _counts(factory) == before
    finally:
        engine.dispose()


def test_private_by_default_keeps_every_existing_badges_visibility(database_url):
    """0014 changes the default only: badges published before stay public, and the database
    itself now writes a credential without a visibility as private."""
    from sqlalchemy import inspect

    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as db:
            org = make_organisation(db, "Association Tremplin")
            achievement = make_achievement(db, make_issuer(db, org))
            learner = make_learner(db, org, login="amina")
            ids = {
                public: issuance.issue(
                    db,
                    achievement=achievement,
                    learner=learner,
                    award_key=f"migration:{public}",
                    base_url=BASE_URL,
                    kek=KEK,
                    is_public=public,
                ).credential.id
                for public in (True, False)
            }
            db.commit()
        engine.dispose()
        command.downgrade(alembic_config(database_url), "0013_api_indicator_indexes")
        columns = {c["name"]: c for c in inspect(engine).get_columns("credentials")}
        assert columns["is_public"]["default"] is None
        engine.dispose()
        upgrade(database_url)
        columns = {c["name"]: c for c in inspect(engine).get_columns("credentials")}
        assert str(columns["is_public"]["default"]).strip("'").lower() in ("0", "false")
        with factory() as db:
            assert {public: db.get(Credential, id_).is_public for public, id_ in ids.items()} == {
                True: True,
                False: False,
            }
    finally:
        engine.dispose()
