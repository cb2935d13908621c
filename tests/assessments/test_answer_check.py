"""A trainer's answer check: the learner's checker decides, and the reasons say which accepted
answer and tolerance matched, or what is missing, for every item type."""

from __future__ import annotations

import pytest

from assessments import checking
from assessments.answer_check import try_answer
from assessments.checking import ItemData
from assessments.item_types import REGISTRY, ItemTypeDefinition
from assessments.models import AnswerStatus, ItemType
from assessments.tolerances import match_text, text_matches
from tests.assessments.factories import ITEMS, form_fields


def item(uid: str) -> ItemData:
    raw = next(i for i in ITEMS if i["id"] == uid)
    return ItemData(raw["type"], raw["body"], raw["key"], raw.get("tolerance"), uid)


def codes(verdict) -> list[tuple[str, str]]:
    return [(r.code, r.part) for r in verdict.reasons]


BY_TYPE = {ItemType(raw["type"]): raw["id"] for raw in ITEMS}


@pytest.mark.parametrize("kind", list(ItemType))
def test_every_type_accepts_its_key_and_refuses_a_wrong_answer_with_reasons(kind):
    checked = item(BY_TYPE[kind])
    right = try_answer(checked, form_fields(checked, checking.example_right_response(checked)))
    wrong = try_answer(checked, form_fields(checked, checking.example_wrong_response(checked)))
    assert right.status is AnswerStatus.OK and right.accepted
    assert wrong.status is AnswerStatus.KO and not wrong.accepted
    assert right.reasons and wrong.reasons
    assert {r.code for r in right.reasons}.isdisjoint({"right", "wrong"}), "type-specific reasons"
    assert {r.code for r in right.reasons} != {r.code for r in wrong.reasons}


def test_every_type_defines_its_own_explanation():
    generic = ItemTypeDefinition.explain
    assert all(type(kind).explain is not generic for kind in REGISTRY.values())


def test_qcu_says_which_choice_is_right():
    verdict = try_answer(item("essai-1.1-001"), {"choice": "a"})
    assert verdict.status is AnswerStatus.KO
    assert verdict.reasons[0].code == "choice_wrong"
    assert verdict.reasons[0].params == {"choice": "Un", "expected": "Deux"}


def test_qcm_names_missing_and_extra_choices():
    verdict = try_answer(item("essai-1.1-002"), {"choice": ["a", "b"]})
    assert codes(verdict) == [("choices_missing", ""), ("choices_extra", "")]
    assert verdict.reasons[0].params["choices"] == "Trois"
    assert verdict.reasons[1].params["choices"] == "Deux"


@pytest.mark.parametrize(
    ("typed", "rule"),
    [
        ("moteur", "exact"),
        ("  MOTEUR de Recherche ", "t1"),
        ("moteur, de recherche !", "t2"),
        ("moteur de recherhe", "t3"),
    ],
)
def test_qroc_says_which_tolerance_matched(typed, rule):
    verdict = try_answer(item("essai-1.1-003"), {"text": typed})
    assert verdict.accepted
    assert verdict.reasons[0].code == f"text_{rule}"


def test_qroc_t3_reports_the_distance_and_the_limit():
    verdict = try_answer(item("essai-1.1-003"), {"text": "moteur de recherhe"})
    # « moteurderecherche » (17 letters after T1) allows floor(17 / 4) = 4 edits; one is used.
    assert verdict.reasons[0].params["distance"] == 1
    assert verdict.reasons[0].params["allowed"] == 4
    assert verdict.reasons[0].params["variant"] == "Moteur de recherche"


def test_qroc_refusal_lists_the_accepted_answers_and_tolerances():
    verdict = try_answer(item("essai-1.1-003"), {"text": "navigateur"})
    assert verdict.status is AnswerStatus.KO
    reason = verdict.reasons[0]
    assert reason.code == "text_no_match"
    assert reason.params["accepted"] == "Moteur de recherche ; moteur"
    assert reason.params["rules"] == "t1, t2, t3"


def test_a_tolerance_the_item_does_not_enable_is_not_used():
    strict = ItemData("qroc", {}, ["Paris"], ["t1"])
    assert try_answer(strict, {"text": "PARIS"}).reasons[0].code == "text_t1"
    refused = try_answer(strict, {"text": "Paris !"})
    assert refused.status is AnswerStatus.KO and refused.reasons[0].code == "text_no_match"


def test_qrocm_ind_explains_each_box_by_its_label():
    verdict = try_answer(item("essai-1.1-004"), {"field-f1": "paris", "field-f2": "75002"})
    assert codes(verdict) == [("text_t1", "Ville"), ("text_no_match", "Code postal")]
    assert verdict.status is AnswerStatus.KO


def test_qrocm_dep_counts_different_groups_found():
    verdict = try_answer(item("essai-1.2-001"), {"field-f1": "Chrome", "field-f2": "google chrome"})
    assert verdict.status is AnswerStatus.KO  # the same browser twice is one group
    assert verdict.reasons[-1].code == "groups_found"
    assert verdict.reasons[-1].params == {"found": 1, "required": 2}


def test_number_says_the_margin():
    inside = try_answer(item("essai-1.2-002"), {"number": "12,51 €"})
    outside = try_answer(item("essai-1.2-002"), {"number": "12,6"})
    assert inside.accepted and inside.reasons[0].code == "number_within"
    assert inside.reasons[0].params == {"value": 12.51, "expected": 12.5, "tolerance": 0.01}
    assert outside.reasons[0].code == "number_outside"


