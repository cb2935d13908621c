"""The exposure counts each worker keeps: read in one statement, trusted for a few seconds,
with the worker's own asks and starts added in between, one cache per database."""

from __future__ import annotations

from sqlalchemy import select

from assessments import exposure, sessions
from assessments.models import AnswerStatus, AssessmentMode, Item
from tests.assessments.factories import make_answered_session, make_campaign, make_framework
from tests.learners.factories import make_learner
from tests.web.statements import count_statements


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def adaptive_campaign(db):
    framework = make_framework(db)
    return make_campaign(db, framework, mode=AssessmentMode.ADAPTIVE, min_items=3, max_items=3)


def worn_items(db) -> list[Item]:
    items = {i.uid: i for i in db.scalars(select(Item))}
    return [items["essai-1.1-001"], items["essai-1.2-001"]]


def test_counts_are_read_once_then_kept_until_they_are_old(dbsession):
    campaign = adaptive_campaign(dbsession)
    worn = worn_items(dbsession)
    earlier = make_learner(dbsession, name="avant")
    for _ in range(3):
        make_answered_session(dbsession, campaign, earlier.id, [(worn[0], AnswerStatus.OK, 900)])
    clock = Clock()
    engine = dbsession.get_bind()
    with count_statements(engine) as first:
        counts = exposure.read(dbsession, campaign.id, clock=clock)
    assert len(first) == 1
    assert counts.uses == {worn[0].id: 3} and counts.takers == 3
    # Another worker writes a session: this worker does not see it while its copy is young...
    make_answered_session(dbsession, campaign, earlier.id, [(worn[1], AnswerStatus.OK, 900)])
    clock.now += exposure.REFRESH_SECONDS - 1
    with count_statements(engine) as kept:
        counts = exposure.read(dbsession, campaign.id, clock=clock)
    assert kept == [] and worn[1].id not in counts.uses
    # ...and reads it once the copy is old.
    clock.now += 2
    with count_statements(engine) as again:
        counts = exposure.read(dbsession, campaign.id, clock=clock)
    assert len(again) == 1
    assert counts.uses == {worn[0].id: 3, worn[1].id: 1} and counts.takers == 4


def test_a_workers_own_starts_and_asks_are_counted_between_reads(dbsession):
    campaign = adaptive_campaign(dbsession)
    first = sessions.start(dbsession, campaign.code, make_learner(dbsession, name="un"))
    shown = first.current_item_id
    counts = exposure.read(dbsession, campaign.id)
    assert counts.takers == 1 and counts.uses == {shown: 1}
    second = sessions.start(dbsession, campaign.code, make_learner(dbsession, name="deux"))
    counts = exposure.read(dbsession, campaign.id)  # still this worker's copy
    assert counts.takers == 2
    assert sum(counts.uses.values()) == 2
    assert counts.uses.get(second.current_item_id, 0) >= 1
    # The copy matches what the database holds.
    exposure.clear()
    fresh = exposure.read(dbsession, campaign.id)
    assert (fresh.uses, fresh.takers) == (counts.uses, counts.takers)


def test_an_empty_campaign_counts_one_taker_and_no_use(dbsession):
    campaign = adaptive_campaign(dbsession)
    counts = exposure.read(dbsession, campaign.id)
    assert counts.uses == {} and counts.takers == 1


def test_each_database_has_its_own_counts(dbsession, tmp_path):
    from learners.database import make_engine, make_session_factory
    from web.schema import upgrade

    campaign = adaptive_campaign(dbsession)
    make_answered_session(
        dbsession,
        campaign,
        make_learner(dbsession).id,
        [(worn_items(dbsession)[0], AnswerStatus.OK, 1)],
    )
    assert exposure.read(dbsession, campaign.id).takers == 1
    url = f"sqlite:///{tmp_path / 'other.sqlite3'}"
    upgrade(url)
    other_engine = make_engine(url)
    try:
        with make_session_factory(other_engine)() as other:
            other_campaign = adaptive_campaign(other)
            assert other_campaign.id == campaign.id  # the same id in another database
            assert exposure.read(other, other_campaign.id).uses == {}
    finally:
        other_engine.dispose()


def test_the_counts_given_are_a_copy_other_threads_cannot_change(dbsession):
    campaign = adaptive_campaign(dbsession)
    worn = worn_items(dbsession)
    make_answered_session(
        dbsession, campaign, make_learner(dbsession).id, [(worn[0], AnswerStatus.OK, 1)]
    )
    given = exposure.read(dbsession, campaign.id)
    exposure.note_asked(dbsession, campaign.id, worn[1].id)  # another thread asks an item
    assert given.uses == {worn[0].id: 1}
    assert exposure.read(dbsession, campaign.id).uses == {worn[0].id: 1, worn[1].id: 1}
