"""``jalon backup`` / ``jalon restore``: an archive of one database restored into an empty one of
the same engine gives every table back, row for row; signing keys stay encrypted and the
key-encryption key is never in the archive."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from learners.database import make_engine
from learners.models import Organisation
from tests.assessments.factories import make_campaign
from tests.badges.factories import KEK, make_achievement
from tests.badges.test_personal_data import _person
from tests.conftest import fresh_database
from tests.indicators.factories import make_action
from tests.learners.factories import make_organisation
from web import backup


@pytest.fixture
def empty_url(request, database_url, tmp_path) -> Iterator[str]:
    """A second fresh, migrated database of the same engine as ``database_url``."""
    backend = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    yield from fresh_database(request, tmp_path, backend, name="jalon_r")


def _everything(url: str) -> dict[str, list]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return {
                table.name: [
                    tuple(row)
                    for row in connection.execute(
                        select(table).order_by(*table.primary_key.columns)
                    )
                ]
                for table in backup.tables()
            }
    finally:
        engine.dispose()


def test_backup_then_restore_gives_every_table_back(dbsession, database_url, empty_url, tmp_path):
    org = make_organisation(dbsession, "Association Horizon")
    action = make_action(dbsession, org)
    campaign = make_campaign(dbsession, organisation=org)
    achievement = make_achievement(dbsession)
    _person(dbsession, org, action, campaign, achievement, "Alice")
    dbsession.commit()
    archive = tmp_path / "sauvegarde.zip"
    source = make_engine(database_url)
    manifest = backup.backup(source, archive)
    source.dispose()
    assert manifest["tables"]["signing_keys"] >= 1 and manifest["tables"]["evidence_files"] == 1
    with zipfile.ZipFile(archive) as zf:
        raw = b"".join(zf.read(name) for name in zf.namelist())
    assert KEK.encode() not in raw and b"PRIVATE KEY" not in raw

    target = make_engine(empty_url)
    try:
        seen: dict[str, int] = {}
        backup.restore(
            target, archive, lambda table, n: seen.__setitem__(table, seen.get(table, 0) + n)
        )
        assert seen == {name: n for name, n in manifest["tables"].items() if n}
        before, after = _everything(database_url), _everything(empty_url)
        assert after == before
        assert sum(len(rows) for rows in after.values()) > 30
        # New rows get fresh ids after a restore (PostgreSQL sequences moved on).
        with target.begin() as connection:
            connection.execute(
                Organisation.__table__.insert().values(name="Nouvelle", kind="association")
            )
        # A second restore into a database that now holds data is refused.
        with pytest.raises(backup.BackupError, match="pas vide"):
            backup.restore(target, archive)
    finally:
        target.dispose()


def test_restore_refuses_what_is_not_a_backup(empty_url, tmp_path):
    bogus = tmp_path / "autre.zip"
    with zipfile.ZipFile(bogus, "w") as zf:
        zf.writestr("manifest.json", '{"format": "autre"}')
    engine = make_engine(empty_url)
    try:
        with pytest.raises(backup.BackupError, match="pas une sauvegarde"):
            backup.restore(engine, bogus)
    finally:
        engine.dispose()


def test_cli_backup_then_restore_into_a_database_with_data_is_refused(app, world, tmp_path):
    from web.cli.backup import backup as backup_command
    from web.cli.backup import restore as restore_command

    out = tmp_path / "jalon.zip"
    runner = app.test_cli_runner()
    done = runner.invoke(backup_command, [str(out)], catch_exceptions=False)
    assert done.exit_code == 0, done.output
    assert "Sauvegarde écrite" in done.output
    assert backup.read_manifest(out)["tables"]["users"] == 7
    refused = runner.invoke(restore_command, [str(out)])
    assert refused.exit_code == 2
    assert "La base n'est pas vide" in refused.output
