"""The data layer behaves the same on SQLite and PostgreSQL."""

from sqlalchemy import func, select

from learners.models import Organisation, OrganisationKind


def count(db) -> int:
    return db.scalar(select(func.count()).select_from(Organisation))


def test_rollback_undoes_writes_made_in_a_savepoint(dbsession):
    # A read first, then the first write inside a savepoint: on pysqlite's own transaction
    # handling the savepoint's RELEASE used to commit, so the rollback below undid nothing.
    assert count(dbsession) == 0
    with dbsession.begin_nested():
        dbsession.add(Organisation(name="Asso", kind=OrganisationKind.ASSOCIATION))
    dbsession.rollback()
    assert count(dbsession) == 0


def test_commit_keeps_writes_made_in_a_savepoint(dbsession):
    assert count(dbsession) == 0
    with dbsession.begin_nested():
        dbsession.add(Organisation(name="Asso", kind=OrganisationKind.ASSOCIATION))
    dbsession.commit()
    assert count(dbsession) == 1
