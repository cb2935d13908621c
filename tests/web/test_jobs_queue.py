"""Jobs on the RQ queue, against the real Redis of ``JALON_TEST_REDIS_URL`` (CI sets it).

Each test has its own queue name, and every Redis key holding that name is deleted afterwards.
"""

from __future__ import annotations

import logging
import os
import signal
import time
import uuid
from datetime import timedelta

import pytest
from redis import Redis
from rq import SimpleWorker, Worker
from sqlalchemy import select

from learners import jobs as job_rows
from learners.database import utcnow
from learners.models import Job, JobStatus, User
from web import jobs, queue

REDIS_URL = os.environ.get("JALON_TEST_REDIS_URL", "")

# Skipped on a laptop without Redis; in CI (which sets the URL in .ci/run) a missing URL fails.
pytestmark = pytest.mark.skipif(
    not REDIS_URL and not os.environ.get("CI"), reason="JALON_TEST_REDIS_URL is not set"
)


@pytest.fixture(autouse=True)
def _redis_in_ci() -> None:
    if not REDIS_URL:
        pytest.fail("CI=true but JALON_TEST_REDIS_URL is not set (.ci/run sets it)")


def _count(db, progress, *, upto: int) -> dict:
    for number in range(1, upto + 1):
        progress(number, upto)
    return {"counted": upto}


def _greet(db, progress, *, name: str) -> dict:
    progress(1, 1)
    return {"greeted": name}


@pytest.fixture
def registered(monkeypatch):
    monkeypatch.setitem(jobs.REGISTRY, "test.count", _count)
    monkeypatch.setitem(jobs.REGISTRY, "test.greet", _greet)


@pytest.fixture
def token():
    """A name for this test's queue (and rate-limit keys); its Redis keys are deleted after."""
    name = f"jalon-test-{uuid.uuid4().hex[:12]}"
    yield name
    client = Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"*{name}*", count=1000))
    if keys:
        client.delete(*keys)
    client.srem("rq:queues", f"rq:queue:{name}")  # RQ's set of known queues
    client.close()


@pytest.fixture
def rq_app(app, token):
    app.config.update(JALON_JOBS="rq", JALON_REDIS_URL=REDIS_URL, JALON_JOBS_QUEUE=token)
    return app


def _start(app, world, kind: str, **arguments) -> str:
    from web.database import db

    with app.test_request_context():
        actor = db.session.get(User, world.trainer)
        return jobs.start(kind, organisation_id=world.org_a, actor=actor, **arguments).public_id


def _job(app, public_id: str) -> Job:
    from web.database import db

    with app.app_context():
        return db.session.scalar(select(Job).where(Job.public_id == public_id))


class _WithoutCommandChannel:
    """An RQ worker without its command channel: with redis-py 8, stopping that channel's
    thread waits up to 60 s, which a burst in a test does not need. Named after its queue, so
    that the test's clean-up deletes its keys too."""

    def __init__(self, queues, **options) -> None:
        super().__init__(queues, name=f"{queues[0].name}-{uuid.uuid4().hex[:8]}", **options)

    def subscribe(self) -> None:
        self.pubsub_thread = None

    def unsubscribe(self) -> None:
        pass


class BurstWorker(_WithoutCommandChannel, SimpleWorker):
    """RQ's in-process worker, without its command channel."""


class ForkingBurstWorker(_WithoutCommandChannel, Worker):
    """RQ's default worker (a work-horse process forked per job), without its command
    channel."""


def _run_worker(app) -> None:
    with app.app_context():
        assert queue.work(app, burst=True, worker_class=BurstWorker)


def test_a_job_started_by_the_web_waits_on_the_queue_then_a_worker_runs_it(
    rq_app, world, registered, client_as
):
    public_id = _start(rq_app, world, "test.count", upto=5)
    waiting = _job(rq_app, public_id)
    assert waiting.status is JobStatus.QUEUED and waiting.started_at is None
    with rq_app.app_context():
        assert queue.queue(rq_app).count == 1
    _run_worker(rq_app)
    done = _job(rq_app, public_id)
    assert done.status is JobStatus.DONE
    assert (done.done, done.total, done.result) == (5, 5, {"counted": 5})
    body = client_as("trainer").get(f"/taches/{public_id}").get_json()
    assert body["status"] == "done" and body["result"] == {"counted": 5}
    with rq_app.app_context():
        assert queue.queue(rq_app).count == 0


