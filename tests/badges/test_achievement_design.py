"""Achievements designed in the studio: drafts are never awarded, an issued badge changes by a
new version (earlier credentials unchanged and still verifying, later awards on the new
version), the validity gives ``validUntil``, another organisation's badge is not found."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from badges import achievement_design, awarding, issuance, verification
from badges.achievement_design import AchievementFields, Medallion
from badges.achievements import AchievementNotFound, InvalidAchievement
from badges.ob3 import schema
from badges.ob3.verification_result import Verdict
from tests.assessments.factories import make_campaign, make_framework, make_session
from tests.badges.factories import BASE_URL, KEK, make_issuer
from tests.learners.factories import make_learner, make_organisation

RULE = {"framework": "essai", "require": "all", "conditions": [{"type": "completion"}]}


def fields(**changes) -> AchievementFields:
    medallion = Medallion("#1f5fa8", "star", "Accueil")
    values = {
        "name": "Accueillir du public",
        "description": "Sait accueillir une personne.",
        "criteria_narrative": "Mise en situation **réussie**.",
        "achievement_type": "Competency",
        "image": medallion.render(),
        "image_alt": "Médaille bleue avec une étoile",
        "medallion": medallion,
        "tags": ["accueil"],
        "validity_months": None,
    }
    values.update(changes)
    return AchievementFields(**values)


@pytest.fixture
def setting(dbsession):
    org = make_organisation(dbsession, "Association Tremplin")
    issuer = make_issuer(dbsession, org)
    campaign = make_campaign(dbsession, make_framework(dbsession), organisation=org)
    dbsession.commit()
    return org, issuer, campaign


def finished(db, campaign, name="Awa Traoré"):
    return make_session(db, campaign, make_learner(db, name=name), finished_at=datetime.now(UTC))


def award(db, session):
    return awarding.award_session(db, session, base_url=BASE_URL, kek=KEK)


def test_a_draft_is_never_awarded_until_published(dbsession, setting):
    _org, issuer, campaign = setting
    draft = achievement_design.create(dbsession, issuer, fields())
    draft.award_rules = RULE
    assert draft.is_draft
    assert award(dbsession, finished(dbsession, campaign)) == []
    assert achievement_design.publish(dbsession, draft)
    assert not achievement_design.publish(dbsession, draft)  # once
    awards = award(dbsession, finished(dbsession, campaign, "Léo Martin"))
    assert [a.achievement.name for a in awards] == ["Accueillir du public"]


def test_editing_a_badge_nobody_holds_changes_it_in_place(dbsession, setting):
    _org, issuer, _campaign = setting
    achievement = achievement_design.create(dbsession, issuer, fields())
    achievement_design.publish(dbsession, achievement)
    saved = achievement_design.update(dbsession, achievement, fields(name="Accueillir"))
    assert not saved.new_version and saved.achievement is achievement
    assert achievement.name == "Accueillir" and achievement.version == 1


def test_editing_an_issued_badge_publishes_a_version_and_old_credentials_still_verify(
    dbsession, setting
):
    _org, issuer, campaign = setting
    first = achievement_design.create(dbsession, issuer, fields())
    first.award_rules = RULE
    achievement_design.publish(dbsession, first)
    [old] = award(dbsession, finished(dbsession, campaign))
    dbsession.commit()
    old_json = old.credential.signed_json

    saved = achievement_design.update(
        dbsession, first, fields(name="Accueillir et orienter", validity_months=12)
    )
    dbsession.commit()
    second = saved.achievement
    assert saved.new_version and second is not first
    assert (second.version, second.previous_version_id) == (2, first.id)
    assert first.is_archived and not second.is_draft and second.award_rules == RULE
    assert achievement_design.latest_version(dbsession, first) is second
    assert achievement_design.versions(dbsession, second) == [second, first]

    # The earlier credential is untouched and still verifies, under its own achievement.
    assert old.credential.signed_json == old_json
    assert old.credential.achievement is first
    assert verification.verify_stored(dbsession, old.credential, base_url=BASE_URL).verdict is (
        Verdict.VALID
    )
    # Later awards carry the new version (and its validity).
    [new] = award(dbsession, finished(dbsession, campaign, "Léo Martin"))
    dbsession.commit()
    document = json.loads(new.credential.signed_json)
    achieved = document["credentialSubject"]["achievement"]
    assert new.achievement is second
    assert achieved["name"] == "Accueillir et orienter" and achieved["version"] == "2"
    assert document["validUntil"] == issuance.add_months(new.credential.issued_at, 12).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert schema.validate(document) == []
    assert verification.verify_stored(dbsession, new.credential, base_url=BASE_URL).verdict is (
        Verdict.VALID
    )
    # The list shows the current version only.
    listed = [
        s.achievement
        for s in achievement_design.achievements_of(dbsession, issuer.organisation_id).items
    ]
    assert listed == [second]
    assert (
        achievement_design.achievements_of(dbsession, issuer.organisation_id).items[0].credentials
        == 1
    )


def test_months_are_calendar_months():
    at = datetime(2026, 1, 31, 10, 0, tzinfo=UTC)
    assert issuance.add_months(at, 1) == datetime(2026, 2, 28, 10, 0, tzinfo=UTC)
    assert issuance.add_months(at, 24) == datetime(2028, 1, 31, 10, 0, tzinfo=UTC)
    assert issuance.add_months(at, 11) == datetime(2026, 12, 31, 10, 0, tzinfo=UTC)


def test_another_organisations_badge_is_not_found(dbsession, setting):
    org, issuer, _campaign = setting
    achievement = achievement_design.create(dbsession, issuer, fields())
    other = make_organisation(dbsession, "Association Voisine")
    assert achievement_design.own_achievement(dbsession, org.id, achievement.public_id)
    with pytest.raises(AchievementNotFound):
        achievement_design.own_achievement(dbsession, other.id, achievement.public_id)


def test_domain_refuses_what_the_form_should_have_caught(dbsession, setting):
    _org, issuer, _campaign = setting
    with pytest.raises(InvalidAchievement) as refused:
        achievement_design.create(
            dbsession, issuer, fields(name=" ", achievement_type="Nope", image_alt="")
        )
    assert len(refused.value.errors) == 3


def test_medallion_checks_its_design():
    assert Medallion("#1f5fa8", "star", "Accueil").problems() == []
    assert set(Medallion("blue", "dragon", "", "x" * 40).problems()) == {
        "colour",
        "icon",
        "label",
        "sublabel",
    }


def test_a_replaced_version_cannot_be_changed_again_and_history_cannot_fork(dbsession, setting):
    from sqlalchemy.exc import IntegrityError

    from badges.models import Achievement

    _org, issuer, campaign = setting
    first = achievement_design.create(dbsession, issuer, fields())
    first.award_rules = RULE
    achievement_design.publish(dbsession, first)
    award(dbsession, finished(dbsession, campaign))
    achievement_design.update(dbsession, first, fields(name="Deuxième"))
    dbsession.commit()
    with pytest.raises(achievement_design.VersionReplaced):
        achievement_design.update(dbsession, first, fields(name="Troisième"))
    dbsession.rollback()
    fork = Achievement(
        issuer=issuer,
        name="x",
        description="x",
        criteria_narrative="x",
        previous_version_id=first.id,
    )
    dbsession.add(fork)
    with pytest.raises(IntegrityError):
        dbsession.flush()
    dbsession.rollback()


def test_every_kind_of_alignment_rides_in_a_schema_valid_signed_credential(dbsession, setting):
    from datetime import date

    from sqlalchemy import select

    from assessments.models import Competence, Framework
    from badges import alignment_targets
    from badges.alignment_targets import Registration

    org, issuer, campaign = setting
    competence = dbsession.scalar(
        select(Competence).join(Framework).where(Framework.slug == "essai").limit(1)
    )
    alignments = [
        alignment_targets.from_competence(competence),
        alignment_targets.from_esco(
            "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d", "accueillir"
        ),
        alignment_targets.from_register(
            Registration("RS", "RS5866", "Cléa numérique", date(2022, 1, 1), date(2027, 1, 1))
        ),
    ]
    framework = campaign.assessment.framework
    achievement = achievement_design.create(
        dbsession,
        issuer,
        fields(
            alignments=alignments,
            result_descriptions=achievement_design.result_descriptions_of(
                dbsession, org.id, framework.id
            ),
        ),
    )
    achievement.award_rules = RULE
    achievement_design.publish(dbsession, achievement)
    [awarded] = award(dbsession, finished(dbsession, campaign))
    document = json.loads(awarded.credential.signed_json)
    aligned = document["credentialSubject"]["achievement"]["alignment"]
    assert [a["targetType"] for a in aligned] == [
        "CFItem",
        "ceasn:Competency",
        "ceterms:Credential",
    ]
    assert aligned[2]["targetUrl"] == "https://www.francecompetences.fr/recherche/rs/5866/"
    assert "jalonCompetenceId" not in json.dumps(aligned)  # our bookkeeping stays ours
    assert "validFrom" not in json.dumps(aligned)
    assert schema.validate(document) == []


@pytest.mark.parametrize(
    ("register", "code", "number"),
    [("RNCP", "RNCP37674", "37674"), ("RNCP", "rncp 123", "123"), ("RS", "RS5866", "5866")],
)
def test_register_codes_in_their_usual_shapes(register, code, number):
    from badges.alignment_targets import register_number

    assert register_number(register, code) == number


@pytest.mark.parametrize(
    ("register", "code"),
    [("RNCP", "RNCP12"), ("RNCP", "RS5866"), ("RS", "RS123456"), ("RNCP", "37674"), ("XX", "X1")],
)
def test_register_codes_in_other_shapes_are_refused(register, code):
    from badges.alignment_targets import register_number

    assert register_number(register, code) is None


def test_esco_uris_are_checked_without_any_fetch():
    from badges.alignment_targets import is_esco_uri

    assert is_esco_uri("http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d")
    assert is_esco_uri("http://data.europa.eu/esco/occupation/c40a2919-48a9-40ea-b506-1f34f693496d")
    assert not is_esco_uri("https://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d")
    assert not is_esco_uri("http://data.europa.eu/esco/skill/abc")
    assert not is_esco_uri("http://evil.example/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d")
