"""Jobs on an RQ queue in Redis (``JALON_JOBS=rq`` with ``JALON_REDIS_URL``).

``web/jobs.py`` puts a job's id on the queue; ``jalon worker`` takes it from there and runs the
registered work inside the app context, with the same ``learners.jobs.run`` as the other modes
(its own database sessions, progress written to the ``jobs`` row that the page polls). RQ
rather than Celery: a small library on Redis alone, and our jobs already keep their state and
progress in the database, so we need a queue and a worker, not a result backend or a broker
choice (docs/DEPLOYMENT.md).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from flask import Flask
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq import Queue, SimpleWorker, Worker

from learners import jobs as job_rows

log = logging.getLogger(__name__)

# What makes an enqueue fall back to a thread: Redis down, unreachable or too slow to answer.
UNREACHABLE = (RedisConnectionError, RedisTimeoutError, OSError)
# A web request waits at most this long (seconds) for Redis before running the job itself.
CONNECT_TIMEOUT = 2.0
# A failed RQ job is kept this long in Redis for whoever investigates (our row keeps the rest).
FAILURE_TTL = 7 * 24 * 3600


def configured(app: Flask) -> bool:
    """Whether jobs go to the queue: ``JALON_JOBS=rq`` and a Redis URL (else: a thread)."""
    return app.config.get("JALON_JOBS") == "rq" and bool(app.config.get("JALON_REDIS_URL"))


def connection(app: Flask) -> Redis:
    """One client (and connection pool) per app."""
    client = app.extensions.get("jalon_redis")
    if client is None:
        client = Redis.from_url(
            app.config["JALON_REDIS_URL"], socket_connect_timeout=CONNECT_TIMEOUT
        )
        app.extensions["jalon_redis"] = client
    return client


def queue(app: Flask) -> Queue:
    return Queue(app.config.get("JALON_JOBS_QUEUE", "jalon"), connection=connection(app))


def enqueue(app: Flask, function: Callable[[int], None], job_id: int, public_id: str) -> Any:
    """Put ``function(job_id)`` on the queue; raises one of ``UNREACHABLE`` if Redis is not there.

    The RQ job times out after ``JALON_JOB_TIMEOUT`` seconds and is dropped after waiting
    ``JALON_JOB_QUEUED_TIMEOUT``: the same figures after which the page reports a job whose
    worker died as interrupted (``learners.jobs.expire_if_stale``)."""
    target = queue(app)
    return target.enqueue(
        function,
        job_id,
        job_id=f"{target.name}-{public_id}",
        description=f"jalon job {job_id}",
        job_timeout=int(app.config["JALON_JOB_TIMEOUT"]),
        ttl=int(app.config["JALON_JOB_QUEUED_TIMEOUT"]),
        result_ttl=0,  # the result is in the jobs row
        failure_ttl=FAILURE_TTL,
    )


def work(app: Flask, *, burst: bool = False, worker_class: type[Worker] = Worker) -> bool:
    """Run a worker on the app's queue until stopped (or, with ``burst``, until it is empty).

    The caller holds the app context. RQ's default worker forks a process per job: the child
    must not reuse the parent's database connections, so it starts with a fresh pool."""
    if not issubclass(worker_class, SimpleWorker):
        engine = app.extensions["jalon_db"][0]
        os.register_at_fork(after_in_child=lambda: engine.dispose(close=False))
    worker = worker_class(
        [queue(app)], connection=connection(app), work_horse_killed_handler=_interrupted(app)
    )
    return worker.work(burst=burst, with_scheduler=False)


def _interrupted(app: Flask) -> Callable[..., None]:
    """What RQ calls when a job's work-horse died (killed, out of memory): the job's row says
    interrupted at once, so its page tells to start it again, rather than after the timeout
    (``learners.jobs.expire_if_stale``)."""
    factory = app.extensions["jalon_db"][1]

    def handler(rq_job: Any, _pid: int, _status: int, _usage: Any) -> None:
        if rq_job.args:  # enqueue(): the function's only argument is our job's id
            job_rows.interrupt(factory, int(rq_job.args[0]))

    return handler
