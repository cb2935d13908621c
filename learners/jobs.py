"""Background jobs: a row per job that the work updates as it goes, so a page can show progress.

The work is a plain function ``work(db, progress, **arguments) -> dict``: it calls
``progress(done, total)`` as it goes and returns a small summary. ``run`` executes it with its own
database sessions: the work's session commits what the work decides; progress is written through
a second, short session so it is visible while the work's transaction is still open. Where the
job runs (in the request, a thread, a queue worker) is the web layer's choice (``web/jobs.py``).
A work that commits in batches asks for ``job_id`` and writes its progress with its own session
(:func:`progress_in`) in each batch's transaction instead.

A job may split its work into **parts**, jobs of their own that queue workers take in parallel
(:func:`run_parts`): each part is taken once (:func:`claim`), and the job that made them runs
those no worker has taken yet, so it finishes even with a single worker, or none.
"""

from __future__ import annotations

import inspect
import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from learners.database import utcnow
from learners.models import Job, JobStatus, User

log = logging.getLogger(__name__)

# Progress is written at most this often (seconds): cheap even for 100,000 steps.
PROGRESS_INTERVAL = 0.5


class Progress(Protocol):
    def __call__(self, done: int, total: int | None = None) -> None: ...


# What a job whose worker died (machine restarted, process killed) says once it is seen stale.
INTERRUPTED = "La tâche s'est interrompue (serveur arrêté ou redémarré) ; relancez-la."


class JobError(Exception):
    """A failure the work explains itself (the message is shown to the person who started it)."""


Work = Callable[..., dict[str, Any] | None]


def create(
    db: Session,
    kind: str,
    *,
    organisation_id: int | None,
    actor: User | None,
    arguments: dict[str, Any] | None = None,
) -> Job:
    """A queued job (flushed; the caller commits before the job may start)."""
    job = Job(
        kind=kind,
        organisation_id=organisation_id,
        created_by_id=actor.id if actor is not None else None,
        arguments=arguments or {},
    )
    db.add(job)
    db.flush()
    return job


def _set(factory: sessionmaker, job_id: int, **values: Any) -> None:
    with factory() as db:
        db.execute(update(Job).where(Job.id == job_id).values(**values))
        db.commit()


def progress_writer(factory: sessionmaker, job_id: int) -> Progress:
    """A ``progress(done, total)`` that writes at most every PROGRESS_INTERVAL seconds (and the
    last call of a run, from ``run``)."""
    last = [0.0]

    def progress(done: int, total: int | None = None) -> None:
        now = time.monotonic()
        if now - last[0] < PROGRESS_INTERVAL and (total is None or done < total):
            return
        last[0] = now
        values: dict[str, Any] = {"done": done}
        if total is not None:
            values["total"] = total
        _set(factory, job_id, **values)

    return progress


def progress_in(db: Session, job_id: int) -> Progress:
    """Progress written through the work's own session, in its open transaction: seen by the
    page when the work commits. For a work that commits in batches while it holds a write
    transaction between them: on SQLite (one writer at a time) a second session writing
    progress then would wait for that transaction and fail with « database is locked »."""

    def progress(done: int, total: int | None = None) -> None:
        values: dict[str, Any] = {"done": done}
        if total is not None:
            values["total"] = total
        db.execute(update(Job).where(Job.id == job_id).values(**values))

    return progress


def _both(first: Progress, second: Progress) -> Progress:
    def progress(done: int, total: int | None = None) -> None:
        first(done, total)
        second(done, total)

    return progress


def _wants_job_id(work: Work) -> bool:
    return "job_id" in inspect.signature(work).parameters


def run(factory: sessionmaker, job_id: int, work: Work, *, watch: Progress | None = None) -> None:
    """Run ``work`` for job ``job_id`` and record how it ended; never raises. ``watch`` hears
    each ``progress(done, total)`` of the work too (a job running one of its parts itself)."""
    _set(factory, job_id, status=JobStatus.RUNNING, started_at=utcnow())
    with factory() as db:
        job = db.get(Job, job_id)
        arguments = dict(job.arguments or {}) if job else {}
    if _wants_job_id(work):  # it writes its progress itself (progress_in)
        arguments["job_id"] = job_id
    progress = progress_writer(factory, job_id)
    if watch is not None:
        progress = _both(progress, watch)
    try:
        with factory() as db:
            summary = work(db, progress, **arguments) or {}
            db.commit()
    except JobError as error:
        _set(factory, job_id, status=JobStatus.FAILED, error=str(error), finished_at=utcnow())
        return
    except Exception as error:  # the job fails; the worker lives on
        log.exception("job %s failed", job_id)
        _set(
            factory,
            job_id,
            status=JobStatus.FAILED,
            error=f"Erreur interne ({type(error).__name__}).",
            finished_at=utcnow(),
        )
        return
    values: dict[str, Any] = {"status": JobStatus.DONE, "result": summary, "finished_at": utcnow()}
    with factory() as db:
        job = db.get(Job, job_id)
        if job is not None and job.total is not None:
            values["done"] = job.total
    _set(factory, job_id, **values)


