"""Practice procedures (``task_procedure``): the path a learner takes screen by screen is judged
on the server — right, wrong, half right, a wrong turn — and a tampered or malformed one is
refused with a French message, never judged; the import refuses a procedure that cannot end;
the page walks the path from its query string."""

from __future__ import annotations

import copy

import pytest

from assessments import checking
from assessments.checking import ItemData
from assessments.item_types import definition
from assessments.item_types.base import Posted
from assessments.models import AnswerStatus, ItemType
from assessments.response_errors import InvalidResponse
from tests.assessments.factories import ITEMS, procedure_fields

OK, KO = AnswerStatus.OK, AnswerStatus.KO
PROCEDURE = definition(ItemType.TASK_PROCEDURE)
RIGHT = {"s1": "fc", "s2": "ameli", "s3": {"code": "482913"}}


def example() -> ItemData:
    data = next(i for i in ITEMS if i["type"] == "task_procedure")
    return ItemData(data["type"], copy.deepcopy(data["body"]), data["key"], None, data["id"])


def test_the_right_path_is_right_and_each_wrong_turn_is_wrong():
    item = example()
    assert checking.check(item, RIGHT) is OK
    assert checking.check(item, {**RIGHT, "s3": {"code": " 482913 "}}) is OK  # ends trimmed
    assert checking.check(item, {**RIGHT, "s2": "laposte"}) is KO  # another account
    assert checking.check(item, {**RIGHT, "s3": {"code": "482 91"}}) is KO  # code mistyped
    assert checking.check(item, {"s1": "oubli", "fin": "fermer"}) is KO  # a wrong turn


def test_half_right_is_wrong_and_each_screen_says_why():
    item = example()
    half = {**RIGHT, "s3": {"code": "000000"}}
    assert checking.check(item, half) is KO
    reasons = PROCEDURE.explain(item.body, item.key, half, None)
    assert [(r.code, r.part) for r in reasons] == [
        ("choice_right", "Votre espace particulier"),
        ("choice_right", "Choisir un compte"),
        ("field_wrong", "Code reçu par SMS"),
    ]
    assert reasons[2].params == {"given": "000000", "expected": "482913"}
    turned = PROCEDURE.explain(item.body, item.key, {"s1": "oubli", "fin": "fermer"}, None)
    assert [r.code for r in turned] == ["choice_wrong", "step_not_reached", "step_not_reached"]
    assert turned[0].params["choice"] == "Mot de passe oublié"


@pytest.mark.parametrize(
    ("response", "code"),
    [
        (None, "procedure_expected"),
        ("fc", "procedure_expected"),
        ({}, "procedure_expected"),
        ({"s1": "fc"}, "procedure_unfinished"),  # stops half-way
        ({"s1": "fc", "s2": "ameli"}, "procedure_unfinished"),
        ({**RIGHT, "s9": "x"}, "unknown_step"),  # a screen that does not exist
        ({**RIGHT, "fin": "fermer"}, "unknown_step"),  # a screen the path never showed
        ({"s1": ["fc"], "s2": "ameli"}, "step_choice_expected"),
        ({"s1": "zzz"}, "unknown_choice"),
        ({"s1": "fc", "s2": "ameli", "s3": "482913"}, "fields_expected"),
        ({"s1": "fc", "s2": "ameli", "s3": {"pin": "1"}}, "unknown_field"),
        ({"s1": "fc", "s2": "ameli", "s3": {"code": ""}}, "step_empty"),
        ({"s1": "fc", "s2": "ameli", "s3": {"code": 482913}}, "text_expected"),
    ],
)
def test_a_tampered_or_malformed_path_is_refused_with_a_french_message(response, code):
    with pytest.raises(InvalidResponse) as error:
        checking.check(example(), response)
    assert error.value.code == code
    assert error.value.message[0].isupper()
    assert error.value.field == "procedure"


def test_the_posted_page_reads_back_into_the_path_and_an_unfinished_one_is_refused():
    item = example()
    assert checking.read_form(item, procedure_fields(RIGHT)) == RIGHT
    # Answers for screens off the path are dropped, as the page never shows them.
    posted = {**procedure_fields(RIGHT), "step-fin": "fermer"}
    assert checking.read_form(item, posted) == RIGHT
    with pytest.raises(InvalidResponse) as error:
        checking.read_form(item, {"step-s1": "fc", "step-s2": "ameli"})
    assert (error.value.code, error.value.field) == ("procedure_unfinished", "procedure")


def _problems(body: dict, key: dict) -> list[str]:
    return [f"{path}: {message}" for path, message in PROCEDURE.problems(body, key)]


