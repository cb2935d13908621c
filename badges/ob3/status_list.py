"""W3C Bitstring Status List: encode/decode lists, build list credentials, read one entry's bit.

Bit ``i`` is the ``i % 8``-th most significant bit of byte ``i // 8`` (left to right), the
bitstring is GZIP-compressed and written as multibase base64url without padding (``u…``).
Lists have at least 131,072 entries (16 KB) so one set bit says little about who was revoked.
"""

from __future__ import annotations

import base64
import gzip
import io
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from badges.ob3.build import VC_V2_CONTEXT, format_datetime

MIN_ENTRIES = 131_072
MAX_DECODED_BYTES = 16 * 1024 * 1024  # refuse lists that inflate beyond 16 MB (gzip bombs)
PURPOSES = ("revocation", "suspension")
_URLSAFE = str.maketrans("-_", "+/")

StatusPurpose = Literal["revocation", "suspension"]


class StatusListError(ValueError):
    """An encoded list or a list credential that cannot be read."""


def encode(bits: bytes | bytearray) -> str:
    """GZIP then multibase base64url (no padding) of the raw bitstring bytes."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", mtime=0) as handle:
        handle.write(bytes(bits))
    return "u" + base64.urlsafe_b64encode(buffer.getvalue()).rstrip(b"=").decode("ascii")


def decode(encoded: str) -> bytes:
    """The raw bitstring bytes of an ``encodedList`` (bounded inflation)."""
    if not isinstance(encoded, str) or not encoded:
        raise StatusListError("encodedList must be a non-empty string")
    text = encoded[1:] if encoded[0] == "u" else encoded  # tolerate legacy lists without prefix
    try:
        padded = (text + "=" * (-len(text) % 4)).translate(_URLSAFE)
        compressed = base64.b64decode(padded, validate=True)
    except (ValueError, TypeError) as exc:
        raise StatusListError("encodedList is not base64url") from exc
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        raw = inflater.decompress(compressed, MAX_DECODED_BYTES + 1)
    except zlib.error as exc:
        raise StatusListError("encodedList is not GZIP data") from exc
    if len(raw) > MAX_DECODED_BYTES or inflater.unconsumed_tail:
        raise StatusListError("encodedList inflates beyond the size limit")
    if not inflater.eof:
        raise StatusListError("encodedList is truncated GZIP data")
    return raw


def bitstring(size: int = MIN_ENTRIES, set_indices: Iterable[int] = ()) -> bytearray:
    """A bitstring of ``size`` entries (rounded up to whole bytes) with the given bits set."""
    size = max(size, MIN_ENTRIES)
    bits = bytearray((size + 7) // 8)
    for index in set_indices:
        set_bit(bits, index)
    return bits


def set_bit(bits: bytearray, index: int, value: bool = True) -> None:
    """Set (or clear) entry ``index``."""
    if not 0 <= index < len(bits) * 8:
        raise IndexError(f"status index {index} outside the list")
    mask = 0x80 >> (index % 8)
    if value:
        bits[index // 8] |= mask
    else:
        bits[index // 8] &= ~mask & 0xFF


def get_bit(bits: bytes | bytearray, index: int) -> bool:
    """Is entry ``index`` set?"""
    if not 0 <= index < len(bits) * 8:
        raise IndexError(f"status index {index} outside the list")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def build_status_list_credential(
    *,
    credential_id: str,
    issuer_id: str,
    purpose: StatusPurpose,
    set_indices: Iterable[int] = (),
    size: int = MIN_ENTRIES,
    valid_from: datetime,
    valid_until: datetime | None = None,
) -> dict[str, Any]:
    """An unsigned BitstringStatusListCredential; sign it with ``data_integrity.sign``."""
    if purpose not in PURPOSES:
        raise ValueError(f"unsupported status purpose {purpose!r}")
    credential: dict[str, Any] = {
        "@context": [VC_V2_CONTEXT],
        "id": credential_id,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_id,
        "validFrom": format_datetime(valid_from),
        "credentialSubject": {
            "id": f"{credential_id}#list",
            "type": "BitstringStatusList",
            "statusPurpose": purpose,
            "encodedList": encode(bitstring(size, set_indices)),
        },
    }
    if valid_until is not None:
        credential["validUntil"] = format_datetime(valid_until)
    return credential


@dataclass(frozen=True)
class EntryRef:
    """The parts of a BitstringStatusListEntry a verifier needs."""

    list_url: str
    index: int
    purpose: str


def parse_entry(entry: Any) -> EntryRef:
    """Read a credentialStatus entry of type BitstringStatusListEntry."""
    if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
        raise StatusListError("credentialStatus is not a BitstringStatusListEntry")
    url = entry.get("statusListCredential")
    if not isinstance(url, str) or not url:
        raise StatusListError("statusListCredential is missing")
    raw_index = entry.get("statusListIndex")
    if isinstance(raw_index, bool):
        raise StatusListError("statusListIndex is not an integer")
    try:
        index = int(raw_index)  # type: ignore[arg-type]
    except (TypeError, ValueError) as exc:
        raise StatusListError("statusListIndex is not an integer") from exc
    if index < 0 or (isinstance(raw_index, str) and not raw_index.isdigit()):
        raise StatusListError("statusListIndex is not a non-negative integer")
    purpose = entry.get("statusPurpose")
    if purpose not in PURPOSES:
        raise StatusListError(f"unsupported statusPurpose {purpose!r}")
    return EntryRef(list_url=url, index=index, purpose=purpose)


def read_status(list_credential: Any, entry: EntryRef) -> bool:
    """Is the entry's bit set in this (already proof-checked) list credential?

    Checks that the list's ``statusPurpose`` matches the entry's; raises StatusListError otherwise.
    """
    if not isinstance(list_credential, dict):
        raise StatusListError("the status list is not a JSON object")
    types = list_credential.get("type")
    types = types if isinstance(types, list) else [types]
    if "BitstringStatusListCredential" not in types:
        raise StatusListError("the status list is not a BitstringStatusListCredential")
    subject = list_credential.get("credentialSubject")
    if not isinstance(subject, dict) or subject.get("type") != "BitstringStatusList":
        raise StatusListError("the status list has no BitstringStatusList subject")
    purposes = subject.get("statusPurpose")
    purposes = purposes if isinstance(purposes, list) else [purposes]
    if entry.purpose not in purposes:
        raise StatusListError("the status list's statusPurpose differs from the entry's")
    bits = decode(subject.get("encodedList"))  # type: ignore[arg-type]
    if len(bits) * 8 < MIN_ENTRIES:
        raise StatusListError("the status list is shorter than 131,072 entries")
    try:
        return get_bit(bits, entry.index)
    except IndexError as exc:
        raise StatusListError("the status index lies outside the list") from exc