def test_two_jobs_of_different_kinds_each_run_their_own_work(rq_app, world, registered):
    counted = _start(rq_app, world, "test.count", upto=3)
    greeted = _start(rq_app, world, "test.greet", name="Zoé")
    _run_worker(rq_app)
    assert _job(rq_app, counted).result == {"counted": 3}
    assert _job(rq_app, greeted).result == {"greeted": "Zoé"}
    assert {_job(rq_app, p).kind for p in (counted, greeted)} == {"test.count", "test.greet"}


def test_a_job_the_worker_meets_again_is_not_run_twice(rq_app, world, registered, monkeypatch):
    public_id = _start(rq_app, world, "test.count", upto=2)
    _run_worker(rq_app)
    calls = []
    monkeypatch.setitem(jobs.REGISTRY, "test.count", lambda *a, **k: calls.append(k))
    with rq_app.app_context():
        jobs.run_queued(_job(rq_app, public_id).id)
    assert calls == [] and _job(rq_app, public_id).result == {"counted": 2}


def test_with_redis_unreachable_the_job_runs_in_a_thread_and_a_warning_is_logged(
    rq_app, world, registered, caplog
):
    rq_app.config["JALON_REDIS_URL"] = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    with caplog.at_level(logging.WARNING, logger="web.jobs"):
        public_id = _start(rq_app, world, "test.count", upto=4)
    deadline = time.monotonic() + 10
    while not _job(rq_app, public_id).finished and time.monotonic() < deadline:
        time.sleep(0.05)
    job = _job(rq_app, public_id)
    assert job.status is JobStatus.DONE and job.result == {"counted": 4}
    assert any("Redis unreachable" in r.getMessage() for r in caplog.records)


def test_without_a_redis_url_rq_mode_runs_jobs_in_a_thread(app, world, registered):
    app.config.update(JALON_JOBS="rq", JALON_REDIS_URL="")
    assert not queue.configured(app)
    public_id = _start(app, world, "test.count", upto=2)
    deadline = time.monotonic() + 10
    while not _job(app, public_id).finished and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _job(app, public_id).result == {"counted": 2}


def test_a_job_whose_worker_died_is_shown_interrupted_after_the_timeout(
    rq_app, world, registered, client_as
):
    """A worker killed mid-job leaves the row « running »: once the queue's timeout (plus a
    margin) has passed, the page reports it failed and no one waits for ever."""
    from web.database import db

    public_id = _start(rq_app, world, "test.count", upto=2)
    with rq_app.app_context():
        job = db.session.scalar(select(Job).where(Job.public_id == public_id))
        job.status, job.started_at = JobStatus.RUNNING, utcnow() - timedelta(seconds=30)
        db.session.commit()
    trainer = client_as("trainer")
    assert trainer.get(f"/taches/{public_id}").get_json()["status"] == "running"
    rq_app.config["JALON_JOB_TIMEOUT"] = 10
    with rq_app.app_context():
        job = db.session.scalar(select(Job).where(Job.public_id == public_id))
        job.started_at = utcnow() - timedelta(seconds=10 + jobs.STALE_MARGIN + 1)
        db.session.commit()
    body = trainer.get(f"/taches/{public_id}").get_json()
    assert body["status"] == "failed" and body["error"] == job_rows.INTERRUPTED
    _run_worker(rq_app)  # the queued RQ job finds its row no longer waiting: skipped
    assert _job(rq_app, public_id).status is JobStatus.FAILED


def _killed(db, progress) -> dict:
    progress(1, 2)
    os.kill(os.getpid(), signal.SIGKILL)  # in the work-horse RQ forked for this job
    return {}


def test_a_job_whose_work_horse_is_killed_is_shown_interrupted_at_once(rq_app, world, monkeypatch):
    """Killed (-9, out of memory…), the work-horse cannot record anything: the worker that
    forked it reports the job interrupted, and its page says to start it again, without
    waiting for the timeout."""
    monkeypatch.setitem(jobs.REGISTRY, "test.killed", _killed)
    public_id = _start(rq_app, world, "test.killed")
    with rq_app.app_context():
        queue.work(rq_app, burst=True, worker_class=ForkingBurstWorker)
    job = _job(rq_app, public_id)
    assert (job.status, job.error, job.done) == (JobStatus.FAILED, job_rows.INTERRUPTED, 1)
    assert job.finished_at is not None


