"""An organisation's frameworks in and out of the content format: copying a shipped framework,
importing a file (with a dry run), exporting one of its frameworks.

Everything goes through ``content_import.import_documents`` (the same checks as ``jalon assess
import``: located French errors, all or nothing), plus the rules of ownership: a file may only
create new frameworks or change the organisation's own, and never touch an item of Jalon's or
of another organisation. A dry run does the whole import in a savepoint and rolls it back, so
it reports exactly what the real import would do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from assessments import content_bundle, item_images
from assessments.authoring import ContentRejected, check_new_slug
from assessments.content_errors import ContentError, ContentInvalid
from assessments.content_export import export_framework
from assessments.content_import import (
    Checkpoint,
    ImportReport,
    check_documents,
    import_documents,
    write_checked,
)
from assessments.content_io import dump, parse_text
from assessments.content_parsing import ParsedFile
from assessments.item_images import Picture
from assessments.models import Competence, Framework, Item, ItemStatus

COPY_MARK = "copied_from"  # kept on each copied item (an extra field, exported as is)
MAX_UID = 100


@dataclass(frozen=True)
class CopyResult:
    framework: Framework
    items: int


def _foreign(db: Session, organisation_id: int, slug: str) -> bool:
    """Whether a framework with this slug exists that is not the organisation's."""
    owners = set(db.scalars(select(Framework.organisation_id).where(Framework.slug == slug)))
    return bool(owners - {organisation_id})


def _ownership_errors(
    db: Session, organisation_id: int, documents: list[ParsedFile]
) -> list[ContentError]:
    """A file may not change Jalon's frameworks or items, nor another organisation's."""
    errors: list[ContentError] = []
    for doc in documents:
        data = doc.data
        if not isinstance(data, Mapping):
            continue
        slug = data.get("slug") if "domains" in data else data.get("framework")
        if isinstance(slug, str) and _foreign(db, organisation_id, slug):
            where = "slug" if "domains" in data else "framework"
            errors.append(
                doc.error(
                    where,
                    f"le référentiel « {slug} » n'est pas à votre structure : "
                    "donnez un autre slug (et d'autres identifiants d'items)",
                )
            )
        items = data.get("items")
        uids = {
            item["id"]: f"items[{n}].id"
            for n, item in enumerate(items if isinstance(items, list) else [])
            if isinstance(item, Mapping) and isinstance(item.get("id"), str)
        }
        if uids:
            for uid, owner in db.execute(
                select(Item.uid, Item.organisation_id).where(Item.uid.in_(list(uids)))
            ):
                if owner != organisation_id:
                    errors.append(
                        doc.error(uids[uid], f"l'item {uid} existe déjà hors de votre structure")
                    )
    return errors


def import_for_organisation(
    db: Session,
    organisation_id: int,
    documents: list[ParsedFile],
    *,
    dry_run: bool = False,
    progress: Callable[[], object] | None = None,
    images: Mapping[str, Picture] | None = None,
) -> ImportReport:
    """Import content files (and the checked pictures their items name) as the organisation's
    own; :class:`ContentInvalid` lists every problem (nothing written). A dry run checks and
    counts, then rolls everything back."""
    images = images or {}
    errors = _ownership_errors(db, organisation_id, documents)
    errors += content_bundle.missing_images(db, organisation_id, documents, images)
    if errors:
        raise ContentInvalid(errors)
    savepoint = db.begin_nested()
    try:
        content_bundle.store_all(db, organisation_id, images)
        report = import_documents(db, documents, progress=progress)
        slugs = {_slug_of(doc) for doc in documents}
        _claim(db, organisation_id, {s for s in slugs if isinstance(s, str)})
    except BaseException:
        savepoint.rollback()
        raise
    if dry_run:
        savepoint.rollback()
    else:
        savepoint.commit()
    return report


def import_in_batches(
    db: Session,
    organisation_id: int,
    documents: list[ParsedFile],
    checkpoint: Checkpoint,
    *,
    every: int = 50,
    images: Mapping[str, Picture] | None = None,
) -> ImportReport:
    """Like :func:`import_for_organisation`, but written in batches that ``checkpoint``
    commits (a long import whose progress a page shows). Everything is checked before the
    first write; the frameworks are the organisation's from the first batch on, so no item is
    ever visible to others as shipped content; the pictures are stored with the first."""
    images = images or {}
    errors = _ownership_errors(db, organisation_id, documents)
    errors += content_bundle.missing_images(db, organisation_id, documents, images)
    if errors:
        raise ContentInvalid(errors)
    checked = check_documents(db, documents)
    content_bundle.store_all(db, organisation_id, images)
    slugs = {s for s in (_slug_of(doc) for doc in documents) if isinstance(s, str)}
    report = write_checked(
        db,
        checked,
        checkpoint=checkpoint,
        every=every,
        frameworks_written=lambda: _claim(db, organisation_id, slugs),
    )
    _claim(db, organisation_id, slugs)
    return report


