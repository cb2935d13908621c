"""Unit behaviour of the OB core: multibase, keys, offline loader, safe mode, canonical N-Quads."""

from __future__ import annotations

import copy

import pytest
from hypothesis import given
from hypothesis import strategies as st

from badges.ob3 import data_integrity, jsonld, keys, rdfc
from badges.ob3.errors import InvalidKey, JsonLdSafeModeError, Ob3Error, UnknownContext
from badges.ob3.multibase import (
    b58decode,
    b58encode,
    multibase_decode,
    multibase_encode_b58,
    multibase_encode_b64url,
)
from tests.badges.ob3.samples import ISSUER_ID, ob_credential


@given(st.binary(max_size=80))
def test_base58_and_base64url_round_trip(data: bytes) -> None:
    assert b58decode(b58encode(data)) == data
    assert multibase_decode(multibase_encode_b58(data)) == data
    assert multibase_decode(multibase_encode_b64url(data)) == data


def test_base58_keeps_leading_zero_bytes() -> None:
    assert b58encode(b"\0\0\x01") == "112"
    assert b58decode("112") == b"\0\0\x01"


@pytest.mark.parametrize("text", ["", "f00", "z0OIl", "uab+c", "uab=="])
def test_bad_multibase_is_refused(text: str) -> None:
    with pytest.raises(Ob3Error):
        multibase_decode(text)


def test_did_key_document_is_built_offline() -> None:
    private_key = keys.generate_ed25519()
    did = keys.did_key_for(private_key.public_key())
    multikey = keys.ed25519_to_multikey(private_key)
    assert did == f"did:key:{multikey}" and multikey.startswith("z6Mk")
    assert keys.ed25519_secret_multikey(private_key).startswith("z3u2")
    document = keys.did_key_document(f"{did}#{multikey}")
    method = document["verificationMethod"][0]
    assert document["id"] == did and method["controller"] == did
    assert method == {
        "id": f"{did}#{multikey}",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": multikey,
    }
    assert document["assertionMethod"] == [method["id"]]
    assert keys.did_key_document(did) == document


@pytest.mark.parametrize(
    "text",
    [
        "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq",
        "zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme",
        "x",
        "",
    ],
)
def test_non_ed25519_multikeys_are_refused(text: str) -> None:
    with pytest.raises(InvalidKey):
        keys.ed25519_from_multikey(text)
    with pytest.raises(InvalidKey):
        keys.did_key_document(f"did:key:{text}")


def test_loader_serves_only_vendored_contexts() -> None:
    loaded = jsonld.document_loader("https://www.w3.org/ns/credentials/v2")
    assert "@context" in loaded["document"]
    with pytest.raises(UnknownContext, match=r"example\.org"):
        jsonld.document_loader("https://example.org/context.json")
    document = ob_credential()
    document["@context"].append("https://example.org/evil-context.json")
    with pytest.raises(UnknownContext):
        jsonld.expand_safe(document)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda c: c["credentialSubject"].update(favouriteColour="vert"), "favouriteColour"),
        (lambda c: c["issuer"].update(id="issuers/42"), "issuers/42"),
        (lambda c: c["issuer"]["type"].append("Sponsor"), "Sponsor"),
        (lambda c: c["evidence"][0].update(id="#evidence"), "#evidence"),
        (lambda c: c["issuer"].update(id="https://exa mple.org/i"), "exa mple"),
    ],
)
def test_safe_mode_refuses_what_would_be_lost(mutate, message: str) -> None:
    document = ob_credential()
    mutate(document)
    with pytest.raises(JsonLdSafeModeError, match=message):
        jsonld.canonicalize(document)


def test_canonical_literal_escaping_follows_rdfc() -> None:
    value = 'a\bb\tc\nd\x0be\ff\rg"h\\i\x00j\x1fk\x7fl\u2028m é 🏅'
    expected = '"a\\bb\\tc\\nd\\u000Be\\ff\\rg\\"h\\\\i\\u0000j\\u001Fk\\u007Fl\u2028m é 🏅"'
    assert rdfc.literal(value) == expected
    document = ob_credential(narrative=value)
    assert expected in jsonld.canonicalize(document)


