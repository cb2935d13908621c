"""Building AchievementCredentials: OB 3.0 schema-valid, JSON-LD safe, private recipients."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges.ob3 import jsonld, schema
from badges.ob3.build import (
    OB_EXTENSIONS_CONTEXT,
    CredentialOptions,
    Recipient,
    ResultDef,
    StatusEntry,
    build_achievement_credential,
    hash_identity,
    identity_matches,
)
from badges.ob3.verify import verify_credential

from .credentials import (
    ACHIEVEMENT,
    ISSUER,
    ISSUER_ID,
    NOW,
    local_resolver,
    signed_credential,
    unsigned_credential,
)


def _all_keys(value: object) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _all_keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _all_keys(v)}
    return set()


def _no_empties(value: object) -> bool:
    if isinstance(value, dict):
        return all(v not in (None, [], {}) and _no_empties(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_empties(v) for v in value)
    return True


def test_built_credential_validates_against_the_1edtech_schema_and_expands_safely():
    credential = unsigned_credential(
        valid_until=NOW + timedelta(days=365),
        status=StatusEntry("https://jalon.example/status/7/1", 12),
    )
    assert schema.validate(credential) == []
    assert jsonld.expand_safe(credential)
    assert credential["@context"][2] == OB_EXTENSIONS_CONTEXT
    assert credential["credentialStatus"]["statusListIndex"] == "12"


def test_built_credential_omits_empties_and_terms_missing_from_the_ob_context():
    credential = unsigned_credential()
    assert _no_empties(credential)
    assert not {"endorsementJwt", "jti", "validUntil", "credentialStatus"} & _all_keys(credential)
    assert credential["credentialSubject"]["achievement"]["type"] == ["Achievement"]
    assert isinstance(credential["evidence"], list)


def test_without_credential_schema_the_extensions_context_is_left_out():
    credential = build_achievement_credential(
        credential_id="urn:uuid:1",
        issuer=ISSUER,
        achievement=ACHIEVEMENT,
        recipient=Recipient(id="did:example:123"),
        valid_from=NOW,
        options=CredentialOptions(include_schema=False),
    )
    assert OB_EXTENSIONS_CONTEXT not in credential["@context"]
    assert "credentialSchema" not in credential
    assert credential["credentialSubject"]["id"] == "did:example:123"
    assert "identifier" not in credential["credentialSubject"]
    assert schema.validate(credential) == []
    assert jsonld.expand_safe(credential)


def test_recipient_is_a_salted_sha256_identity_hash():
    credential = unsigned_credential(salt="Kosher")
    identifier = credential["credentialSubject"]["identifier"][0]
    expected = hashlib.sha256(b"camille@example.orgKosher").hexdigest()
    assert identifier["identityHash"] == f"sha256${expected}"
    assert identifier["hashed"] is True
    assert "camille" not in json.dumps(credential)
    assert identity_matches(identifier, "camille@example.org", "emailAddress")
    assert not identity_matches(identifier, "other@example.org", "emailAddress")
    assert not identity_matches(identifier, "camille@example.org", "userName")


def test_spec_identity_hash_example_is_reproduced():
    assert hash_identity("a@example.com", "Kosher") == (
        "sha256$b5809d8a92f8858436d7e6b87c12ebc0ae1eac4baecc2c0b913aee2c922ef399"
    )


def test_each_credential_gets_its_own_salt():
    make = lambda: build_achievement_credential(  # noqa: E731
        credential_id="urn:uuid:2",
        issuer=ISSUER,
        achievement=ACHIEVEMENT,
        recipient=Recipient(identity="camille@example.org"),
        valid_from=NOW,
    )
    first = make()["credentialSubject"]["identifier"][0]
    second = make()["credentialSubject"]["identifier"][0]
    assert first["salt"] != second["salt"]
    assert first["identityHash"] != second["identityHash"]


def test_results_must_point_to_a_result_description_and_level_of_the_achievement():
    with pytest.raises(ValueError, match="not a resultDescription"):
        build_achievement_credential(
            credential_id="urn:uuid:3",
            issuer=ISSUER,
            achievement=ACHIEVEMENT,
            recipient=Recipient(id="did:example:1"),
            valid_from=NOW,
            results=[ResultDef(result_description="https://elsewhere.example/rd")],
        )
    with pytest.raises(ValueError, match="not a level"):
        build_achievement_credential(
            credential_id="urn:uuid:3",
            issuer=ISSUER,
            achievement=ACHIEVEMENT,
            recipient=Recipient(id="did:example:1"),
            valid_from=NOW,
            results=[ResultDef(result_description=f"{ISSUER_ID}/rd/souris", achieved_level="nope")],
        )


def test_invalid_inputs_are_refused():
    with pytest.raises(ValueError, match="recipient"):
        build_achievement_credential(
            credential_id="urn:uuid:4",
            issuer=ISSUER,
            achievement=ACHIEVEMENT,
            recipient=Recipient(),
            valid_from=NOW,
        )
    with pytest.raises(ValueError, match="validUntil"):
        unsigned_credential(valid_from=NOW, valid_until=NOW)
    with pytest.raises(ValueError, match="timezone"):
        unsigned_credential(valid_from=NOW.replace(tzinfo=None))


def test_signed_built_credential_verifies_as_valid():
    result = verify_credential(signed_credential(), resolver=local_resolver(), now=NOW)
    assert result.verdict.value == "valid", result.to_dict()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.text(min_size=1, max_size=60),
    narrative=st.text(min_size=1, max_size=200),
)
def test_any_name_and_narrative_gives_a_schema_valid_safe_credential(name, narrative):
    credential = unsigned_credential(name=name, narrative=narrative)
    assert schema.validate(credential) == []
    expanded = jsonld.expand_safe(credential)
    assert json.dumps(expanded, ensure_ascii=False).count(
        json.dumps(name, ensure_ascii=False)[1:-1]
    )
