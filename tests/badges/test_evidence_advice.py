"""A badge missed for lack of evidence: not issued, and the results say which targeted
campaign of the organisation would give it (« Pour obtenir ce badge, passez l'évaluation… »)."""

from __future__ import annotations

from datetime import timedelta

from assessments.models import AssessmentMode
from badges import awarding, evidence_advice
from learners.database import utcnow
from tests.assessments.factories import make_campaign, make_framework, make_session
from tests.badges.factories import make_achievement, make_issuer
from tests.learners.factories import make_learner, make_organisation

PROTECT = {
    "framework": "essai",
    "conditions": [{"type": "competence_level", "competence": "4.1", "min_level": 2}],
    "evidence": {"min_answers": 5},
}


def test_a_badge_without_enough_evidence_is_not_issued_and_names_the_targeted_campaign(
    dbsession,
):
    org = make_organisation(dbsession, "Association Tremplin")
    framework = make_framework(dbsession)
    adaptive = {"mode": AssessmentMode.ADAPTIVE, "organisation": org}
    whole = make_campaign(dbsession, framework, name="Tout le référentiel", **adaptive)
    make_campaign(dbsession, framework, name="Gérer", competence_codes=["1.2"], **adaptive)
    closed = make_campaign(
        dbsession,
        framework,
        name="Ancienne",
        competence_codes=["4.1"],
        opens_at=utcnow() - timedelta(days=9),
        closes_at=utcnow() - timedelta(days=1),
        **adaptive,
    )
    targeted = make_campaign(
        dbsession, framework, name="Se protéger", competence_codes=["4.1", "1.1"], **adaptive
    )
    make_achievement(
        dbsession, make_issuer(dbsession, org), name="Se protéger", award_rules=PROTECT
    )
    learner = make_learner(dbsession, org)
    # one answer on 4.1 (the factory's results rest on one answer each) at level 3
    session = make_session(dbsession, whole, learner, levels={"4.1": 3}, finished_at=utcnow())

    assert awarding.earned(dbsession, session) == []
    [advice] = evidence_advice.advice(dbsession, session)
    assert advice.badge == "Se protéger" and advice.competences == ("4.1",)
    assert advice.campaign_code == targeted.code != closed.code
    assert advice.campaign_name == "Se protéger"

    low = make_session(dbsession, whole, learner, levels={"4.1": 1}, finished_at=utcnow())
    assert evidence_advice.advice(dbsession, low) == []  # not the level, whatever the evidence
