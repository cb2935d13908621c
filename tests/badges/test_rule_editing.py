"""Who may see or change an achievement's rule, against which frameworks, and saving it."""

from __future__ import annotations

import pytest

from badges import award_rules, rule_editing
from badges.achievements import AchievementNotFound
from learners.models import OrganisationKind
from tests.assessments.factories import make_framework, make_own_framework
from tests.badges.factories import make_achievement, make_issuer
from tests.learners.factories import make_organisation

RULE = {
    "framework": "essai",
    "require": "all",
    "conditions": [{"type": "competence_level", "competence": "1.1", "min_level": 2}],
}


@pytest.fixture
def orgs(dbsession):
    own = make_organisation(dbsession, "Association A")
    other = make_organisation(dbsession, "Association B")
    platform = make_organisation(dbsession, "Plateforme", OrganisationKind.PLATFORM)
    made = {
        name: make_achievement(
            dbsession, make_issuer(dbsession, org, name=org.name), name=name, award_rules=RULE
        )
        for name, org in (("own", own), ("other", other), ("platform", platform))
    }
    make_framework(dbsession)
    return own, other, made


def test_an_association_edits_its_own_reads_the_platforms_and_never_finds_anothers(dbsession, orgs):
    own, _other, made = orgs
    assert not rule_editing.target(dbsession, own.id, made["own"].public_id).read_only
    assert rule_editing.target(dbsession, own.id, made["platform"].public_id).read_only
    with pytest.raises(AchievementNotFound):
        rule_editing.target(dbsession, own.id, made["other"].public_id)


def test_frameworks_offered_are_the_shipped_ones_and_the_organisations_own(dbsession, orgs):
    own, other, _made = orgs
    make_own_framework(dbsession, own, "studio-a")
    make_own_framework(dbsession, other, "studio-b")
    slugs = {choice.slug for choice in rule_editing.framework_choices(dbsession, own.id)}
    assert {"essai", "studio-a"} <= slugs
    assert "studio-b" not in slugs
    essai = next(c for c in rule_editing.framework_choices(dbsession, own.id) if c.slug == "essai")
    assert essai.codes == {"1.1", "1.2", "4.1"}


def test_saving_checks_the_competences_against_the_framework(dbsession, orgs):
    own, _other, made = orgs
    choices = rule_editing.framework_choices(dbsession, own.id)
    target = rule_editing.target(dbsession, own.id, made["own"].public_id)
    wrong = {
        **RULE,
        "conditions": [{"type": "competence_level", "competence": "9.9", "min_level": 1}],
    }
    with pytest.raises(award_rules.InvalidRule) as refused:
        rule_editing.save(dbsession, target, wrong, choices)
    assert refused.value.errors == [
        "Condition 1 : la compétence « 9.9 » n'est pas dans ce référentiel."
    ]
    assert rule_editing.errors({**RULE, "framework": "studio-b"}, choices) == [
        "Choisissez un référentiel dans la liste."
    ]
    saved = rule_editing.save(dbsession, target, {"kind": "manual"}, choices)
    assert saved.award_rules == {"kind": "manual"}


def test_a_shipped_achievements_rule_cannot_be_saved_by_an_association(dbsession, orgs):
    own, _other, made = orgs
    target = rule_editing.target(dbsession, own.id, made["platform"].public_id)
    with pytest.raises(rule_editing.RuleReadOnly):
        rule_editing.save(dbsession, target, {"kind": "manual"}, [])
    assert made["platform"].award_rules == RULE
