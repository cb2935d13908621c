"""An organisation's campaigns for its trainers: states, the list and its participants, open /
close / archive, and what learners are told afterwards (``assessments.campaign_admin``)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assessments import campaign_admin, campaigns, sessions
from assessments.campaign_admin import CampaignOrder, CampaignState, Participants
from assessments.models import AssessmentMode
from learners.database import utcnow
from tests.assessments.factories import make_campaign, make_framework
from tests.learners.factories import make_learner, make_organisation

DAY = timedelta(days=1)


@pytest.fixture
def org(dbsession):
    return make_organisation(dbsession, "Association Lune")


@pytest.fixture
def framework(dbsession):
    return make_framework(dbsession)


def campaign_in(db, org, framework, name, **dates):
    return make_campaign(db, framework, organisation=org, name=name, **dates)


def test_the_state_follows_the_dates_and_the_archive(dbsession, org, framework):
    now = utcnow()
    upcoming = campaign_in(dbsession, org, framework, "À venir", opens_at=now + DAY)
    opened = campaign_in(dbsession, org, framework, "Ouverte", opens_at=now - DAY)
    closed = campaign_in(
        dbsession, org, framework, "Fermée", opens_at=now - 3 * DAY, closes_at=now - DAY
    )
    archived = campaign_in(dbsession, org, framework, "Rangée", opens_at=now - DAY)
    archived.archived_at = now
    states = [campaign_admin.state_of(c, now) for c in (upcoming, opened, closed, archived)]
    assert states == [
        CampaignState.UPCOMING,
        CampaignState.OPEN,
        CampaignState.CLOSED,
        CampaignState.ARCHIVED,
    ]


def test_the_list_hides_archived_campaigns_unless_asked_and_filters_by_state(
    dbsession, org, framework
):
    now = utcnow()
    campaign_in(dbsession, org, framework, "À venir", opens_at=now + DAY)
    campaign_in(dbsession, org, framework, "Ouverte", opens_at=now - DAY)
    campaign_in(dbsession, org, framework, "Fermée", opens_at=now - 3 * DAY, closes_at=now - DAY)
    rangee = campaign_in(dbsession, org, framework, "Rangée", opens_at=now - 2 * DAY)
    campaign_admin.archive(dbsession, rangee, now)
    other = make_organisation(dbsession, "Association Soleil")
    campaign_in(dbsession, other, framework, "Chez les autres", opens_at=now - DAY)

    def names(**kwargs):
        page = campaign_admin.list_campaigns(dbsession, org.id, now=now, **kwargs)
        return [row.name for row in page.items]

    assert names() == ["À venir", "Ouverte", "Fermée"]  # most recently opened first
    assert names(state=CampaignState.ARCHIVED) == ["Rangée"]
    assert names(state=CampaignState.OPEN) == ["Ouverte"]
    assert names(state=CampaignState.UPCOMING) == ["À venir"]
    assert names(state=CampaignState.CLOSED) == ["Fermée"]


def test_the_list_pages_and_prints_codes_with_their_dash(dbsession, org, framework):
    for n in range(5):
        campaign_in(dbsession, org, framework, f"Campagne {n}", opens_at=utcnow() - n * DAY)
    second = campaign_admin.list_campaigns(dbsession, org.id, page=2, per_page=2)
    assert (second.total, second.pages, second.number) == (5, 3, 2)
    assert [row.name for row in second.items] == ["Campagne 2", "Campagne 3"]
    assert all(len(row.code) == 9 and row.code[4] == "-" for row in second.items)
    assert second.items[0].assessment_title == "Évaluation d'essai"


def _take(db, campaign, learner, *, finish: bool):
    session = sessions.start_in(db, campaign, learner)
    if finish:
        sessions.finish(db, session)
    return session


def test_participants_count_learners_who_started_and_those_who_finished(dbsession, org, framework):
    campaign = campaign_in(dbsession, org, framework, "Comptée")
    empty = campaign_in(dbsession, org, framework, "Vide")
    ana, bob, cleo = (make_learner(dbsession, org) for _ in range(3))
    _take(dbsession, campaign, ana, finish=True)
    _take(dbsession, campaign, ana, finish=True)  # took it twice: still one person
    _take(dbsession, campaign, bob, finish=True)
    _take(dbsession, campaign, cleo, finish=False)
    counts = campaign_admin.participants(dbsession, [campaign.id, empty.id])
    assert counts == {campaign.id: Participants(started=3, finished=2)}
    rows = {r.name: r for r in campaign_admin.list_campaigns(dbsession, org.id).items}
    assert rows["Comptée"].participants == Participants(3, 2)
    assert rows["Vide"].participants == Participants(0, 0)


def test_closing_refuses_new_sessions_with_campaign_closed_and_reopening_lets_them_in(
    dbsession, org, framework
):
    campaign = campaign_in(dbsession, org, framework, "Atelier", opens_at=utcnow() - DAY)
    assert campaign_admin.close_now(dbsession, campaign) is True
    assert campaign_admin.close_now(dbsession, campaign) is False  # nothing more to do
    assert campaign_admin.state_of(campaign) is CampaignState.CLOSED
    with pytest.raises(campaigns.CampaignClosed):
        campaigns.find_campaign_for(dbsession, campaign.code, {org.id})
    assert campaign_admin.open_now(dbsession, campaign) is True
    assert campaign.closes_at is None
    assert campaigns.find_campaign_for(dbsession, campaign.code, {org.id}).id == campaign.id
    assert campaign_admin.open_now(dbsession, campaign) is False


def test_opening_an_upcoming_campaign_opens_it_now_and_keeps_its_closing_date(
    dbsession, org, framework
):
    now = utcnow()
    closes = now + 10 * DAY
    campaign = campaign_in(
        dbsession, org, framework, "Bientôt", opens_at=now + DAY, closes_at=closes
    )
    with pytest.raises(campaigns.CampaignNotOpenYet):
        campaigns.find_campaign_for(dbsession, campaign.code, {org.id}, now)
    assert campaign_admin.open_now(dbsession, campaign, now) is True
    assert (campaign.opens_at, campaign.closes_at) == (now, closes)
    assert campaigns.find_campaign_for(dbsession, campaign.code, {org.id}, now).id == campaign.id


def test_closing_an_upcoming_campaign_makes_it_closed_not_upcoming(dbsession, org, framework):
    now = utcnow()
    campaign = campaign_in(dbsession, org, framework, "Annulée", opens_at=now + DAY)
    campaign_admin.close_now(dbsession, campaign, now)
    assert campaign_admin.state_of(campaign, now) is CampaignState.CLOSED
    with pytest.raises(campaigns.CampaignClosed):
        campaigns.find_campaign_for(dbsession, campaign.code, {org.id}, now)


def test_archiving_closes_the_campaign_keeps_its_sessions_and_reopening_unarchives(
    dbsession, org, framework
):
    campaign = campaign_in(dbsession, org, framework, "Ancienne", opens_at=utcnow() - DAY)
    session = _take(dbsession, campaign, make_learner(dbsession, org), finish=True)
    assert campaign_admin.archive(dbsession, campaign) is True
    assert campaign_admin.archive(dbsession, campaign) is False
    assert campaign.archived_at is not None and campaign.closes_at is not None
    with pytest.raises(campaigns.CampaignClosed):
        campaigns.find_campaign_for(dbsession, campaign.code, {org.id})
    assert session.finished and session.campaign_id == campaign.id
    assert campaign_admin.open_now(dbsession, campaign) is True
    assert campaign.archived_at is None
    assert campaign_admin.state_of(campaign) is CampaignState.OPEN


def test_an_archived_campaign_is_closed_even_with_a_closing_date_to_come(dbsession, org, framework):
    campaign = campaign_in(dbsession, org, framework, "Rangée", closes_at=utcnow() + 5 * DAY)
    campaign.archived_at = utcnow()
    with pytest.raises(campaigns.CampaignClosed):
        campaigns.find_campaign_for(dbsession, campaign.code, {org.id})


def test_another_organisations_campaign_is_not_found(dbsession, org, framework):
    other = make_organisation(dbsession, "Association Soleil")
    theirs = campaign_in(dbsession, other, framework, "Chez les autres")
    with pytest.raises(campaign_admin.CampaignNotFound):
        campaign_admin.get_campaign(dbsession, org.id, theirs.id)
    with pytest.raises(campaign_admin.CampaignNotFound):
        campaign_admin.get_campaign(dbsession, org.id, 999_999)
    assert campaign_admin.get_campaign(dbsession, other.id, theirs.id) is theirs


def test_details_say_the_settings_in_words_in_french_and_english(dbsession, org, framework):
    campaign = make_campaign(
        dbsession,
        framework,
        org=org,
        mode=AssessmentMode.ADAPTIVE,
        competence_codes=["1.1", "4.1"],
        min_items=4,
        max_items=9,
        target_se=0.5,
        time_limit_minutes=30,
        accessible_only=True,
    )
    seen = campaign_admin.details(dbsession, campaign)
    assert seen.organisation_name == "Association Lune"
    assert seen.framework_title == "Référentiel d'essai"
    assert seen.competences == ("1.1 Chercher", "4.1 Se protéger")
    assert (seen.adaptive, seen.min_items, seen.max_items, seen.target_se) == (True, 4, 9, 0.5)
    assert (seen.time_limit_minutes, seen.accessible_only) == (30, True)
    english = campaign_admin.details(dbsession, campaign, "en")
    assert english.framework_title == "Test framework"
    assert english.competences == ("1.1 Search", "4.1 Se protéger")  # no English title: French


def test_details_of_a_fixed_list_give_its_length(dbsession, org, framework):
    campaign = make_campaign(
        dbsession, framework, org=org, item_uids=["essai-1.1-001", "essai-1.2-001"]
    )
    seen = campaign_admin.details(dbsession, campaign)
    assert (seen.adaptive, seen.min_items, seen.max_items, seen.competences) == (False, 2, 2, ())


def test_the_list_sorts_by_name_or_by_closing_date(dbsession, org, framework):
    now = utcnow()
    campaign_in(dbsession, org, framework, "beta", opens_at=now - DAY, closes_at=now + 9 * DAY)
    campaign_in(dbsession, org, framework, "Alpha", opens_at=now - 2 * DAY)
    campaign_in(dbsession, org, framework, "gamma", opens_at=now - 3 * DAY, closes_at=now + DAY)

    def names(order):
        page = campaign_admin.list_campaigns(dbsession, org.id, order=order, now=now)
        return [row.name for row in page.items]

    assert names(CampaignOrder.RECENT) == ["beta", "Alpha", "gamma"]
    assert names(CampaignOrder.NAME) == ["Alpha", "beta", "gamma"]
    assert names(CampaignOrder.CLOSING) == ["gamma", "beta", "Alpha"]  # no date: last
