"""Property tests: any single change to a signed credential's claims or proof breaks the proof."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges.ob3 import data_integrity, keys
from tests.badges.ob3.samples import ISSUER_ID, ob_credential

PRIVATE_KEY = keys.ed25519_from_seed(bytes(range(1, 33)))
METHOD = f"{ISSUER_ID}#{keys.ed25519_to_multikey(PRIVATE_KEY)}"
SIGNED = data_integrity.sign(ob_credential(), PRIVATE_KEY, METHOD, created="2026-03-01T09:30:05Z")

Path = tuple[Any, ...]


def _paths(value: Any, path: Path = ()) -> list[Path]:
    """Every leaf and every object member below the root, except ``@context``."""
    found: list[Path] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context":
                continue
            found.append((*path, key))
            found.extend(_paths(item, (*path, key)))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found.append((*path, index))
            found.extend(_paths(item, (*path, index)))
    return found


PATHS = _paths(SIGNED)


def _lookup(document: Any, path: Path) -> Any:
    for step in path:
        document = document[step]
    return document


LEAVES = [p for p in PATHS if isinstance(_lookup(SIGNED, p), str | int | float | bool)]
MEMBERS = [p for p in PATHS if isinstance(p[-1], str)]


def _different(old: Any) -> st.SearchStrategy[Any]:
    if isinstance(old, bool):
        return st.just(not old)
    if isinstance(old, int | float):
        return st.one_of(st.integers(), st.floats(allow_nan=False, allow_infinity=False)).filter(
            lambda new: float(new) != float(old)
        )
    return st.text(max_size=40).filter(lambda new: new != old)


@st.composite
def replaced_leaf(draw: st.DrawFn) -> dict:
    path = draw(st.sampled_from(LEAVES))
    document = copy.deepcopy(SIGNED)
    parent = _lookup(document, path[:-1])
    parent[path[-1]] = draw(_different(parent[path[-1]]))
    return document


@st.composite
def removed_member(draw: st.DrawFn) -> dict:
    path = draw(st.sampled_from(MEMBERS))
    document = copy.deepcopy(SIGNED)
    del _lookup(document, path[:-1])[path[-1]]
    return document


@st.composite
def added_member(draw: st.DrawFn) -> dict:
    objects = [()] + [p for p in PATHS if isinstance(_lookup(SIGNED, p), dict)]
    path = draw(st.sampled_from(objects))
    document = copy.deepcopy(SIGNED)
    target = _lookup(document, path)
    name = draw(st.sampled_from(["note", "name", "description", "url", "comment", "narrative"]))
    value = draw(st.text(min_size=1, max_size=20))
    if name in target:
        target[name] = [target[name], value] if not isinstance(target[name], list) else value
    else:
        target[name] = value
    return document


def test_the_fixture_is_valid() -> None:
    assert data_integrity.verify(SIGNED, PRIVATE_KEY.public_key()).ok
    assert len(LEAVES) > 60 and len(MEMBERS) > 40


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(replaced_leaf(), removed_member(), added_member()))
def test_any_single_change_fails_verification(document: dict) -> None:
    result = data_integrity.verify(document, PRIVATE_KEY.public_key())
    assert not result.ok
    assert result.reason_fr and result.reason_en


@pytest.mark.parametrize("path", [p for p in LEAVES if p[0] == "proof"])
def test_every_proof_field_is_protected(path: Path) -> None:
    document = copy.deepcopy(SIGNED)
    parent = _lookup(document, path[:-1])
    parent[path[-1]] = parent[path[-1]] + "0"
    assert not data_integrity.verify(document, PRIVATE_KEY.public_key()).ok


def test_another_key_fails() -> None:
    other = keys.ed25519_from_seed(bytes(32)).public_key()
    result = data_integrity.verify(SIGNED, other)
    assert not result.ok
    assert "Signature mismatch" in result.reason_en
