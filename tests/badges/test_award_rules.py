"""Award rules decide which achievements a finished session earns."""

import pytest

from badges.award_rules import (
    InvalidRule,
    Outcome,
    check,
    describe,
    describe_condition,
    evidence_shortfall,
    is_met,
    validate,
)

CRCN_LEVELS = {"1.1": 3, "1.2": 2, "4.1": 1, "4.2": 2}


def outcome(**overrides):
    values = {"framework": "crcn", "completed": True, "levels": CRCN_LEVELS, "score": 64}
    values.update(overrides)
    return Outcome(**values)


def rule(*conditions, require="all", framework="crcn"):
    return {"framework": framework, "require": require, "conditions": list(conditions)}


def test_competence_level_rule_is_met_at_or_above_the_level():
    assert is_met(
        rule({"type": "competence_level", "competence": "1.1", "min_level": 3}), outcome()
    )
    assert not is_met(
        rule({"type": "competence_level", "competence": "4.1", "min_level": 2}), outcome()
    )


def test_unassessed_competence_counts_as_level_zero():
    condition = {"type": "competence_level", "competence": "5.2", "min_level": 1}
    assert not is_met(rule(condition), outcome())


def test_count_of_competences_at_level():
    condition = {"type": "competences_at_level", "min_level": 2, "count": 3}
    assert is_met(rule(condition), outcome())
    assert not is_met(rule({**condition, "count": 4}), outcome())
    limited = {**condition, "count": 2, "competences": ["1.1", "4.1"]}
    assert not is_met(rule(limited), outcome())


def test_score_and_completion():
    assert is_met(rule({"type": "score", "min": 64}), outcome())
    assert not is_met(rule({"type": "score", "min": 65}), outcome())
    assert is_met(rule({"type": "completion"}), outcome())
    assert not is_met(rule({"type": "completion"}), outcome(completed=False))


def test_every_answer_skipped_meets_no_condition_not_even_completion():
    """« Je ne sais pas » to every question: completed, but nothing to award."""
    skipped = outcome(answered=0, levels={}, score=0, referral="atelier_initiation")
    assert not is_met(rule({"type": "completion"}), skipped)
    assert not is_met(rule({"type": "referral", "in": ["atelier_initiation"]}), skipped)
    assert check(rule({"type": "completion"}, {"type": "score", "min": 0}), skipped) == [
        False,
        False,
    ]
    assert is_met(rule({"type": "completion"}), outcome(answered=1, levels={}, score=0))


def test_unfinished_session_meets_no_level_rule():
    condition = {"type": "competence_level", "competence": "1.1", "min_level": 1}
    assert not is_met(rule(condition), outcome(completed=False))


def test_referral_rule_for_the_beginner_diagnostic():
    condition = {"type": "referral", "in": ["autonome", "a_accompagner"]}
    beginner = {"framework": "premiers-pas", "levels": {}, "score": 0}
    assert is_met(
        rule(condition, framework="premiers-pas"), outcome(**beginner, referral="autonome")
    )
    assert not is_met(
        rule(condition, framework="premiers-pas"),
        outcome(**beginner, referral="atelier_initiation"),
    )


def test_rule_for_another_framework_is_never_met():
    assert not is_met(rule({"type": "completion"}, framework="dev-web"), outcome())


def test_any_requires_one_condition_all_requires_every_one():
    passing = {"type": "completion"}
    failing = {"type": "score", "min": 1000}
    assert is_met(rule(passing, failing, require="any"), outcome())
    assert not is_met(rule(passing, failing), outcome())


