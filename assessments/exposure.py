"""How often each item was asked in a campaign's recent sessions, read again at most every
few seconds per worker.

Exposure control (the adaptive engine's restriction on over-used items) needs, at every
answer, how many of the campaign's last sessions asked each item. Reading it was one grouped
query per answer over up to ``WINDOW`` sessions' rows: a statement and a fair share of the
database's work on the busiest path. The rates it feeds move slowly — one session more or
less changes them by a fraction of a percent — so each worker keeps the counts it read for
``REFRESH_SECONDS`` and adds what it does itself in between (the items it asks, the sessions
it starts). In one process the counts are therefore exact until the window slides; across
workers they lag by at most ``REFRESH_SECONDS``. Entries live as long as their engine (one
cache per database), and a bounded number of campaigns is kept.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from assessments.models import AssessmentSession, Response

# Exposure rates are read over the campaign's most recent sessions: recent use is what the
# restriction must hold down, and the query stays bounded however large the campaign grows.
WINDOW = 200
# How long a worker trusts the counts it read (plus its own asks since).
REFRESH_SECONDS = 10.0
# Campaigns kept per database and worker.
CAMPAIGNS_KEPT = 256


def _build_query() -> Any:
    """Per item asked in the campaign's last sessions: its item id, how many of those sessions
    asked it, and how many sessions there are (the same on every row): one statement, built
    once (its campaign is a bound parameter)."""
    recent = (
        select(AssessmentSession.id)
        .where(AssessmentSession.campaign_id == bindparam("campaign_id"))
        .order_by(AssessmentSession.id.desc())
        .limit(WINDOW)
        .cte("recent_sessions")
    )
    takers = select(func.count()).select_from(recent).scalar_subquery()
    return (
        select(Response.item_id, func.count(), takers)
        .where(Response.session_id.in_(select(recent.c.id)))
        .group_by(Response.item_id)
    )


QUERY = _build_query()


@dataclass
class Counts:
    """Item id → sessions that asked it, and the number of sessions (at least 1)."""

    uses: dict[int, int] = field(default_factory=dict)
    takers: int = 1
    read_at: float = 0.0


_caches: weakref.WeakKeyDictionary[Any, OrderedDict[int, Counts]] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def _cache_of(db: Session) -> OrderedDict[int, Counts]:
    """The counts kept for ``db``'s database (the caller holds ``_lock``)."""
    return _caches.setdefault(db.get_bind(), OrderedDict())


def read(db: Session, campaign_id: int, *, clock: Any = time.monotonic) -> Counts:
    """The campaign's counts: this worker's copy when younger than ``REFRESH_SECONDS``, else
    read again (one statement). With no item asked yet the number of sessions does not matter
    (no use is counted, so every item is under the target rate): 1 then."""
    now = clock()
    with _lock:
        cache = _cache_of(db)
        kept = cache.get(campaign_id)
        if kept is not None and now - kept.read_at < REFRESH_SECONDS:
            cache.move_to_end(campaign_id)
            return _snapshot(kept)
    rows = db.execute(QUERY, {"campaign_id": campaign_id}).all()
    fresh = Counts(
        uses={item_id: count for item_id, count, _takers in rows},
        takers=int(rows[0][2] or 1) if rows else 1,
        read_at=now,
    )
    with _lock:
        cache[campaign_id] = fresh
        while len(cache) > CAMPAIGNS_KEPT:
            cache.popitem(last=False)
        return _snapshot(fresh)


def _snapshot(kept: Counts) -> Counts:
    """A copy the caller may read while other threads of the worker add their asks."""
    return Counts(dict(kept.uses), kept.takers, kept.read_at)


def note_asked(db: Session, campaign_id: int, item_id: int) -> None:
    """This worker has just asked ``item_id`` in the campaign: count it until the next read."""
    with _lock:
        kept = _cache_of(db).get(campaign_id)
        if kept is not None:
            kept.uses[item_id] = kept.uses.get(item_id, 0) + 1


def note_started(db: Session, campaign_id: int) -> None:
    """This worker has just started a session in the campaign: one taker more (the window
    holds ``WINDOW`` at most) until the next read."""
    with _lock:
        kept = _cache_of(db).get(campaign_id)
        if kept is not None:
            kept.takers = min(kept.takers + 1, WINDOW)


def clear() -> None:
    """Forget every count (tests)."""
    with _lock:
        _caches.clear()
