"""Multibase text encodings used by Data Integrity proofs and Multikey (base58btc, base64url)."""

from __future__ import annotations

import base64
import binascii

from badges.ob3.errors import Ob3Error

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {char: index for index, char in enumerate(B58_ALPHABET)}


class MultibaseError(Ob3Error):
    """Text that is not valid multibase (unknown prefix or bad digits)."""


def b58encode(data: bytes) -> str:
    """Bitcoin base58 of ``data``; leading zero bytes become leading '1's."""
    data = bytes(data)
    zeros = len(data) - len(data.lstrip(b"\0"))
    number = int.from_bytes(data, "big")
    digits = []
    while number:
        number, remainder = divmod(number, 58)
        digits.append(B58_ALPHABET[remainder])
    return "1" * zeros + "".join(reversed(digits))


def b58decode(text: str) -> bytes:
    """Inverse of :func:`b58encode`; raises :class:`MultibaseError` on a foreign character."""
    number = 0
    try:
        for char in text:
            number = number * 58 + _B58_INDEX[char]
    except KeyError as error:
        raise MultibaseError(f"invalid base58 character {error.args[0]!r}") from None
    zeros = len(text) - len(text.lstrip("1"))
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\0" * zeros + body


def multibase_encode_b58(data: bytes) -> str:
    """Multibase base58btc (prefix ``z``), the encoding of ``proofValue`` and Multikey."""
    return "z" + b58encode(data)


def multibase_encode_b64url(data: bytes) -> str:
    """Multibase base64url without padding (prefix ``u``)."""
    return "u" + base64.urlsafe_b64encode(bytes(data)).rstrip(b"=").decode("ascii")


def multibase_decode(text: str) -> bytes:
    """Decode multibase text with prefix ``z`` (base58btc) or ``u`` (base64url, no padding)."""
    if not isinstance(text, str) or not text:
        raise MultibaseError("empty or non-text multibase value")
    prefix, body = text[0], text[1:]
    if prefix == "z":
        return b58decode(body)
    if prefix == "u":
        if "=" in body or any(c in body for c in "+/"):
            raise MultibaseError("base64url multibase must not contain padding or '+', '/'")
        try:
            return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (binascii.Error, ValueError) as error:
            raise MultibaseError(f"invalid base64url: {error}") from None
    raise MultibaseError(f"unsupported multibase prefix {prefix!r}")
