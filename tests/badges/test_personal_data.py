"""RGPD: a learner's data handed back whole and only theirs; erasure revokes, anonymises and keeps
the département's figures."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from assessments.models import Response
from badges import issuance, personal_data, verification
from badges.models import EvidenceFile
from badges.ob3.verify import Verdict
from indicators import credentials as credential_indicators
from indicators import paths
from indicators.filters import Filters
from learners import accounts
from learners.models import AuditEvent, Learner, Membership, Role, Situation
from tests.assessments.factories import make_campaign, make_session
from tests.badges.factories import BASE_URL, KEK, make_achievement
from tests.indicators.factories import enrol, make_action, observe
from tests.learners.factories import PASSWORD, make_learner, make_organisation, make_user

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _person(db, org, action, campaign, achievement, name: str) -> Learner:
    """A learner with an enrolment and outcome, an answered session, a badge and a file."""
    learner = make_learner(db, org, name=name, login=f"{name.lower()}-login")
    enrolment = enrol(db, action, learner, exit=date(2026, 5, 1), birth_year=1988, commune="97411")
    observe(db, enrolment, Situation.CDI)
    session = make_session(
        db, campaign, learner, levels={"1.1": 2}, finished_at=campaign.opens_at, seconds=[5]
    )
    response = db.scalars(select(Response).where(Response.session_id == session.id)).one()
    response.answer = f"réponse de {name}"
    outcome = issuance.issue(
        db,
        achievement=achievement,
        learner=learner,
        award_key=f"session:{session.id}:badge:{achievement.id}",
        base_url=BASE_URL,
        kek=KEK,
    )
    outcome.credential.action_id = action.id
    db.add(
        EvidenceFile(
            organisation_id=org.id,
            learner_id=learner.id,
            credential_id=outcome.credential.id,
            filename=f"preuve-{name}.pdf",
            media_type="application/pdf",
            data=PDF,
            sha256="0" * 64,
        )
    )
    db.flush()
    return learner


@pytest.fixture
def people(dbsession):
    org = make_organisation(dbsession, "Association Horizon")
    action = make_action(dbsession, org)
    campaign = make_campaign(dbsession, organisation=org)
    achievement = make_achievement(dbsession)
    alice = _person(dbsession, org, action, campaign, achievement, "Alice")
    bruno = _person(dbsession, org, action, campaign, achievement, "Bruno")
    dbsession.commit()
    return org, alice, bruno


def test_export_holds_all_of_the_learners_data_and_nothing_of_another(dbsession, people):
    _org, alice, _bruno = people
    data = personal_data.export(dbsession, alice)
    text = json.dumps(data, ensure_ascii=False)
    assert data["profile"]["username"] == "alice-login"
    assert data["memberships"] == [
        {
            "organisation": "Association Horizon",
            "role": "learner",
            "since": data["memberships"][0]["since"],
        }
    ]
    assert data["sessions"][0]["responses"][0]["answer"] == "réponse de Alice"
    assert data["sessions"][0]["results"][0]["level"] == 2
    assert data["credentials"][0]["signed_credential"]["proof"]
    assert data["evidence_files"][0]["filename"] == "preuve-Alice.pdf"
    assert data["enrolments"][0]["birth_year"] == 1988
    assert data["enrolments"][0]["outcomes"][0]["situation"] == "cdi"
    assert "Bruno" not in text and "bruno" not in text


def test_export_includes_journal_lines_about_the_learner_only(dbsession, people):
    org, alice, bruno = people
    from learners import audit

    trainer = make_user(dbsession, Role.TRAINER, org)
    audit.record(
        dbsession,
        "learner.record_viewed",
        actor=trainer,
        organisation_id=org.id,
        target_type="user",
        target_id=alice.user_id,
    )
    audit.record(
        dbsession,
        "learner.record_viewed",
        actor=trainer,
        organisation_id=org.id,
        target_type="user",
        target_id=bruno.user_id,
    )
    dbsession.commit()
    journal = personal_data.export(dbsession, alice)["journal"]
    assert [line["action"] for line in journal] == ["learner.record_viewed"]


def _figures(db) -> dict:
    filters = Filters()
    return {
        "entries": paths.entries(db, filters)[""].value,
        "exits": paths.exits(db, filters)[""].value,
        "by_status": {k: f.value for k, f in paths.entries(db, filters, "statut").items()},
        "by_sex": {k: f.value for k, f in paths.entries(db, filters, "sexe").items()},
        "employment": paths.return_to_employment(db, filters)[""].numerator,
        "success": credential_indicators.success(db, filters)[""].numerator,
    }


def test_erasure_revokes_anonymises_and_keeps_the_figures(dbsession, people):
    org, alice, bruno = people
    before = _figures(dbsession)
    user = alice.user
    credential_id = personal_data.export(dbsession, alice)["credentials"][0]["public_id"]

    summary = personal_data.erase(dbsession, alice, actor=user, base_url=BASE_URL, kek=KEK)
    dbsession.commit()

    assert summary == {"badges_revoked": 1, "files_removed": 1}
    credential = issuance.get(dbsession, credential_id)
    assert credential.revocation_reason == personal_data.ERASURE_REASON
    result = verification.verify_stored(dbsession, credential, base_url=BASE_URL)
    assert result.verdict is Verdict.REVOKED
    assert accounts.authenticate(dbsession, "alice-login", PASSWORD) is None
    assert user.email is None and user.password_hash == personal_data.ERASED_PASSWORD_HASH
    assert not user.is_active and "Alice" not in user.display_name + alice.display_name
    assert (
        dbsession.scalars(select(EvidenceFile).where(EvidenceFile.learner_id == alice.id)).all()
        == []
    )
    data = personal_data.export(dbsession, alice)
    assert data["sessions"][0]["responses"][0]["answer"] is None
    assert data["enrolments"][0]["birth_year"] is None
    assert data["enrolments"][0]["commune_code"] is None
    assert "Alice" not in json.dumps(data, ensure_ascii=False).replace("preuve", "")
    # The other learner is untouched, and the département's figures hold.
    assert bruno.user.is_active and bruno.display_name == "Bruno"
    assert _figures(dbsession) == before
    events = dbsession.scalars(
        select(AuditEvent).where(AuditEvent.action == "learner.erased")
    ).all()
    assert [(e.organisation_id, e.actor_id, e.detail["requested_by"]) for e in events] == [
        (org.id, None, "self")
    ]
    assert dbsession.scalar(select(Membership).where(Membership.user_id == user.id)) is not None
