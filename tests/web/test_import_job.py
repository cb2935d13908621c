"""The real import of a content file runs as a background job: checked in full, then written
in batches that the job commits with its progress (written by its own session), so the page's
progress bar moves and a second session can read and write between batches — on SQLite, where
a second writer during the import's transaction used to fail with « database is locked », and
on PostgreSQL."""

from __future__ import annotations

import json
from functools import partial
from io import BytesIO

from sqlalchemy import select, update

from assessments import import_job, org_content
from assessments.models import Framework, Item
from learners import jobs
from learners.models import AuditEvent, Job, JobStatus, Organisation
from tests.web.forms import csrf_token, submit, text
from tests.web.test_studio_authoring import QCU, _competence_url, _write_framework

ITEMS = 7


def _bundle(app, client, world, slug: str) -> bytes:
    """A framework of A with ITEMS items, exported, renamed to ``slug``."""
    framework_url = _write_framework(client, world)
    competence_url = _competence_url(app, framework_url)
    for _ in range(ITEMS):
        assert submit(client, f"{competence_url}/questions/nouvelle/qcu", QCU).status_code == 303
    bundle = json.loads(client.get(f"{framework_url}/export.json").get_data(as_text=True))
    bundle["slug"] = slug
    for item in bundle["items"]:
        item["id"] = item["id"].replace("mon-metier", slug)
    return json.dumps(bundle).encode()


def test_progress_is_committed_batch_by_batch_and_another_session_may_write_meanwhile(
    app, world, client_as, tmp_path, monkeypatch
):
    raw = _bundle(app, client_as("trainer"), world, "lot")
    factory = app.extensions["jalon_db"][1]
    seen: list[tuple[int, int]] = []
    batches = org_content.import_in_batches

    def watched(db, organisation_id, documents, checkpoint, *, every, images):
        def observed(done: int, total: int) -> None:
            checkpoint(done, total)  # records the progress and commits
            with factory() as other:  # what the page's poll sees, and another writer
                job = other.scalar(select(Job).where(Job.kind == import_job.JOB_KIND))
                seen.append((job.done, job.total))
                other.execute(update(Organisation).values(name=Organisation.name))
                other.commit()

        return batches(db, organisation_id, documents, observed, every=every, images=images)

    monkeypatch.setattr(org_content, "import_in_batches", watched)
    path = tmp_path / "lot.json"
    path.write_bytes(raw)
    arguments = {"org_id": world.org_a, "actor_id": world.trainer, "path": str(path)}
    with factory() as db:
        job = jobs.create(
            db,
            import_job.JOB_KIND,
            organisation_id=world.org_a,
            actor=None,
            arguments={**arguments, "name": "lot.json", "limit": 2_000_000},
        )
        db.commit()
        job_id = job.id
    jobs.run(factory, job_id, partial(import_job.import_job, every=2))
    assert seen == [(0, ITEMS), (2, ITEMS), (4, ITEMS), (6, ITEMS)]
    assert not path.exists()  # the handed-over file is gone
    with factory() as db:
        job = db.get(Job, job_id)
        assert (job.status, job.done, job.total, job.error) == (JobStatus.DONE, 7, 7, None)
        assert job.result["items_created"] == ITEMS and job.result["frameworks"] == ["lot@1"]
        framework = db.scalar(select(Framework).where(Framework.slug == "lot"))
        assert framework.organisation_id == world.org_a
        owners = db.scalars(select(Item.organisation_id).where(Item.uid.startswith("lot-")))
        assert list(owners) == [world.org_a] * ITEMS
        event = db.scalar(select(AuditEvent).where(AuditEvent.action == "framework.imported"))
        assert event.detail == {"frameworks": ["lot@1"], "items": ITEMS}


def test_the_page_starts_the_job_and_shows_its_result_to_its_organisation_only(
    app, world, client_as
):
    client = client_as("trainer")
    raw = _bundle(app, client, world, "par-la-page")
    import_url = f"/organisations/{world.org_a}/referentiels/import"
    response = client.post(
        import_url,
        data={"csrf_token": csrf_token(client, import_url), "file": (BytesIO(raw), "p.json")},
        content_type="multipart/form-data",
    )
    token = text(response).split('name="token" type="hidden" value="')[1].split('"')[0]
    response = submit(client, f"{import_url}/confirmer", {"token": token}, form_path=import_url)
    assert response.status_code == 303
    progress_url = response.headers["Location"]
    assert progress_url.startswith(f"{import_url}/")
    page = text(client.get(progress_url))  # JALON_JOBS=sync: already done
    assert f"Fichier importé : {ITEMS} question(s)." in page
    assert f"{ITEMS} question(s) créée(s)" in page and "par-la-page@1" in page
    # Another organisation's trainer, through its own space or A's: not found.
    other = client_as("trainer_b")
    job_id = progress_url.rsplit("/", 1)[1]
    assert other.get(progress_url).status_code in (403, 404)
    b_url = f"/organisations/{world.org_b}/referentiels/import/{job_id}"
    assert other.get(b_url).status_code == 404


def test_a_file_that_no_longer_passes_stops_the_job_with_its_reasons(app, world, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"slug": "x", oops}', encoding="utf-8")
    factory = app.extensions["jalon_db"][1]
    with factory() as db:
        job = jobs.create(
            db,
            import_job.JOB_KIND,
            organisation_id=world.org_a,
            actor=None,
            arguments={
                "org_id": world.org_a,
                "actor_id": None,
                "path": str(path),
                "name": "broken.json",
                "limit": 2_000_000,
            },
        )
        db.commit()
        job_id = job.id
    jobs.run(factory, job_id, import_job.import_job)
    with factory() as db:
        job = db.get(Job, job_id)
        assert job.status is JobStatus.FAILED
        assert job.error.startswith("Le fichier ne peut pas être importé :")
        assert db.scalar(select(Framework).where(Framework.slug == "x")) is None
