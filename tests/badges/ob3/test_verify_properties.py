"""Properties: any single change to a signed credential breaks it; any input gives a result.

Arbitrary bytes presented as JSON, PNG, SVG or JWS must come back as a non-valid result with a
reason, never as an exception, never as an internal error and never after a network call (sockets
are watched).
"""

from __future__ import annotations

import base64
import copy
import json
import socket
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges.ob3 import baking
from badges.ob3.verify import Verdict, verify_bytes, verify_credential

from .credentials import NOW, local_resolver, signed_credential

SIGNED = signed_credential()
PROPERTY_SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _leaves(value: Any, path: tuple = ()) -> list[tuple]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, (*path, i))]
    return [path]


LEAVES = _leaves(SIGNED)


def _get(document: Any, path: tuple) -> Any:
    for step in path:
        document = document[step]
    return document


def _set(document: Any, path: tuple, value: Any) -> None:
    _get(document, path[:-1])[path[-1]] = value


def _remove(document: Any, path: tuple) -> None:
    del _get(document, path[:-1])[path[-1]]


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record (and refuse) every attempt to resolve a name or open a connection."""
    attempts: list[str] = []

    def refuse(name: str):
        def guard(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{name}{args[:2]}")
            raise OSError("network access is forbidden in this test")

        return guard

    monkeypatch.setattr(socket, "getaddrinfo", refuse("getaddrinfo"))
    monkeypatch.setattr(socket, "create_connection", refuse("create_connection"))
    monkeypatch.setattr(socket.socket, "connect", refuse("connect"))
    return attempts


def test_the_unchanged_credential_is_valid():
    assert verify_credential(SIGNED, resolver=local_resolver(), now=NOW).verdict is Verdict.VALID


@PROPERTY_SETTINGS
@given(path=st.sampled_from(LEAVES), data=st.data())
def test_any_single_change_to_a_signed_credential_fails(path, data):
    original = _get(SIGNED, path)
    if isinstance(original, bool):
        replacement: Any = not original
    elif isinstance(original, str):
        replacement = data.draw(st.text(max_size=40).filter(lambda s: s != original))
    else:
        replacement = data.draw(st.integers().filter(lambda n: n != original))
    tampered = copy.deepcopy(SIGNED)
    if data.draw(st.booleans(), label="remove instead"):
        _remove(tampered, path)
    else:
        _set(tampered, path, replacement)
    result = verify_credential(tampered, resolver=local_resolver(), now=NOW)
    assert result.verdict is not Verdict.VALID, (path, replacement)
    assert any(c.status.value != "passed" for c in result.checks)


@PROPERTY_SETTINGS
@given(key=st.text(min_size=1, max_size=20), value=st.text(max_size=20))
def test_an_added_claim_fails(key, value):
    tampered = copy.deepcopy(SIGNED)
    if key in tampered:
        return
    tampered["credentialSubject"]["achievement"][key] = value
    result = verify_credential(tampered, resolver=local_resolver(), now=NOW)
    assert result.verdict is not Verdict.VALID


def _assert_reported_invalid(result, attempts: list[str]) -> None:
    assert result.verdict is not Verdict.VALID
    # Hostile input is a finding about the badge, not a fault of ours (logged, internal error).
    assert result.verdict is not Verdict.INTERNAL_ERROR, result.checks
    failing = [c for c in result.checks if c.status.value != "passed"]
    assert failing and all(c.message_fr and c.message_en for c in failing)
    assert attempts == []


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)


@PROPERTY_SETTINGS
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_are_reported_invalid(no_network, data):
    for filename in (None, "badge.json", "badge.png", "badge.svg", "badge.jwt"):
        _assert_reported_invalid(verify_bytes(data, filename=filename), no_network)


@PROPERTY_SETTINGS
@given(tail=st.binary(max_size=1024))
def test_arbitrary_png_like_bytes_are_reported_invalid(no_network, tail):
    _assert_reported_invalid(verify_bytes(baking.PNG_SIGNATURE + tail), no_network)


@PROPERTY_SETTINGS
@given(body=st.text(max_size=300), attribute=st.text(max_size=60))
def test_arbitrary_svg_like_text_is_reported_invalid(no_network, body, attribute):
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0">'
        f"<openbadges:credential verify={json.dumps(attribute)}/>{body}</svg>"
    )
    _assert_reported_invalid(verify_bytes(svg.encode("utf-8", "replace")), no_network)


@PROPERTY_SETTINGS
@given(document=json_values)
def test_arbitrary_json_is_reported_invalid(no_network, document):
    data = json.dumps(document).encode()
    _assert_reported_invalid(verify_bytes(data, filename="badge.json"), no_network)
    if isinstance(document, dict):
        _assert_reported_invalid(verify_credential(document), no_network)


@PROPERTY_SETTINGS
@given(header=json_values, payload=json_values, signature=st.binary(max_size=80))
def test_arbitrary_jws_is_reported_invalid(no_network, header, payload, signature):
    def part(raw: bytes) -> str:
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    token = ".".join(
        [part(json.dumps(header).encode()), part(json.dumps(payload).encode()), part(signature)]
    )
    _assert_reported_invalid(verify_bytes(token.encode(), filename="badge.jwt"), no_network)
    _assert_reported_invalid(verify_credential(token), no_network)


@PROPERTY_SETTINGS
@given(mutation=st.sampled_from(LEAVES))
def test_tampered_credentials_never_touch_the_network(no_network, mutation):
    tampered = copy.deepcopy(SIGNED)
    _set(tampered, mutation, "https://attacker.example/x#key")
    verify_credential(tampered, now=NOW)
    assert no_network == []
