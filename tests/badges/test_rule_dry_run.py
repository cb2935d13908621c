"""« Qui l'obtiendrait ? »: a rule tried on a campaign's finished sessions, nothing written;
and a badge given by hand only is never earned by a session."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from badges import award_rules, awarding
from badges.award_rules import Outcome
from badges.models import Credential
from badges.rule_dry_run import Attempt, dry_run, evaluate
from learners.database import utcnow
from tests.assessments.factories import (
    make_campaign,
    make_framework,
    make_session,
    make_tour_campaign,
)
from tests.badges.factories import BASE_URL, KEK, make_achievement, make_issuer
from tests.badges.test_awarding import run_session
from tests.learners.factories import make_learner, make_organisation

TWO_CONDITIONS = {
    "framework": "essai",
    "require": "all",
    "conditions": [
        {"type": "competence_level", "competence": "1.1", "min_level": 2},
        {"type": "score", "min": 20},
    ],
}


def attempt(learner_id, name, session_id, **outcome):
    values = {"framework": "essai", "completed": True, "levels": {}, "score": 0, **outcome}
    return Attempt(learner_id, name, session_id, None, Outcome(**values))


def test_evaluate_sorts_participants_and_says_which_condition_failed():
    run = evaluate(
        TWO_CONDITIONS,
        "essai",
        [
            attempt(1, "Zoé", 10, levels={"1.1": 3}, score=24),
            attempt(2, "Awa", 11, levels={"1.1": 1}, score=24),
            attempt(3, "Léo", 12, levels={"1.1": 1}, score=8),
        ],
    )
    assert run.applies
    assert [v.participant for v in run.earners] == ["Zoé"]
    assert [(v.participant, v.unmet) for v in run.others] == [
        ("Awa", ("Atteindre le niveau 2 dans la compétence 1.1.",)),
        (
            "Léo",
            ("Atteindre le niveau 2 dans la compétence 1.1.", "Obtenir au moins 20 points."),
        ),
    ]
    assert run.participants == 3


def test_a_participant_earns_it_when_any_of_their_sessions_does():
    run = evaluate(
        TWO_CONDITIONS,
        "essai",
        [
            attempt(1, "Awa", 10, levels={"1.1": 1}, score=8),
            attempt(1, "Awa", 11, levels={"1.1": 2}, score=20),
            attempt(1, "Awa", 12, levels={"1.1": 1}, score=8),
        ],
    )
    assert [(v.participant, v.session_id) for v in run.earners] == [("Awa", 11)]
    assert run.others == ()


def test_a_participant_who_never_earns_it_is_judged_on_the_latest_session():
    run = evaluate(
        TWO_CONDITIONS,
        "essai",
        [attempt(1, "Awa", 10, score=8), attempt(1, "Awa", 11, levels={"1.1": 2}, score=8)],
    )
    assert [(v.session_id, v.unmet) for v in run.others] == [(11, ("Obtenir au moins 20 points.",))]


def test_a_rule_about_another_framework_or_given_by_hand_applies_to_nobody():
    for rule, framework in ((TWO_CONDITIONS, "crcn"), ({"kind": "manual"}, "essai")):
        strong = attempt(1, "Awa", 10, framework=framework, levels={"1.1": 8}, score=500)
        run = evaluate(rule, framework, [strong])
        assert not run.applies
        assert run.earners == ()


def test_an_invalid_rule_is_refused_with_its_reasons():
    with pytest.raises(award_rules.InvalidRule) as refused:
        evaluate({"framework": "essai", "conditions": []}, "essai", [])
    assert "au moins une condition" in str(refused.value)


def test_dry_run_reads_the_finished_sessions_of_the_campaign_and_writes_nothing(dbsession):
    org = make_organisation(dbsession, "Association Tremplin")
    campaign = make_campaign(dbsession, make_framework(dbsession), organisation=org)
    now = utcnow()
    passes = make_learner(dbsession, name="Awa Traoré")
    fails = make_learner(dbsession, name="Léo Martin")
    busy = make_learner(dbsession, name="Nina Petit")
    make_session(dbsession, campaign, passes, levels={"1.1": 3}, finished_at=now)
    make_session(dbsession, campaign, fails, levels={"1.1": 1, "1.2": 2}, finished_at=now)
    make_session(dbsession, campaign, busy)  # still answering: not in the dry run
    dbsession.commit()
    credentials_before = dbsession.scalar(select(func.count()).select_from(Credential))

    run = dry_run(dbsession, TWO_CONDITIONS, campaign)

    assert [v.participant for v in run.earners] == ["Awa Traoré"]
    assert [(v.participant, v.unmet) for v in run.others] == [
        ("Léo Martin", ("Atteindre le niveau 2 dans la compétence 1.1.",))
    ]
    assert not dbsession.new and not dbsession.dirty
    assert dbsession.scalar(select(func.count()).select_from(Credential)) == credentials_before


def test_a_session_cut_by_the_time_limit_fails_the_completion_condition(dbsession):
    campaign = make_campaign(dbsession, make_framework(dbsession))
    learner = make_learner(dbsession, name="Awa Traoré")
    now = utcnow()
    make_session(dbsession, campaign, learner, levels={"1.1": 3}, finished_at=now, deadline=now)
    rule = {"framework": "essai", "conditions": [{"type": "completion"}]}
    run = dry_run(dbsession, rule, campaign)
    assert [v.unmet for v in run.others] == [("Terminer l'évaluation.",)]


def test_a_finished_session_never_earns_a_badge_given_by_hand_only(dbsession):
    org = make_organisation(dbsession, "Association Tremplin")
    campaign = make_tour_campaign(dbsession, org)
    issuer = make_issuer(dbsession, org, shipped=True)
    by_hand = make_achievement(
        dbsession, issuer, name="Stage réussi", award_rules={"kind": "manual"}
    )
    # Even a manual rule that still names the framework is not a candidate.
    also_by_hand = make_achievement(
        dbsession,
        issuer,
        name="Plateau technique",
        award_rules={"kind": "manual", "framework": "premiers-pas", "conditions": []},
    )
    learner = make_learner(dbsession, name="Awa Traoré")
    session = run_session(dbsession, campaign, learner, right=True)

    awards = awarding.award_session(dbsession, session, base_url=BASE_URL, kek=KEK)

    earned = {a.achievement.id for a in awards}
    assert earned  # the shipped automatic badges are issued…
    assert by_hand.id not in earned and also_by_hand.id not in earned  # …never these
    assert by_hand not in awarding.candidates(dbsession, session)
    assert also_by_hand not in awarding.earned(dbsession, session)
