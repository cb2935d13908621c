"""Gunicorn configuration of the load benchmark's stack only (``gunicorn -c``): the CPU each
request costs, as the worker that answered it sees it, and its reading by the harness.

``/proc`` gives a worker's CPU over a whole stage, shared out among every request of it; the
goal names a figure per request type (a question GET, an answer POST but the last one), which a
stage of whole sessions mixes with the start, the last answer and the results page. So the
``pre_request`` and ``post_request`` server hooks read the worker's ``time.process_time()``
around each request (sync workers answer one request at a time per process: the difference is
this request's) and append one line to a file of the worker's own in ``BENCH_LOAD_CPU_DIR``::

    <request name>\\t<worker CPU ms>\\t<children CPU ms>\\n

The name is locust's (``question GET``, ``last answer POST``…), found from the method, the path
and, for an answer, the redirect (``…/resultats``: the last one); an error status is appended
(``answer POST HTTP 503``) so failures are counted apart. The children's CPU is the public
verifier's sandboxes' (warm children of the worker, which ``process_time`` does not see, and
which are not reaped between requests: read from ``/proc``, with ``os.times`` for those reaped
during the request). Left out, as the hooks run after it: Gunicorn's accepting the connection
and reading and parsing the request (the ``/proc`` totals include it).

The hooks are read outside what they measure (``process_time`` last in ``pre_request``, first
in ``post_request``) and never raise: a measure must not fail a request."""

from __future__ import annotations

import glob
import os
import re
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

DIRECTORY_VARIABLE = "BENCH_LOAD_CPU_DIR"
FILE_GLOB = "requests-cpu-*.tsv"
TICKS = os.sysconf("SC_CLK_TCK")
_ROUTES = (
    ("GET", re.compile(r"/healthz"), "/healthz"),
    ("GET", re.compile(r"/apprenant/campagne/[^/]+"), "campaign page GET"),
    ("POST", re.compile(r"/apprenant/campagne/[^/]+"), "start POST"),
    ("GET", re.compile(r"/apprenant/evaluations/\d+"), "question GET"),
    ("POST", re.compile(r"/apprenant/evaluations/\d+/reponse"), "answer POST"),
    ("GET", re.compile(r"/apprenant/evaluations/\d+/resultats"), "results GET"),
    ("GET", re.compile(r"/c/[^/]+"), "/c/<id>"),
    ("POST", re.compile(r"/api/verifier"), "/api/verifier"),
)
_NUMBER = re.compile(r"/\d+")
# This worker's request in progress: (its children's CPU, its own) at the start, in seconds.
_started: tuple[float, float] | None = None
# The worker's file, opened once per process (the pid tells a worker from what it was forked
# from): (pid, descriptor).
_out: tuple[int, int] | None = None


# ------------------------------------------------------------------------------ the hooks


def pre_request(worker, req) -> None:
    global _started
    try:
        children = children_cpu()
    except (OSError, ValueError):
        children = 0.0
    _started = (children, time.process_time())


def post_request(worker, req, environ, resp) -> None:
    global _started
    own = time.process_time()
    if _started is None:
        return
    (children_before, own_before), _started = _started, None
    try:
        children = children_cpu() - children_before
        status, location = _outcome(resp)
        name = request_name(req.method, req.path, status, location)
        line = _line(name, own - own_before, children)
        os.write(_descriptor(), line.encode("utf-8"))
    except (OSError, ValueError):
        return


# ------------------------------------------------------------------------------ measuring


def request_name(method: str, path: str, status: int, location: str = "") -> str:
    """Locust's name for a request (the table's rows); others by method and path, numbers
    left out. An error status (400 and above) is appended."""
    path = (path or "").split("?", 1)[0]
    name = next(
        (label for verb, route, label in _ROUTES if verb == method and route.fullmatch(path)),
        f"{method} {_NUMBER.sub('/<n>', path)}",
    )
    if name == "answer POST" and location.split("?", 1)[0].endswith("/resultats"):
        name = "last answer POST"  # scoring and badges are in this one
    return f"{name} HTTP {status}" if status >= 400 else name


def children_cpu() -> float:
    """CPU seconds of this process's children: the live ones (from /proc) and those reaped."""
    reaped = os.times()
    total = reaped.children_user + reaped.children_system
    for listing in glob.glob(f"/proc/{os.getpid()}/task/*/children"):
        for pid in Path(listing).read_text().split():
            total += process_cpu(int(pid))
    return total


def process_cpu(pid: int) -> float:
    """One process's CPU seconds: its live threads' /proc/<pid>/task/*/schedstat (nanoseconds;
    a sandbox has one thread), else /proc/<pid>/stat (clock ticks); 0 once it is gone."""
    try:
        tasks = glob.glob(f"/proc/{pid}/task/*/schedstat")
        if tasks:
            return sum(int(Path(task).read_text().split()[0]) for task in tasks) / 1e9
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICKS
    except (FileNotFoundError, ProcessLookupError, IndexError, ValueError):
        return 0.0


def _outcome(resp) -> tuple[int, str]:
    """The response's status and ``Location`` (0 and "" when Gunicorn made none)."""
    if resp is None:
        return 0, ""
    location = next((v for k, v in resp.headers or () if k.lower() == "location"), "")
    return resp.status_code or 0, location


def _line(name: str, own: float, children: float) -> str:
    return f"{name}\t{1000 * own:.3f}\t{1000 * children:.3f}\n"


def _descriptor() -> int:
    """The worker's file, appended to with one ``write`` per line (whole lines only)."""
    global _out
    if _out is None or _out[0] != os.getpid():
        directory = os.environ.get(DIRECTORY_VARIABLE, ".")
        path = os.path.join(directory, f"requests-cpu-{os.getpid()}.tsv")
        _out = (os.getpid(), os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644))
    return _out[1]


# ------------------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Request:
    name: str
    worker_ms: float
    children_ms: float

    @property
    def ms(self) -> float:
        return self.worker_ms + self.children_ms


@dataclass(frozen=True)
class Summary:
    count: int
    mean: float
    median: float
    children_mean: float


def offsets(directory: Path) -> dict[Path, int]:
    """Where each worker's file ends now (what a stage appends comes after)."""
    return {path: path.stat().st_size for path in sorted(directory.glob(FILE_GLOB))}


def read_since(directory: Path, since: dict[Path, int]) -> list[Request]:
    """The requests written after ``since`` (a file not in it: all of it, a worker started
    meanwhile); a line not yet ended is left for later."""
    found = []
    for path in sorted(directory.glob(FILE_GLOB)):
        with path.open("rb") as handle:
            handle.seek(since.get(path, 0))
            text = handle.read().decode("utf-8", errors="replace")
        found += [parse(line) for line in text.split("\n")[:-1] if line]
    return found


def parse(line: str) -> Request:
    name, worker_ms, children_ms = line.rsplit("\t", 2)
    return Request(name, float(worker_ms), float(children_ms))


def summarise(requests: list[Request]) -> dict[str, Summary]:
    by_name: dict[str, list[Request]] = {}
    for request in requests:
        by_name.setdefault(request.name, []).append(request)
    return {
        name: Summary(
            len(found),
            statistics.fmean(r.ms for r in found),
            statistics.median(r.ms for r in found),
            statistics.fmean(r.children_ms for r in found),
        )
        for name, found in by_name.items()
    }


def answered_question(summaries: dict[str, Summary]) -> float | None:
    """The goal's figure: a question GET and an answer POST (not the last), mean CPU each."""
    if "question GET" not in summaries or "answer POST" not in summaries:
        return None
    return summaries["question GET"].mean + summaries["answer POST"].mean
