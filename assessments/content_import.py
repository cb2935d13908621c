"""Import of frameworks and item banks: check a whole batch of files, then write it.

Everything is validated before anything is written: a bad file gets a list of errors, each
with the file, the line and the JSON path of the field, and nothing at all is imported (one
transaction, rolled back on any error). Import is idempotent:

* a framework is keyed by ``slug`` + ``version``: re-importing the same edition updates its
  texts, domains, competences, level descriptors and alignments in place; a competence that
  already has items cannot disappear from it;
* an item is keyed by ``id`` and carries a ``version``. A *draft* item is simply updated. A
  *validated* (or archived) item keeps its meaning: changing its type, body, key or tolerance
  without raising ``version`` is refused (results already given were checked against the old
  key); raising the version updates it and resets its IRT calibration unless the file gives
  ``a``/``b``. A file with a lower version than the stored one is refused. Calibrated ``a``/``b``
  survive the re-import of the same version when the file does not give them.

A framework file may also carry an ``items`` list (any competence of that framework): that is
the single-file bundle ``jalon assess export`` writes, so export → import round-trips.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessments import content_bundle, item_images
from assessments.content_errors import ContentError, ContentInvalid
from assessments.content_export import export_item, latest_framework
from assessments.content_parsing import ParsedFile, content_files, read_file
from assessments.content_storage import prune_competences, upsert_framework, upsert_item
from assessments.content_validation import (
    Checker,
    check_framework,
    check_item,
    check_no_nul,
    is_text,
)
from assessments.models import Competence, Framework, Item, ItemStatus
from assessments.tolerances import DEFAULT_TOLERANCE

# What a validated item may not change without a new version (compared by ``semantics``).
SEMANTIC_FIELDS = ("type", "body", "key", "tolerance")

Progress = Callable[[], object]  # called once per item written
# Called between batches when writing in batches: (items written, items in all), after a flush.
# It commits (with whatever progress it records in the same transaction), or raises to stop.
Checkpoint = Callable[[int, int], object]


@dataclass
class ImportReport:
    """What an import did (or, on a dry run, would do)."""

    files: int = 0
    frameworks_created: list[str] = field(default_factory=list)
    frameworks_updated: list[str] = field(default_factory=list)
    items_created: int = 0
    items_updated: int = 0
    items_unchanged: int = 0

    @property
    def items_total(self) -> int:
        return self.items_created + self.items_updated + self.items_unchanged


@dataclass
class _FrameworkFile:
    parsed: ParsedFile
    data: Mapping[str, Any]
    codes: set[str]  # its competence codes


@dataclass
class _ItemFile:
    parsed: ParsedFile
    framework_slug: str
    framework_version: str | None
    items: list[tuple[str, Mapping[str, Any]]]  # (JSON path, item)


@dataclass
class _Batch:
    """The documents of one import, sorted by what they hold."""

    frameworks: dict[tuple[str, str], _FrameworkFile] = field(default_factory=dict)
    item_files: list[_ItemFile] = field(default_factory=list)
    broken: set[str] = field(default_factory=set)  # slugs of framework files with errors

    def edition(self, slug: str, version: str | None) -> str | None:
        """The framework version an item file means: its own, else the last edition of
        ``slug`` in this batch (``None``: only the database can say)."""
        return version or {s: v for s, v in self.frameworks}.get(slug)


def import_paths(
    db: Session, paths: Iterable[str | Path], progress: Progress | None = None
) -> ImportReport:
    """Validate then import files and directories; all or nothing."""
    parsed: list[ParsedFile] = []
    errors: list[ContentError] = []
    for path in content_files(paths):
        try:
            parsed.append(read_file(path))
        except ContentInvalid as exc:
            errors.extend(exc.errors)
        except OSError as exc:
            errors.append(ContentError(str(path), "", None, f"lecture impossible : {exc.strerror}"))
    errors += [e for doc in parsed for e in _picture_errors(doc)]
    if errors:
        raise ContentInvalid(errors)
    return import_documents(db, parsed, progress=progress)


def _content_root(file: Path) -> Path | None:
    """The folder holding ``frameworks/``, ``items/`` and ``images/`` above ``file``."""
    for folder in file.resolve().parents:
        if folder.name in ("items", "frameworks"):
            return folder.parent
    return None


def _picture_errors(doc: ParsedFile) -> list[ContentError]:
    """Files read from a content folder: each picture an item names must be beside them, in
    ``images/<slug>/``, and pass the same checks as an upload (the pages show it from there)."""
    data = doc.data
    if not isinstance(data, Mapping) or not isinstance(data.get("items"), list):
        return []
    slug = data.get("framework") if "domains" not in data else data.get("slug")
    root = _content_root(Path(doc.name))
    errors = []
    for n, item in enumerate(data["items"]):
        image = item.get("image") if isinstance(item, Mapping) else None
        name = image.get("file") if isinstance(image, Mapping) else None
        if not isinstance(name, str) or not isinstance(slug, str) or root is None:
            continue
        path = item_images.shipped_path(slug, name, root)
        try:
            item_images.check_named(name, path.read_bytes() if path else b"")
        except OSError:
            errors.append(doc.error(f"items[{n}].image.file", f"image absente de images/{slug}/"))
        except item_images.ImageRefused as refused:
            errors.append(doc.error(f"items[{n}].image.file", content_bundle.refusal(refused)))
    return errors


def import_documents(
    db: Session, documents: list[ParsedFile], progress: Progress | None = None
) -> ImportReport:
    """Validate parsed documents against each other and the database, then write them in one
    savepoint. Raises :class:`ContentInvalid` (nothing written) on any problem. The caller
    commits."""
    checked = check_documents(db, documents)
    with db.begin_nested():
        return write_checked(db, checked, progress=progress)


@dataclass(frozen=True)
class CheckedImport:
    """Documents checked in full against each other and the database, ready to be written."""

    batch: _Batch
    stored: Mapping[str, Item]
    files: int

    @property
    def items(self) -> int:
        return sum(len(f.items) for f in self.batch.item_files)


def check_documents(db: Session, documents: list[ParsedFile]) -> CheckedImport:
    """Every check of an import, nothing written; raises :class:`ContentInvalid`."""
    batch, errors = _sort_documents(documents)
    item_ids, reference_errors = _check_references(db, batch)
    errors.extend(reference_errors)
    if errors:
        raise ContentInvalid(errors)
    stored = _stored_items(db, item_ids)
    errors = _check_versions(batch, stored) + _check_removed_competences(db, batch)
    if errors:
        raise ContentInvalid(errors)
    return CheckedImport(batch, stored, len(documents))


def write_checked(
    db: Session,
    checked: CheckedImport,
    *,
    progress: Progress | None = None,
    checkpoint: Checkpoint | None = None,
    every: int = 50,
    frameworks_written: Callable[[], object] | None = None,
) -> ImportReport:
    """Write checked documents: frameworks, then items, then the competences the frameworks no
    longer list. With ``checkpoint``, it is called after the frameworks and every ``every``
    items (it commits: each batch is then kept even if a later one fails)."""
    report = ImportReport(files=checked.files)
    resolved, wanted = _write_frameworks(db, checked.batch, report)
    db.flush()
    if frameworks_written is not None:
        frameworks_written()
    total = checked.items
    if checkpoint is not None:
        checkpoint(0, total)
    written = [0]

    def item_written() -> None:
        written[0] += 1
        if progress is not None:
            progress()
        if checkpoint is not None and written[0] % every == 0 and written[0] < total:
            db.flush()
            checkpoint(written[0], total)

    _write_items(db, checked.batch, resolved, checked.stored, report, item_written)
    # Competences dropped from a re-imported framework (their items moved or none).
    for key, framework in resolved.items():
        prune_competences(db, framework, wanted[key])
    db.flush()
    return report


# ---------------------------------------------------------------------------------------------
# Checks


def _sort_documents(documents: list[ParsedFile]) -> tuple[_Batch, list[ContentError]]:
    """Check each document on its own and sort it: a framework (maybe with items) or items."""
    batch = _Batch()
    errors: list[ContentError] = []
    for doc in documents:
        c = Checker(doc)
        data = doc.data
        check_no_nul(c, data, "")
        if isinstance(data, Mapping) and "domains" in data:
            _add_framework_file(c, batch)
            if c.errors:  # its items are not checked against the database
                batch.broken.add(str(data.get("slug")))
        elif isinstance(data, Mapping) and "items" in data:
            _add_item_file(c, batch)
        else:
            c.add("", 'ni un référentiel (champ "domains") ni un fichier d\'items (champ "items")')
        errors.extend(c.errors)
    return batch, errors


def _numbered(items: list[Any]) -> list[tuple[str, Any]]:
    """Items with their JSON path in the file."""
    return [(f"items[{i}]", item) for i, item in enumerate(items)]


def _add_framework_file(c: Checker, batch: _Batch) -> None:
    """A framework file, once per edition in a batch; its items join the batch only when the
    framework itself is valid."""
    doc, data = c.parsed, c.parsed.data
    codes = check_framework(c, data)
    if not c.errors:
        key = (data["slug"], data["version"])
        if key in batch.frameworks:
            c.add(
                "slug",
                f"référentiel {key[0]}@{key[1]} déjà dans {batch.frameworks[key].parsed.name}",
            )
        batch.frameworks[key] = _FrameworkFile(doc, data, codes)
    items = data.get("items")
    if items is not None and not isinstance(items, list):
        c.add("items", "liste d'items attendue")
    elif items is not None:
        valid_framework = not c.errors
        for path, item in _numbered(items):
            check_item(c, item, path)
        if valid_framework:
            batch.item_files.append(_ItemFile(doc, data["slug"], data["version"], _numbered(items)))


def _add_item_file(c: Checker, batch: _Batch) -> None:
    """An item file: the framework it belongs to (slug, maybe version) and its items."""
    doc, data = c.parsed, c.parsed.data
    c.require(data, "", "framework", is_text, "slug du référentiel attendu")
    c.optional(data, "", "framework_version", is_text, "texte attendu")
    if not isinstance(data["items"], list):
        c.add("items", "liste d'items attendue")
        return
    for path, item in _numbered(data["items"]):
        check_item(c, item, path)
    version = data.get("framework_version")
    # Only a framework named by texts can be looked up (a list is no key, a number no slug).
    if is_text(data.get("framework")) and (version is None or is_text(version)):
        batch.item_files.append(
            _ItemFile(
                doc, data["framework"], data.get("framework_version"), _numbered(data["items"])
            )
        )


def _check_references(db: Session, batch: _Batch) -> tuple[list[str], list[ContentError]]:
    """Across files: each item id once, each item's framework and competence known (in the
    batch or the database). Returns the item ids and the errors."""
    errors: list[ContentError] = []
    seen: dict[str, str] = {}  # item id → where it was met first
    competences: dict[tuple[str, str | None], set[str] | None] = {}
    for item_file in batch.item_files:
        c = Checker(item_file.parsed)
        slug, version = item_file.framework_slug, item_file.framework_version
        lookup = (slug, version)
        if lookup not in competences:
            competences[lookup] = _competence_codes(db, batch, slug, version)
        codes = competences[lookup]
        if codes is None and slug in batch.broken:
            continue
        if codes is None:
            c.add(
                "framework",
                f"référentiel inconnu : {slug}"
                + (f"@{version}" if version else "")
                + " (importez d'abord son fichier)",
            )
        for path, item in item_file.items:
            if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
                continue
            uid = item["id"]
            if uid in seen:
                c.add(f"{path}.id", f"identifiant en double (déjà dans {seen[uid]})")
            seen[uid] = f"{item_file.parsed.name}:{item_file.parsed.line_of(path)}"
            competence = item.get("competence")
            if codes is not None and isinstance(competence, str) and competence not in codes:
                c.add(f"{path}.competence", f"compétence inconnue dans {slug} : {competence}")
        errors.extend(c.errors)
    return list(seen), errors


def _competence_codes(
    db: Session, batch: _Batch, slug: str, version: str | None
) -> set[str] | None:
    """Competence codes of the framework an item file names: from the batch when it holds that
    edition, else from the database; ``None`` when the framework is unknown."""
    chosen = batch.edition(slug, version)
    if chosen is not None and (slug, chosen) in batch.frameworks:
        return batch.frameworks[(slug, chosen)].codes
    existing = latest_framework(db, slug, version)
    if existing is None:
        return None
    return set(db.scalars(select(Competence.code).where(Competence.framework_id == existing.id)))


def _stored_items(db: Session, item_ids: list[str]) -> dict[str, Item]:
    """The stored items among ``item_ids``, by id."""
    if not item_ids:
        return {}
    return {i.uid: i for i in db.scalars(select(Item).where(Item.uid.in_(item_ids)))}


def _check_versions(batch: _Batch, stored: Mapping[str, Item]) -> list[ContentError]:
    """Item versions against the database: never lower, and raised when a validated item's
    meaning changes."""
    errors: list[ContentError] = []
    for item_file in batch.item_files:
        c = Checker(item_file.parsed)
        for path, item in item_file.items:
            existing = stored.get(item["id"])
            if existing is None:
                continue
            if item["version"] < existing.version:
                c.add(
                    f"{path}.version",
                    f"version {item['version']} plus ancienne que celle en base "
                    f"({existing.version})",
                )
            elif (
                item["version"] == existing.version
                and existing.status != ItemStatus.DRAFT
                and semantics(item) != semantics(export_item(existing))
            ):
                c.add(
                    f"{path}.version",
                    "item validé : le type, le contenu ou la clé a changé ; "
                    f"passez la version à {existing.version + 1}",
                )
        errors.extend(c.errors)
    return errors


def semantics(item: Mapping[str, Any]) -> tuple:
    """What an item means (``SEMANTIC_FIELDS``), comparable whatever the key order."""
    tolerance = item.get("tolerance")
    return (
        item.get("type"),
        json.dumps(item.get("body"), sort_keys=True),
        json.dumps(item.get("key"), sort_keys=True),
        tuple(tolerance) if tolerance is not None else tuple(DEFAULT_TOLERANCE),
    )


def _check_removed_competences(db: Session, batch: _Batch) -> list[ContentError]:
    """A re-imported edition may drop a competence only when no stored item stays in it (items
    of the batch may move elsewhere)."""
    errors: list[ContentError] = []
    for (slug, version), framework_file in batch.frameworks.items():
        existing = latest_framework(db, slug, version)
        if existing is None:
            continue
        used = set(
            db.scalars(
                select(Competence.code)
                .join(Item, Item.competence_id == Competence.id)
                .where(Competence.framework_id == existing.id)
            )
        )
        incoming = {
            i["id"] for f in batch.item_files if f.framework_slug == slug for _, i in f.items
        }
        moved = {
            code
            for code in used - framework_file.codes
            if db.scalar(
                select(func.count())
                .select_from(Item)
                .join(Competence)
                .where(
                    Competence.code == code,
                    Competence.framework_id == existing.id,
                    Item.uid.not_in(incoming),
                )
            )
        }
        for code in sorted(moved):
            errors.append(
                framework_file.parsed.error(
                    "domains",
                    f"la compétence {code} a des items en base : on ne peut pas la retirer",
                )
            )
    return errors


# ---------------------------------------------------------------------------------------------
# Writing


def _write_frameworks(
    db: Session, batch: _Batch, report: ImportReport
) -> tuple[dict[tuple[str, str], Framework], dict[tuple[str, str], tuple[set[str], set[str]]]]:
    """Upsert every framework of the batch; returns them and the codes each file lists."""
    resolved: dict[tuple[str, str], Framework] = {}
    wanted: dict[tuple[str, str], tuple[set[str], set[str]]] = {}
    for (slug, version), framework_file in batch.frameworks.items():
        framework, created, wanted[(slug, version)] = upsert_framework(db, framework_file.data)
        (report.frameworks_created if created else report.frameworks_updated).append(
            f"{slug}@{version}"
        )
        resolved[(slug, version)] = framework
    return resolved, wanted


def _write_items(
    db: Session,
    batch: _Batch,
    resolved: Mapping[tuple[str, str], Framework],
    stored: Mapping[str, Item],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """Upsert every item into its competence, counting outcomes in ``report``."""
    for item_file in batch.item_files:
        slug, version = item_file.framework_slug, item_file.framework_version
        chosen = batch.edition(slug, version)
        framework = resolved.get((slug, chosen)) if chosen else None
        framework = framework or latest_framework(db, slug, version)
        assert framework is not None
        by_code = {
            comp.code: comp
            for comp in db.scalars(
                select(Competence).where(Competence.framework_id == framework.id)
            )
        }
        for _path, data in item_file.items:
            outcome = upsert_item(db, data, by_code[data["competence"]], stored.get(data["id"]))
            setattr(report, f"items_{outcome}", getattr(report, f"items_{outcome}") + 1)
            if progress is not None:
                progress()
