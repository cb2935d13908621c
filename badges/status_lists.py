"""Status lists in the database: allocating a credential's bit, flipping it, re-signing the list.

Concurrency: every change to a list starts with an ``UPDATE`` of its row, which takes the row lock
on PostgreSQL and the write lock on SQLite before anything is read, so two workers never hand out
the same index nor lose each other's revocations. The unique ``(status_list_id, status_index)``
constraint on credentials is the backstop.

Signing outside the lock (``reserve_revocation_bits``): on PostgreSQL a new credential's bit is
taken in a short transaction of its own, committed at once, so the issuer's and the list's row
locks last a few milliseconds and the signing that follows runs in parallel with other issues.
A failure after that wastes the bit (it stays 0 in the list, and no credential points to it):
harmless, a list has 131,072 of them. On SQLite (one writer for the whole database, so nothing
would run in parallel anyway) the bit is taken in the caller's transaction, under the issuer's
lock, and a rollback gives it back.

Bits for a batch (``BitPool``): a batch of issues by one issuer (a bulk award's part, a
session's badges) reserves its bits in blocks — one ``UPDATE`` of the counter, committed, per
block, whose size grows with the bits the batch has used (1, 1, 2, 4 … up to
``BitPool.MAX_BLOCK``). The block is committed before any of its bits is handed out, so two
workers never share a bit; what a batch does not use (at most one block, fewer bits than it
used, when it stops or is killed) is wasted like a failed issue's bit.

Privacy: indexes come from a counter mapped through ``index = (a·n + b) mod size`` with a random
``a`` coprime to ``size`` and random ``b`` per list — a bijection, so allocation never collides,
yet consecutive credentials get scattered bits and the list reveals no issuance order.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, Update, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from badges import issuers, keys_store
from badges.models import STATUS_LIST_SIZE, Issuer, KeyAlgorithm, StatusList, StatusPurpose
from badges.ob3 import data_integrity
from badges.ob3 import status_list as bitstring_list
from badges.ob3.build import format_datetime
from learners.database import utcnow

log = logging.getLogger(__name__)
# How long (ms) the short allocation transaction waits for the issuer's row lock before taking
# the bit in the caller's transaction instead: only a caller that itself holds that lock (an
# open transaction that changed the issuer or its list) makes it wait that long.
RESERVE_LOCK_TIMEOUT_MS = 3000
LOCK_NOT_AVAILABLE = "55P03"  # PostgreSQL's SQLSTATE for lock_timeout


class StatusListNotFound(LookupError):
    """No status list with that public id for that issuer."""


def list_url(status_list: StatusList, base_url: str) -> str:
    return url_of(status_list.issuer.public_id, status_list.public_id, base_url)


def url_of(issuer_public_id: str, list_public_id: str, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/status/{issuer_public_id}/{list_public_id}"


def _random_multiplier(size: int) -> int:
    while True:
        candidate = secrets.randbelow(size - 1) + 1
        if math.gcd(candidate, size) == 1:
            return candidate


def permuted_index(status_list: StatusList, counter: int) -> int:
    """The bit position of the ``counter``-th credential of the list."""
    multiplier, offset = status_list.permutation_multiplier, status_list.permutation_offset
    return _permuted(multiplier, offset, status_list.size, counter)


def _permuted(multiplier: int, offset: int, size: int, counter: int) -> int:
    return (multiplier * counter + offset) % size


def create(
    db: Session,
    issuer: Issuer,
    purpose: StatusPurpose,
    *,
    base_url: str,
    kek: str | bytes,
    size: int = STATUS_LIST_SIZE,
) -> StatusList:
    """A new, empty, signed list of ``issuer``."""
    status_list = StatusList(
        issuer=issuer,
        purpose=purpose,
        size=size,
        bits=bytes(bitstring_list.bitstring(size)),
        allocated=0,
        permutation_multiplier=_random_multiplier(size),
        permutation_offset=secrets.randbelow(size),
    )
    db.add(status_list)
    db.flush()
    sign(db, status_list, base_url=base_url, kek=kek)
    return status_list


def lock(db: Session, status_list: StatusList) -> None:
    """Take the list's row lock for the rest of the transaction, then reload its state."""
    db.execute(
        update(StatusList)
        .where(StatusList.id == status_list.id)
        .values(allocated=StatusList.allocated)
        .execution_options(synchronize_session=False)
    )
    db.refresh(status_list)


