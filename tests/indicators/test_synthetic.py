"""``jalon demo --scale``'s generator at a small N: the counts add up, every path is coherent,
the badges are real OB 3.0 documents with their status entries, and nobody in it is real."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
from sqlalchemy import func, select, true

from assessments import content_io, path_progress
from assessments.models import (
    AssessmentSession,
    Campaign,
    CompetenceProgress,
    CompetenceResult,
    PathProgress,
    Response,
    SessionStatus,
)
from badges.models import Credential, StatusList, VerificationEvent
from indicators import catalogue, synthetic
from indicators.filters import Filters
from learners import demo
from learners.models import Action, Enrolment, Learner, Membership, Outcome, User
from tests.badges.factories import BASE_URL, KEK

TODAY = date(2026, 12, 4)


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


@pytest.fixture
def generated(dbsession):
    root = content_io.CONTENT_DIR
    content_io.import_paths(
        dbsession, [root / "frameworks" / "premiers-pas.json", root / "items" / "premiers-pas"]
    )
    stages = []
    counts = synthetic.generate(
        dbsession,
        300,
        context=synthetic.Context(base_url=BASE_URL, kek=KEK),
        seed=7,
        today=TODAY,
        progress=lambda stage, done, total: stages.append((stage, done, total)),
    )
    dbsession.commit()
    return counts, stages


def test_counts_add_up(dbsession, generated):
    counts, stages = generated
    assert counts["users"] == counts["learners"] == counts["memberships"] == 300
    assert counts["enrolments"] == _count(dbsession, Enrolment) == 300
    assert counts["actions"] == _count(dbsession, Action) == 300 // synthetic.PEOPLE_PER_ACTION
    assert counts["campaigns"] == counts["actions"]
    assert counts["outcomes"] == _count(dbsession, Outcome) > 0
    sessions = _count(dbsession, AssessmentSession)
    assert counts["assessment_sessions"] == sessions
    assert 1.2 * 300 < sessions < 2.2 * 300
    assert 10 * sessions <= _count(dbsession, Response) == counts["responses"] <= 15 * sessions
    assert counts["competence_results"] == _count(dbsession, CompetenceResult) > 0
    assert 0.7 * sessions < _count(dbsession, Credential) == counts["credentials"] < 1.6 * sessions
    assert counts["verification_events"] == _count(dbsession, VerificationEvent) > 0
    assert ("bénéficiaires", 300, 300) in stages
    assert stages[-1] == ("niveaux par parcours", 1, 1)
    # The paths' first and last levels, written around the refreshes, are what they would be.
    kept = set(dbsession.execute(select(*(c for c in CompetenceProgress.__table__.c))))
    assert kept == set(dbsession.execute(path_progress.measures(dbsession, true()))) != set()
    paths = {row[0] for row in kept}
    assert set(dbsession.scalars(select(PathProgress.enrolment_id))) == paths


def test_paths_are_coherent(dbsession, generated):
    for enrolment in dbsession.scalars(select(Enrolment)):
        assert enrolment.entry_date <= TODAY
        assert enrolment.exit_date is None or enrolment.entry_date <= enrolment.exit_date < TODAY
        assert (enrolment.exit_reason is None) == (enrolment.exit_date is None)
        if enrolment.action.inclusion_only_rsa:
            assert enrolment.public_status.is_rsa
        member_of = {m.organisation_id for m in enrolment.learner.user.memberships}
        assert member_of == {enrolment.action.organisation_id}
    for session in dbsession.scalars(select(AssessmentSession)):
        campaign = dbsession.get(Campaign, session.campaign_id)
        enrolment = dbsession.scalar(
            select(Enrolment).where(Enrolment.learner_id == session.learner_id)
        )
        assert campaign.action_id == enrolment.action_id
        assert (session.status is SessionStatus.FINISHED) == (session.finished_at is not None)


def test_badges_are_ob3_documents_on_their_status_list(dbsession, generated):
    credentials = list(dbsession.scalars(select(Credential)))
    for credential in credentials[:50]:
        document = json.loads(credential.signed_json)
        assert "OpenBadgeCredential" in document["type"]
        assert document["id"].endswith(credential.public_id)
        assert int(document["credentialStatus"]["statusListIndex"]) == credential.status_index
        assert credential.award_key.startswith("synthetique:")
        assert credential.action_id is not None
    for status_list in dbsession.scalars(select(StatusList)):
        held = [c for c in credentials if c.status_list_id == status_list.id]
        assert status_list.allocated == len(held)
        assert status_list.signed_credential is not None


def test_nobody_in_it_is_real(dbsession, generated):
    pattern = re.compile(r"Bénéficiaire fictif \d{6}")
    names = list(dbsession.scalars(select(Learner.display_name)))
    assert names and all(pattern.fullmatch(name) for name in names)
    real = {account.display_name for account in demo.ACCOUNTS}
    assert not real & set(names)
    hashes = set(dbsession.scalars(select(User.password_hash)))
    assert hashes == {synthetic.NOT_A_HASH}
    for credential in dbsession.scalars(select(Credential).limit(20)):
        learner = dbsession.get(Learner, credential.learner_id)
        assert learner.pseudonym not in credential.signed_json  # a salted hash of it
        assert learner.display_name not in credential.signed_json


def test_the_indicators_read_it(dbsession, generated):
    entries = catalogue.compute(dbsession, "beneficiaires_entree", Filters())
    assert entries.value == 300
    for key in catalogue.INDICATORS:
        figure = catalogue.compute(dbsession, key, Filters())
        assert not figure.masked
    success = catalogue.compute(dbsession, "taux_reussite_badges", Filters())
    assert 0 < success.value < 1


def test_ids_continue_after_it(dbsession, generated):
    """New rows written the ordinary way after a run get fresh ids (PostgreSQL's sequences
    were moved past the ids the generator handed out)."""
    from tests.learners.factories import make_learner

    learner = make_learner(dbsession)
    dbsession.flush()
    assert learner.id > 300 and learner.user.id > 300
    assert dbsession.scalar(select(func.count()).select_from(Membership)) >= 300
