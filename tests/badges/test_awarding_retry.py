"""Awarding once, with a bounded retry (``awarding.award_with_retry``): a transient failure
then success issues the badges; a lasting failure leaves the session pending, with its results
kept; pending sessions are found and awarded later; nothing is ever issued twice."""

from __future__ import annotations

import logging
import sqlite3

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError, OperationalError, ProgrammingError

from assessments import checking, sessions
from assessments.models import AssessmentSession, SessionStatus
from badges import awarding, issuance
from badges.models import Credential
from tests.assessments.factories import AUTONOME_ITEMS, make_tour_campaign
from tests.badges.factories import BASE_URL, KEK, make_issuer
from tests.learners.factories import make_learner, make_organisation

EARNED = {"Premiers pas numériques — diagnostic réalisé", "Premiers pas numériques — autonome"}


def finished_session(db, campaign, learner) -> AssessmentSession:
    """A session answered right to the end, committed (as the view commits the last answer)."""
    session = sessions.start(db, campaign.code, learner)
    while not session.finished:
        item = session.current_item
        sessions.answer(db, session, item.id, checking.example_right_response(item))
    db.commit()
    return session


def credentials(db) -> int:
    return db.scalar(select(func.count()).select_from(Credential))


def locked() -> OperationalError:
    return OperationalError("INSERT INTO credentials", {}, sqlite3.OperationalError("locked"))


class Flaky:
    """``issuance.issue`` failing its first ``failures`` calls, then issuing for real."""

    def __init__(self, failures: int, error=locked) -> None:
        self.failures, self.error, self.calls = failures, error, 0
        self.real = issuance.issue

    def __call__(self, *args, **kwargs):
        self.calls += 1
        if self.calls <= self.failures:
            raise self.error()
        return self.real(*args, **kwargs)


@pytest.fixture
def setting(dbsession):
    org = make_organisation(dbsession, "Association Tremplin")
    campaign = make_tour_campaign(dbsession, org, items=AUTONOME_ITEMS)
    make_issuer(dbsession, org, shipped=True)
    dbsession.commit()
    return campaign


def award(db, session, **options):
    pauses: list[float] = []
    done = awarding.award_with_retry(
        db, session, base_url=BASE_URL, kek=options.pop("kek", KEK), sleep=pauses.append, **options
    )
    return done, pauses


def test_a_finished_session_is_awarded_and_marked_so(dbsession, setting):
    session = finished_session(dbsession, setting, make_learner(dbsession))
    assert session.badges_pending
    done, pauses = award(dbsession, session)
    assert not done.pending and done.attempts == 1 and pauses == []
    assert {a.achievement.name for a in done.awards} == EARNED
    dbsession.expire_all()  # what was committed, not what is in memory
    assert session.badges_awarded_at is not None and not session.badges_pending
    assert credentials(dbsession) == 2


def test_a_transient_failure_is_retried_then_the_badges_are_issued(dbsession, setting, monkeypatch):
    session = finished_session(dbsession, setting, make_learner(dbsession))
    flaky = Flaky(failures=1)
    monkeypatch.setattr(awarding.issuance, "issue", flaky)
    done, pauses = award(dbsession, session)
    assert not done.pending and done.attempts == 2
    assert pauses == [awarding.RETRY_DELAYS[0]]
    assert {a.achievement.name for a in done.awards} == EARNED
    assert credentials(dbsession) == 2 and not session.badges_pending


def test_a_concurrent_issue_of_the_same_award_is_retried_and_finds_it(
    dbsession, setting, monkeypatch
):
    session = finished_session(dbsession, setting, make_learner(dbsession))
    clash = Flaky(failures=1, error=lambda: IntegrityError("INSERT", {}, Exception("award_key")))
    monkeypatch.setattr(awarding.issuance, "issue", clash)
    done, _pauses = award(dbsession, session)
    assert not done.pending and done.attempts == 2 and credentials(dbsession) == 2