def test_integral_floats_are_integers_as_in_javascript() -> None:
    three_float = ob_credential(extra_subject={"creditsEarned": 3.0})
    three_int = ob_credential(extra_subject={"creditsEarned": 3})
    assert jsonld.canonicalize(three_float) == jsonld.canonicalize(three_int)
    assert '"3"^^<https://www.w3.org/2001/XMLSchema#float>' in jsonld.canonicalize(three_int)


def test_symmetric_blank_nodes_canonicalise_independently_of_input_order() -> None:
    a = "<http://ex/p>"
    quads = [
        ("_:x", a, "_:y", ""),
        ("_:y", a, "_:z", ""),
        ("_:z", a, "_:x", ""),
        ("_:w", a, "_:v", ""),
        ("_:v", a, "_:w", ""),
    ]
    first = rdfc.canonicalize_quads(quads)
    assert first == rdfc.canonicalize_quads(list(reversed(quads)))
    assert first.count("\n") == 5 and "_:c14n4" in first


SECRET = keys.ed25519_from_seed(bytes(range(7, 39)))
METHOD = f"{ISSUER_ID}#{keys.ed25519_to_multikey(SECRET)}"


def _signed() -> dict:
    return data_integrity.sign(ob_credential(), SECRET, METHOD, created="2026-03-01T09:30:05Z")


def test_sign_returns_a_new_document() -> None:
    credential = ob_credential()
    before = copy.deepcopy(credential)
    signed = data_integrity.sign(credential, SECRET, METHOD)
    assert credential == before and "proof" not in credential
    assert signed["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert signed["proof"]["created"].endswith("Z")


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"type": "Ed25519Signature2020"}, "Unsupported proof type"),
        ({"cryptosuite": "eddsa-jcs-2022"}, "Unsupported cryptosuite"),
        ({"proofPurpose": "authentication"}, "not assertionMethod"),
        ({"created": "yesterday"}, "dateTime"),
        ({"proofValue": "uAAAA"}, "base58btc"),
        ({"proofValue": "z111"}, "64-byte"),
        ({"@context": ["https://www.w3.org/ns/credentials/examples/v2"]}, "does not prefix"),
    ],
)
def test_verify_explains_why_a_proof_is_refused(change: dict, reason: str) -> None:
    signed = _signed()
    signed["proof"].update(change)
    result = data_integrity.verify(signed, SECRET.public_key())
    assert not result.ok
    assert reason in result.reason_en
    assert result.reason_fr


def test_proof_context_replaces_the_document_context_as_vc_di_eddsa_says() -> None:
    signed = _signed()
    signed["proof"]["@context"] = list(signed["@context"])
    assert data_integrity.verify(signed, SECRET.public_key()).ok
    # A shorter (prefix) proof context is then the only one used: OB terms become undefined.
    signed["proof"]["@context"] = signed["@context"][:1]
    result = data_integrity.verify(signed, SECRET.public_key())
    assert not result.ok and "safe mode" in result.reason_en


def test_proof_sets_verify_when_one_proof_matches_the_key() -> None:
    signed = _signed()
    other = data_integrity.sign(ob_credential(), keys.generate_ed25519(), "urn:x#y")
    signed["proof"] = [other["proof"], signed["proof"]]
    assert data_integrity.verify(signed, SECRET.public_key()).ok
    assert data_integrity.verify(signed, keys.ed25519_to_multikey(SECRET)).ok


@pytest.mark.parametrize("garbage", [None, [], "text", {"proof": 3}, {"@context": 5, "proof": {}}])
def test_verify_never_raises(garbage) -> None:
    result = data_integrity.verify(garbage, SECRET.public_key())
    assert not result.ok and result.reason_fr


def test_verify_reports_a_bad_key_instead_of_raising() -> None:
    result = data_integrity.verify(_signed(), "z6MkNotAKey")
    assert not result.ok and "key" in result.reason_en.lower()
