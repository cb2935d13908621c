"""A campaign's results table (``assessments.campaign_results``) on hand-made sessions: one row
per participant (their latest session), statuses, time spent, sorting, filters and the
distribution of levels, every figure computed by hand below."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from assessments import campaign_results as cr
from assessments.models import Referral
from tests.assessments.factories import make_campaign, make_session, make_tour_campaign
from tests.learners.factories import make_learner, make_organisation

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)


@pytest.fixture
def campaign(dbsession):
    """Alice finished (2, 1, 0) with a badge; Bruno is answering; Chloé finished twice, the
    latest (0, 2, 1); Damien stopped 40 days ago."""
    org = make_organisation(dbsession, "Association Tremplin")
    campaign = make_campaign(dbsession, organisation=org, opens_at=NOW - 60 * DAY)
    people = {
        name: make_learner(dbsession, org, name=name)
        for name in ("Alice Martin", "Bruno Petit", "Chloé Durand", "Damien Roux")
    }
    start = NOW - 8 * DAY
    make_session(
        dbsession,
        campaign,
        people["Alice Martin"],
        levels={"1.1": 2, "1.2": 1, "4.1": 0},
        started_at=start,
        finished_at=start + timedelta(minutes=10),
        seconds=[30, 90],
    )
    make_session(dbsession, campaign, people["Bruno Petit"], started_at=NOW - DAY, seconds=[45])
    make_session(
        dbsession,
        campaign,
        people["Chloé Durand"],
        levels={"1.1": 1, "1.2": 1, "4.1": 1},
        started_at=start - DAY,
        finished_at=start - DAY + timedelta(minutes=5),
    )
    make_session(
        dbsession,
        campaign,
        people["Chloé Durand"],
        levels={"1.1": 0, "1.2": 2, "4.1": 1},
        started_at=start,
        finished_at=start + timedelta(minutes=20),
        seconds=[600, 300, 301],
    )
    make_session(dbsession, campaign, people["Damien Roux"], started_at=NOW - 40 * DAY)
    dbsession.flush()
    return campaign


def table(db, campaign, **options):
    # Sorted by name, Alice comes first: her latest session earned a badge.
    alice = cr.campaign_results(db, campaign, "fr", now=NOW).rows[0].session_id
    badges = {alice: ["Chercher sur le web"]}
    return cr.campaign_results(db, campaign, "fr", badges=badges, now=NOW, **options)


def test_one_row_per_participant_from_their_latest_session(dbsession, campaign):
    results = table(dbsession, campaign)
    assert [c.code for c in results.competences] == ["1.1", "1.2", "4.1"]
    titles = [c.title for c in results.competences]
    assert titles == ["Chercher", "Gérer des données", "Se protéger"]
    rows = {r.participant: r for r in results.rows}
    assert list(rows) == ["Alice Martin", "Bruno Petit", "Chloé Durand", "Damien Roux"]
    assert results.participants == 4
    alice, bruno, chloe, damien = rows.values()
    assert alice.status is cr.ParticipationStatus.FINISHED
    assert (alice.levels, alice.score, alice.answered) == ((2, 1, 0), 24, 2)
    assert (alice.time_spent_seconds, alice.time_spent_minutes) == (120, 2)
    assert alice.badges == ("Chercher sur le web",)
    assert bruno.status is cr.ParticipationStatus.IN_PROGRESS
    assert (bruno.levels, bruno.score, bruno.finished_at) == ((None, None, None), None, None)
    assert (bruno.time_spent_seconds, bruno.time_spent_minutes) == (45, 1)
    assert (chloe.levels, chloe.score, chloe.attempts) == ((0, 2, 1), 24, 2)
    assert (chloe.time_spent_seconds, chloe.time_spent_minutes) == (1201, 20)
    assert damien.status is cr.ParticipationStatus.ABANDONED
    assert results.badge_names == ("Chercher sur le web",)
    assert not results.has_referral


def test_levels_are_counted_per_competence_among_finished_participants(dbsession, campaign):
    results = table(dbsession, campaign)
    assert results.scale == 2  # the test framework describes levels 1 and 2
    counts = {d.competence.code: d.counts for d in results.distribution}
    # 1.1: Alice 2, Chloé 0; 1.2: Alice 1, Chloé 2; 4.1: Alice 0, Chloé 1.
    assert counts == {"1.1": (1, 0, 1), "1.2": (0, 1, 1), "4.1": (1, 1, 0)}


def test_sorting_by_a_level_puts_participants_without_one_last(dbsession, campaign):
    down = table(dbsession, campaign, sorting=cr.Sorting("level:1.1", descending=True))
    assert [r.participant for r in down.rows] == [
        "Alice Martin",
        "Chloé Durand",
        "Bruno Petit",
        "Damien Roux",
    ]
    up = table(dbsession, campaign, sorting=cr.Sorting("time"))
    assert [r.participant for r in up.rows] == [
        "Damien Roux",
        "Bruno Petit",
        "Alice Martin",
        "Chloé Durand",
    ]
    by_status = table(dbsession, campaign, sorting=cr.Sorting("status"))
    assert [r.status for r in by_status.rows] == [
        cr.ParticipationStatus.IN_PROGRESS,
        cr.ParticipationStatus.FINISHED,
        cr.ParticipationStatus.FINISHED,
        cr.ParticipationStatus.ABANDONED,
    ]


def test_filters_by_status_level_and_badge(dbsession, campaign):
    def names(**filters):
        shown = table(dbsession, campaign, filters=cr.Filters(**filters))
        return [r.participant for r in shown.rows]

    assert names(status=cr.ParticipationStatus.FINISHED) == ["Alice Martin", "Chloé Durand"]
    assert names(competence="1.2", min_level=2) == ["Chloé Durand"]
    assert names(competence="1.1", min_level=1) == ["Alice Martin"]
    assert names(min_level=2) == ["Alice Martin", "Chloé Durand"]  # any competence
    assert names(badge="Chercher sur le web") == ["Alice Martin"]
    assert names(badge="Un autre badge") == []
    filtered = table(dbsession, campaign, filters=cr.Filters(competence="1.2", min_level=2))
    assert filtered.participants == 4  # the count before filtering stays
    assert {d.competence.code: d.counts for d in filtered.distribution}["1.2"] == (0, 0, 1)


def test_a_closed_campaign_or_a_passed_time_limit_abandons_a_session(dbsession, campaign):
    campaign.closes_at = NOW - timedelta(hours=1)
    rows = {r.participant: r.status for r in table(dbsession, campaign).rows}
    assert rows["Bruno Petit"] is cr.ParticipationStatus.ABANDONED
    assert rows["Alice Martin"] is cr.ParticipationStatus.FINISHED


def test_a_session_the_time_limit_ended_is_said_so(dbsession):
    org = make_organisation(dbsession)
    campaign = make_campaign(dbsession, organisation=org)
    learner = make_learner(dbsession, org, name="Eva")
    make_session(
        dbsession,
        campaign,
        learner,
        levels={"1.1": 1},
        started_at=NOW - DAY,
        deadline=NOW - DAY + timedelta(minutes=15),
        finished_at=NOW - DAY + timedelta(minutes=15),
    )
    (row,) = cr.campaign_results(dbsession, campaign, "fr", now=NOW).rows
    assert row.status is cr.ParticipationStatus.TIMED_OUT


def test_the_beginner_diagnostic_gives_its_orientation_in_words(dbsession):
    org = make_organisation(dbsession)
    campaign = make_tour_campaign(dbsession, org)
    learner = make_learner(dbsession, org, name="Farid")
    make_session(
        dbsession,
        campaign,
        learner,
        started_at=NOW - DAY,
        finished_at=NOW - DAY + timedelta(minutes=5),
        referral=Referral.A_ACCOMPAGNER,
    )
    results = cr.campaign_results(dbsession, campaign, "fr", now=NOW)
    assert results.has_referral
    (row,) = results.rows
    assert row.referral == "a_accompagner"
    assert row.referral_label == results.referral_labels["a_accompagner"]
    assert row.referral_label != "a_accompagner"
    english = cr.campaign_results(dbsession, campaign, "en", now=NOW)
    assert english.rows[0].referral_label != row.referral_label


def test_another_organisations_campaign_is_not_found(dbsession, campaign):
    other = make_organisation(dbsession)
    assert cr.campaign_of(dbsession, campaign.organisation_id, campaign.id) is campaign
    with pytest.raises(cr.CampaignNotFound):
        cr.campaign_of(dbsession, other.id, campaign.id)
    with pytest.raises(cr.CampaignNotFound):
        cr.campaign_of(dbsession, campaign.organisation_id, 999999)
