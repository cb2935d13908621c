"""The rule builder's drafts and the stored JSON say the same rule: draft → JSON → draft."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from badges import award_rules
from badges.rule_drafts import (
    ConditionDraft,
    EvidenceDraft,
    RuleDraft,
    condition_json,
    from_rule,
    to_rule,
)

CODES = st.sampled_from(["1.1", "1.2", "2.1", "4.1", "4.2", "5.3"])
LEVELS = st.integers(min_value=1, max_value=8)


def _set(draw_codes):
    return st.lists(draw_codes, min_size=1, max_size=5, unique=True).map(tuple)


CONDITIONS = st.one_of(
    st.just(ConditionDraft(type="completion")),
    st.builds(ConditionDraft, type=st.just("competence_level"), competence=CODES, min_level=LEVELS),
    st.builds(
        ConditionDraft,
        type=st.just("competences_at_level"),
        competences=st.one_of(st.just(()), _set(CODES)),
        min_level=LEVELS,
        count=st.integers(min_value=1, max_value=5),
    ),
    st.builds(ConditionDraft, type=st.just("score"), min_score=st.integers(0, 500)),
    st.builds(
        ConditionDraft,
        type=st.just("referral"),
        referrals=st.lists(st.sampled_from(award_rules.REFERRALS), min_size=1, unique=True).map(
            tuple
        ),
    ),
)
DRAFTS = st.one_of(
    st.just(RuleDraft(mode="manual")),
    st.builds(
        RuleDraft,
        mode=st.sampled_from(["all", "any"]),
        framework=st.sampled_from(["crcn", "premiers-pas", "dev-web"]),
        conditions=st.lists(CONDITIONS, min_size=1, max_size=6).map(tuple),
        evidence=st.builds(
            EvidenceDraft,
            min_answers=st.one_of(st.none(), st.integers(1, 50)),
            max_se=st.one_of(st.none(), st.sampled_from([0.4, 0.6, 1.0])),
            confidence=st.one_of(st.none(), st.sampled_from([0.8, 0.9])),
            practice=st.lists(
                st.sampled_from(award_rules.PRACTICE_TYPES), unique=True, max_size=3
            ).map(tuple),
        ),
    ),
)


@given(DRAFTS)
def test_a_draft_survives_the_trip_through_json(draft):
    assert from_rule(to_rule(draft)) == draft


@given(DRAFTS)
def test_the_json_of_a_draft_survives_the_trip_through_a_draft(draft):
    stored = to_rule(draft)
    assert to_rule(from_rule(stored)) == stored


def test_blank_rows_are_left_out_of_the_json():
    draft = RuleDraft(
        mode="any",
        framework="crcn",
        conditions=(ConditionDraft(), ConditionDraft(type="completion"), ConditionDraft()),
    )
    assert to_rule(draft) == {
        "framework": "crcn",
        "require": "any",
        "conditions": [{"type": "completion"}],
    }


def test_a_row_keeps_only_the_fields_its_type_reads():
    row = ConditionDraft(type="score", competence="1.1", min_level=3, min_score=40)
    assert condition_json(row) == {"type": "score", "min": 40}


def test_an_incomplete_row_becomes_json_that_validation_explains():
    rule = to_rule(
        RuleDraft(
            mode="all",
            framework="crcn",
            conditions=(ConditionDraft(type="competence_level", competence="1.1"),),
        )
    )
    assert award_rules.validate(rule) == [
        "Condition 1 : « min_level » doit être un niveau entre 1 et 8."
    ]


def test_no_rule_and_odd_json_become_drafts_without_failing():
    assert from_rule(None) == RuleDraft(mode="manual")
    assert from_rule({}) == RuleDraft(mode="manual")
    odd = from_rule(
        {
            "framework": 3,
            "require": "most",
            "conditions": [{"type": "magic"}, "x", {"type": "score"}],
        }
    )
    assert odd == RuleDraft(
        mode="all", framework="", conditions=(ConditionDraft(), ConditionDraft(type="score"))
    )


def test_the_evidence_asked_is_kept_and_validated():
    draft = RuleDraft(
        mode="all",
        framework="crcn",
        conditions=(ConditionDraft(type="competence_level", competence="4.1", min_level=2),),
        evidence=EvidenceDraft(min_answers=5, confidence=0.9, practice=("task_phishing",)),
    )
    stored = to_rule(draft)
    assert stored["evidence"] == {
        "min_answers": 5,
        "confidence": 0.9,
        "practice": ["task_phishing"],
    }
    assert award_rules.validate(stored) == []
    assert "evidence" not in to_rule(RuleDraft(mode="all", framework="crcn"))
