"""Password hashing (argon2id) and the one-time access codes trainers print for learners.

Hashing lives here so every caller gets the same parameters, and so a login for an unknown
account costs exactly what a wrong password costs (``verify_dummy``): no user enumeration
through timing.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# argon2-cffi's defaults follow RFC 9106's second recommended profile (argon2id, 64 MiB, t=3).
_hasher = PasswordHasher()
_dummy_hash: str | None = None

# No 0/O, 1/I/L: the code is read on paper and typed by people new to keyboards.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
MIN_PASSWORD_LENGTH = 8


def set_hasher(hasher: PasswordHasher) -> None:
    """Replace the hasher (tests use cheap parameters; production keeps the defaults)."""
    global _hasher, _dummy_hash
    _hasher = hasher
    _dummy_hash = None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when ``password`` matches; never raises on a malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True


def verify_dummy(password: str) -> None:
    """Spend the time a real verification spends, for logins that match no account."""
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash(secrets.token_urlsafe(16))
    verify_password(_dummy_hash, password)


def new_access_code() -> str:
    """A one-time code such as ``K7MP-4XQ9``: 8 characters from 31, about 40 bits."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise_access_code(typed: str) -> str:
    """Accept the code as people type it: lower case, spaces, with or without the dash."""
    cleaned = "".join(ch for ch in typed.upper() if ch.isalnum())
    if len(cleaned) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in cleaned):
        return f"{cleaned[:4]}-{cleaned[4:]}"
    return typed
