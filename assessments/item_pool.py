"""The light rows an adaptive session chooses from (no body, key or texts), cached per worker.

Every answer used to read the whole bank of its framework again (a few hundred rows) to pick
the next item. The rows change only when an item or a competence is written, so each worker
keeps them keyed by the framework's ``bank_stamp``, which a flush writing an item or a
competence replaces (:func:`_restamp`, registered on every ORM session). The stamp is read with
the session's settings (one query the answer makes anyway), so a worker sees another worker's
edit, calibration or new version at its next answer; a stale entry is never used, only
forgotten when the bounded cache is full.
"""

from __future__ import annotations

import threading
import uuid
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, event, select, update
from sqlalchemy.orm import ORMExecuteState, Session, attributes

from assessments.models import (
    Assessment,
    Competence,
    Framework,
    Item,
    ItemStatus,
    visually_accessible,
)

# Frameworks × settings kept per worker; an entry is a few hundred small tuples.
CACHE_SIZE = 64


@dataclass(frozen=True, slots=True)
class Candidate:
    """What choosing and scoring need from an item: no body, key or texts (the full item is
    loaded only once it is asked)."""

    id: int
    uid: str
    version: int  # recorded with the answer: the row asking it needs no full load of the item
    level: int
    a: float
    b: float
    code: str
    kind: str  # the item type (the practice tasks a referral campaign asks)
    usable: bool  # validated, and accessible when the assessment asks for it
    order: tuple[int, int]  # the competence's place in its framework (position, id)


CANDIDATE_COLUMNS = (
    Item.id,
    Item.uid,
    Item.version,
    Item.level,
    Item.a,
    Item.b,
    Item.type,
    Competence.code,
    Competence.position,
    Competence.id.label("competence_id"),
    Item.status,
    Item.access_blind,
    Item.access_colour_blind,
)


def to_candidates(rows: Sequence[Row[Any]], accessible_only: bool) -> list[Candidate]:
    return [
        Candidate(
            id=row.id,
            uid=row.uid,
            version=row.version,
            level=row.level,
            a=row.a,
            b=row.b,
            code=row.code,
            kind=row.type.value,
            order=(row.position, row.competence_id),
            usable=row.status == ItemStatus.VALIDATED
            and (
                not accessible_only
                or visually_accessible(row.access_blind, row.access_colour_blind)
            ),
        )
        for row in rows
    ]


_cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_lock = threading.Lock()


def cached(key: tuple[Any, ...], build: Any) -> Any:
    """``build()`` once per ``key`` in this worker (least recently used entries forgotten)."""
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    value = build()
    with _lock:
        _cache[key] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _cache.clear()


def bank_key(assessment: Assessment) -> tuple[Any, ...]:
    """What an adaptive assessment's candidates depend on: its framework at its current stamp
    and the settings that filter the bank."""
    codes = assessment.competence_codes
    return (
        assessment.framework_id,
        assessment.framework.bank_stamp,
        None if codes is None else tuple(codes),
        bool(assessment.accessible_only),
    )


def adaptive_candidates(db: Session, assessment: Assessment) -> list[Candidate]:
    """Every item of the assessment's framework (restricted to its competences), in id order,
    usable or not (an asked item retired since is still replayed)."""

    def build() -> list[Candidate]:
        query = (
            select(*CANDIDATE_COLUMNS)
            .join(Competence, Competence.id == Item.competence_id)
            .where(Competence.framework_id == assessment.framework_id)
            .order_by(Item.id)
        )
        if assessment.competence_codes is not None:
            query = query.where(Competence.code.in_(assessment.competence_codes))
        return to_candidates(db.execute(query).all(), assessment.accessible_only)

    return cached(("candidates", *bank_key(assessment)), build)


# ---------------------------------------------------------------------------------------------
# Invalidation: a flush that writes an item or a competence gives its framework a new stamp.


def _framework_ids(db: Session, objects: Iterable[object]) -> set[int]:
    competence_ids: set[int] = set()
    frameworks: set[int] = set()
    for obj in objects:
        if isinstance(obj, Item):
            moved_from = attributes.get_history(obj, "competence_id").deleted
            competence_ids.update(c for c in moved_from if c)
            if obj.competence_id is not None:
                competence_ids.add(obj.competence_id)
            elif obj.competence is not None:
                obj = obj.competence  # a new item attached to a (maybe new) competence
        if isinstance(obj, Competence):
            if obj.framework_id is not None:
                frameworks.add(obj.framework_id)
            history = attributes.get_history(obj, "framework_id")
            frameworks.update(f for f in history.deleted if f)
    if competence_ids:
        frameworks.update(
            db.scalars(select(Competence.framework_id).where(Competence.id.in_(competence_ids)))
        )
    return frameworks


def _new_stamp(db: Session, frameworks: set[int] | None) -> None:
    """A new stamp for ``frameworks`` (every framework when None)."""
    query = update(Framework).values(bank_stamp=uuid.uuid4().hex)
    if frameworks is not None:
        if not frameworks:
            return
        query = query.where(Framework.id.in_(frameworks))
    db.execute(query.execution_options(synchronize_session=False))
    for obj in list(db.identity_map.values()):
        if isinstance(obj, Framework) and (frameworks is None or obj.id in frameworks):
            db.expire(obj, ["bank_stamp"])


def _restamp(db: Session, _context: Any, _instances: Any) -> None:
    """``before_flush``: a new stamp for each framework whose items or competences change."""
    changed = [
        obj
        for obj in (*db.new, *db.dirty, *db.deleted)
        if isinstance(obj, Item | Competence)
        and (obj in db.new or obj in db.deleted or db.is_modified(obj))
    ]
    if changed:
        _new_stamp(db, _framework_ids(db, changed))


def _restamp_bulk(state: ORMExecuteState) -> None:
    """``do_orm_execute``: an ``update(Item)`` or ``delete(Item)`` (or of competences) sent
    without loading the rows restamps the frameworks its criteria reach, read before it runs
    (every framework when it has none, or when it moves items between competences)."""
    if not (state.is_update or state.is_delete) or state.bind_mapper is None:
        return
    entity = state.bind_mapper.class_
    if entity not in (Item, Competence):
        return
    criteria = state.statement.whereclause
    moves = state.is_update and entity is Item and "competence_id" in _set_columns(state)
    if criteria is None or moves:
        _new_stamp(state.session, None)
        return
    if entity is Item:
        reached = select(Competence.framework_id).join(Item, Item.competence_id == Competence.id)
    else:
        reached = select(Competence.framework_id)
    _new_stamp(state.session, set(state.session.scalars(reached.where(criteria).distinct())))


def _set_columns(state: ORMExecuteState) -> set[str]:
    values = getattr(state.statement, "_values", None) or {}
    return {getattr(key, "key", str(key)) for key in values}


event.listen(Session, "before_flush", _restamp)
event.listen(Session, "do_orm_execute", _restamp_bulk)
