"""0017 creates the table of organisations' item pictures; down to 0016 and up again, on both
engines, it is back and empty, and the schema is current."""

from __future__ import annotations

from alembic import command
from sqlalchemy import inspect, select

from assessments import item_images
from assessments.models import ItemImage
from learners.database import make_engine, make_session_factory
from tests.learners.factories import make_organisation
from tests.web.conftest import PICTURE
from web.schema import alembic_config, is_current, upgrade


def test_the_pictures_table_goes_down_and_up(database_url):
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    try:
        with factory() as db:
            org = make_organisation(db)
            item_images.store_upload(db, org.id, item_images.check(PICTURE))
            db.commit()
        engine.dispose()
        command.downgrade(alembic_config(database_url), "0016_ind_fast_path_progress")
        assert "item_images" not in inspect(engine).get_table_names()
        engine.dispose()
        upgrade(database_url)
        assert is_current(database_url)
        with factory() as db:
            assert db.scalars(select(ItemImage)).all() == []
    finally:
        engine.dispose()
