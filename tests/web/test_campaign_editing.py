"""Changing a campaign in the studio: name, dates, time limit, accessibility adjustment and stop
rule; the assessment no longer changes once someone started (French message, nothing written);
a shipped or shared assessment is copied rather than changed; every change is journaled."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from assessments.models import Assessment, AssessmentMode, Campaign
from learners.database import utcnow
from learners.models import AuditEvent, Organisation, User
from tests.assessments.factories import make_campaign, make_session
from tests.web.forms import submit, text


def _db():
    from web.database import db

    return db.session


@pytest.fixture
def adaptive(app, world) -> int:
    """An adaptive campaign of A on the shipped test assessment settings, nobody started."""
    with app.app_context():
        org = _db().get(Organisation, world.org_a)
        first = _db().get(Campaign, world.campaign_a).assessment.framework
        campaign = make_campaign(
            _db(), first, organisation=org, name="Atelier adaptatif", mode=AssessmentMode.ADAPTIVE
        )
        _db().commit()
        return campaign.id


def _url(world, campaign_id: int) -> str:
    return f"/organisations/{world.org_a}/campagnes/{campaign_id}/modifier"


FORM = {
    "name": "Atelier adaptatif de juin",
    "min_items": "4",
    "max_items": "12",
    "target_se": "0.4",
    "time_limit_minutes": "45",
    "accessible_only": "y",
}


def test_a_trainer_changes_name_dates_and_settings_and_it_is_journaled(
    app, world, client_as, adaptive
):
    trainer = client_as("trainer")
    page = text(trainer.get(_url(world, adaptive)))
    assert 'value="Atelier adaptatif"' in page and "Enregistrer les changements" in page
    closes = (utcnow() + timedelta(days=30)).date().isoformat()
    response = submit(trainer, _url(world, adaptive), {**FORM, "closes_on": closes})
    assert response.status_code == 303, text(response)
    with app.app_context():
        campaign = _db().get(Campaign, adaptive)
        a = campaign.assessment
        assert campaign.name == "Atelier adaptatif de juin"
        assert campaign.closes_at.date().isoformat() == closes
        assert (a.min_items, a.max_items, a.target_se) == (4, 12, 0.4)
        assert (a.time_limit_minutes, a.accessible_only) == (45, True)
        # The shipped assessment was not changed: the campaign has its own copy now.
        assert a.organisation_id == world.org_a
        shared = _db().get(Campaign, world.campaign_a).assessment
        assert shared.time_limit_minutes is None
        event = _db().scalar(select(AuditEvent).where(AuditEvent.action == "campaign.edited"))
        assert event.actor_id == world.trainer and event.target_id == str(adaptive)
        assert event.detail["name"] == "Atelier adaptatif de juin"
        changes = event.detail["changes"]
        assert changes["name"] == ["Atelier adaptatif", "Atelier adaptatif de juin"]
        assert changes["time_limit_minutes"] == ["None", "45"]
        assert set(changes) >= {"closes_at", "min_items", "target_se", "accessible_only"}
    journal = text(client_as("org_admin").get(f"/organisations/{world.org_a}/journal"))
    assert "Campagne modifiée" in journal
    # Saving it again unchanged journals nothing more.
    response = submit(trainer, _url(world, adaptive), {**FORM, "closes_on": closes})
    assert response.status_code == 303
    with app.app_context():
        query = select(AuditEvent).where(AuditEvent.action == "campaign.edited")
        assert len(_db().scalars(query).all()) == 1


def test_once_someone_started_the_assessment_is_locked_but_name_and_dates_are_not(
    app, world, client_as, adaptive
):
    with app.app_context():
        learner = _db().get(User, world.learner).learner
        make_session(_db(), _db().get(Campaign, adaptive), learner, started_at=utcnow())
        _db().commit()
        before = _db().get(Campaign, adaptive).assessment_id
    trainer = client_as("trainer")
    assert "ne peut plus changer" in text(trainer.get(_url(world, adaptive)))
    response = submit(trainer, _url(world, adaptive), {**FORM, "name": "Renommée"})
    assert response.status_code == 422
    page = text(response)
    assert "Des personnes ont déjà commencé cette campagne" in page and 'href="#' in page
    with app.app_context():
        campaign = _db().get(Campaign, adaptive)
        assert (campaign.name, campaign.assessment_id) == ("Atelier adaptatif", before)
        assert campaign.assessment.time_limit_minutes is None
    # Name only, settings as they were: accepted.
    page = text(trainer.get(_url(world, adaptive)))
    kept = {"min_items": "10", "max_items": "24", "target_se": "", "time_limit_minutes": ""}
    response = submit(trainer, _url(world, adaptive), {**kept, "name": "Renommée"})
    assert response.status_code == 303, text(response)
    with app.app_context():
        assert _db().get(Campaign, adaptive).name == "Renommée"


def test_bad_input_comes_back_in_french_on_its_fields_and_nothing_changes(
    app, world, client_as, adaptive
):
    trainer = client_as("trainer")
    today = utcnow().date()
    response = submit(
        trainer,
        _url(world, adaptive),
        {
            **FORM,
            "name": "Campagne A",  # another campaign of A has it
            "opens_on": (today + timedelta(days=10)).isoformat(),
            "closes_on": (today + timedelta(days=5)).isoformat(),
            "time_limit_minutes": "900",
        },
    )
    assert response.status_code == 422
    page = text(response)
    assert "Une campagne de votre structure porte déjà ce nom" in page
    assert "La date de fin doit être après la date de début." in page
    assert "La durée doit être entre 1 et 600 minutes." in page
    with app.app_context():
        campaign = _db().get(Campaign, adaptive)
        assert campaign.name == "Atelier adaptatif" and campaign.closes_at is None
        assert _db().scalar(select(Assessment).where(Assessment.time_limit_minutes == 900)) is None


def test_a_fixed_list_keeps_its_items_and_only_its_time_limit_changes(app, world, client_as):
    trainer = client_as("trainer")
    url = _url(world, world.campaign_a)
    page = text(trainer.get(url))
    assert "Liste fixe" in page and 'name="min_items"' not in page
    response = submit(trainer, url, {"name": "Campagne A", "time_limit_minutes": "30"})
    assert response.status_code == 303, text(response)
    with app.app_context():
        campaign = _db().get(Campaign, world.campaign_a)
        assessment = campaign.assessment
        assert assessment.time_limit_minutes == 30 and assessment.organisation_id == world.org_a
        assert assessment.mode is AssessmentMode.FIXED and assessment.item_uids
        other = _db().get(Campaign, world.campaign_b).assessment
        assert other.time_limit_minutes is None  # B's campaign shared the shipped one