@pytest.mark.parametrize(
    ("bad_rule", "fragment"),
    [
        ({"conditions": [{"type": "completion"}]}, "framework"),
        (rule(), "au moins une condition"),
        (rule({"type": "magic"}), "le type doit être"),
        (rule({"type": "competence_level", "competence": "1.1", "min_level": 9}), "entre 1 et 8"),
        (rule({"type": "score", "min": "beaucoup"}), "« min »"),
        (rule({"type": "referral", "in": ["expert"]}), "orientations"),
        (rule({"type": "completion"}, require="most"), "« require »"),
    ],
)
def test_invalid_rules_get_french_messages_and_refuse_evaluation(bad_rule, fragment):
    errors = validate(bad_rule)
    assert any(fragment in error for error in errors), errors
    with pytest.raises(InvalidRule):
        is_met(bad_rule, outcome())


def test_describe_says_the_rule_in_plain_french():
    sentences = describe(
        rule(
            {"type": "competence_level", "competence": "4.1", "min_level": 2},
            {"type": "referral", "in": ["a_accompagner"]},
        )
    )
    assert sentences == [
        "Atteindre le niveau 2 dans la compétence 4.1.",
        "Être orienté vers : à accompagner.",
    ]


def test_a_manual_rule_is_valid_and_never_met():
    manual = {"kind": "manual"}
    assert validate(manual) == []
    assert not is_met(manual, outcome())
    assert check(manual, outcome()) is None
    assert describe(manual) == [
        "Attribué à la main par un formateur : aucune évaluation ne le donne seule."
    ]


def test_an_unknown_rule_kind_is_refused():
    assert any("« kind »" in e for e in validate({"kind": "sometimes"}))


def test_check_says_which_condition_is_met():
    failing = {"type": "score", "min": 1000}
    assert check(rule({"type": "completion"}, failing), outcome()) == [True, False]
    assert check(rule({"type": "completion"}, framework="pix"), outcome()) is None


@pytest.mark.parametrize(
    ("competences", "count", "fragment"),
    [
        ([], 1, "au moins une compétence"),
        (["1.1", "1.1"], 1, "deux fois"),
        (["1.1", 2], 1, "liste de codes"),
        ("1.1", 1, "liste de codes"),
        (["1.1", "1.2"], 3, "3 compétences parmi 2"),
        (["1.1", "9.9"], 1, "« 9.9 » n'est pas dans ce référentiel"),
    ],
)
def test_the_set_of_competences_counted_is_validated(competences, count, fragment):
    condition = {
        "type": "competences_at_level",
        "min_level": 2,
        "count": count,
        "competences": competences,
    }
    errors = validate(rule(condition), competences=CRCN_LEVELS)
    assert any(fragment in error for error in errors), errors


def test_a_competence_outside_the_framework_is_refused_when_the_framework_is_known():
    condition = {"type": "competence_level", "competence": "7.7", "min_level": 1}
    assert validate(rule(condition)) == []
    assert validate(rule(condition), competences=CRCN_LEVELS) == [
        "Condition 1 : la compétence « 7.7 » n'est pas dans ce référentiel."
    ]


def test_describe_names_the_set_of_competences_and_marks_what_is_missing():
    condition = {
        "type": "competences_at_level",
        "min_level": 2,
        "count": 2,
        "competences": ["1.1", "4.1", "4.2"],
    }
    assert describe(rule(condition)) == [
        "Atteindre le niveau 2 dans au moins 2 compétences parmi 1.1, 4.1, 4.2."
    ]
    assert describe_condition({"type": "score", "min": None}) == "Obtenir au moins ? points."


# ---------------------------------------------------------------------------------------------
# Enough evidence

SECURITY = rule(
    {"type": "competence_level", "competence": "4.1", "min_level": 1},
    {"type": "competence_level", "competence": "4.2", "min_level": 2},
)


def with_evidence(base, **evidence):
    return {**base, "evidence": evidence}


def evidenced(answers=None, se=0.4, theta=None, practice=frozenset(), **overrides):
    """A session outcome with its evidence: answers and SE per competence, practice done."""
    codes = CRCN_LEVELS
    return outcome(
        answers=answers or dict.fromkeys(codes, 6),
        se=dict.fromkeys(codes, se),
        theta=theta or {"1.1": 1.0, "1.2": 0.0, "4.1": -1.0, "4.2": 0.0},
        cut_points=(-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5),
        practice=practice,
        **overrides,
    )


