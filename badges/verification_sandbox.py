"""Verifying what a visitor sends in a child process with CPU and memory limits.

``input_limits`` refuses what no real badge carries, but what stays within its bounds can still
be costly: RDFC-1.0 « poison » graphs make canonicalisation try every order of indistinguishable
blank nodes (ten of them: seconds; twelve: half an hour), a 5 MB SVG of a million empty elements
holds 150 MB while it is parsed. No bound on the input can foresee every such case, so the
public verifier runs the pure core (``ob3.verify.verify_bytes``) in a child process that may use
only so much CPU (``RLIMIT_CPU``) and address space (``RLIMIT_AS``), and the parent waits with
one deadline. A child over a limit is killed and replaced; the visitor reads « Fichier refusé :
la vérification a pris trop de temps » (or « … trop de mémoire »), never a 500 nor a hung worker.

What only the parent has stays in the parent: the database (our issuers' keys, our status
lists, whether an issuer is ours) and the network (``FetchBudget`` and its cache). The child
asks for them over its pipe, one call at a time, and the time the parent spends answering does
not count against the child's deadline (the fetch budget has its own). So the verdict, the
fetch budget and the caches behave as they do in-process.

Children are forked once and reused (a warm pool): the overhead of a verification is a pickled
round trip, not a new interpreter. Forking, rather than a fresh interpreter, keeps whatever the
parent has loaded — and, in tests, whatever it has patched. Each child closes every descriptor
it inherited but its own pipe and the standard streams (``_close_inherited``).
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import os
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from multiprocessing.connection import Connection
from typing import Any

from badges.ob3 import build, verify
from badges.ob3.errors import Ob3Error
from badges.ob3.resolver import FetchError, Resolver, asked_once_per_url
from badges.ob3.verification_result import CheckRun, Verdict, VerificationResult

# A real badge verifies in well under a second of CPU (tests/bench/test_verifier_sandbox.py).
DEFAULT_CPU_SECONDS = 5.0
# Address space a child may add to what it holds when it starts: a badge near the 1 MB
# credential limit verifies within 16 MB (tests/bench/test_verifier_sandbox.py); the SVG of a
# million elements needs 150.
DEFAULT_MEMORY_MB = 128
# Children per worker process: a Gunicorn sync worker verifies one request at a time, a threaded
# server a few; more concurrent verifications wait for a free child.
DEFAULT_CHILDREN = 2
# RLIMIT_CPU bounds the work; the parent's deadline (wall clock) only catches a child that
# neither works nor answers, so it leaves room for a child waiting for a CPU on a busy machine.
WALL_CLOCK_FACTOR = 3.0
WALL_CLOCK_MARGIN_SECONDS = 2.0
KILL_WAIT_SECONDS = 2.0


class Refusal(StrEnum):
    """Why a child gave no verdict."""

    TIME = "time"
    MEMORY = "memory"
    CRASH = "crash"


REFUSALS = {
    Refusal.TIME: (
        "Fichier refusé : la vérification a pris trop de temps.",
        "Refused: verifying this file took too long.",
    ),
    Refusal.MEMORY: (
        "Fichier refusé : la vérification demandait trop de mémoire.",
        "Refused: verifying this file needed too much memory.",
    ),
    Refusal.CRASH: (
        "Fichier refusé : la vérification s'est interrompue.",
        "Refused: verifying this file stopped unexpectedly.",
    ),
}
# Parent-side exceptions a callback may raise, as the core expects to catch them.
_ERROR_KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (Ob3Error, "ob3"),
    (LookupError, "lookup"),
    (OSError, "os"),
    (ValueError, "value"),
)
_ERRORS_IN_CHILD: dict[str, Callable[[str], Exception]] = {
    "ob3": FetchError,
    "lookup": LookupError,
    "os": OSError,
    "value": ValueError,
    "other": RuntimeError,
}


@dataclass(frozen=True)
class Limits:
    """What one verification may use: CPU seconds, and memory (MB) above a child's start."""

    cpu_seconds: float = DEFAULT_CPU_SECONDS
    memory_mb: int = DEFAULT_MEMORY_MB
    children: int = DEFAULT_CHILDREN

    @property
    def wall_seconds(self) -> float:
        return self.cpu_seconds * WALL_CLOCK_FACTOR + WALL_CLOCK_MARGIN_SECONDS


