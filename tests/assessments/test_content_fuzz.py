"""Fuzzing the content import: shipped files changed at random (a value of another JSON type,
a key deleted, an unknown key added, a value wrapped in a list) either import or are refused
with located French errors, never another exception, and a refusal imports nothing."""

from __future__ import annotations

import copy
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from assessments.content_io import (
    CONTENT_DIR,
    ContentInvalid,
    ImportReport,
    dump,
    import_documents,
    parse_text,
)
from assessments.models import Alignment, Competence, Domain, Framework, Item, LevelDescriptor
from web.cli.assess import assess

# A framework and one of its item files; together they hold every item type, both framework
# kinds, occupation and certification.
CASES = [
    ("crcn", "crcn/1.1.json"),  # qcm, ordering, qrocm_dep
    ("crcn", "crcn/1.2.json"),  # matching, number, task_form
    ("crcn", "crcn/3.2.json"),  # qroc, qrocm_ind
    ("premiers-pas", "premiers-pas/2.1.json"),  # referral kind, task_webmail
    ("premiers-pas", "premiers-pas/3.1.json"),  # task_phishing
    ("dev-web", "dev-web/1.2.json"),  # occupation, certification
]
SHIPPED = {
    name: json.loads(path.read_text(encoding="utf-8"))
    for slug, items in CASES
    for name, path in (
        (f"frameworks/{slug}.json", CONTENT_DIR / "frameworks" / f"{slug}.json"),
        (f"items/{items}", CONTENT_DIR / "items" / items),
    )
}
MODELS = (Framework, Domain, Competence, LevelDescriptor, Alignment, Item)

_scalars = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
)
# Values by JSON type; texts include some that mean something in these files.
VALUES: dict[str, st.SearchStrategy[Any]] = {
    "str": st.one_of(
        st.sampled_from(["", " ", "a", "1.1", "qcu", "ok", "t1", "validated", "2019-919"]),
        st.text(max_size=40),
    ),
    "int": st.one_of(st.sampled_from([0, 1, 3, 8, 60, -1]), st.integers()),
    "float": st.floats(allow_nan=False, allow_infinity=False),
    "bool": st.booleans(),
    "null": st.none(),
    "list": st.lists(_scalars, max_size=3),
    "dict": st.dictionaries(st.text(max_size=8), _scalars, max_size=3),
}


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "bool", int: "int", float: "float", str: "str", list: "list", dict: "dict"}[
        type(value)
    ]


def nodes(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """Every JSON path of a document, the root first."""
    yield path
    if isinstance(value, dict | list):
        for key, child in value.items() if isinstance(value, dict) else enumerate(value):
            yield from nodes(child, (*path, key))


def at(document: Any, path: tuple) -> Any:
    for key in path:
        document = document[key]
    return document


def put(document: Any, path: tuple, value: Any) -> Any:
    """``document`` with ``value`` at ``path`` (the new root when ``path`` is the root)."""
    if not path:
        return value
    at(document, path[:-1])[path[-1]] = value
    return document


@st.composite
def mutation(draw: st.DrawFn, document: Any) -> Any:
    """One structural change of ``document`` (changed in place; returns the new root)."""
    paths = list(nodes(document))
    operation = draw(st.sampled_from(["replace", "delete", "add", "wrap"]))
    if operation == "delete":
        members = [p for p in paths if p and isinstance(at(document, p[:-1]), dict)]
        if members:
            path = draw(st.sampled_from(members))
            del at(document, path[:-1])[path[-1]]
        return document
    if operation == "add":
        objects = [p for p in paths if isinstance(at(document, p), dict)]
        if objects:
            target = at(document, draw(st.sampled_from(objects)))
            kind = draw(st.sampled_from(sorted(VALUES)))
            target["zz-" + draw(st.text(max_size=8))] = draw(VALUES[kind])
        return document
    path = draw(st.sampled_from(paths))
    node = at(document, path)
    if operation == "wrap":
        return put(document, path, [node])
    kind = draw(st.sampled_from([k for k in sorted(VALUES) if k != json_type(node)]))
    return put(document, path, draw(VALUES[kind]))


@st.composite
def mangled_pair(draw: st.DrawFn) -> list[tuple[str, Any]]:
    """A shipped framework file and item file, one or both changed one to three times."""
    slug, items = draw(st.sampled_from(CASES))
    names = [f"frameworks/{slug}.json", f"items/{items}"]
    targets = draw(st.sampled_from([names[:1], names[1:], names]))
    documents = []
    for name in names:
        document = copy.deepcopy(SHIPPED[name])
        if name in targets:
            for _ in range(draw(st.integers(1, 3))):
                document = draw(mutation(document))
        documents.append((name, document))
    return documents


def counts(db) -> list[int]:
    return [db.scalar(select(func.count()).select_from(model)) for model in MODELS]


def assert_located(invalid: ContentInvalid, names: list[str]) -> None:
    assert invalid.errors
    for error in invalid.errors:
        assert error.file in names
        assert isinstance(error.path, str)
        assert isinstance(error.message, str) and error.message.strip()
        assert error.line is None or error.line >= 1


FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@settings(FUZZ, max_examples=150)
@given(documents=mangled_pair())
def test_a_mangled_file_imports_or_is_refused_with_located_errors(dbsession, documents):
    parsed = [parse_text(dump(document), name) for name, document in documents]
    before = counts(dbsession)
    try:
        report = import_documents(dbsession, parsed)
    except ContentInvalid as invalid:
        assert_located(invalid, [name for name, _ in documents])
        assert counts(dbsession) == before, "a refused import must write nothing"
    else:
        assert isinstance(report, ImportReport) and report.files == 2
    finally:
        dbsession.rollback()


_runs = itertools.count()


@settings(FUZZ, max_examples=25)
@given(documents=mangled_pair())
def test_the_import_command_reports_a_mangled_file_in_french(app, tmp_path, documents):
    from web.database import db

    folder = tmp_path / f"run{next(_runs)}"
    for name, document in documents:
        path: Path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump(document), encoding="utf-8")
    with app.app_context():
        before = counts(db.session)
    result = app.test_cli_runner().invoke(assess, ["import", str(folder)])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code == 0:
        assert "fichiers lus" in result.output
        return
    assert result.exit_code in (1, 2)
    assert "Erreur : " in result.output and "rien n'a été importé" in result.output
    with app.app_context():
        assert counts(db.session) == before


def test_a_nul_character_in_any_text_is_refused_before_anything_is_written(dbsession):
    framework = json.loads((CONTENT_DIR / "frameworks" / "premiers-pas.json").read_text())
    framework["domains"][0]["competences"][0]["title"]["fr"] += "\x00"
    document = parse_text(json.dumps(framework), "premiers-pas.json")
    with pytest.raises(ContentInvalid) as refused:
        import_documents(dbsession, [document])
    messages = [(e.path, e.message) for e in refused.value.errors]
    assert (
        "domains[0].competences[0].title.fr",
        "caractère nul (\\u0000) interdit dans un texte",
    ) in messages
    assert dbsession.scalar(select(func.count()).select_from(Framework)) == 0
