"""A learner reaches a campaign of their own organisations only, and sees their sessions:
``campaigns.find_campaign_for``, ``sessions.start_in``, ``sessions.in_campaign``,
``sessions.of_learner`` (no Flask)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assessments import campaigns, checking, sessions
from assessments.models import AssessmentMode
from learners.database import utcnow
from tests.assessments.factories import make_campaign, make_framework
from tests.learners.factories import make_learner


def finish(db, session) -> None:
    while not session.finished:
        sessions.skip(db, session, session.current_item.id)
    db.flush()


def test_a_campaign_of_my_organisation_is_found_by_the_code_as_typed(dbsession):
    campaign = make_campaign(dbsession)
    typed = campaigns.format_code(campaign.code).lower()
    found = campaigns.find_campaign_for(dbsession, typed, {campaign.organisation_id})
    assert found.id == campaign.id


def test_another_organisations_code_is_as_unknown_as_a_code_that_does_not_exist(dbsession):
    campaign = make_campaign(dbsession)
    with pytest.raises(campaigns.UnknownCampaignCode):
        campaigns.find_campaign_for(dbsession, campaign.code, {campaign.organisation_id + 1})
    with pytest.raises(campaigns.UnknownCampaignCode):
        campaigns.find_campaign_for(dbsession, "ZZZZ-ZZZZ", {campaign.organisation_id})
    with pytest.raises(campaigns.UnknownCampaignCode):  # dates are not revealed either
        later = make_campaign(dbsession, opens_at=utcnow() + timedelta(days=3))
        campaigns.find_campaign_for(dbsession, later.code, set())


def test_a_campaign_not_open_yet_says_when_it_opens_and_a_closed_one_says_so(dbsession):
    opens = (utcnow() + timedelta(days=3)).replace(microsecond=0)
    later = make_campaign(dbsession, opens_at=opens)
    with pytest.raises(campaigns.CampaignNotOpenYet) as raised:
        campaigns.find_campaign_for(dbsession, later.code, {later.organisation_id})
    assert raised.value.opens_at == opens and raised.value.code == later.code
    assert str(raised.value) == later.code
    closed = make_campaign(
        dbsession, opens_at=utcnow() - timedelta(days=9), closes_at=utcnow() - timedelta(days=1)
    )
    with pytest.raises(campaigns.CampaignClosed):
        campaigns.find_campaign_for(dbsession, closed.code, {closed.organisation_id})


def test_start_in_a_found_campaign_resumes_the_session_in_progress(dbsession):
    campaign = make_campaign(dbsession)
    learner = make_learner(dbsession)
    first = sessions.start_in(dbsession, campaign, learner)
    again = sessions.start_in(dbsession, campaign, learner.id)
    assert again.id == first.id and first.current_item is not None


def test_in_campaign_gives_the_session_to_resume_and_the_last_finished(dbsession):
    campaign = make_campaign(dbsession)
    learner, other = make_learner(dbsession, name="moi"), make_learner(dbsession, name="autre")
    assert sessions.in_campaign(dbsession, campaign, learner) == sessions.CampaignSessions(
        None, None
    )
    done = sessions.start_in(dbsession, campaign, learner, now=utcnow() - timedelta(hours=2))
    finish(dbsession, done)
    sessions.start_in(dbsession, campaign, other)  # someone else's session is not mine
    mine = sessions.in_campaign(dbsession, campaign, learner)
    assert mine.in_progress is None and mine.finished.id == done.id
    current = sessions.start_in(dbsession, campaign, learner)
    mine = sessions.in_campaign(dbsession, campaign, learner)
    assert mine.in_progress.id == current.id and mine.finished.id == done.id


def test_my_sessions_list_puts_the_one_to_resume_first_with_its_progress(dbsession):
    framework = make_framework(dbsession)
    fixed = make_campaign(dbsession, framework)
    adaptive = make_campaign(
        dbsession, framework, mode=AssessmentMode.ADAPTIVE, min_items=2, max_items=5
    )
    learner = make_learner(dbsession)
    earlier = utcnow() - timedelta(days=1)
    done = sessions.start_in(dbsession, fixed, learner, now=earlier)
    finish(dbsession, done)
    going = sessions.start_in(dbsession, adaptive, learner)
    item = going.current_item
    sessions.answer(dbsession, going, item.id, checking.example_right_response(item))
    dbsession.commit()

    lines = sessions.of_learner(dbsession, learner)
    assert [line.id for line in lines] == [going.id, done.id]
    first, second = lines
    assert (first.finished, first.adaptive, first.answered, first.total) == (False, True, 1, 5)
    assert first.when == going.started_at
    assert second.finished and not second.adaptive and second.when == done.finished_at
    assert second.answered == second.total == len(done.responses)
    assert second.title == "Évaluation d'essai"
    assert sessions.of_learner(dbsession, make_learner(dbsession, name="nouveau")) == []
