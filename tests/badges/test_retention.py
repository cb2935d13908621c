"""Retention: what is older than its period is emptied or deleted, what is recent stays, and the
indicators count what they counted."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from assessments.models import Response
from badges import issuance, retention, revocation
from badges.models import EvidenceFile
from indicators import paths
from indicators.filters import Filters
from learners import audit
from learners.models import AuditEvent, Job, JobStatus
from tests.assessments.factories import make_campaign, make_session
from tests.badges.factories import BASE_URL, KEK, make_achievement
from tests.indicators.factories import enrol, make_action
from tests.learners.factories import make_learner, make_organisation

NOW = datetime(2026, 6, 1, tzinfo=UTC)
LONG_AGO = NOW - timedelta(days=6 * 365)
LATELY = NOW - timedelta(days=10)


@pytest.fixture
def data(dbsession):
    db = dbsession
    org = make_organisation(db)
    action = make_action(db, org, first_year=2019)
    old = enrol(db, action, entry=date(2019, 1, 1), exit=LONG_AGO.date(), commune="97411")
    recent = enrol(db, action, entry=date(2026, 1, 1), exit=LATELY.date(), commune="97411")
    campaign = make_campaign(db, organisation=org)
    answers = {}
    for key, when in (("old", LONG_AGO), ("recent", LATELY)):
        session = make_session(db, campaign, make_learner(db), started_at=when, seconds=[3])
        response = db.scalars(select(Response).where(Response.session_id == session.id)).one()
        response.answer = "ma réponse"
        answers[key] = response.id
    for when in (LONG_AGO, LATELY):
        event = audit.record(
            db,
            "campaign.created",
            actor=None,
            organisation_id=org.id,
            target_type="campaign",
            target_id=1,
        )
        event.at = when
    for when, status in (
        (LONG_AGO, JobStatus.DONE),
        (LATELY, JobStatus.DONE),
        (None, JobStatus.RUNNING),
    ):
        db.add(Job(kind="essai", organisation_id=org.id, status=status, finished_at=when))
    files = {}
    for key, when in (("old", LONG_AGO), ("recent", LATELY)):
        learner = make_learner(db)
        credential = issuance.issue(
            db,
            achievement=make_achievement(db),
            learner=learner,
            award_key=f"k:{key}",
            base_url=BASE_URL,
            kek=KEK,
        ).credential
        revocation.revoke(db, credential, "Erreur", base_url=BASE_URL, kek=KEK, now=when)
        file = EvidenceFile(
            organisation_id=org.id,
            learner_id=learner.id,
            credential_id=credential.id,
            filename="preuve.pdf",
            media_type="application/pdf",
            data=b"%PDF",
            sha256="0" * 64,
        )
        db.add(file)
        db.flush()
        files[key] = file.id
    db.commit()
    return {"old": old.id, "recent": recent.id, "answers": answers, "files": files}


def _figures(db) -> dict:
    f = Filters()
    return {
        "entries": paths.entries(db, f)[""].value,
        "exits": paths.exits(db, f)[""].value,
        "by_status": {k: v.value for k, v in paths.entries(db, f, "statut").items()},
        "by_sex": {k: v.value for k, v in paths.entries(db, f, "sexe").items()},
    }


def test_dry_run_counts_only_what_is_past_its_period(dbsession, data):
    due = retention.due(dbsession, retention.Policy(), NOW)
    assert due == {
        "enrolments": [data["old"]],
        "answers": [data["answers"]["old"]],
        "journal": due["journal"],
        "jobs": due["jobs"],
        "evidence": [data["files"]["old"]],
    }
    assert len(due["journal"]) == 1 and len(due["jobs"]) == 1
    # A dry run changes nothing.
    assert retention.due(dbsession, retention.Policy(), NOW) == due


def test_purge_removes_the_old_keeps_the_recent_and_the_figures(dbsession, data):
    from learners.models import Enrolment

    before = _figures(dbsession)
    done = {}
    for rule, count in retention.purge(dbsession, retention.Policy(), NOW):
        done[rule.key] = done.get(rule.key, 0) + count
    assert done == {"enrolments": 1, "answers": 1, "journal": 1, "jobs": 1, "evidence": 1}
    dbsession.expire_all()
    old, recent = dbsession.get(Enrolment, data["old"]), dbsession.get(Enrolment, data["recent"])
    assert (old.birth_year, old.commune_code) == (None, None)
    assert (recent.birth_year, recent.commune_code) == (1990, "97411")
    assert dbsession.get(Response, data["answers"]["old"]).answer is None
    assert dbsession.get(Response, data["answers"]["recent"]).answer == "ma réponse"
    assert [e.at.year for e in dbsession.scalars(select(AuditEvent))] == [LATELY.year]
    assert sorted(j.status.value for j in dbsession.scalars(select(Job))) == ["done", "running"]
    assert dbsession.get(EvidenceFile, data["files"]["old"]) is None
    assert dbsession.get(EvidenceFile, data["files"]["recent"]) is not None
    assert _figures(dbsession) == before
    assert retention.due(dbsession, retention.Policy(), NOW) == {key: [] for key in done}
