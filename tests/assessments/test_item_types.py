"""One home per item type: the registry covers every type, each has its template, its example
answers are right and wrong, its page's form reads back into a response, and the modules that
check answers form no import cycle."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from assessments import checking
from assessments.checking import ItemData
from assessments.content_io import CONTENT_DIR
from assessments.item_types import REGISTRY, definition
from assessments.item_types.base import Posted
from assessments.models import AnswerStatus, ItemType
from assessments.response_errors import InvalidResponse
from tests.assessments.factories import ITEMS, form_fields

ROOT = Path(__file__).parents[2]
TEMPLATES = ROOT / "web" / "templates"
OK, KO = AnswerStatus.OK, AnswerStatus.KO


def example(kind: ItemType) -> ItemData:
    data = next(i for i in ITEMS if i["type"] == kind.value)
    return ItemData(data["type"], data["body"], data["key"], data.get("tolerance"), data["id"])


def test_the_registry_defines_every_item_type_once():
    assert list(REGISTRY) == list(ItemType)
    for kind, found in REGISTRY.items():
        assert found.kind is kind
        assert definition(kind.value) is found
    with pytest.raises(ValueError):
        definition("dessin")


@pytest.mark.parametrize("kind", list(ItemType), ids=str)
def test_each_type_has_its_template(kind):
    assert (TEMPLATES / definition(kind).template).is_file()


@pytest.mark.parametrize("kind", list(ItemType), ids=str)
def test_each_type_accepts_its_right_example_and_refuses_its_wrong_one(kind):
    item = example(kind)
    assert checking.key_problems(item) == []
    assert checking.check(item, checking.example_right_response(item)) is OK
    assert checking.check(item, checking.example_wrong_response(item)) is KO


@pytest.mark.parametrize("kind", list(ItemType), ids=str)
def test_the_form_a_browser_posts_reads_back_into_the_same_verdict(kind):
    item = example(kind)
    for response, verdict in (
        (checking.example_right_response(item), OK),
        (checking.example_wrong_response(item), KO),
    ):
        read = checking.read_form(item, form_fields(item, response))
        assert checking.check(item, read) is verdict


def _first(body: dict, name: str) -> str:
    return body[name][0]["id"]


# What an empty form (only the CSRF token and the buttons) says, and on which field.
EMPTY_FORM = {
    ItemType.QCU: ("choice_expected", lambda body: "choices"),
    ItemType.QCM: ("nothing_ticked", lambda body: "choices"),
    ItemType.QROC: ("empty", lambda body: "text"),
    ItemType.QROCM_IND: ("fields_empty", lambda body: f"field-{_first(body, 'fields')}"),
    ItemType.QROCM_DEP: ("fields_empty", lambda body: f"field-{_first(body, 'fields')}"),
    ItemType.NUMBER: ("number_empty", lambda body: "number"),
    ItemType.ORDERING: ("position_expected", lambda body: f"position-{_first(body, 'items')}"),
    ItemType.MATCHING: ("incomplete_pairs", lambda body: f"pair-{_first(body, 'left')}"),
    ItemType.TASK_WEBMAIL: ("unknown_action", lambda body: "mailbox"),
    ItemType.TASK_FORM: ("form_empty", lambda body: f"field-{_first(body, 'fields')}"),
    ItemType.TASK_PROCEDURE: ("procedure_unfinished", lambda body: "procedure"),
}


@pytest.mark.parametrize("kind", list(ItemType), ids=str)
def test_an_empty_form_is_refused_on_the_field_to_fill_in(kind):
    item = example(kind)
    if kind not in EMPTY_FORM:  # ticking no scam is an answer (a wrong one here)
        assert checking.check(item, checking.read_form(item, {})) is KO
        return
    code, field = EMPTY_FORM[kind]
    with pytest.raises(InvalidResponse) as error:
        checking.read_form(item, {"csrf_token": "x", "item_id": "1"})
    assert (error.value.code, error.value.field) == (code, field(item.body))


def test_a_checker_error_names_the_field_it_belongs_to():
    webmail = example(ItemType.TASK_WEBMAIL)
    with pytest.raises(InvalidResponse) as error:
        checking.check(webmail, {"action": "send", "to": 3})
    assert (error.value.code, error.value.field) == ("addresses_expected", "to")
    ordering = example(ItemType.ORDERING)
    with pytest.raises(InvalidResponse) as error:
        checking.check(ordering, ["x"])
    assert error.value.field == f"position-{_first(ordering.body, 'items')}"


def test_the_ordering_form_refuses_two_steps_at_one_place_on_the_second():
    item = example(ItemType.ORDERING)
    steps = [entry["id"] for entry in item.body["items"]]
    form = {f"position-{s}": str(max(i, 1)) for i, s in enumerate(steps)}
    with pytest.raises(InvalidResponse) as error:
        checking.read_form(item, form)
    assert (error.value.code, error.value.field) == ("duplicate_position", f"position-{steps[1]}")


def test_the_webmail_page_state_opens_only_a_message_that_exists():
    body = example(ItemType.TASK_WEBMAIL).body
    webmail = definition(ItemType.TASK_WEBMAIL)
    opened = webmail.page_state(body, _posted({"message": "m2", "ecrire": "forward"}))
    assert opened["opened"]["id"] == "m2" and opened["compose"] == "forward"
    assert [f["id"] for f in opened["files"]] == ["p1", "cv"]
    unknown = webmail.page_state(body, _posted({"message": "m9", "ecrire": "reply"}))
    assert unknown["opened"] is None and unknown["compose"] is None
    assert definition(ItemType.QCU).page_state({}, _posted({"message": "m2"})) == {}


def _posted(values: dict) -> Posted:
    return Posted(values)


# ------------------------------------------------------------------------------ no import cycle

MODULES = sorted(
    ".".join(path.relative_to(ROOT).with_suffix("").parts)
    for path in (ROOT / "assessments").rglob("*.py")
    if path.name != "__init__.py"
)


# Run in a fresh interpreter: forget Jalon's own modules, import one, report what failed.
IMPORT_EACH_ALONE = """
import importlib, sys
failed = []
for name in sys.argv[1:]:
    for loaded in [m for m in sys.modules if m.split(".")[0] in ("assessments", "learners")]:
        del sys.modules[loaded]
    try:
        importlib.import_module(name)
    except Exception as error:
        failed.append(f"{name}: {error!r}")
