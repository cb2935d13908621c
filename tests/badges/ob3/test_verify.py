"""Verification end to end: verdicts, readable checks, key binding, and the offline default."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest

from badges.ob3 import data_integrity, keys, resolver
from badges.ob3.build import IssuerProfile, Recipient
from badges.ob3.verify import Verdict, verify_bytes, verify_credential

from .credentials import (
    ISSUER_ID,
    NOW,
    SIGNING_KEY,
    VM_ID,
    local_resolver,
    signed_credential,
    unsigned_credential,
)


def test_valid_credential_has_every_check_passed_with_french_sentences():
    result = verify_credential(signed_credential(), resolver=local_resolver(), now=NOW)
    assert result.verdict is Verdict.VALID
    assert result.label_fr == "Badge valide"
    assert {c.code for c in result.checks} >= {
        "format", "context", "type", "jsonld", "schema", "key", "proof", "status",
        "valid_from", "valid_until",
    }  # fmt: skip
    assert all(c.status.value == "passed" and c.message_fr for c in result.checks)
    assert result.issuer_id == ISSUER_ID
    assert result.issuer_name == "Association Tremplin Numérique"
    assert result.to_dict()["checks"][0]["code"] == "format"


def test_expired_and_not_yet_valid():
    expired = signed_credential(
        valid_from=NOW - timedelta(days=10), valid_until=NOW - timedelta(days=1)
    )
    result = verify_credential(expired, resolver=local_resolver(), now=NOW)
    assert result.verdict is Verdict.EXPIRED
    assert result.check("valid_until").message_fr.startswith("Ce badge a expiré le ")
    future = signed_credential(valid_from=NOW + timedelta(days=2))
    assert verify_credential(future, resolver=local_resolver(), now=NOW).verdict is (
        Verdict.NOT_YET_VALID
    )


def test_v1_style_dates_are_used_when_there_is_no_validfrom():
    credential = {"issuanceDate": "2040-01-01T00:00:00Z", "expirationDate": "2041-01-01T00:00:00Z"}
    result = verify_credential(credential, now=NOW)
    assert result.check("valid_from").status.value == "failed"


def test_tampered_claim_is_an_invalid_signature():
    credential = signed_credential()
    credential["credentialSubject"]["achievement"]["name"] = "Administrer un réseau"
    result = verify_credential(credential, resolver=local_resolver(), now=NOW)
    assert result.verdict is Verdict.INVALID_SIGNATURE
    assert result.check("proof").status.value == "failed"
    assert result.label_fr == "Signature invalide"


def test_key_of_another_controller_is_rejected_even_if_signature_matches():
    stranger = keys.generate_ed25519()
    did = keys.did_key_for(stranger)
    forged = data_integrity.sign(
        unsigned_credential(), stranger, f"{did}#{keys.ed25519_to_multikey(stranger)}"
    )
    result = verify_credential(forged, resolver=local_resolver(), now=NOW)
    assert result.verdict is Verdict.INVALID_SIGNATURE
    assert result.check("key").status.value == "failed"


def test_did_key_issuer_verifies_offline():
    did = keys.did_key_for(SIGNING_KEY)
    credential = unsigned_credential()
    credential["issuer"] = {"id": did, "type": ["Profile"], "name": "Émetteur did:key"}
    signed = data_integrity.sign(credential, SIGNING_KEY, f"{did}#{did[8:]}")
    assert verify_credential(signed, now=NOW).verdict is Verdict.VALID


def test_default_resolver_is_offline_and_says_so():
    result = verify_credential(signed_credential(), now=NOW)
    assert result.verdict is Verdict.INVALID_SIGNATURE
    assert result.check("key").status.value == "unknown"
    assert "hors ligne" in result.check("key").message_fr


def test_issuer_known_to_jalon_is_reported_beside_validity():
    unknown = verify_credential(
        signed_credential(), resolver=local_resolver(), now=NOW, is_known_issuer=lambda i: False
    )
    assert unknown.verdict is Verdict.VALID
    assert unknown.issuer_known is False
    assert unknown.check("issuer_known").message_fr == "Émetteur inconnu de Jalon."
    known = verify_credential(
        signed_credential(),
        resolver=local_resolver(),
        now=NOW,
        is_known_issuer={ISSUER_ID}.__contains__,
    )
    assert known.issuer_known is True


def test_recipient_check_matches_the_hashed_identifier():
    good = verify_credential(
        signed_credential(), resolver=local_resolver(), now=NOW,
        recipient=Recipient(identity="camille@example.org"),
    )  # fmt: skip
    assert good.recipient_match is True and good.verdict is Verdict.VALID
    bad = verify_credential(
        signed_credential(), resolver=local_resolver(), now=NOW,
        recipient=Recipient(identity="dominique@example.org"),
    )  # fmt: skip
    assert bad.recipient_match is False
    assert bad.check("recipient").status.value == "failed"


def test_json_bytes_and_jws_text_are_detected():
    import json

    data = json.dumps(signed_credential()).encode()
    result = verify_bytes(data, filename="badge.json", resolver=local_resolver(), now=NOW)
    assert result.verdict is Verdict.VALID and result.source_format == "json"
    for junk in (b"", b"hello", b"\xff\xfe\x00", b"[1, 2]", b'{"a": NaN}', b"{" * 100_000):
        assert verify_bytes(junk).verdict is Verdict.MALFORMED


def test_endorsement_credentials_are_validated_against_their_own_schema():
    credential = unsigned_credential()
    credential["type"] = ["VerifiableCredential", "EndorsementCredential"]
    result = verify_credential(credential, now=NOW)
    assert result.check("schema").status.value == "failed"


def test_issuer_given_as_plain_url_fails_the_structure_check():
    credential = signed_credential()
    credential["issuer"] = ISSUER_ID
    result = verify_credential(credential, resolver=local_resolver(), now=NOW)
    assert result.check("schema").status.value == "failed"
    assert result.verdict is Verdict.MALFORMED


# ------------------------------------------------------------------ resolver and fetcher


def test_did_web_urls():
    assert resolver.did_web_url("did:web:example.com") == "https://example.com/.well-known/did.json"
    assert resolver.did_web_url("did:web:example.com%3A8443:users:alice") == (
        "https://example.com:8443/users/alice/did.json"
    )


def test_key_must_be_listed_for_assertions():
    document = {
        "id": ISSUER_ID,
        "verificationMethod": [
            {
                "id": VM_ID,
                "type": "Multikey",
                "controller": ISSUER_ID,
                "publicKeyMultibase": keys.ed25519_to_multikey(SIGNING_KEY),
            }
        ],
        "authentication": [VM_ID],
    }
    with pytest.raises(resolver.KeyResolutionError, match="assertionMethod"):
        resolver.Resolver(documents={ISSUER_ID: document}).resolve(VM_ID)


@pytest.mark.parametrize(
    ("url", "addresses"),
    [
        ("http://example.com/key", ["93.184.216.34"]),
        ("https://localhost/key", ["127.0.0.1"]),
        ("https://intranet.example/key", ["10.0.0.5"]),
        ("https://metadata.example/key", ["169.254.169.254"]),
        ("https://v6.example/key", ["::1"]),
        ("https://mapped.example/key", ["::ffff:192.168.1.1"]),
        ("https://nat64.example/key", ["64:ff9b::7f00:1"]),
        ("https://nat64-local.example/key", ["64:ff9b:1::a00:5"]),
        ("https://6to4.example/key", ["2002:a9fe:a9fe::1"]),
        ("https://compat.example/key", ["::7f00:1"]),
        ("https://siit.example/key", ["::ffff:0:c0a8:101"]),
        ("https://sitelocal.example/key", ["fec0::1"]),
        ("https://teredo.example/key", ["2001:0:4136:e378:8000:63bf:3fff:fdd2"]),
        ("https://user:pw@example.com/key", ["93.184.216.34"]),
    ],
)
def test_safe_fetcher_refuses_non_https_and_non_public_addresses(monkeypatch, url, addresses):
    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    def no_connection(*args, **kwargs):
        raise AssertionError("no connection may be attempted")

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setattr(socket, "create_connection", no_connection)
    with pytest.raises(resolver.FetchError):
        resolver.SafeHttpFetcher()(url)


@pytest.mark.parametrize(
    "address", ["93.184.216.34", "64:ff9b::5db8:d822", "2002:5db8:d822::1", "2606:2800:220:1::1"]
)
def test_public_addresses_however_spelt_stay_allowed(address):
    assert not resolver._forbidden_address(address)


def test_web_resolver_reports_fetch_failure_as_unreachable_key(monkeypatch):
    def fake_getaddrinfo(host, port, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("127.0.0.1", port))]

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    web = resolver.Resolver(fetch=resolver.SafeHttpFetcher(timeout=1))
    result = verify_credential(signed_credential(), resolver=web, now=NOW)
    assert result.check("key").status.value == "unknown"
    assert result.verdict is Verdict.INVALID_SIGNATURE


def test_local_issuer_profile_helper_is_used_before_static_documents():
    calls: list[str] = []

    def local(url: str):
        calls.append(url)
        return None

    res = resolver.Resolver(local=local, documents={})
    with pytest.raises(resolver.KeyResolutionError):
        res.resolve(VM_ID)
    assert calls == [ISSUER_ID]
    assert IssuerProfile(id=ISSUER_ID, name="x").id == ISSUER_ID
