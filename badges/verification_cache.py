"""A bounded, short-lived, in-process memory of our credentials' verification results.

Re-verifying a stored credential (expanding and canonicalising it, checking two proofs and the
schema) is most of the cost of the employer's page, and its outcome only changes when one of
a few things we record changes. So each result is kept under a *stamp* of those things (see
``badges.verification.stamp``): the credential's revocation, suspension and dates, the signed
document itself, its status list, and the state of its issuer's keys. A revocation, a
suspension, a reinstatement or a key withdrawal changes the stamp, so the next view misses and
verifies again — in every worker, since each reads the stamp from the database, not from this
memory. The time-to-live bounds how long a result may outlive a change we do not stamp (a
document served by someone else), and an entry never outlives the credential's next date
boundary (valid from, valid until).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Generic, TypeVar

Value = TypeVar("Value")

DEFAULT_MAX_ENTRIES = 2048
DEFAULT_TTL_SECONDS = 300.0


@dataclass(frozen=True)
class _Entry(Generic[Value]):
    stamp: Hashable
    value: Value
    expires_at: float


class StampedCache(Generic[Value]):
    """Key → value valid for one stamp, at most ``max_entries`` (least recently used dropped
    first), each for at most ``ttl_seconds``. Thread-safe: gthread workers share it."""

    def __init__(
        self,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        ttl_seconds: float = DEFAULT_TTL_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_entries = max_entries
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._entries: OrderedDict[Hashable, _Entry[Value]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    @property
    def enabled(self) -> bool:
        return self.max_entries > 0 and self.ttl_seconds > 0

    def get(self, key: Hashable, stamp: Hashable) -> Value | None:
        """The value stored under ``key`` for this very ``stamp`` and still fresh, else None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.stamp != stamp or entry.expires_at <= self._clock():
                if entry is not None:
                    del self._entries[key]
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return entry.value

    def put(
        self, key: Hashable, stamp: Hashable, value: Value, *, at_most: float | None = None
    ) -> None:
        """Keep ``value`` for ``stamp`` (replacing any other stamp's); ``at_most`` seconds caps
        the time-to-live (a date boundary coming sooner)."""
        if not self.enabled:
            return
        lifetime = self.ttl_seconds if at_most is None else min(self.ttl_seconds, at_most)
        if lifetime <= 0:
            return
        with self._lock:
            self._entries[key] = _Entry(stamp, value, self._clock() + lifetime)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def forget(self, key: Hashable) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