def test_the_import_refuses_a_procedure_that_cannot_be_walked_to_its_end():
    item = example()
    assert PROCEDURE.problems(item.body, item.key) == []
    looping = copy.deepcopy(item.body)
    looping["screens"][2]["next"] = "s1"
    assert "revient sur l'écran s1" in " ".join(_problems(looping, item.key))
    lost = copy.deepcopy(item.body)
    lost["screens"].append({"id": "seul", "title": "Seul", "choices": [{"id": "a", "text": "A"}]})
    assert "jamais atteints : seul" in " ".join(_problems(lost, item.key))
    unknown = copy.deepcopy(item.body)
    unknown["screens"][0]["choices"][0]["next"] = "nulle-part"
    assert "écran inconnu : nulle-part" in " ".join(_problems(unknown, item.key))
    both = copy.deepcopy(item.body)
    both["screens"][0]["fields"] = [{"id": "x", "label": "X"}]
    assert "l'un des deux" in " ".join(_problems(both, item.key))
    message = copy.deepcopy(item.body)
    message["screens"][2]["message"] = {"kind": "pigeon", "text": "…"}
    assert "body.screens[2].message" in " ".join(_problems(message, item.key))


def _one(**screen) -> dict:
    return {"screens": [{"id": "s1", "title": "T", **screen}]}


A = [{"id": "a", "text": "A"}]


@pytest.mark.parametrize(
    ("body", "key"),
    [
        ({}, {"s1": "a"}),
        ({"screens": "s1"}, {"s1": "a"}),
        ({"screens": [3]}, {"s1": "a"}),
        (_one(choices=[{"id": "a", "text": "A", "next": ["x"]}]), {"s1": "a"}),
        (_one(choices=A), {"s1": ["a"]}),
        (_one(choices=A), ["s1"]),
        (_one(title=["T"], fields=[{"id": "f", "label": "F"}], next=2), {"s1": {"f": "x"}}),
        (_one(fields=[{"id": "f", "label": "F", "kind": ["text"]}]), {"s1": {"f": [1]}}),
        (_one(message="SMS", choices=[{"id": "a"}]), {"s1": "a"}),
    ],
)
def test_a_malformed_procedure_is_reported_never_raised(body, key):
    assert PROCEDURE.problems(body, key)


def test_the_import_refuses_a_key_that_does_not_fit_its_screens():
    body = example().body
    assert "key.s9: écran inconnu" in _problems(body, {**RIGHT, "s9": "x"})
    assert "identifiant d'un choix" in " ".join(_problems(body, {"s1": "zzz"}))
    assert "key.s3.pin: champ inconnu" in _problems(body, {"s3": {"pin": ["1"]}})
    # Along the right path, every screen with several ways on is in the key; one whose
    # choices all lead to the same screen need not be (any account would do).
    assert "key.s1: la clé doit dire" in " ".join(_problems(body, {"s2": "ameli"}))
    assert _problems(body, {"s1": "fc", "s3": {"code": ["482913"]}}) == []
    # A keyed screen the key's own path never reaches cannot be answered right.
    off_path = {"s1": "fc", "s2": "ameli", "fin": "fermer"}
    assert "hors du chemin juste : fin" in " ".join(_problems(body, off_path))


def _state(values: dict) -> dict:
    return PROCEDURE.page_state(example().body, Posted(values))


def test_the_page_walks_the_path_from_its_query_string_and_says_why_it_stays():
    first = _state({})
    assert first["screen"]["id"] == "s1" and first["path"] == [] and first["step_number"] == 1
    assert first["problem"] == ""
    assert _state({"ecran": "s1"})["problem"] == "nav_choice"  # « Continuer » with no choice
    third = _state({"step-s1": "fc", "step-s2": "ameli"})
    assert third["screen"]["id"] == "s3" and third["step_number"] == 3
    assert third["hidden"] == {"step-s1": ["fc"], "step-s2": ["ameli"]}
    assert third["back"] == {"step-s1": ["fc"]}
    empty = _state({"step-s1": "fc", "step-s2": "ameli", "step-s3": "ok", "step-s3-code": ""})
    assert empty["screen"]["id"] == "s3" and empty["problem"] == "step_empty"
    done = _state(procedure_fields(RIGHT))
    assert done["screen"] is None and [s["id"] for s in done["path"]] == ["s1", "s2", "s3"]
    assert done["hidden"]["step-s3-code"] == ["482913"]
    tampered = _state({"step-s1": "zzz"})
    assert tampered["screen"]["id"] == "s1" and tampered["problem"] == "unknown_choice"
