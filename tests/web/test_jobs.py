"""Background jobs: their progress is recorded and readable by the people it concerns only."""

from __future__ import annotations

import threading
import time

import pytest
from flask import render_template_string
from sqlalchemy import select

from learners import jobs as job_rows
from learners.models import Job, JobStatus, User
from web import jobs


def _count(db, progress, *, upto: int) -> dict:
    for number in range(1, upto + 1):
        progress(number, upto)
    return {"counted": upto}


def _refuse(db, progress) -> dict:
    raise job_rows.JobError("Le fichier ne contient aucune ligne.")


def _crash(db, progress) -> dict:
    raise ValueError("secret detail of Zoé")


@pytest.fixture
def registered(monkeypatch):
    for kind, work in (("test.count", _count), ("test.refuse", _refuse), ("test.crash", _crash)):
        monkeypatch.setitem(jobs.REGISTRY, kind, work)


def _start(app, world, kind: str, **arguments) -> str:
    from web.database import db

    with app.test_request_context():
        actor = db.session.get(User, world.trainer)
        return jobs.start(kind, organisation_id=world.org_a, actor=actor, **arguments).public_id


def _job(app, public_id: str) -> Job:
    from web.database import db

    with app.app_context():
        return db.session.scalar(select(Job).where(Job.public_id == public_id))


def test_a_job_runs_and_records_its_summary(app, world, registered):
    job = _job(app, _start(app, world, "test.count", upto=7))
    assert job.status is JobStatus.DONE
    assert (job.done, job.total, job.percent) == (7, 7, 100)
    assert job.result == {"counted": 7} and job.error is None
    assert job.started_at <= job.finished_at


def test_a_failure_is_recorded_in_words_without_its_details(app, world, registered, caplog):
    refused = _job(app, _start(app, world, "test.refuse"))
    assert refused.status is JobStatus.FAILED
    assert refused.error == "Le fichier ne contient aucune ligne."
    crashed = _job(app, _start(app, world, "test.crash"))
    assert crashed.status is JobStatus.FAILED
    assert crashed.error == "Erreur interne (ValueError)."
    assert "Zoé" not in crashed.error
    assert any("failed" in r.getMessage() for r in caplog.records)


def test_an_unknown_kind_is_refused(app, world):
    with pytest.raises(KeyError):
        _start(app, world, "test.nothing")


def test_status_is_readable_by_its_organisation_only(app, world, registered, client_as):
    public_id = _start(app, world, "test.count", upto=3)
    for role in ("trainer", "org_admin"):
        answer = client_as(role).get(f"/taches/{public_id}")
        assert answer.status_code == 200
        assert answer.headers["Cache-Control"] == "no-store"
        body = answer.get_json()
        assert body["status"] == "done" and body["result"] == {"counted": 3}
    for role in ("trainer_b", "learner", "department"):
        assert client_as(role).get(f"/taches/{public_id}").status_code == 404
    assert client_as("anonymous").get(f"/taches/{public_id}").status_code == 302


def test_in_a_thread_progress_shows_while_the_work_goes_on(app, world, monkeypatch):
    gate = threading.Event()

    def slow(db, progress) -> dict:
        progress(1, 4)
        gate.wait(10)
        progress(4, 4)
        return {}

    monkeypatch.setitem(jobs.REGISTRY, "test.slow", slow)
    monkeypatch.setattr(job_rows, "PROGRESS_INTERVAL", 0)
    app.config["JALON_JOBS"] = "thread"
    public_id = _start(app, world, "test.slow")
    deadline = time.monotonic() + 10
    while _job(app, public_id).done != 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    running = _job(app, public_id)
    assert (running.status, running.done, running.total) == (JobStatus.RUNNING, 1, 4)
    gate.set()
    while not _job(app, public_id).finished and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _job(app, public_id).status is JobStatus.DONE


def test_a_job_running_its_parts_itself_shows_their_steps_as_they_go(app, world, monkeypatch):
    """Without a free queue worker the job runs its parts one after the other: its own progress
    (what the page shows) moves with each step of a part, not once a part is over."""
    seen = []

    def part(db, progress, *, whole: int, steps: int) -> dict:
        factory = app.extensions["jalon_db"][1]
        for step in range(1, steps + 1):
            progress(step, steps)
            with factory() as other:
                seen.append(other.scalar(select(Job.done).where(Job.id == whole)))
        return {}

    def whole(db, progress, *, job_id: int) -> dict:
        arguments = [{"whole": job_id, "steps": 2}, {"whole": job_id, "steps": 3}]
        parts = jobs.run_in_parts(
            "test.part", arguments, progress, organisation_id=world.org_a, actor_id=None
        )
        return {"parts": [p.status.value for p in parts]}

    monkeypatch.setitem(jobs.REGISTRY, "test.part", part)
    monkeypatch.setitem(jobs.REGISTRY, "test.whole", whole)
    monkeypatch.setattr(job_rows, "PROGRESS_INTERVAL", 0)
    job = _job(app, _start(app, world, "test.whole"))
    assert seen == [1, 2, 3, 4, 5]
    assert job.result == {"parts": ["done", "done"]}
    assert (job.done, job.total) == (5, 5)