def test_ordering_names_the_misplaced_steps():
    fields = {"position-x": "1", "position-y": "3", "position-z": "2"}
    verdict = try_answer(item("essai-1.2-003"), fields)
    shown = [(r.params["step"], r.params["given"], r.params["expected"]) for r in verdict.reasons]
    assert shown == [
        ("Ouvrir", 2, 3),
        ("Se connecter", 3, 2),
    ]


def test_matching_names_the_wrong_pairs():
    verdict = try_answer(item("essai-1.2-004"), {"pair-l1": "r2", "pair-l2": "r2"})
    assert codes(verdict) == [("pair_wrong", "JPG")]
    assert verdict.reasons[0].params == {"given": "Document", "expected": "Image"}


def test_task_form_explains_field_by_field():
    fields = {
        "field-nom": "DUPONT",
        "field-naissance": "12/05/1985",
        "field-situation": "marie",
        "field-aides": ["rsa"],
    }
    verdict = try_answer(item("essai-4.1-002"), fields)
    assert codes(verdict) == [
        ("text_t1", "Nom"),
        ("field_wrong", "Date de naissance"),
        ("field_wrong", "Situation"),
        ("field_right", "Aides"),
    ]
    assert verdict.reasons[2].params == {"given": "Marié", "expected": "Célibataire"}


def test_task_phishing_names_missed_and_wrongly_flagged_messages():
    verdict = try_answer(item("essai-4.1-003"), {"choice": ["s1"]})
    assert codes(verdict) == [("scams_missed", ""), ("scams_extra", "")]
    assert verdict.reasons[0].params["samples"] == "Remboursement !"


def test_task_webmail_says_what_differs_from_the_expected_action():
    fields = {"mail_action": "forward", "message": "m2", "to": "conseiller@exemple.fr"}
    verdict = try_answer(item("essai-4.1-001"), fields)
    assert [r.code for r in verdict.reasons] == ["mail_attachments_wrong", "mail_words_missing"]


def test_malformed_answer_is_refused_on_its_field_and_skip_is_a_failure():
    refused = try_answer(item("essai-1.2-002"), {"number": "douze"})
    assert refused.status is None and refused.refused.field == "number"
    skipped = try_answer(item("essai-1.2-002"), {}, skip=True)
    assert skipped.status is AnswerStatus.SKIPPED and not skipped.accepted


@pytest.mark.parametrize(
    ("answer", "accepted", "tolerance"),
    [
        ("Élan", ["elan"], None),
        ("e-mail", ["email"], ["t1", "t2"]),
        ("courriell", ["courriel"], ["t1", "t2", "t3"]),
        ("xx", ["courriel"], ["t1", "t2", "t3"]),
        ("", ["a"], None),
        ("A", ["a"], []),
    ],
)
def test_match_text_agrees_with_text_matches(answer, accepted, tolerance):
    assert (match_text(answer, accepted, tolerance) is not None) == text_matches(
        answer, accepted, tolerance
    )


def test_every_shipped_item_explains_its_key_and_a_wrong_answer_through_its_form():
    """The preview's check on the whole shipped bank: the key, posted as the page posts it, is
    accepted with reasons; a wrong answer is refused with reasons; nothing raises."""
    from tests.assessments.test_shipped_content import shipped_items

    problems = []
    for file, data in shipped_items():
        checked = ItemData(data["type"], data["body"], data["key"], data.get("tolerance"))
        try:
            right = try_answer(
                checked, form_fields(checked, checking.example_right_response(checked))
            )
            wrong = try_answer(
                checked, form_fields(checked, checking.example_wrong_response(checked))
            )
        except Exception as exc:
            problems.append(f"{file} {data['id']}: {type(exc).__name__}: {exc}")
            continue
        if not (right.accepted and right.reasons):
            problems.append(f"{file} {data['id']}: key {right.status} {right.refused}")
        if wrong.accepted or not wrong.reasons:
            problems.append(f"{file} {data['id']}: wrong answer {wrong.status} {wrong.refused}")
    assert not problems, f"{len(problems)} items:\n" + "\n".join(problems[:30])


def test_a_quantity_is_matched_as_a_number_and_said_so():
    priced = ItemData("qroc", {}, ["125 €"], ["t1", "t2"])
    same = try_answer(priced, {"text": "125,00 euros"})
    assert same.accepted and same.reasons[0].code == "text_quantity"
    assert same.reasons[0].params["variant"] == "125 €"
    other = try_answer(priced, {"text": "1,25 €"})  # t2 would read « 125 »: a number is a number
    assert other.status is AnswerStatus.KO and other.reasons[0].code == "text_no_match"


def test_task_form_email_and_number_boxes_are_explained_by_the_form_checker():
    body = {
        "fields": [
            {"id": "mail", "label": "Courriel", "kind": "email"},
            {"id": "montant", "label": "Montant", "kind": "number"},
        ]
    }
    form = ItemData("task_form", body, {"mail": ["j.martin@exemple.fr"], "montant": ["240"]})
    verdict = try_answer(form, {"field-mail": "jmartin@exemple.fr", "field-montant": "240,00"})
    assert verdict.status is AnswerStatus.KO
    assert codes(verdict) == [("field_wrong", "Courriel"), ("field_right", "Montant")]
