"""Answer checking: every item type, tolerances (with Hypothesis), malformed responses."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.checking import (
    ItemData,
    check,
    example_right_response,
    example_wrong_response,
    key_problems,
)
from assessments.item_types.qrocm import distinct_groups_matched
from assessments.models import AnswerStatus
from assessments.response_errors import InvalidResponse
from assessments.tolerances import levenshtein, normalise, parse_number, t1, t2, text_matches
from tests.assessments.factories import ITEMS

OK, KO = AnswerStatus.OK, AnswerStatus.KO


def item(uid: str) -> ItemData:
    data = next(i for i in ITEMS if i["id"] == uid)
    return ItemData(data["type"], data["body"], data["key"], data.get("tolerance"), uid)


@pytest.mark.parametrize("data", ITEMS, ids=lambda d: d["type"])
def test_every_type_accepts_its_key_and_refuses_a_wrong_answer(data):
    it = ItemData(data["type"], data["body"], data["key"], data.get("tolerance"))
    assert key_problems(it) == []
    assert check(it, example_right_response(it)) is OK
    assert check(it, example_wrong_response(it)) is KO


# --- tolerances ------------------------------------------------------------------------------


def test_t1_trims_lowercases_strips_accents_and_spaces():
    assert t1("  Élément  Numérique ") == "elementnumerique"


def test_t2_drops_punctuation():
    assert t2("l'ordinateur, vite !") == "lordinateur vite"


def test_tolerances_are_switchable():
    assert text_matches("ÉCOLE", ["ecole"], ["t1"])
    assert not text_matches("ÉCOLE", ["ecole"], [])
    assert text_matches("e-mail", ["email"], ["t1", "t2"])
    assert not text_matches("e-mail", ["email"], ["t1"])
    assert text_matches("moteur de recherce", ["moteur de recherche"], ["t1", "t3"])
    assert not text_matches("moteur de recherce", ["moteur de recherche"], ["t1", "t2"])
    assert not text_matches("voiture", ["moteur"], ["t1", "t2", "t3"])


def test_non_breaking_spaces_are_plain_spaces():
    assert normalise("mot\u00a0de\u202fpasse", []) == "mot de passe"


texts = st.text(alphabet=string.ascii_letters + string.digits + " éèàçÉ'-,.!", max_size=30)


@given(texts)
def test_t1_is_idempotent_and_has_no_space_or_upper_case(text):
    once = t1(text)
    assert t1(once) == once
    assert once == once.lower()
    assert not any(ch.isspace() for ch in once)


@given(texts)
def test_t2_keeps_only_letters_digits_and_single_spaces(text):
    out = t2(text)
    assert all(ch.isalnum() or ch == " " for ch in out)
    assert "  " not in out
    assert t2(out) == out


@given(texts)
def test_an_answer_always_matches_itself_under_any_tolerance(text):
    for tolerance in ([], ["t1"], ["t2"], ["t1", "t2"], ["t1", "t2", "t3"]):
        if normalise(text, tolerance):
            assert text_matches(text, [text], tolerance)


@given(texts, texts)
def test_levenshtein_is_a_distance(left, right):
    assert levenshtein(left, right) == levenshtein(right, left)
    assert (levenshtein(left, right) == 0) == (left == right)
    assert levenshtein(left, right) <= max(len(left), len(right))


@given(texts, texts)
def test_t3_only_widens_what_t1_t2_accept(answer, key):
    if text_matches(answer, [key], ["t1", "t2"]):
        assert text_matches(answer, [key], ["t1", "t2", "t3"])


# --- numbers -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value"),
    [("12,5", 12.5), ("12.5", 12.5), (" 1 234,5 ", 1234.5), ("1.234,5", 1234.5),
     ("1,234.5", 1234.5), ("-3", -3.0), ("12,5 €", 12.5), ("1\u202f000", 1000.0), (",5", 0.5)],
)  # fmt: skip
def test_numbers_are_read_the_french_way(typed, value):
    assert parse_number(typed, "€") == pytest.approx(value)


@pytest.mark.parametrize("typed", ["douze", "1,2,3", "", "12..5", "--3", None, True, "nan"])
def test_what_is_not_a_number_is_an_invalid_response(typed):
    with pytest.raises(InvalidResponse):
        parse_number(typed)


@given(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: round(x, 2)))
def test_a_number_written_with_a_comma_reads_back(value):
    assert parse_number(f"{value:.2f}".replace(".", ",")) == pytest.approx(value)


@pytest.mark.parametrize(
    ("typed", "right"),
    [("125", True), ("125,00", True), ("125,00 €", True), ("125 EUR", True), (" 125 euros ", True),
     ("135 euros", False), ("126", False), ("1,25", False), ("12,5", False), ("1 250", False),
     ("125 dollars", False), ("cent vingt-cinq", False)],
)  # fmt: skip
def test_a_number_in_a_text_answer_is_compared_as_a_number_under_every_tolerance(typed, right):
    """t2 once read « 1,25 » as « 125 », t3 took « 135 euros » for « 125 euros » (issue 12)."""
    for tolerance in (["t1"], ["t1", "t2"], ["t1", "t2", "t3"]):
        assert text_matches(typed, ["125", "125 €", "125 euros"], tolerance) is right


def test_a_number_with_a_leading_zero_is_a_code_compared_as_text():
    phone = ["06 12 34 56 78", "0612345678"]
    assert text_matches("06.12.34.56.78", phone)
    assert not text_matches("612345678", phone)
    assert not text_matches("6 12 34 56 78", phone)


def test_a_key_given_without_a_unit_accepts_any_unit_one_with_units_only_those():
    assert text_matches("6 colonnes", ["6"])
    assert text_matches("6 colonnes", ["6", "6 colonnes"])
    assert not text_matches("6 lignes", ["6", "6 colonnes"])
    assert text_matches("2 mn", ["2", "2 minutes"])


def test_t3_still_forgives_typos_in_words():
    assert text_matches("navigateure", ["navigateur"], ["t1", "t2", "t3"])
    assert not text_matches("navigateure", ["navigateur"], ["t1", "t2"])


def test_a_number_box_in_a_form_task_compares_numbers_not_digits():
    """« 240,00 » is 240 € and « 24 000 » is not: t2 once turned both into « 24000 »."""
    form = ItemData(
        "task_form",
        {"site": "x", "fields": [{"id": "salaire", "label": "Salaire brut", "kind": "number"}]},
        {"salaire": ["240", "240 €"]},
    )
    for typed in ("240", "240,00", "240,00 €", "240 euros", "240.0"):
        assert check(form, {"salaire": typed}) is OK, typed
    for typed in ("24000", "24 000", "2,40", "24 000 €", "250"):
        assert check(form, {"salaire": typed}) is KO, typed
    with pytest.raises(InvalidResponse) as error:
        check(form, {"salaire": "deux cent quarante"})
    assert (error.value.code, error.value.field) == ("number_expected", "field-salaire")


def test_an_email_box_in_a_form_task_needs_every_dot_and_no_space():
    """t2 dropped the dots: « jmartin@… » was taken for « j.martin@… » (review of crcn-2.1-029)."""
    form = ItemData(
        "task_form",
        {"site": "x", "fields": [{"id": "contact", "kind": "email"}]},
        {"contact": ["j.martin@association.example"]},
    )
    assert check(form, {"contact": " J.Martin@Association.example "}) is OK
    for wrong in ("jmartin@association.example", "j. martin@association.example",
                  "j.martin@associationexample"):  # fmt: skip
        assert check(form, {"contact": wrong}) is KO, wrong


def test_a_box_marked_exact_takes_a_login_or_a_code_as_written_case_aside():
    """« k.haddad » is another account than « khaddad » (review of systemes-reseaux-3.1-006)."""
    form = ItemData(
        "task_form",
        {"site": "x", "fields": [{"id": "identifiant", "kind": "text", "compare": "exact"}]},
        {"identifiant": ["khaddad"]},
    )
    assert check(form, {"identifiant": " KHaddad "}) is OK
    for wrong in ("k.haddad", "k haddad", "k-haddad", "khadad"):
        assert check(form, {"identifiant": wrong}) is KO, wrong


def test_compare_takes_only_exact():
    from assessments.item_types import definition

    body = {"site": "x", "fields": [{"id": "n", "kind": "text", "compare": "approx"}]}
    problems = definition("task_form").problems(body, {"n": ["a"]})
    assert ("body.fields[0].compare", "seule valeur possible : « exact »") in problems


def test_a_number_box_reads_a_leading_zero_as_a_number():
    form = ItemData(
        "task_form", {"site": "x", "fields": [{"id": "n", "kind": "number"}]}, {"n": ["3"]}
    )
    assert check(form, {"n": "03"}) is OK


@pytest.mark.parametrize(
    "data",
    [
        ItemData("qroc", {}, ["125", "125 €"], ["t1", "t2", "t3"]),
        ItemData("qroc", {}, ["le 3018"], ["t1", "t3"]),
        ItemData("qrocm_ind", {"fields": [{"id": "f1"}]}, {"f1": ["mars 2026"]}, ["t3"]),
        ItemData(
            "qrocm_dep",
            {"fields": [{"id": "f1"}]},
            {"required": 1, "answers": [["a"], ["12 h"]]},
            ["t1", "t3"],
        ),
        ItemData("number", {"label": "x"}, {"value": 12}, ["t3"]),
    ],
    ids=["qroc", "qroc-code", "qrocm_ind", "qrocm_dep", "number"],
)
def test_the_typo_tolerance_is_refused_on_an_answer_that_holds_a_number(data):
    assert [p for p in key_problems(data) if p[0] == "tolerance"]


def test_the_typo_tolerance_is_kept_on_words():
    assert key_problems(ItemData("qroc", {}, ["navigateur"], ["t1", "t2", "t3"])) == []


def test_a_number_box_key_must_hold_numbers():
    form = ItemData(
        "task_form", {"site": "x", "fields": [{"id": "n", "kind": "number"}]}, {"n": ["vingt"]}
    )
    assert key_problems(form)[0][0] == "key.n"


def test_number_tolerance_is_absolute():
    number = item("essai-1.2-002")
    assert check(number, "12,51") is OK
    assert check(number, "12,52") is KO


# --- type-specific rules -----------------------------------------------------------------------


def test_qcm_needs_the_exact_set():
    qcm = item("essai-1.1-002")
    assert check(qcm, ["c", "a"]) is OK
    assert check(qcm, ["a"]) is KO
    assert check(qcm, ["a", "b", "c"]) is KO


def test_qrocm_dep_needs_distinct_groups_in_any_order():
    dep = item("essai-1.2-001")
    assert check(dep, {"f1": "Firefox", "f2": "Google Chrome"}) is OK
    assert check(dep, {"f1": "chrome", "f2": "google chrome"}) is KO  # same group twice
    assert check(dep, {"f1": "edge", "f2": "opera"}) is KO


def test_qrocm_dep_counts_one_answer_once_and_for_its_closest_group_only():
    groups = [["taux de rebond"], ["taux de retour"]]  # one t3 typo-ratio apart
    typo = ["t1", "t2", "t3"]
    assert distinct_groups_matched(["taux de rebond", "taux de rebond"], groups, typo) == 1
    assert distinct_groups_matched(["taux de rebond", "taux de rebon"], groups, typo) == 1
    assert distinct_groups_matched(["taux de rebond", "taux de retour"], groups, typo) == 2
    assert distinct_groups_matched(["taux de rebon", "taux de retou"], groups, typo) == 2


def test_qrocm_ind_needs_every_field_right():
    ind = item("essai-1.1-004")
    assert check(ind, {"f1": "paris", "f2": "75001"}) is OK
    assert check(ind, {"f1": "paris", "f2": "75002"}) is KO


def test_webmail_task_compares_addresses_case_insensitively_and_attachments_as_a_set():
    task = item("essai-4.1-001")
    right = {"action": "forward", "message": "m2", "to": "conseiller@EXEMPLE.fr",
             "attachments": ["cv"], "body": "Voici mon cv."}  # fmt: skip
    assert check(task, right) is OK
    assert check(task, {**right, "attachments": ["cv", "p1"]}) is KO
    assert check(task, {**right, "message": "m1"}) is KO
    assert check(task, {**right, "body": "Bonjour"}) is KO


def test_form_task_reads_french_dates_and_tolerates_case():
    task = item("essai-4.1-002")
    right = {"nom": "DUPONT ", "naissance": "12/05/1984", "situation": "celibataire",
             "aides": ["rsa"]}  # fmt: skip
    assert check(task, right) is OK
    assert check(task, {**right, "aides": ["rsa", "apl"]}) is KO
    with pytest.raises(InvalidResponse) as error:
        check(task, {**right, "naissance": "31/02/1984"})
    assert error.value.code == "date_expected"


def test_phishing_task_needs_exactly_the_scams():
    task = item("essai-4.1-003")
    assert check(task, ["s2"]) is OK
    assert check(task, ["s1", "s2"]) is KO
    assert check(task, []) is KO


@pytest.mark.parametrize(
    ("uid", "response", "code"),
    [
        ("essai-1.1-001", "z", "unknown_choice"),
        ("essai-1.1-001", 3, "choice_expected"),
        ("essai-1.1-002", [], "empty"),
        ("essai-1.1-002", ["a", "a"], "duplicate_choice"),
        ("essai-1.1-003", "   ", "empty"),
        ("essai-1.1-003", ["liste"], "text_expected"),
        ("essai-1.1-004", {"f9": "x"}, "unknown_field"),
        ("essai-1.1-004", "texte", "fields_expected"),
        ("essai-1.2-003", ["x", "y"], "incomplete_order"),
        ("essai-1.2-004", {"l1": "r2"}, "incomplete_pairs"),
        ("essai-4.1-001", {"action": "imprimer"}, "unknown_action"),
        ("essai-4.1-003", ["s9"], "unknown_choice"),
    ],
)
def test_malformed_responses_raise_a_precise_error_in_french(uid, response, code):
    with pytest.raises(InvalidResponse) as error:
        check(item(uid), response)
    assert error.value.code == code
    assert error.value.message[0].isupper()


def test_key_problems_say_when_the_key_does_not_fit_the_type():
    qcu = ItemData("qcu", {"choices": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]}, ["a"])
    assert key_problems(qcu)[0][0] == "key"
    qcm = ItemData("qcm", qcu.body, ["a", "z"])
    assert "z" in key_problems(qcm)[0][1]
    number = ItemData("number", {"label": "x"}, {"value": "douze"})
    assert key_problems(number)[0][0] == "key.value"


def test_every_error_code_raised_is_listed_for_the_web_layer():
    import re
    from pathlib import Path

    from assessments import item_types, response_errors, tolerances

    sources = [Path(tolerances.__file__), *Path(item_types.__file__).parent.glob("*.py")]
    raised = set()
    for source in sources:
        text = source.read_text(encoding="utf-8")
        raised |= set(re.findall(r'InvalidResponse\(\s*"([a-z_]+)"', text))
    assert raised == set(response_errors.RESPONSE_ERROR_CODES)
