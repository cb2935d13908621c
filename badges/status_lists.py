"""Status lists in the database: allocating a credential's bit, flipping it, re-signing the list.

Concurrency: every change to a list starts with an ``UPDATE`` of its row, which takes the row lock
on PostgreSQL and the write lock on SQLite before anything is read, so two workers never hand out
the same index nor lose each other's revocations. The unique ``(status_list_id, status_index)``
constraint on credentials is the backstop.

Signing outside the lock (``reserve_revocation_bit``): on PostgreSQL a new credential's bit is
taken in a short transaction of its own, committed at once, so the issuer's and the list's row
locks last a few milliseconds and the signing that follows runs in parallel with other issues.
A failure after that wastes the bit (it stays 0 in the list, and no credential points to it):
harmless, a list has 131,072 of them. On SQLite (one writer for the whole database, so nothing
would run in parallel anyway) the bit is taken in the caller's transaction, under the issuer's
lock, and a rollback gives it back.

Privacy: indexes come from a counter mapped through ``index = (a·n + b) mod size`` with a random
``a`` coprime to ``size`` and random ``b`` per list — a bijection, so allocation never collides,
yet consecutive credentials get scattered bits and the list reveals no issuance order.
"""

from __future__ import annotations

import json
import logging
import math
import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Engine, select, text, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

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
    return f"{base_url.rstrip('/')}/status/{status_list.issuer.public_id}/{status_list.public_id}"


def _random_multiplier(size: int) -> int:
    while True:
        candidate = secrets.randbelow(size - 1) + 1
        if math.gcd(candidate, size) == 1:
            return candidate


def permuted_index(status_list: StatusList, counter: int) -> int:
    """The bit position of the ``counter``-th credential of the list."""
    return (
        status_list.permutation_multiplier * counter + status_list.permutation_offset
    ) % status_list.size


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


def current(db: Session, issuer: Issuer, purpose: StatusPurpose) -> StatusList | None:
    """The issuer's newest list with room left, if any."""
    return db.scalar(
        select(StatusList)
        .where(
            StatusList.issuer_id == issuer.id,
            StatusList.purpose == purpose,
            StatusList.allocated < StatusList.size,
        )
        .order_by(StatusList.id.desc())
        .limit(1)
    )


def lock(db: Session, status_list: StatusList) -> None:
    """Take the list's row lock for the rest of the transaction, then reload its state."""
    db.execute(
        update(StatusList)
        .where(StatusList.id == status_list.id)
        .values(allocated=StatusList.allocated)
        .execution_options(synchronize_session=False)
    )
    db.refresh(status_list)


def allocate(db: Session, status_list: StatusList) -> int | None:
    """Take the list's next index (atomic), or None when the list is full.

    Rolled back with the caller's transaction, so a failed issuance consumes nothing.
    """
    counter = db.execute(
        update(StatusList)
        .where(StatusList.id == status_list.id, StatusList.allocated < StatusList.size)
        .values(allocated=StatusList.allocated + 1)
        .returning(StatusList.allocated)
        .execution_options(synchronize_session=False)
    ).scalar()
    if counter is None:
        return None
    db.refresh(status_list, ["allocated"])
    return permuted_index(status_list, counter - 1)


def revocation_bit(
    db: Session, issuer: Issuer, *, base_url: str, kek: str | bytes
) -> tuple[StatusList, int]:
    """A free bit in the issuer's current revocation list (a new list when there is none or it
    is full). The caller holds the issuer's lock (``issuers.lock``), so no bit is given twice."""
    status_list = current(db, issuer, StatusPurpose.REVOCATION)
    if status_list is None:
        status_list = create(db, issuer, StatusPurpose.REVOCATION, base_url=base_url, kek=kek)
    index = allocate(db, status_list)
    if index is None:  # pragma: no cover - impossible under the lock; kept as a guard
        raise RuntimeError("status list filled up under the issuer lock")
    return status_list, index


def takes_bits_in_transaction(db: Session) -> bool:
    """Whether ``reserve_revocation_bit`` takes the bit in ``db``'s own transaction under the
    issuer's lock (SQLite, one writer anyway) rather than in a short transaction of its own."""
    bind = db.get_bind()
    return not isinstance(bind, Engine) or bind.dialect.name == "sqlite"


def reserve_revocation_bit(
    db: Session, issuer: Issuer, *, base_url: str, kek: str | bytes
) -> tuple[StatusList, int]:
    """A free bit for a credential about to be signed, without holding any lock while it is
    signed (see the module's docstring): taken and committed in a transaction of its own on
    PostgreSQL; in ``db``'s transaction, under the issuer's lock, on SQLite, or when the issuer
    is not committed yet, or when ``db`` already holds its lock."""
    if takes_bits_in_transaction(db):
        return _bit_in_transaction(db, issuer, base_url=base_url, kek=kek)
    bind = db.get_bind()
    try:
        with Session(bind=bind, expire_on_commit=False) as own:
            own.execute(text(f"SET LOCAL lock_timeout = {RESERVE_LOCK_TIMEOUT_MS}"))
            # The counter's UPDATE is atomic by itself: the issuer's lock is needed only to
            # start a new list (two workers must not both start one).
            status_list = current(own, issuer, StatusPurpose.REVOCATION)
            index = allocate(own, status_list) if status_list is not None else None
            if status_list is None or index is None:
                own_issuer = own.get(Issuer, issuer.id)
                if own_issuer is None:  # created in db's open transaction: nobody else sees it
                    own.rollback()
                    return _bit_in_transaction(db, issuer, base_url=base_url, kek=kek)
                issuers.lock(own, own_issuer)
                status_list, index = revocation_bit(own, own_issuer, base_url=base_url, kek=kek)
            list_id = status_list.id
            own.commit()
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != LOCK_NOT_AVAILABLE:
            raise
        # db's own open transaction holds the issuer's (or the list's) lock.
        log.warning("status bit taken in the caller's transaction (lock held by it)")
        return _bit_in_transaction(db, issuer, base_url=base_url, kek=kek)
    found = db.get(StatusList, list_id)
    assert found is not None  # committed above
    return found, index


def _bit_in_transaction(
    db: Session, issuer: Issuer, *, base_url: str, kek: str | bytes
) -> tuple[StatusList, int]:
    issuers.lock(db, issuer)
    return revocation_bit(db, issuer, base_url=base_url, kek=kek)


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