print("\\n".join(failed))
"""


def test_each_module_imports_alone():
    """Each module imported first loads whatever it needs: no import cycle among them."""
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_EACH_ALONE, *MODULES],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_no_module_of_the_domain_imports_inside_a_function():
    """An import hidden in a function is how a cycle hides: every import is at the top."""
    hidden = []
    for path in (ROOT / "assessments").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                hidden += [
                    f"{path.relative_to(ROOT)}:{node.lineno}"
                    for node in ast.walk(function)
                    if isinstance(node, ast.Import | ast.ImportFrom)
                ]
    assert hidden == []


def _shipped_ordering_items() -> list[ItemData]:
    files = sorted((CONTENT_DIR / "items").rglob("*.json"))
    return [
        ItemData(d["type"], d["body"], d["key"], None, d["id"])
        for path in files
        for d in json.loads(path.read_text(encoding="utf-8"))["items"]
        if d["type"] == ItemType.ORDERING.value
    ]


def test_every_shipped_ordering_item_is_shown_shuffled_never_in_the_key_order():
    """dev-web-1.4-002 and many others list their steps in the right order: shown as stored,
    an untouched submit was right (issue 12). The shuffle depends on the session's seed."""
    ordering = definition(ItemType.ORDERING)
    items = _shipped_ordering_items()
    assert any(i.uid == "dev-web-1.4-002" for i in items)
    for it in items:
        orders = set()
        for seed in range(12):
            shown = [
                e["id"] for e in ordering.shown_body(it.body, it.key, f"{seed}:{it.uid}")["items"]
            ]
            assert sorted(shown) == sorted(it.key), it.uid
            assert shown != list(it.key), (it.uid, seed)
            assert checking.check(it, list(it.key)) is OK
            orders.add(tuple(shown))
        if len(it.key) >= 3:
            assert len(orders) > 1, f"{it.uid}: the same order for every session"


def test_the_shown_order_is_the_same_for_one_seed_and_keeps_the_step_texts():
    ordering = definition(ItemType.ORDERING)
    it = example(ItemType.ORDERING)
    first = ordering.shown_body(it.body, it.key, "42:essai-1.2-003")
    assert first == ordering.shown_body(it.body, it.key, "42:essai-1.2-003")
    assert sorted(first["items"], key=lambda e: e["id"]) == sorted(
        it.body["items"], key=lambda e: e["id"]
    )
    assert it.body["items"][0]["id"] == "x"  # the stored body is left as it was


def test_other_types_are_shown_as_stored():
    for kind in ItemType:
        if kind is not ItemType.ORDERING:
            it = example(kind)
            assert definition(kind).shown_body(it.body, it.key, "1:x") == it.body
