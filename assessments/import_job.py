"""Importing a content file into an organisation as a background job, with a progress bar.

SQLite has one writer at a time: progress written by a second session while the import's
transaction is open waits for that transaction, then fails (« database is locked »). So the
import is checked in full first (nothing written), then written in batches that this job
commits, its progress written by its own session in each batch's transaction
(``learners.jobs.progress_in``). A failure between batches keeps the batches already written:
importing the same file again completes it (items are written by id and version).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from assessments import org_content
from assessments.content_errors import ContentInvalid
from learners import audit
from learners.jobs import JobError, progress_in
from learners.models import User

JOB_KIND = "content.import"
BATCH = 50  # items per committed batch
SHOWN_ERRORS = 3


def read_and_remove(path: str) -> bytes:
    """The file handed over to the job; it is removed whatever happens next."""
    file = Path(path)
    try:
        return file.read_bytes()
    except OSError as error:
        raise JobError("Le fichier à importer n'est plus disponible.") from error
    finally:
        file.unlink(missing_ok=True)


def import_job(
    db: Session,
    progress: Callable[..., None],
    *,
    org_id: int,
    actor_id: int | None,
    path: str,
    name: str,
    limit: int,
    job_id: int,
    every: int = BATCH,
) -> dict[str, Any]:
    """The background job (``web.jobs``): import, journal, and a summary for the page."""
    raw = read_and_remove(path)
    record = progress_in(db, job_id)

    def checkpoint(done: int, total: int) -> None:
        record(done, total)
        db.commit()

    try:
        bundle = org_content.parse_upload(raw, name, limit)
        report = org_content.import_in_batches(
            db, org_id, bundle.documents, checkpoint, every=every, images=bundle.images
        )
    except ContentInvalid as invalid:
        shown = "\n".join(str(e) for e in invalid.errors[:SHOWN_ERRORS])
        raise JobError(f"Le fichier ne peut pas être importé :\n{shown}") from invalid
    slugs = report.frameworks_created + report.frameworks_updated
    audit.record(
        db,
        "framework.imported",
        actor=db.get(User, actor_id) if actor_id is not None else None,
        organisation_id=org_id,
        target_type="file",
        target_id=name,
        detail={"frameworks": slugs, "items": report.items_total},
    )
    record(report.items_total, report.items_total)
    return {
        "frameworks": slugs,
        "items_created": report.items_created,
        "items_updated": report.items_updated,
        "items_unchanged": report.items_unchanged,
        "items": report.items_total,
    }