def refused_result(refusal: Refusal) -> VerificationResult:
    """The verdict of a file whose verification went over a limit: refused, as malformed."""
    run = CheckRun()
    run.fail("format", *REFUSALS[refusal])
    return VerificationResult(Verdict.MALFORMED, run.checks)


def warm_up() -> None:
    """Verify a small credential of our own in this process, so that the contexts and schemas
    every verification needs are processed once, before children are forked with them."""
    credential = build.build_achievement_credential(
        credential_id="urn:uuid:00000000-0000-4000-8000-000000000000",
        issuer=build.IssuerProfile(id="https://warm-up.invalid/issuer", name="Jalon"),
        achievement=build.AchievementDef(
            id="https://warm-up.invalid/achievement",
            name="Badge",
            description="Préchauffage.",
            criteria_narrative="Aucun.",
        ),
        recipient=build.Recipient(identity="warm-up@jalon.invalid", salt="00000000"),
        valid_from=datetime(2026, 1, 1, tzinfo=UTC),
    )
    verify.verify_credential(credential)


# ------------------------------------------------------------------------------ the child


def _address_space_in_use() -> int | None:
    """Bytes of address space this process maps now (Linux), or None elsewhere."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _limit_memory(memory_mb: int) -> None:
    """At most ``memory_mb`` of address space above what the child maps at its start (free
    memory the worker's heap held at the fork is already mapped: it comes on top)."""
    in_use = _address_space_in_use()
    if in_use is not None:
        ceiling = in_use + memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (ceiling, ceiling))


def _limit_cpu(cpu_seconds: float) -> None:
    """RLIMIT_CPU counts from the process's start: allow ``cpu_seconds`` more than used so far
    (whole seconds; SIGXCPU then ends the child, the parent's deadline is finer)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    used = usage.ru_utime + usage.ru_stime
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(used + cpu_seconds)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _ask_parent(conn: Connection, name: str) -> Callable[..., Any]:
    """A callable that runs ``name`` in the parent (database, network) and returns its answer."""

    def call(*args: Any) -> Any:
        conn.send(("call", name, args))
        kind, value = conn.recv()
        if kind == "raise":
            error_kind, message = value
            raise _ERRORS_IN_CHILD[error_kind](message)
        return value

    return call


def _verify_in_child(conn: Connection, job: dict[str, Any]) -> VerificationResult:
    asked = set(job["callbacks"])

    def callback(name: str) -> Callable[..., Any] | None:
        return _ask_parent(conn, name) if name in asked else None

    local = callback("local")  # our issuers' documents: one round trip per URL and job
    resolver = Resolver(
        local=asked_once_per_url(local) if local is not None else None,
        documents=job["documents"],
        fetch=callback("fetch"),
    )
    return verify.verify_bytes(
        job["data"],
        filename=job["filename"],
        resolver=resolver,
        status_fetcher=callback("status"),
        endorsement_status_fetcher=callback("endorsement_status"),
        is_known_issuer=callback("known"),
    )


def _close_inherited(keep: int) -> None:
    """Close every descriptor this fork inherited but its own pipe and the standard streams: the
    parent's ends of every child's pipe (so that when the parent dies, even killed, each child
    reads the end of its pipe and leaves) and whatever else the parent had open — database
    sockets, a browser driver's pipes in tests — which a copy held here would keep from ever
    seeing its end (a driver waiting for its stdin to close would wait for ever)."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    top = soft if soft != resource.RLIM_INFINITY else 1 << 20  # Linux's default nr_open
    os.closerange(3, keep)
    os.closerange(keep + 1, top)


def _child_main(conn: Connection, memory_mb: int) -> None:
    """Verify jobs until the pipe closes; leave after running out of memory."""
    _close_inherited(conn.fileno())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when a child ends
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))  # SIGXCPU writes no core file
    gc.freeze()  # what the parent holds is never collected here: not walked, not copied
    _limit_memory(memory_mb)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        except MemoryError:  # the file alone is over the limit
            conn.send(("memory", None))
            return
        _limit_cpu(job["cpu_seconds"])
        try:
            conn.send(("done", _verify_in_child(conn, job)))
        except MemoryError:
            conn.send(("memory", None))
            return