@dataclass
class Reserved:
    """Bits taken (committed, or in the caller's transaction when ``in_transaction``) for
    credentials not signed yet: the counters ``[next, end)`` of one list, handed out by
    ``take`` through the list's permutation."""

    list_id: int
    list_public_id: str
    size: int
    multiplier: int
    offset: int
    next: int
    end: int
    in_transaction: bool = False

    def take(self) -> int | None:
        """The next reserved bit's index, or None when they are all handed out."""
        if self.next >= self.end:
            return None
        counter, self.next = self.next, self.next + 1
        return _permuted(self.multiplier, self.offset, self.size, counter)


def _take(issuer_id: int, count: int) -> Update:
    """One statement: ``count`` more counters of the issuer's newest revocation list with room
    (none when it has fewer left: the caller then takes one, or starts a new list). The row
    lock it takes lasts until its transaction ends; ``allocated`` is the new counter."""
    newest = (
        select(StatusList.id)
        .where(
            StatusList.issuer_id == issuer_id,
            StatusList.purpose == StatusPurpose.REVOCATION,
            StatusList.allocated < StatusList.size,
        )
        .order_by(StatusList.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    return (
        update(StatusList)
        .where(StatusList.id == newest, StatusList.allocated + count <= StatusList.size)
        .values(allocated=StatusList.allocated + count)
        .returning(
            StatusList.id,
            StatusList.public_id,
            StatusList.size,
            StatusList.permutation_multiplier,
            StatusList.permutation_offset,
            StatusList.allocated,
        )
    )


def _reserved(db: Session, issuer_id: int, count: int, *, in_transaction: bool) -> Reserved | None:
    row = db.connection().execute(_take(issuer_id, count)).first()
    if row is None:
        return None
    list_id, public_id, size, multiplier, offset, allocated = row
    if in_transaction:  # a list loaded in db would otherwise show the old counter
        loaded = db.identity_map.get(identity_key(StatusList, list_id))
        if loaded is not None:
            db.expire(loaded, ["allocated"])
    return Reserved(
        list_id, public_id, size, multiplier, offset, allocated - count, allocated, in_transaction
    )


def _reserve_locked(
    db: Session, issuer: Issuer, count: int, *, in_transaction: bool, **signing: Any
) -> Reserved:
    """Under the issuer's lock: ``count`` bits, or one when the list has fewer left, or one of
    a new list when it is full (or there is none)."""
    found = _reserved(db, issuer.id, count, in_transaction=in_transaction)
    if found is None and count > 1:
        found = _reserved(db, issuer.id, 1, in_transaction=in_transaction)
    if found is None:
        create(db, issuer, StatusPurpose.REVOCATION, **signing)
        found = _reserved(db, issuer.id, count, in_transaction=in_transaction)
    if found is None:  # pragma: no cover - impossible under the lock; kept as a guard
        raise RuntimeError("status list filled up under the issuer lock")
    return found


def reserve_revocation_bits(
    db: Session, issuer: Issuer, count: int = 1, *, base_url: str, kek: str | bytes
) -> Reserved:
    """Free bits for credentials about to be signed, without holding any lock while they are
    signed (see the module's docstring). On PostgreSQL, ``count`` bits (fewer at the end of a
    list) taken and committed in a transaction of its own: one statement, unless a new list
    must be started. One bit in ``db``'s transaction, under the issuer's lock, on SQLite, or
    when the issuer is not committed yet, or when ``db`` already holds its lock."""
    if takes_bits_in_transaction(db):
        return _bits_in_transaction(db, issuer, base_url=base_url, kek=kek)
    try:
        with Session(bind=db.get_bind(), expire_on_commit=False) as own:
            own.execute(text(f"SET LOCAL lock_timeout = {RESERVE_LOCK_TIMEOUT_MS}"))
            # The counter's UPDATE is atomic by itself: the issuer's lock is needed only to
            # start a new list (two workers must not both start one).
            found = _reserved(own, issuer.id, count, in_transaction=False)
            if found is None:
                own_issuer = own.get(Issuer, issuer.id)
                if own_issuer is None:  # created in db's open transaction: nobody else sees it
                    own.rollback()
                    return _bits_in_transaction(db, issuer, base_url=base_url, kek=kek)
                issuers.lock(own, own_issuer)
                found = _reserve_locked(
                    own, own_issuer, count, base_url=base_url, kek=kek, in_transaction=False
                )
            own.commit()
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        # db's own open transaction holds the issuer's (or the list's) lock.
        log.warning("status bit taken in the caller's transaction (lock held by it)")
        return _bits_in_transaction(db, issuer, base_url=base_url, kek=kek)
    return found


def _bits_in_transaction(
    db: Session, issuer: Issuer, *, base_url: str, kek: str | bytes
) -> Reserved:
    issuers.lock(db, issuer)
    return _reserve_locked(db, issuer, 1, base_url=base_url, kek=kek, in_transaction=True)


class BitPool:
    """The bits one batch of issues by one issuer has reserved ahead (module docstring): one
    thread's, like the batch. ``take`` gives the next, reserving a new block when needed."""

    MAX_BLOCK = 32

    def __init__(self) -> None:
        self._block: Reserved | None = None
        self._handed = 0

    def take(
        self, db: Session, issuer: Issuer, *, base_url: str, kek: str | bytes
    ) -> tuple[Reserved, int]:
        """A bit for the next credential: its list (``Reserved``) and index."""
        block = self._block
        index = block.take() if block is not None else None
        if block is None or index is None:
            count = min(self.MAX_BLOCK, max(1, self._handed))
            block = reserve_revocation_bits(db, issuer, count, base_url=base_url, kek=kek)
            index = block.take()
            assert index is not None  # a reservation holds one bit at least
            # A bit taken in db's transaction goes back with its rollback: never kept.
            self._block = None if block.in_transaction else block
        self._handed += 1
        return block, index


def takes_bits_in_transaction(db: Session) -> bool:
    """Whether ``reserve_revocation_bits`` takes the bit in ``db``'s own transaction under the
    issuer's lock (SQLite, one writer anyway) rather than in a short transaction of its own."""
    bind = db.get_bind()
    return not isinstance(bind, Engine) or bind.dialect.name == "sqlite"


def reserve_revocation_bit(
    db: Session, issuer: Issuer, *, base_url: str, kek: str | bytes
) -> tuple[StatusList, int]:
    """One free bit (``reserve_revocation_bits``) and its list, loaded in ``db``."""
    reserved = reserve_revocation_bits(db, issuer, base_url=base_url, kek=kek)
    index = reserved.take()
    found = db.get(StatusList, reserved.list_id)
    assert found is not None and index is not None  # committed above, or in db's transaction
    return found, index


def set_bit(
    db: Session,
    status_list: StatusList,
    index: int,
    value: bool,
    *,
    base_url: str,
    kek: str | bytes,
    now: datetime | None = None,
) -> None:
    """Set or clear one entry under the row lock, then re-sign the list credential."""
    lock(db, status_list)
    bits = bytearray(status_list.bits)
    bitstring_list.set_bit(bits, index, value)
    status_list.bits = bytes(bits)
    sign(db, status_list, base_url=base_url, kek=kek, now=now)


def is_set(status_list: StatusList, index: int) -> bool:
    return bitstring_list.get_bit(status_list.bits, index)


def _set_indices(bits: bytes) -> list[int]:
    indices = []
    for byte_index, byte in enumerate(bits):
        if byte:
            indices.extend(byte_index * 8 + bit for bit in range(8) if byte & (0x80 >> bit))
    return indices


def sign(
    db: Session,
    status_list: StatusList,
    *,
    base_url: str,
    kek: str | bytes,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Build and sign the BitstringStatusListCredential with the issuer's active Ed25519 key,
    and store it: the status endpoint serves these exact bytes."""
    now = now or utcnow()
    issuer = status_list.issuer
    key = keys_store.active_key(db, issuer, KeyAlgorithm.ED25519)
    unsigned = bitstring_list.build_status_list_credential(
        credential_id=list_url(status_list, base_url),
        issuer_id=issuers.issuer_iri(issuer, base_url),
        purpose=status_list.purpose.value,  # type: ignore[arg-type]
        set_indices=_set_indices(status_list.bits),
        size=status_list.size,
        valid_from=now,
    )
    signed = data_integrity.sign(
        unsigned,
        keys_store.private_key(key, kek),  # type: ignore[arg-type]
        issuers.verification_method_id(issuer, key, base_url),
        created=format_datetime(now),
    )
    status_list.signed_credential = json.dumps(signed, ensure_ascii=False)
    status_list.signed_at = now
    db.flush()
    return signed


def get(db: Session, issuer_public_id: str, list_public_id: str) -> StatusList:
    status_list = db.scalar(
        select(StatusList)
        .join(Issuer, StatusList.issuer_id == Issuer.id)
        .where(Issuer.public_id == issuer_public_id, StatusList.public_id == list_public_id)
    )
    if status_list is None:
        raise StatusListNotFound(list_public_id)
    return status_list


def by_url(db: Session, url: str, base_url: str) -> StatusList | None:
    """The local list a ``statusListCredential`` URL points to, if it is ours."""
    prefix = f"{base_url.rstrip('/')}/status/"
    if not url.startswith(prefix):
        return None
    issuer_id, _, list_id = url[len(prefix) :].partition("/")
    try:
        return get(db, issuer_id, list_id)
    except StatusListNotFound:
        return None
