"""Bitstring Status List: encoding, list credentials, and revoked / suspended / unknown status."""

from __future__ import annotations

import base64
import gzip
import json

import pytest

from badges.ob3 import data_integrity, keys, status_list
from badges.ob3.build import StatusEntry
from badges.ob3.verify import verify_credential

from .credentials import (
    ISSUER_ID,
    NOW,
    SIGNING_KEY,
    STATUS_URL,
    VM_ID,
    local_resolver,
    signed_credential,
)


def test_encode_decode_round_trip_with_left_to_right_bit_order():
    bits = status_list.bitstring(set_indices=[0, 9, 131_071])
    assert len(bits) == 16 * 1024
    assert bits[0] == 0x80 and bits[1] == 0x40 and bits[-1] == 0x01
    encoded = status_list.encode(bits)
    assert encoded.startswith("u") and "=" not in encoded
    decoded = status_list.decode(encoded)
    assert decoded == bytes(bits)
    assert [i for i in (0, 1, 9, 131_070, 131_071) if status_list.get_bit(decoded, i)] == [
        0,
        9,
        131_071,
    ]


def test_lists_have_at_least_131072_entries():
    assert len(status_list.bitstring(size=10)) * 8 == status_list.MIN_ENTRIES
    assert len(status_list.bitstring(size=200_001)) * 8 >= 200_001


def test_clear_bit_and_out_of_range():
    bits = status_list.bitstring(set_indices=[5])
    status_list.set_bit(bits, 5, False)
    assert not status_list.get_bit(bits, 5)
    with pytest.raises(IndexError):
        status_list.set_bit(bits, status_list.MIN_ENTRIES)


def test_1edtech_test_list_has_index_23_set(ob3_reference):
    testlist = json.loads(
        (ob3_reference / "1edtech-validator/ob30/bit-string-list/testlist").read_text()
    )
    bits = status_list.decode(testlist["credentialSubject"]["encodedList"])
    assert [i for i in range(len(bits) * 8) if status_list.get_bit(bits, i)] == [23]


def test_gzip_bomb_and_garbage_are_refused():
    bomb = gzip.compress(b"\0" * (status_list.MAX_DECODED_BYTES + 1024))
    encoded = "u" + base64.urlsafe_b64encode(bomb).rstrip(b"=").decode()
    with pytest.raises(status_list.StatusListError, match="size limit"):
        status_list.decode(encoded)
    for garbage in ("", "u!!!", "uAAAA", 42):
        with pytest.raises(status_list.StatusListError):
            status_list.decode(garbage)  # type: ignore[arg-type]


def _signed_list(purpose: str, indices: list[int], *, key=SIGNING_KEY, vm=VM_ID) -> dict:
    unsigned = status_list.build_status_list_credential(
        credential_id=STATUS_URL,
        issuer_id=ISSUER_ID,
        purpose=purpose,  # type: ignore[arg-type]
        set_indices=indices,
        valid_from=NOW,
    )
    return data_integrity.sign(unsigned, key, vm, created="2026-02-01T00:00:00Z")


def test_status_list_credential_is_signed_and_readable():
    signed = _signed_list("revocation", [3])
    resolved = local_resolver().resolve(VM_ID)
    assert data_integrity.verify(signed, resolved.public_key).ok
    entry = status_list.parse_entry(
        {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "3",
            "statusListCredential": STATUS_URL,
        }
    )
    assert status_list.read_status(signed, entry) is True
    other = status_list.EntryRef(STATUS_URL, 4, "revocation")
    assert status_list.read_status(signed, other) is False
    with pytest.raises(status_list.StatusListError, match="statusPurpose"):
        status_list.read_status(signed, status_list.EntryRef(STATUS_URL, 3, "suspension"))


@pytest.mark.parametrize(
    "entry",
    [
        {"type": "BitstringStatusListEntry", "statusPurpose": "revocation"},
        {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "-1",
            "statusListCredential": STATUS_URL,
        },
        {
            "type": "BitstringStatusListEntry",
            "statusPurpose": "message",
            "statusListIndex": "1",
            "statusListCredential": STATUS_URL,
        },
        {"type": "StatusList2021Entry"},
    ],
)
def test_malformed_entries_are_refused(entry):
    with pytest.raises(status_list.StatusListError):
        status_list.parse_entry(entry)


def _verify_with_list(purpose: str, indices: list[int], index: int = 3, **list_kwargs):
    credential = signed_credential(status=StatusEntry(STATUS_URL, index, purpose))  # type: ignore[arg-type]
    lists = {STATUS_URL: _signed_list(purpose, indices, **list_kwargs)}
    return verify_credential(
        credential, resolver=local_resolver(), status_fetcher=lists.__getitem__, now=NOW
    )


def test_revoked_credential_is_reported_revoked():
    result = _verify_with_list("revocation", [3])
    assert result.verdict.value == "revoked"
    assert result.check("proof").status.value == "passed"
    assert result.check("status").message_fr == "Ce badge a été révoqué par l'émetteur."


def test_suspended_credential_is_reported_suspended():
    assert _verify_with_list("suspension", [3]).verdict.value == "suspended"


def test_credential_not_in_the_list_is_valid():
    result = _verify_with_list("revocation", [2, 4])
    assert result.verdict.value == "valid"
    assert result.check("status").status.value == "passed"


def test_unreadable_list_gives_status_unknown_never_not_revoked():
    credential = signed_credential(status=StatusEntry(STATUS_URL, 3))

    def broken(url: str) -> dict:
        raise OSError("network down")

    for fetcher in (None, broken, lambda url: ["not", "a", "list"]):
        result = verify_credential(
            credential, resolver=local_resolver(), status_fetcher=fetcher, now=NOW
        )
        assert result.verdict.value == "status_unknown"
        assert result.check("status").status.value == "unknown"


def test_list_signed_by_another_key_gives_status_unknown():
    stranger = keys.generate_ed25519()
    vm = keys.did_key_for(stranger) + "#" + keys.ed25519_to_multikey(stranger)
    result = _verify_with_list("revocation", [], key=stranger, vm=vm)
    assert result.verdict.value == "status_unknown"


def test_tampered_list_gives_status_unknown():
    credential = signed_credential(status=StatusEntry(STATUS_URL, 3))
    tampered = _signed_list("revocation", [3])
    tampered["credentialSubject"]["encodedList"] = status_list.encode(status_list.bitstring())
    result = verify_credential(
        credential, resolver=local_resolver(), status_fetcher={STATUS_URL: tampered}.get, now=NOW
    )
    assert result.verdict.value == "status_unknown"