def _slug_of(doc: ParsedFile) -> object:
    return doc.data.get("slug") if "domains" in doc.data else doc.data.get("framework")


def _claim(db: Session, organisation_id: int, slugs: set[str]) -> None:
    """Mark the imported frameworks and their items as the organisation's."""
    frameworks = db.scalars(select(Framework).where(Framework.slug.in_(slugs))).all()
    for framework in frameworks:
        framework.organisation_id = organisation_id
    ids = [f.id for f in frameworks]
    competences = select(Competence.id).where(Competence.framework_id.in_(ids))
    db.execute(
        update(Item)
        .where(Item.competence_id.in_(competences))
        .values(organisation_id=organisation_id)
        .execution_options(synchronize_session="fetch")
    )
    db.flush()


def parse_upload(raw: bytes, name: str, limit: int) -> content_bundle.Bundle:
    """An uploaded file: at most ``limit`` bytes; a JSON file (UTF-8), or a zip of JSON files
    with the pictures their items name (:class:`ContentInvalid` else)."""
    if len(raw) > limit:
        raise ContentInvalid(
            [
                ContentError(
                    name,
                    "",
                    None,
                    f"fichier trop gros ({len(raw) // 1024} Ko) : {limit // 1024} Ko au plus",
                )
            ]
        )
    if content_bundle.is_zip(raw):
        return content_bundle.read_zip(raw, name, limit)
    return content_bundle.parse_json_upload(raw, name, limit)


def import_upload(
    db: Session, organisation_id: int, raw: bytes, name: str, *, limit: int, dry_run: bool
) -> ImportReport:
    """An uploaded file checked (size, encoding, JSON, pictures, content rules, ownership) and
    imported, or only counted on a dry run; :class:`ContentInvalid` lists every problem."""
    bundle = parse_upload(raw, name, limit)
    return import_for_organisation(
        db, organisation_id, bundle.documents, dry_run=dry_run, images=bundle.images
    )


def pictures_of(db: Session, framework: Framework) -> dict[str, Picture]:
    """The pictures the framework's items show, by file name."""
    items = db.scalars(
        select(Item)
        .join(Competence)
        .where(Competence.framework_id == framework.id, Item.image_file.is_not(None))
    )
    found = {item.image_file: item_images.picture_of(db, item) for item in items}
    return {name: picture for name, picture in found.items() if name and picture}


def export_bundle(framework: Framework, db: Session) -> bytes:
    """The framework's bundle file and its items' pictures as one zip, re-importable as is."""
    return content_bundle.write_zip(
        f"{framework.slug}.json",
        export_own(framework, db),
        framework.slug,
        pictures_of(db, framework),
    )


def export_own(framework: Framework, db: Session) -> str:
    """The framework and its items as one bundle file (FORMAT.md), re-importable as is."""
    return dump(export_framework(db, framework.slug, framework.version))


def _copied_uid(uid: str, source_slug: str, slug: str) -> str:
    rest = uid.removeprefix(f"{source_slug}-") if uid.startswith(f"{source_slug}-") else uid
    return f"{slug}-{rest}"[:MAX_UID]


def copy_framework(
    db: Session, organisation_id: int, source: Framework, slug: str, title_fr: str
) -> CopyResult:
    """Copy a framework (its domains, competences, descriptors, alignments and items) into the
    organisation under a new slug.

    Items are copied, not shared: the organisation becomes responsible for its copy, which it
    may change without touching the shipped bank (used by every other organisation), and whose
    answers and calibration are its own. Copies start as drafts, to be reviewed before
    learners see them (``item_authoring.validate_drafts`` validates them all at once); each
    keeps the id and version it was copied from (``copied_from``) and its difficulty as a first
    estimate.
    """
    check_new_slug(db, slug)
    data: dict[str, Any] = export_framework(db, source.slug, source.version)
    data.update(slug=slug, version="1", title={"fr": title_fr, "en": data["title"].get("en")})
    data["title"] = {k: v for k, v in data["title"].items() if v}
    items = []
    for item in data.pop("items", []):
        item = dict(item)
        item[COPY_MARK] = f"{item['id']}@{item['version']}"
        item.update(
            id=_copied_uid(item["id"], source.slug, slug),
            status=ItemStatus.DRAFT.value,
            version=1,
        )
        item.pop("calibrated_at", None)
        items.append(item)
    data["items"] = items
    try:
        import_for_organisation(
            db,
            organisation_id,
            [parse_text(dump(data), f"{slug}.json")],
            images=pictures_of(db, source),
        )
    except ContentInvalid as exc:
        raise ContentRejected([(e.path, e.message) for e in exc.errors]) from None
    framework = db.scalar(select(Framework).where(Framework.slug == slug))
    return CopyResult(framework=framework, items=len(items))