def test_progress_is_written_sparingly_but_the_end_always(app, world, monkeypatch, registered):
    monkeypatch.setattr(job_rows, "PROGRESS_INTERVAL", 3600)
    writes = []
    real = job_rows._set

    def counting(factory, job_id, **values):
        writes.append(values)
        real(factory, job_id, **values)

    monkeypatch.setattr(job_rows, "_set", counting)
    job = _job(app, _start(app, world, "test.count", upto=1000))
    progress_writes = [w for w in writes if "done" in w and "status" not in w]
    assert len(progress_writes) <= 2  # the first call, and the last (done == total)
    assert job.done == 1000


def _fragment(job: Job) -> str:
    return render_template_string(
        '{% from "macros/jobs.html" import job_progress %}'
        '{{ job_progress(job, "Import", "/fini") }}',
        job=job,
    )


def test_the_progress_fragment_names_its_status_url_while_the_job_is_not_finished(app, world):
    from web.database import db

    with app.test_request_context("/"):
        actor = db.session.get(User, world.trainer)
        waiting = job_rows.create(
            db.session, "test.count", organisation_id=world.org_a, actor=actor
        )
        db.session.commit()
        html = _fragment(waiting)
    assert f'data-job-status="/taches/{waiting.public_id}"' in html
    assert 'data-job-done="/fini"' in html and "En attente de démarrage" in html
    assert "js/jobs.js" in html and "Mettre à jour l'avancement" in html


def test_a_finished_job_is_not_polled_so_its_page_does_not_reload_itself(app, world, registered):
    """Found by the bank's browser test: jobs.js sends a finished job's page to its « done »
    address, which was the same page, again and again."""
    public_id = _start(app, world, "test.count", upto=2)
    with app.test_request_context("/"):
        from web.database import db

        job = db.session.scalar(select(Job).where(Job.public_id == public_id))
        html = _fragment(job)
    assert "data-job-status" not in html and "data-job-done" not in html
    assert 'value="100"' in html and "Terminé." in html
    assert "Mettre à jour l'avancement" not in html


def test_a_job_nothing_can_still_be_running_is_reported_interrupted(app, world):
    """Waiting longer than the queue keeps it, or running past the queue's timeout: its worker
    is gone (the RQ mode's tests check the page; here, the rule)."""
    from datetime import timedelta

    from learners.database import utcnow
    from web.database import db

    with app.app_context():
        job = job_rows.create(db.session, "test.count", organisation_id=world.org_a, actor=None)
        db.session.commit()
        now = job.created_at + timedelta(seconds=100)
        limits = {"running_seconds": 50, "queued_seconds": 200}
        assert not job_rows.expire_if_stale(db.session, job, now=now, **limits)
        assert job.status is JobStatus.QUEUED
        job.status, job.started_at = JobStatus.RUNNING, job.created_at
        assert job_rows.expire_if_stale(db.session, job, now=now, **limits)
        assert (job.status, job.error) == (JobStatus.FAILED, job_rows.INTERRUPTED)
        waiting = job_rows.create(db.session, "test.count", organisation_id=None, actor=None)
        assert not job_rows.expire_if_stale(db.session, waiting, now=utcnow(), **limits)
        assert job_rows.expire_if_stale(
            db.session, waiting, now=utcnow() + timedelta(seconds=201), **limits
        )
        assert waiting.status is JobStatus.FAILED


def test_the_worker_command_refuses_to_start_without_a_queue(app):
    from flask.cli import ScriptInfo

    from web.cli import worker

    app.config.update(JALON_JOBS="rq", JALON_REDIS_URL="")
    result = app.test_cli_runner().invoke(
        worker.worker, ["--burst"], obj=ScriptInfo(create_app=lambda: app)
    )
    assert result.exit_code == 1
    assert "JALON_JOBS=rq et JALON_REDIS_URL" in result.output
