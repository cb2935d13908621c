"""A learner's record (``assessments.learner_record``): every session in the organisation's
campaigns, newest first, and each competence's levels from the first to the latest assessment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assessments import learner_record as lr
from assessments.campaign_results import ParticipationStatus
from tests.assessments.factories import make_campaign, make_framework, make_session
from tests.learners.factories import make_learner, make_organisation

NOW = datetime(2026, 5, 20, 12, 0, tzinfo=UTC)
MARCH = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MAY = datetime(2026, 5, 11, 9, 0, tzinfo=UTC)


@pytest.fixture
def sarah(dbsession):
    """Sarah took the entry assessment in March (1.1: 1, 1.2: 2, 4.1: 0), the exit one in May
    (1.1: 2, 1.2: 1, 4.1: 0), started a third; and a session in another organisation."""
    org = make_organisation(dbsession, "Association Tremplin")
    framework = make_framework(dbsession)
    entry = make_campaign(dbsession, framework, organisation=org, name="Entrée")
    exit_ = make_campaign(dbsession, framework, organisation=org, name="Sortie")
    elsewhere = make_campaign(dbsession, framework, name="Ailleurs")
    learner = make_learner(dbsession, org, name="Sarah Benali")
    make_session(
        dbsession,
        entry,
        learner,
        levels={"1.1": 1, "1.2": 2, "4.1": 0},
        started_at=MARCH,
        finished_at=MARCH + timedelta(minutes=12),
        seconds=[40, 50],
    )
    make_session(
        dbsession,
        exit_,
        learner,
        levels={"1.1": 2, "1.2": 1, "4.1": 0},
        started_at=MAY,
        finished_at=MAY + timedelta(minutes=15),
    )
    make_session(dbsession, exit_, learner, started_at=NOW - timedelta(hours=2))
    make_session(
        dbsession,
        elsewhere,
        learner,
        levels={"1.1": 8},
        started_at=MAY,
        finished_at=MAY + timedelta(minutes=1),
    )
    return org, learner


def test_sessions_of_the_organisation_newest_first(dbsession, sarah):
    org, learner = sarah
    record = lr.learner_record(dbsession, learner, org.id, "fr", now=NOW)
    assert record.display_name == "Sarah Benali"
    assert record.user_id == learner.user_id
    assert [(s.campaign_name, s.status) for s in record.sessions] == [
        ("Sortie", ParticipationStatus.IN_PROGRESS),
        ("Sortie", ParticipationStatus.FINISHED),
        ("Entrée", ParticipationStatus.FINISHED),
    ]
    entry = record.sessions[2]
    assert (entry.score, entry.answered, entry.started_at) == (24, 2, MARCH)
    assert [(level.code, level.level) for level in entry.levels] == [
        ("1.1", 1),
        ("1.2", 2),
        ("4.1", 0),
    ]
    assert record.sessions[0].levels == () and record.sessions[0].score is None


def test_progress_from_the_first_to_the_latest_assessment(dbsession, sarah):
    org, learner = sarah
    record = lr.learner_record(dbsession, learner, org.id, "fr", now=NOW)
    progress = {p.code: p for p in record.progress}
    assert list(progress) == ["1.1", "1.2", "4.1"]
    assert [point.level for point in progress["1.1"].history] == [1, 2]
    assert (progress["1.1"].first.at, progress["1.1"].latest.at) == (
        MARCH + timedelta(minutes=12),
        MAY + timedelta(minutes=15),
    )
    assert [p.change for p in progress.values()] == [1, -1, 0]
    assert all(p.assessed_twice for p in progress.values())
    # What the person can do is the descriptor of the latest level (none at level 0).
    assert progress["1.1"].can_do == "Choisir un résultat."
    assert progress["4.1"].can_do is None
    assert progress["1.1"].title == "Chercher"
    assert lr.learner_record(dbsession, learner, org.id, "en", now=NOW).progress[0].title == (
        "Search"
    )


def test_a_learner_without_sessions_has_an_empty_record(dbsession):
    org = make_organisation(dbsession)
    learner = make_learner(dbsession, org, name="Nadia")
    record = lr.learner_record(dbsession, learner, org.id, "fr", now=NOW)
    assert record.sessions == () and record.progress == ()
