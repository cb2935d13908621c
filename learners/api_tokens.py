"""The département's API tokens: issue one (its secret shown once), list, revoke, and recognise
the one a request presents.

A token reads ``jalon_<prefix>_<secret>``: the prefix (8 hex characters) is public, shown in
the list so a person can tell tokens apart; the secret is 32 random bytes. Only the SHA-256 of
the whole token is stored, so a copy of the database lets nobody call the API; the presented
token's hash is compared in constant time. The secret is high-entropy, which is why a fast hash
is enough here where passwords need argon2.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from learners.database import utcnow
from learners.models import ApiToken, Organisation, OrganisationKind, User

TOKEN_START = "jalon_"  # noqa: S105  (the public start of every token, not a secret)
PREFIX_HEX_CHARS = 8
# « Last used » is rewritten at most this often: a busy tool does not write on every call.
LAST_USED_PRECISION = timedelta(minutes=1)
# Compared against when the prefix is unknown, so an unknown token costs what a known one does.
_NO_HASH = "0" * 64


class TokenRefused(Exception):
    """The presented token does not open the API; ``reason`` says why (for the log and the
    caller's message): ``malformed``, ``unknown``, ``revoked`` or ``expired``."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class UnknownToken(LookupError):
    """No token with this id in this organisation (another organisation's is unknown too)."""


class AlreadyRevoked(Exception):
    pass


class NotADepartement(ValueError):
    """Only a département holds API tokens: the API gives département-wide aggregates."""


@dataclass(frozen=True)
class IssuedToken:
    token: ApiToken
    secret: str  # the whole ``jalon_<prefix>_<secret>``: shown once, never stored


def digest(presented: str) -> str:
    return hashlib.sha256(presented.encode("utf-8")).hexdigest()


def issue(
    db: Session,
    organisation: Organisation,
    name: str,
    *,
    created_by: User | None,
    expires_at: datetime | None = None,
) -> IssuedToken:
    """A new token for ``organisation``; the caller shows ``secret`` once and forgets it."""
    if organisation.kind is not OrganisationKind.DEPARTEMENT:
        raise NotADepartement(organisation.id)
    prefix = secrets.token_hex(PREFIX_HEX_CHARS // 2)
    whole = f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(
        prefix=prefix,
        token_hash=digest(whole),
        name=name.strip(),
        organisation_id=organisation.id,
        created_by_id=created_by.id if created_by is not None else None,
        expires_at=expires_at,
    )
    db.add(token)
    db.flush()
    return IssuedToken(token=token, secret=whole)


def tokens_of(db: Session, organisation_id: int) -> list[ApiToken]:
    """The organisation's tokens, newest first, revoked ones included (they say when)."""
    query = (
        select(ApiToken)
        .where(ApiToken.organisation_id == organisation_id)
        .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
    )
    return list(db.scalars(query))


def revoke(db: Session, organisation_id: int, token_id: int) -> ApiToken:
    """Revoke for good: the next call with it gets 401."""
    token = db.get(ApiToken, token_id)
    if token is None or token.organisation_id != organisation_id:
        raise UnknownToken(token_id)
    if token.revoked_at is not None:
        raise AlreadyRevoked(token_id)
    token.revoked_at = utcnow()
    db.flush()
    return token


def _prefix_of(presented: str) -> str | None:
    if not presented.startswith(TOKEN_START):
        return None
    prefix, sep, rest = presented[len(TOKEN_START) :].partition("_")
    if not sep or len(prefix) != PREFIX_HEX_CHARS or not rest or len(presented) > 200:
        return None
    return prefix


def authenticate(db: Session, presented: str, now: datetime | None = None) -> ApiToken:
    """The live token ``presented`` is, with its use noted; ``TokenRefused`` otherwise."""
    now = now or utcnow()
    prefix = _prefix_of(presented)
    if prefix is None:
        raise TokenRefused("malformed")
    token = db.scalar(select(ApiToken).where(ApiToken.prefix == prefix))
    matches = hmac.compare_digest(digest(presented), token.token_hash if token else _NO_HASH)
    if token is None or not matches:
        raise TokenRefused("unknown")
    if token.revoked_at is not None:
        raise TokenRefused("revoked")
    if not token.is_usable(now):
        raise TokenRefused("expired")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        token.last_used_at = now
        db.flush()
    return token