def test_a_lasting_failure_is_retried_a_bounded_number_of_times_then_left_pending(
    dbsession, setting, monkeypatch, caplog
):
    session = finished_session(dbsession, setting, make_learner(dbsession))
    always = Flaky(failures=10**6)
    monkeypatch.setattr(awarding.issuance, "issue", always)
    with caplog.at_level(logging.WARNING, logger="badges.awarding"):
        done, pauses = award(dbsession, session, delays=(0.01, 0.02, 0.03))
    assert done.pending and done.awards == [] and done.attempts == 4
    assert pauses == [0.01, 0.02, 0.03] and always.calls == 4
    assert "left pending" in caplog.text
    dbsession.expire_all()
    assert session.status is SessionStatus.FINISHED and session.results  # results kept
    assert session.badges_pending and credentials(dbsession) == 0


def test_a_failure_that_is_not_transient_is_not_retried(dbsession, setting, caplog):
    session = finished_session(dbsession, setting, make_learner(dbsession))
    with caplog.at_level(logging.ERROR, logger="badges.awarding"):
        done, pauses = award(dbsession, session, kek="not-the-key-encryption-key-at-all")
    assert done.pending and done.attempts == 1 and pauses == []
    assert f"session {session.id}" in caplog.text
    assert session.badges_pending and credentials(dbsession) == 0


def test_awarding_again_issues_nothing_more(dbsession, setting):
    session = finished_session(dbsession, setting, make_learner(dbsession))
    first, _ = award(dbsession, session)
    again, _ = award(dbsession, session)
    assert again == awarding.Awarding([], pending=False, attempts=0)
    session.badges_awarded_at = None  # even forced to run again, the award keys hold
    dbsession.commit()
    forced, _ = award(dbsession, session)
    assert forced.awards and not any(a.created for a in forced.awards)
    assert {a.credential.id for a in forced.awards} == {a.credential.id for a in first.awards}
    assert credentials(dbsession) == 2


def test_an_unfinished_session_is_not_awarded(dbsession, setting):
    session = sessions.start(dbsession, setting.code, make_learner(dbsession))
    dbsession.commit()
    done, _ = award(dbsession, session)
    assert done == awarding.Awarding([], pending=False, attempts=0)
    assert session.badges_awarded_at is None and credentials(dbsession) == 0


def test_pending_sessions_are_found_and_awarded_later(dbsession, setting, monkeypatch):
    learners = [make_learner(dbsession, name=n) for n in ("Awa Traoré", "Léo Martin", "Inès B")]
    first, second, third = (finished_session(dbsession, setting, p) for p in learners)
    award(dbsession, first)
    unfinished = sessions.start(dbsession, setting.code, make_learner(dbsession, name="Zoé"))
    dbsession.commit()
    assert awarding.pending_session_ids(dbsession) == [second.id, third.id]
    assert unfinished.id not in awarding.pending_session_ids(dbsession)

    runs = dict(
        awarding.award_pending(
            dbsession, [second.id, third.id, 10**9], base_url=BASE_URL, kek=KEK, delays=()
        )
    )
    assert set(runs) == {second.id, third.id}  # an id that no longer exists is passed over
    assert not any(run.pending for run in runs.values())
    assert all({a.achievement.name for a in run.awards} == EARNED for run in runs.values())
    assert awarding.pending_session_ids(dbsession) == []
    assert credentials(dbsession) == 6


def test_badges_due_are_those_earned_and_not_received_while_pending(
    dbsession, setting, monkeypatch
):
    session = finished_session(dbsession, setting, make_learner(dbsession))
    assert {a.name for a in awarding.badges_due(dbsession, session)} == EARNED
    monkeypatch.setattr(awarding.issuance, "issue", Flaky(failures=10**6))
    award(dbsession, session, delays=())
    assert {a.name for a in awarding.badges_due(dbsession, session)} == EARNED  # still due
    monkeypatch.undo()
    award(dbsession, session)
    assert awarding.badges_due(dbsession, session) == []
    assert credentials(dbsession) == 2  # reading what is due issued nothing


def test_transient_failures_are_locks_lost_connections_and_award_key_clashes():
    assert awarding.is_transient(locked())
    assert awarding.is_transient(IntegrityError("INSERT", {}, Exception("duplicate")))
    lost = ProgrammingError("SELECT 1", {}, Exception("closed"), connection_invalidated=True)
    assert awarding.is_transient(lost)
    assert not awarding.is_transient(ProgrammingError("SELECT", {}, Exception("syntax")))
    assert not awarding.is_transient(ValueError("a bug"))