def expire_if_stale(
    db: Session,
    job: Job,
    *,
    running_seconds: float,
    queued_seconds: float,
    now: datetime | None = None,
) -> bool:
    """Mark ``job`` failed when nothing can still be working on it: running for longer than
    ``running_seconds`` (a queue worker kills the work at that timeout, so it died with its
    process) or queued for longer than ``queued_seconds`` (the queue dropped it). The caller
    commits; a work that does finish afterwards still records how it ended."""
    if job.finished:
        return False
    now = now or utcnow()
    if job.status is JobStatus.RUNNING:
        stale = job.started_at is not None and now - job.started_at > timedelta(
            seconds=running_seconds
        )
    else:
        stale = now - job.created_at > timedelta(seconds=queued_seconds)
    if stale:
        job.status, job.error, job.finished_at = JobStatus.FAILED, INTERRUPTED, now
    return stale


def interrupt(factory: sessionmaker, job_id: int) -> bool:
    """Report job ``job_id`` interrupted now if it has not ended: the process running it died
    (a queue worker saw its work-horse killed). True when it was reported so."""
    with factory() as db:
        reported = db.execute(
            update(Job)
            .where(Job.id == job_id, Job.status.in_((JobStatus.QUEUED, JobStatus.RUNNING)))
            .values(status=JobStatus.FAILED, error=INTERRUPTED, finished_at=utcnow())
        ).rowcount
        db.commit()
    return reported == 1


def claim(factory: sessionmaker, job_id: int) -> bool:
    """Take a queued job for this process: true for exactly one caller, whoever asks first (a
    queue worker, or the job that made this part), so a part never runs twice."""
    with factory() as db:
        taken = db.execute(
            update(Job)
            .where(Job.id == job_id, Job.status == JobStatus.QUEUED)
            .values(status=JobStatus.RUNNING, started_at=utcnow())
        ).rowcount
        db.commit()
    return taken == 1


def run_parts(
    factory: sessionmaker,
    part_ids: list[int],
    work: Work,
    progress: Progress,
    *,
    timeout: float,
    poll: float = 0.2,
) -> list[Job]:
    """Run the parts no queue worker has taken, wait (at most ``timeout`` seconds) for those
    the workers run, reporting their summed progress, and return the parts' rows in order
    (``status``, ``result``). A part still unfinished at the timeout is reported failed.

    While it runs a part itself, the job reports the parts' progress as that part goes, not
    once it is over (with a single busy worker, the page would stay at 0 until the end)."""
    deadline = time.monotonic() + timeout
    for part_id in part_ids:
        if claim(factory, part_id):
            run(factory, part_id, work, watch=_adding(progress, _summed(factory, part_ids)))
    while True:
        with factory() as db:
            parts = {job.id: job for job in db.scalars(select(Job).where(Job.id.in_(part_ids)))}
        progress(sum(j.done for j in parts.values()), sum(j.total or 0 for j in parts.values()))
        if all(j.finished for j in parts.values()) or time.monotonic() > deadline:
            break
        time.sleep(poll)
    for job in parts.values():
        if not job.finished:
            job.status, job.error = JobStatus.FAILED, INTERRUPTED
    return [parts[part_id] for part_id in part_ids]


def _summed(factory: sessionmaker, part_ids: list[int]) -> tuple[int, int]:
    """The parts' progress so far: steps done, steps known (a part not started knows none)."""
    with factory() as db:
        rows = db.execute(select(Job.done, Job.total).where(Job.id.in_(part_ids))).all()
    return sum(done for done, _ in rows), sum(total or 0 for _, total in rows)


def _adding(progress: Progress, before: tuple[int, int]) -> Progress:
    """The whole's ``progress`` for a part's: the part's steps added to those the other parts
    had (``before``, read as the part starts)."""
    done_before, total_before = before
    known = [0]

    def report(done: int, total: int | None = None) -> None:
        if total is not None:
            known[0] = total
        progress(done_before + done, total_before + known[0])

    return report
