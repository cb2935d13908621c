"""The glue from a finished session to issued badges: which rules are met, idempotence,
results per competence, evidence, the organisation's own issuer only."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from assessments import checking, sessions
from assessments.models import AssessmentSession
from badges import awarding
from badges.models import Achievement, Credential
from badges.ob3 import schema
from tests.assessments.factories import AUTONOME_ITEMS, make_tour_campaign
from tests.badges.factories import BASE_URL, KEK, make_issuer
from tests.learners.factories import make_action, make_learner, make_organisation


def run_session(
    db, campaign, learner, *, right: bool = True, wrong_first: bool = False
) -> AssessmentSession:
    """Every item right, or every item « Je ne sais pas » (``right=False``), the first one
    answered wrong when ``wrong_first``."""
    session = sessions.start(db, campaign.code, learner)
    first = True
    while not session.finished:
        item = session.current_item
        if right:
            sessions.answer(db, session, item.id, checking.example_right_response(item))
        elif wrong_first and first:
            sessions.answer(db, session, item.id, checking.example_wrong_response(item))
        else:
            sessions.skip(db, session, item.id)
        first = False
    db.flush()
    return session


def award(db, session):
    return awarding.award_session(db, session, base_url=BASE_URL, kek=KEK)


@pytest.fixture
def setting(dbsession):
    org = make_organisation(dbsession, "Association Tremplin")
    campaign = make_tour_campaign(dbsession, org, items=AUTONOME_ITEMS)
    issuer = make_issuer(dbsession, org, shipped=True)
    learner = make_learner(dbsession, name="Awa Traoré")
    dbsession.commit()
    return org, campaign, issuer, learner


def names(awards) -> set[str]:
    return {a.achievement.name for a in awards}


def test_every_met_rule_is_issued_and_only_those(dbsession, setting):
    _org, campaign, _issuer, learner = setting
    good = run_session(dbsession, campaign, learner, right=True)
    assert names(award(dbsession, good)) == {
        "Premiers pas numériques — diagnostic réalisé",
        "Premiers pas numériques — autonome",
    }
    other = make_learner(dbsession, name="Léo Martin")
    weak = run_session(dbsession, campaign, other, right=False, wrong_first=True)
    assert names(award(dbsession, weak)) == {"Premiers pas numériques — diagnostic réalisé"}
    dbsession.commit()


def test_a_session_with_every_answer_skipped_earns_no_badge(dbsession, setting):
    """« Je ne sais pas » everywhere proves nothing, not even the completion-only badge."""
    _org, campaign, _issuer, learner = setting
    skipped = run_session(dbsession, campaign, learner, right=False)
    assert skipped.responses and awarding.real_answers(skipped) == 0
    assert award(dbsession, skipped) == []
    assert awarding.earned(dbsession, skipped) == []


def test_badges_of_a_campaign_with_an_action_count_for_that_action(dbsession, setting):
    org, campaign, _issuer, learner = setting
    without = run_session(dbsession, campaign, learner)
    assert {a.credential.action_id for a in award(dbsession, without)} == {None}
    action = make_action(dbsession, org)
    campaign.action_id = action.id
    other = make_learner(dbsession, name="Léo Martin")
    awards = award(dbsession, run_session(dbsession, campaign, other))
    assert awards and {a.credential.action_id for a in awards} == {action.id}
    dbsession.commit()


def test_awarding_twice_issues_once_under_the_session_award_key(dbsession, setting):
    _org, campaign, _issuer, learner = setting
    session = run_session(dbsession, campaign, learner)
    first = award(dbsession, session)
    dbsession.commit()
    second = award(dbsession, session)
    dbsession.commit()
    assert all(a.created for a in first) and not any(a.created for a in second)
    assert {a.credential.id for a in first} == {a.credential.id for a in second}
    assert dbsession.scalar(select(func.count()).select_from(Credential)) == 2
    for item in first:
        assert item.credential.award_key == awarding.award_key(session.id, item.achievement.id)
    assert {c.id for c in awarding.awarded(dbsession, session)} == {a.credential.id for a in first}


def test_credential_carries_levels_evidence_and_a_hashed_recipient(dbsession, setting):
    _org, campaign, _issuer, learner = setting
    session = run_session(dbsession, campaign, learner)
    credential = next(
        a.credential for a in award(dbsession, session) if "autonome" in a.achievement.name
    )
    dbsession.commit()
    signed = json.loads(credential.signed_json)
    assert schema.validate(signed) == []
    results = signed["credentialSubject"]["result"]
    levels = {r["resultDescription"]: r["achievedLevel"] for r in results}
    framework = session.campaign.assessment.framework
    for result in session.results:
        key = awarding.competence_result_id(framework, result.competence.code)
        if result.level >= 1:
            assert levels[key] == awarding.level_id(framework, result.competence.code, result.level)
        else:
            assert key not in levels
    evidence = signed["evidence"][0]
    assert evidence["name"] == "Découverte : une question de chaque sorte"
    assert f"{len(AUTONOME_ITEMS)} questions" in evidence["narrative"]
    # The name and the pseudonym stay out of what is signed (the proof, random base58, aside:
    # a short name can appear in it by chance).
    claims = json.dumps({k: v for k, v in signed.items() if k != "proof"}, ensure_ascii=False)
    assert "Awa" not in claims and "Traoré" not in claims
    assert learner.pseudonym not in credential.signed_json
    assert signed["credentialSubject"]["identifier"][0]["hashed"] is True


def test_credential_never_carries_the_orientation_nor_the_skipped_answers(dbsession, setting):
    """The beginner diagnostic's orientation and the « Je ne sais pas » count stay between the
    learner and the trainer: neither in the stored results, the evidence, nor what is signed."""
    _org, campaign, _issuer, learner = setting
    session = run_session(dbsession, campaign, learner, right=False, wrong_first=True)
    assert session.referral is not None
    credentials = [a.credential for a in award(dbsession, session)]
    assert credentials
    framework = session.campaign.assessment.framework
    for credential in credentials:
        signed = json.loads(credential.signed_json)
        described = {r["resultDescription"] for r in signed["credentialSubject"].get("result", [])}
        assert awarding.referral_result_id(framework) not in described
        assert all("referral" not in r["resultDescription"] for r in credential.results)
        claims = json.dumps([signed["evidence"], credential.evidence], ensure_ascii=False)
        assert "Je ne sais pas" not in claims and "dont" not in claims


def test_public_view_of_an_older_credential_drops_orientation_and_skipped_count():
    """Badges signed before carry both: their public page leaves them out."""
    document = {
        "credentialSubject": {
            "result": [
                {"resultDescription": "urn:x:1.1", "achievedLevel": "urn:x:1.1:level:2"},
                {"resultDescription": "urn:x:referral", "achievedLevel": "urn:x:referral:a"},
            ]
        },
        "evidence": [
            {
                "narrative": "Évaluation terminée le 01/12/2026 : 11 questions, dont 10 avec la "
                "réponse « Je ne sais pas »."
            }
        ],
    }
    shown = awarding.without_private_details(document)
    assert [r["resultDescription"] for r in shown["credentialSubject"]["result"]] == ["urn:x:1.1"]
    assert shown["evidence"][0]["narrative"] == "Évaluation terminée le 01/12/2026 : 11 questions."
    assert len(document["credentialSubject"]["result"]) == 2  # the signed original is untouched


def test_unfinished_session_earns_nothing(dbsession, setting):
    _org, campaign, _issuer, learner = setting
    session = sessions.start(dbsession, campaign.code, learner)
    assert award(dbsession, session) == []


def test_another_organisations_achievements_are_not_issued(dbsession, setting):
    _org, campaign, _issuer, learner = setting
    other = make_organisation(dbsession, "Autre association")
    make_issuer(dbsession, other, shipped=True)
    session = run_session(dbsession, campaign, learner)
    issuers = {a.credential.issuer_id for a in award(dbsession, session)}
    assert issuers == {setting[2].id}


def test_archived_and_invalid_rules_are_skipped(dbsession, setting):
    _org, campaign, issuer, learner = setting
    achievements = dbsession.scalars(
        select(Achievement).where(Achievement.issuer_id == issuer.id).order_by(Achievement.id)
    ).all()
    achievements[0].is_archived = True
    achievements[1].award_rules = {"framework": "premiers-pas", "conditions": []}  # invalid
    session = run_session(dbsession, campaign, learner)
    assert award(dbsession, session) == []


def test_a_session_cut_short_by_its_time_limit_is_not_completed(dbsession):
    org = make_organisation(dbsession)
    campaign = make_tour_campaign(dbsession, org, "TIME-LIM3", time_limit_minutes=5)
    make_issuer(dbsession, org, shipped=True)
    learner = make_learner(dbsession)
    session = sessions.start(dbsession, campaign.code, learner)
    sessions.current_item(dbsession, session, now=session.started_at + timedelta(minutes=6))
    assert session.finished
    assert not awarding.completed(session)
    assert award(dbsession, session) == []


def test_result_descriptions_describe_every_competence_and_level(dbsession, setting):
    framework = setting[1].assessment.framework
    described = awarding.result_descriptions(framework)
    competences = [d for d in described if ":competence:" in d["id"]]
    assert len(competences) == len(framework.competences)
    assert all(len(d["rubricCriterionLevel"]) == 8 for d in competences)
    first = competences[0]["rubricCriterionLevel"][0]
    assert first["name"] == "Niveau 1" and first["description"]
    referral = next(d for d in described if d["id"].endswith(":referral"))
    assert {level["name"] for level in referral["rubricCriterionLevel"]} == {
        "Autonome",
        "À accompagner",
        "Atelier d'initiation",
    }


def test_awarding_costs_no_query_per_result_nor_per_badge_for_keys(dbsession, setting):
    """A session read afresh (the retry on the results page, ``jalon badges award-pending``):
    its results' competences load in one query, the issuer's keys open once for all its
    badges (each result's competence and each badge's keys were a query apiece)."""
    from tests.web.statements import count_statements

    _org, campaign, _issuer, learner = setting
    award(dbsession, run_session(dbsession, campaign, learner, right=True))  # starts the lists
    session_id = run_session(dbsession, campaign, learner, right=True).id
    dbsession.commit()
    dbsession.expunge_all()
    session = dbsession.get(AssessmentSession, session_id)
    with count_statements(dbsession.get_bind()) as statements:
        awards = award(dbsession, session)
    assert len(awards) >= 2 and len(session.results) >= 2
    competences = [s for s in statements if s.startswith("SELECT competences.id")]
    keys = [s for s in statements if "FROM signing_keys" in s]
    assert len(competences) == 1
    assert len(keys) == 2  # the Ed25519 key and the RSA key, once