# ------------------------------------------------------------------------------ the parent


class _Child:
    def __init__(self, limits: Limits) -> None:
        context = multiprocessing.get_context("fork")
        self.conn, child_end = context.Pipe()
        self.process = context.Process(
            target=_child_main, args=(child_end, limits.memory_mb), daemon=True
        )
        self.process.start()
        child_end.close()

    def alive(self) -> bool:
        return self.process.is_alive()

    def kill(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(KILL_WAIT_SECONDS)
        self.conn.close()

    def _death(self) -> Refusal:
        self.process.join(KILL_WAIT_SECONDS)
        if self.process.exitcode in (-signal.SIGXCPU, -signal.SIGKILL):
            return Refusal.TIME
        return Refusal.CRASH

    def run(
        self, job: dict[str, Any], callbacks: dict[str, Callable[..., Any]], wall_seconds: float
    ) -> VerificationResult | Refusal:
        """Send one job, answer the child's calls, and wait for its verdict until the deadline
        (time spent answering calls does not count: the fetch budget bounds it)."""
        try:
            self.conn.send(job)
        except OSError:
            return Refusal.CRASH
        remaining = wall_seconds
        while True:
            started = time.monotonic()
            if remaining <= 0 or not self.conn.poll(remaining):
                return Refusal.TIME
            try:
                kind, *payload = self.conn.recv()
            except (EOFError, OSError):
                return self._death()
            remaining -= time.monotonic() - started
            if kind == "done":
                return payload[0]
            if kind == "memory":
                return Refusal.MEMORY
            name, args = payload
            self.conn.send(_answer(callbacks[name], args))


def _answer(callback: Callable[..., Any], args: tuple[Any, ...]) -> tuple[str, Any]:
    """A callback's value, or the kind of exception it raised (the core catches by kind)."""
    try:
        return "value", callback(*args)
    except Exception as error:
        kind = next((k for cls, k in _ERROR_KINDS if isinstance(error, cls)), "other")
        return "raise", (kind, str(error))


class VerifierPool:
    """Warm children for one worker process; thread-safe; ``close`` ends them."""

    def __init__(self, limits: Limits) -> None:
        warm_up()
        self.limits = limits
        self.pid = os.getpid()
        self._idle: list[_Child] = []
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(max(1, limits.children))

    def _take(self) -> _Child:
        with self._lock:
            while self._idle:
                child = self._idle.pop()
                if child.alive():
                    return child
                child.kill()
        return _Child(self.limits)

    def _keep(self, child: _Child) -> None:
        with self._lock:
            self._idle.append(child)

    def verify(
        self, data: bytes, filename: str | None, options: dict[str, Any]
    ) -> VerificationResult:
        """``ob3.verify.verify_bytes(data, filename=…, **options)`` in a child under the limits;
        over a limit, a refusal (malformed, « Fichier refusé : … »)."""
        job, callbacks = _job(data, filename, options, self.limits)
        with self._slots:
            child = self._take()
            try:
                outcome = child.run(job, callbacks, self.limits.wall_seconds)
            except BaseException:
                child.kill()
                raise
            if isinstance(outcome, VerificationResult):
                self._keep(child)
                return outcome
            child.kill()
            self._keep(_Child(self.limits))  # the replacement is warm for the next visitor
            return refused_result(outcome)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for child in idle:
            child.kill()


def _job(
    data: bytes, filename: str | None, options: dict[str, Any], limits: Limits
) -> tuple[dict[str, Any], dict[str, Callable[..., Any]]]:
    """What the child is sent (plain data) and the parent-side callables it may ask for."""
    resolver: Resolver = options.get("resolver") or Resolver()
    callbacks = {
        "local": resolver.local,
        "fetch": resolver.fetch,
        "status": options.get("status_fetcher"),
        "endorsement_status": options.get("endorsement_status_fetcher"),
        "known": options.get("is_known_issuer"),
    }
    callbacks = {name: found for name, found in callbacks.items() if found is not None}
    job = {
        "data": bytes(data),
        "filename": filename,
        "documents": dict(resolver.documents),
        "callbacks": sorted(callbacks),
        "cpu_seconds": limits.cpu_seconds,
    }
    return job, callbacks
