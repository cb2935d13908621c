"""Starting background jobs from the web and CLI, and the page fragment that shows their progress.

``JALON_JOBS`` chooses where a job runs: ``thread`` (default: a thread of the same process, so
``make run`` needs nothing else and the page can still show progress), ``sync`` (in the
request, for tests) or ``rq`` (an RQ queue on ``JALON_REDIS_URL``, run by ``jalon worker``:
``web/queue.py``). Without a Redis URL, ``rq`` runs jobs in a thread; with Redis unreachable
when a job starts, that job runs in a thread and a warning is logged, so nothing is lost.

Register the work once, at import of the module that owns it::

    @jobs.register("badges.bulk_award")
    def bulk_award(db, progress, *, achievement_id: int, rows: list[dict]) -> dict: ...

then ``jobs.start("badges.bulk_award", organisation_id=…, actor=current_user, **arguments)``
returns the ``Job``; ``jobs/<public_id>`` (JSON) is what ``static/js/jobs.js`` polls.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, abort, current_app, jsonify
from flask_login import current_user
from sqlalchemy import select

from learners import jobs as job_rows
from learners.models import Job, Role, User
from web import queue
from web.authz import signed_in
from web.database import db

log = logging.getLogger(__name__)

REGISTRY: dict[str, job_rows.Work] = {}
# A running job is reported interrupted this long (seconds) after the queue's own timeout.
STALE_MARGIN = 60
MODES = ("thread", "sync", "rq")

bp = Blueprint("jobs", __name__, url_prefix="/taches")


def register(kind: str) -> Callable[[job_rows.Work], job_rows.Work]:
    def decorator(work: job_rows.Work) -> job_rows.Work:
        REGISTRY[kind] = work
        return work

    return decorator


def start(kind: str, *, organisation_id: int | None, actor: User | None, **arguments: Any) -> Job:
    """Queue ``kind`` with JSON-ready ``arguments``, commit, and set it running."""
    if kind not in REGISTRY:
        raise KeyError(f"no job registered as {kind!r}")
    job = job_rows.create(
        db.session, kind, organisation_id=organisation_id, actor=actor, arguments=arguments
    )
    db.session.commit()
    _dispatch(current_app._get_current_object(), job, REGISTRY[kind])
    db.session.refresh(job)
    return job


def _dispatch(app: Flask, job: Job, work: job_rows.Work) -> None:
    factory, job_id = app.extensions["jalon_db"][1], job.id
    if app.config.get("JALON_JOBS", "thread") == "sync":
        job_rows.run(factory, job_id, work)
        return
    if queue.configured(app):
        try:
            queue.enqueue(app, run_queued, job_id, job.public_id)
            return
        except queue.UNREACHABLE as error:
            log.warning("Redis unreachable (%s): job %s runs in a thread", error, job_id)

    def target() -> None:
        with app.app_context():
            job_rows.run(factory, job_id, work)

    threading.Thread(target=target, name=f"jalon-job-{job_id}", daemon=True).start()


def run_queued(job_id: int) -> None:
    """What the queue worker runs (``jalon worker`` holds the app context): the job's work,
    once. A job no longer queued (already run or taken, or reported interrupted) is left
    alone."""
    app = current_app._get_current_object()
    factory = app.extensions["jalon_db"][1]
    with factory() as session:
        job = session.get(Job, job_id)
        kind = job.kind if job is not None else None
    if kind is None or not job_rows.claim(factory, job_id):
        log.warning("job %s is not waiting to run; skipped", job_id)
        return
    job_rows.run(factory, job_id, REGISTRY[kind])


def run_in_parts(
    kind: str,
    arguments: list[dict[str, Any]],
    progress: job_rows.Progress,
    *,
    organisation_id: int | None,
    actor_id: int | None,
) -> list[Job]:
    """Run ``kind`` once per item of ``arguments``, as part jobs that the queue's workers take
    in parallel (``JALON_JOBS=rq``); the caller, itself a job, runs the parts no worker took
    (all of them without a queue) and gets their rows back in order (``learners.jobs.run_parts``).
    """
    app = current_app._get_current_object()
    factory = app.extensions["jalon_db"][1]
    with factory() as session:
        actor = session.get(User, actor_id) if actor_id is not None else None
        parts = [
            job_rows.create(
                session, kind, organisation_id=organisation_id, actor=actor, arguments=each
            )
            for each in arguments
        ]
        session.commit()
        found = [(part.id, part.public_id) for part in parts]
    if queue.configured(app):
        try:
            for part_id, public_id in found:
                queue.enqueue(app, run_queued, part_id, public_id)
        except queue.UNREACHABLE as error:
            log.warning("Redis unreachable (%s): the job runs its parts itself", error)
    return job_rows.run_parts(
        factory,
        [part_id for part_id, _ in found],
        REGISTRY[kind],
        progress,
        timeout=app.config["JALON_JOB_TIMEOUT"],
    )


def parts_wanted(app: Flask) -> int:
    """How many parts a bulk job is split into: ``JALON_JOB_PARTS``, by default 4 with a queue
    (its workers take them in parallel) and 1 without (a thread gains nothing from splitting)."""
    configured = int(app.config.get("JALON_JOB_PARTS") or 0)
    if configured > 0:
        return configured
    return 4 if queue.configured(app) else 1


def status(job: Job) -> dict[str, Any]:
    return {
        "id": job.public_id,
        "kind": job.kind,
        "status": job.status.value,
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "finished": job.finished,
        "result": job.result if job.finished else None,
        "error": job.error,
    }


def visible(job: Job | None, user: User) -> bool:
    """Whoever started it, and the staff of its organisation (never another organisation)."""
    if job is None:
        return False
    if job.created_by_id == user.id:
        return True
    staff = (Role.TRAINER, Role.ORG_ADMIN)
    return job.organisation_id is not None and any(
        m.organisation_id == job.organisation_id and m.role in staff for m in user.memberships
    )


def get_visible(public_id: str) -> Job:
    job = db.session.scalar(select(Job).where(Job.public_id == public_id[:32]))
    if not visible(job, current_user):
        abort(404)
    config = current_app.config
    if job_rows.expire_if_stale(
        db.session,
        job,
        running_seconds=config["JALON_JOB_TIMEOUT"] + STALE_MARGIN,
        queued_seconds=config["JALON_JOB_QUEUED_TIMEOUT"],
    ):
        db.session.commit()
    return job


@bp.get("/<public_id>")
@signed_in
def job_status(public_id: str):
    """Progress as JSON (polled by static/js/jobs.js); another person's job answers 404."""
    response = jsonify(status(get_visible(public_id)))
    response.headers["Cache-Control"] = "no-store"
    return response