def test_a_level_counts_only_on_enough_answers_to_its_competence():
    strict = with_evidence(SECURITY, min_answers=5)
    assert is_met(strict, evidenced())
    assert not is_met(strict, evidenced(answers={"4.1": 6, "4.2": 2}))
    # a rule read alone (no evidence known) and a rule asking none are unchanged
    assert is_met(strict, outcome())
    assert is_met(SECURITY, evidenced(answers={"4.1": 1, "4.2": 1}))


def test_a_standard_error_and_a_confidence_can_be_asked():
    assert not is_met(with_evidence(SECURITY, max_se=0.3), evidenced(se=0.4))
    # 4.2: θ 0.0 against the level-2 cut -1.5, SE 0.4: far above, P ≈ 1
    assert is_met(with_evidence(SECURITY, confidence=0.9), evidenced())
    # 4.2 barely above its cut point: level 2 reached, but far from certain
    close = evidenced(theta={"4.1": -1.0, "4.2": -1.4})
    assert not is_met(with_evidence(SECURITY, confidence=0.9), close)
    assert is_met(with_evidence(SECURITY, confidence=0.55), close)


def test_competences_at_level_counts_only_the_competences_with_evidence():
    two = with_evidence(
        rule({"type": "competences_at_level", "min_level": 2, "count": 2}), min_answers=3
    )
    assert is_met(two, evidenced())
    assert not is_met(two, evidenced(answers={"1.1": 6, "1.2": 1, "4.2": 1}))


def test_a_practice_task_of_each_kind_named_must_be_right():
    autonomous = with_evidence(
        rule({"type": "referral", "in": ["autonome"]}, framework="premiers-pas"),
        practice=["task_webmail", "task_form"],
    )
    done = evidenced(framework="premiers-pas", referral="autonome", practice={"task_webmail"})
    assert not is_met(autonomous, done)
    shortfall = evidence_shortfall(autonomous, done)
    assert shortfall.practice == ("task_form",) and shortfall.competences == ()
    both = evidenced(
        framework="premiers-pas", referral="autonome", practice={"task_webmail", "task_form"}
    )
    assert is_met(autonomous, both) and evidence_shortfall(autonomous, both) is None


def test_the_shortfall_names_the_thin_competences_only_when_the_levels_would_do():
    strict = with_evidence(SECURITY, min_answers=5)
    thin = evidenced(answers={"1.1": 1, "1.2": 1, "4.1": 1, "4.2": 6})
    assert evidence_shortfall(strict, thin).competences == ("4.1",)
    too_low = evidenced(answers={"4.1": 1, "4.2": 1}, levels={**CRCN_LEVELS, "4.2": 1})
    assert evidence_shortfall(strict, too_low) is None  # not met whatever the evidence


@pytest.mark.parametrize(
    ("evidence", "message"),
    [
        ("beaucoup", "« evidence » doit être un objet"),
        ({"min_answers": 0}, "« min_answers » doit être un nombre entier entre 1 et 50"),
        ({"max_se": -1}, "« max_se » doit être un nombre"),
        ({"confidence": 1.5}, "« confidence » doit être un nombre entre 0,5 et 0,99"),
        ({"practice": ["task_dance"]}, "« practice » doit lister"),
        ({"minimum": 3}, "champ inconnu « minimum »"),
    ],
)
def test_bad_evidence_is_explained_in_french(evidence, message):
    errors = validate(with_evidence(SECURITY, **{}) | {"evidence": evidence})
    assert any(message in e for e in errors), errors


def test_evidence_is_described_in_plain_french():
    sentences = describe(
        with_evidence(SECURITY, min_answers=5, confidence=0.9, practice=["task_phishing"])
    )
    assert "au moins 5 réponses" in sentences[-2] and "90 %" in sentences[-2]
    assert sentences[-1] == "Réussir une mise en situation de chaque sorte : repérer une arnaque."
