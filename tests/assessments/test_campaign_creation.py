"""Creating a campaign from the studio: on an existing assessment or a composed one, every
problem reported at once on its field, nothing written (``assessments.campaign_creation``)."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from assessments import campaign_creation, campaigns
from assessments.campaign_creation import AssessmentSpec, CampaignSpec, InvalidCampaign
from assessments.models import Assessment, AssessmentMode, Campaign
from learners.database import utcnow
from tests.assessments.factories import ITEMS, make_campaign, make_framework
from tests.learners.factories import make_organisation

DAY = timedelta(days=1)


@pytest.fixture
def org(dbsession):
    return make_organisation(dbsession, "Association Lune")


@pytest.fixture
def framework(dbsession):
    return make_framework(dbsession)


def count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def problems(raised) -> dict[str, str]:
    return {p.field: p.code for p in raised.value.problems}


def test_a_composed_adaptive_campaign_gets_its_own_assessment_and_a_fresh_code(
    dbsession, org, framework
):
    closes = utcnow() + 30 * DAY
    spec = CampaignSpec(
        "Bilan de rentrée",
        new_assessment=AssessmentSpec(
            framework.id,
            competence_codes=("1.1", "4.1"),
            min_items=5,
            max_items=12,
            target_se=0.5,
            time_limit_minutes=45,
            accessible_only=True,
        ),
        closes_at=closes,
    )
    campaign = campaign_creation.create(dbsession, org.id, spec)
    assessment = campaign.assessment
    assert (campaign.name, campaign.organisation_id, campaign.closes_at) == (
        "Bilan de rentrée",
        org.id,
        closes,
    )
    assert len(campaign.code) == 8 and set(campaign.code) <= set(campaigns.CODE_ALPHABET)
    assert (assessment.title, assessment.organisation_id, assessment.mode) == (
        "Bilan de rentrée",
        org.id,
        AssessmentMode.ADAPTIVE,
    )
    assert assessment.competence_codes == ["1.1", "4.1"] and assessment.item_uids is None
    assert (assessment.min_items, assessment.max_items, assessment.target_se) == (5, 12, 0.5)
    assert (assessment.time_limit_minutes, assessment.accessible_only) == (45, True)
    assert campaigns.find_campaign_for(dbsession, campaign.code, {org.id}).id == campaign.id


def test_no_competence_chosen_means_the_whole_framework(dbsession, org, framework):
    spec = CampaignSpec("Tout", new_assessment=AssessmentSpec(framework.id))
    campaign = campaign_creation.create(dbsession, org.id, spec)
    assert campaign.assessment.competence_codes is None


def test_a_fixed_list_is_spread_over_competences_and_levels_easiest_first(
    dbsession, org, framework
):
    def fixed(name, count):
        spec = CampaignSpec(
            name,
            new_assessment=AssessmentSpec(
                framework.id,
                competence_codes=("1.1", "4.1"),
                mode=AssessmentMode.FIXED,
                max_items=count,
                lowest_level=1,
                highest_level=2,
            ),
        )
        return campaign_creation.create(dbsession, org.id, spec).assessment

    every = fixed("Toutes", 10)
    # 1.1 has one level-1 and two level-2 items, 4.1 one level-1 and two level-2 (a form, a
    # procedure): all six, level 1 first.
    assert every.item_uids == [
        "essai-1.1-001",
        "essai-4.1-001",
        "essai-1.1-002",
        "essai-1.1-003",
        "essai-4.1-002",
        "essai-4.1-004",
    ]
    assert (every.min_items, every.max_items, every.competence_codes) == (6, 6, ["1.1", "4.1"])
    # Three items: one per competence at level 1, then level 2 of the first competence.
    assert fixed("Trois", 3).item_uids == ["essai-1.1-001", "essai-4.1-001", "essai-1.1-002"]


def test_the_accessibility_adjustment_leaves_out_items_unfit_for_blind_people(dbsession, org):
    items = copy.deepcopy(ITEMS)
    for item in items:
        if item["id"] == "essai-1.1-001":
            item["accessibility"]["blind"] = "ko"
    framework = make_framework(dbsession, items)
    spec = AssessmentSpec(
        framework.id, ("1.1",), mode=AssessmentMode.FIXED, max_items=10, accessible_only=True
    )
    campaign = campaign_creation.create(dbsession, org.id, CampaignSpec("Adaptée", None, spec))
    assert "essai-1.1-001" not in campaign.assessment.item_uids
    assert campaign.assessment.item_uids == ["essai-1.1-002", "essai-1.1-003", "essai-1.1-004"]


def test_a_campaign_on_a_shipped_or_own_assessment_reuses_it(dbsession, org, framework):
    shipped = campaigns.create_assessment(dbsession, framework, "Évaluation livrée")
    own = campaigns.create_assessment(dbsession, framework, "La nôtre", organisation_id=org.id)
    first = campaign_creation.create(dbsession, org.id, CampaignSpec("A", shipped.id))
    second = campaign_creation.create(dbsession, org.id, CampaignSpec("B", own.id))
    assert (first.assessment_id, second.assessment_id) == (shipped.id, own.id)
    assert count(dbsession, Assessment) == 2
    titles = [a.title for a in campaign_creation.assessments_for(dbsession, org.id)]
    assert titles == ["La nôtre", "Évaluation livrée"]


def test_another_organisations_assessment_is_refused_as_unknown(dbsession, org, framework):
    other = make_organisation(dbsession, "Association Soleil")
    theirs = campaigns.create_assessment(dbsession, framework, "À eux", organisation_id=other.id)
    assert theirs not in campaign_creation.assessments_for(dbsession, org.id)
    with pytest.raises(InvalidCampaign) as raised:
        campaign_creation.create(dbsession, org.id, CampaignSpec("Emprunt", theirs.id))
    assert problems(raised) == {"assessment": "unknown_assessment"}


def test_every_problem_is_reported_at_once_on_its_field_and_nothing_is_written(
    dbsession, org, framework
):
    now = utcnow()
    spec = CampaignSpec(
        "   ",
        new_assessment=AssessmentSpec(
            framework.id, competence_codes=("1.1", "9.9"), min_items=20, max_items=10
        ),
        opens_at=now + 5 * DAY,
        closes_at=now + 2 * DAY,
    )
    with pytest.raises(InvalidCampaign) as raised:
        campaign_creation.create(dbsession, org.id, spec)
    assert problems(raised) == {
        "name": "name_empty",
        "closes_at": "dates_order",
        "competences": "unknown_competence",
        "min_items": "lengths_order",
    }
    messages = [p.message for p in raised.value.problems]
    assert "Compétence inconnue dans ce référentiel : 9.9." in messages
    assert "La date de fin doit être après la date de début." in messages
    assert count(dbsession, Campaign) == count(dbsession, Assessment) == 0


def test_a_name_already_used_in_the_organisation_is_refused_whatever_its_case(
    dbsession, org, framework
):
    make_campaign(dbsession, framework, organisation=org, name="Atelier du lundi")
    spec = CampaignSpec(" atelier DU lundi ", new_assessment=AssessmentSpec(framework.id))
    with pytest.raises(InvalidCampaign) as raised:
        campaign_creation.create(dbsession, org.id, spec)
    assert problems(raised) == {"name": "name_taken"}
    other = make_organisation(dbsession, "Association Soleil")
    assert campaign_creation.create(dbsession, other.id, spec).name == "atelier DU lundi"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"max_items": 0}, {"max_items": "length_range"}),
        ({"max_items": 500}, {"max_items": "length_range"}),
        ({"target_se": 3.0}, {"target_se": "target_se_range"}),
        ({"time_limit_minutes": 0}, {"time_limit_minutes": "time_limit_range"}),
        ({"mode": AssessmentMode.FIXED, "lowest_level": 4, "highest_level": 2},
         {"lowest_level": "levels_order"}),
        ({"mode": AssessmentMode.FIXED, "lowest_level": 0}, {"lowest_level": "levels_range"}),
        ({"mode": AssessmentMode.FIXED, "lowest_level": 7}, {"lowest_level": "no_items"}),
        ({"framework_id": 999_999}, {"framework": "unknown_framework"}),
    ],
)  # fmt: skip
def test_settings_out_of_range_are_refused_on_their_field(
    dbsession, org, framework, changes, expected
):
    settings = {"framework_id": framework.id, **changes}
    spec = CampaignSpec("Réglages", new_assessment=AssessmentSpec(**settings))
    with pytest.raises(InvalidCampaign) as raised:
        campaign_creation.create(dbsession, org.id, spec)
    assert problems(raised) == expected
    assert count(dbsession, Campaign) == count(dbsession, Assessment) == 0


def test_a_closing_date_already_past_is_refused(dbsession, org, framework):
    now = utcnow()
    spec = CampaignSpec(
        "Trop tard",
        new_assessment=AssessmentSpec(framework.id),
        opens_at=now - 5 * DAY,
        closes_at=now - DAY,
    )
    with pytest.raises(InvalidCampaign) as raised:
        campaign_creation.create(dbsession, org.id, spec)
    assert problems(raised) == {"closes_at": "closes_past"}


def test_a_campaign_needs_an_assessment(dbsession, org):
    with pytest.raises(InvalidCampaign) as raised:
        campaign_creation.create(dbsession, org.id, CampaignSpec("Sans rien"))
    assert problems(raised) == {"assessment": "assessment_missing"}


def test_the_frameworks_offered_are_the_latest_edition_of_each(dbsession, org, framework):
    make_framework(dbsession, slug="autre", title={"fr": "Autre référentiel"})
    offered = campaign_creation.frameworks_for(dbsession, org.id)
    assert [f.slug for f in offered] == ["autre", "essai"]
    competences = campaign_creation.competences_by_framework(dbsession, offered)
    assert [c.code for c in competences[framework.id]] == ["1.1", "1.2", "4.1"]


def test_a_campaign_serves_one_of_the_organisations_own_open_actions(dbsession, org, framework):
    from learners.database import utcnow as now
    from tests.learners.factories import make_action

    shipped = campaigns.create_assessment(dbsession, framework, "Évaluation livrée")
    ours = make_action(dbsession, org)
    created = campaign_creation.create(
        dbsession, org.id, CampaignSpec("Pour l'action", shipped.id, action_id=ours.id)
    )
    assert created.action_id == ours.id
    theirs = make_action(dbsession, make_organisation(dbsession, "Association Soleil"))
    archived = make_action(dbsession, org)
    archived.archived_at = now()
    for action in (theirs, archived):
        with pytest.raises(InvalidCampaign) as raised:
            campaign_creation.create(
                dbsession,
                org.id,
                CampaignSpec(f"Refus {action.id}", shipped.id, action_id=action.id),
            )
        assert problems(raised) == {"action": "unknown_action"}