@pytest.mark.parametrize(("storage", "shared"), [("redis", True), ("memory://", False)])
def test_the_rate_limit_is_shared_by_two_app_instances_on_one_redis(
    database_url, tmp_path, token, monkeypatch, storage, shared
):
    """Two app instances (two Gunicorn workers, two machines) count the same attempts on
    Redis; with the default memory:// each counts its own."""
    from web import create_app
    from web.extensions import limiter

    # The limiter is one object for the process and keeps the first key prefix it was given.
    monkeypatch.setattr(limiter, "_key_prefix", "")

    def make_app(name: str):
        return create_app(
            {
                "TESTING": True,
                "DATABASE_URL": database_url,
                "INSTANCE_PATH": str(tmp_path / name),
                "SECRET_KEY": "test-secret-key-not-for-production",
                "JALON_LOGIN_RATE_LIMIT": "3 per minute",
                "RATELIMIT_ENABLED": True,
                "RATELIMIT_STORAGE_URI": REDIS_URL if storage == "redis" else storage,
                "RATELIMIT_KEY_PREFIX": token,
                "WTF_CSRF_ENABLED": False,
            }
        )

    def attempt(app) -> int:
        return (
            app.test_client()
            .post(
                "/connexion",
                data={"login": "personne", "password": "nope"},
                environ_base={"REMOTE_ADDR": "192.0.2.9"},
            )
            .status_code
        )

    first = make_app("first")
    statuses = [attempt(first), attempt(first)]
    # A second instance starts with its own limiter storage: with memory:// it would count
    # from zero; on Redis it sees the first instance's two attempts.
    second = make_app("second")
    statuses += [attempt(second), attempt(second)]
    assert statuses == ([422, 422, 422, 429] if shared else [422] * 4)
    client = Redis.from_url(REDIS_URL)
    assert bool(list(client.scan_iter(match=f"*{token}*"))) is shared
    client.close()


def test_with_the_rate_limit_store_down_pages_still_answer_and_limits_still_count(
    database_url, tmp_path, monkeypatch
):
    from web import create_app
    from web.extensions import limiter

    monkeypatch.setattr(limiter, "_key_prefix", "")
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret-key-not-for-production",
            "JALON_LOGIN_RATE_LIMIT": "3 per minute",
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "WTF_CSRF_ENABLED": False,
        }
    )
    client = app.test_client()
    statuses = [
        client.post("/connexion", data={"login": "personne", "password": "nope"}).status_code
        for _ in range(4)
    ]
    assert statuses == [422, 422, 422, 429]


def test_a_large_bulk_award_runs_in_parts_each_taken_once(rq_app, world, monkeypatch):
    """The file is reviewed once, its ready lines split into parts queued for the workers; the
    job runs the parts no worker has taken yet (here the only worker is busy with the job), the
    worker then meets them taken and skips them, and the summary is the file's, line by line."""
    from badges import bulk_awards
    from badges.models import Credential
    from learners.models import Organisation
    from tests.badges.factories import make_achievement, make_issuer
    from tests.learners.factories import make_learner
    from web.database import db
    from web.studio import awards

    monkeypatch.setattr(bulk_awards, "MIN_BATCH_ROWS", 1)
    rq_app.config["JALON_JOB_PARTS"] = 2
    with rq_app.app_context():
        org = db.session.get(Organisation, world.org_a)
        issuer = make_issuer(db.session, org, kek=rq_app.config["JALON_KEY_ENCRYPTION_KEY"])
        achievement_id = make_achievement(db.session, issuer).id
        for login in ("lot-1", "lot-2"):
            make_learner(db.session, org, login=login)
        db.session.commit()
    logins = ["learner-a", "lot-1", "inconnu", "lot-2", "lot-1"]
    rows = [{"line": n, "login": login, "narrative": ""} for n, login in enumerate(logins, 1)]
    public_id = _start(
        rq_app,
        world,
        awards.BULK_JOB,
        org_id=world.org_a,
        achievement_id=achievement_id,
        actor_id=world.trainer,
        rows=rows,
    )
    _run_worker(rq_app)
    job = _job(rq_app, public_id)
    assert job.status is JobStatus.DONE and (job.done, job.total) == (5, 5)
    statuses = [row["status"] for row in job.result["rows"]]
    assert statuses == ["awarded", "awarded", "unknown", "awarded", "duplicate"]
    assert job.result["awarded"] == 3
    with rq_app.app_context():
        parts = db.session.scalars(select(Job).where(Job.kind == awards.BULK_PART)).all()
        indexes = db.session.scalars(select(Credential.status_index)).all()
    assert [p.status for p in parts] == [JobStatus.DONE, JobStatus.DONE]
    assert len(indexes) == len(set(indexes)) == 3
