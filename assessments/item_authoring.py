"""Items an organisation writes in its own frameworks: create, edit, draft → validated →
archived, and the versions a change of meaning makes.

An item is written in its file shape (FORMAT.md) and checked with the import's own rules
(``content_validation.check_item``, which asks the item type whether the key fits the body),
then stored by ``content_storage.upsert_item`` like an imported one. A refusal lists
``(JSON path, French message)`` problems (``key``, ``body.choices[2].text``) the studio shows
on its fields; nothing is written.

Versions follow the import rules: a draft is edited in place; a validated or archived item may
get corrected texts in place, but a change of its type, body, key or tolerance raises its
version. The version it replaces is kept in ``item_versions`` (``upsert_item`` does it), and
responses keep ``item_version``, so answers already given still point at the question and key
that checked them; calibration only reads answers to the current version.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessments.authoring import ContentRejected, FrameworkNotFound
from assessments.content_export import export_item
from assessments.content_import import semantics
from assessments.content_parsing import ParsedFile
from assessments.content_storage import upsert_item
from assessments.content_validation import Checker, check_item
from assessments.models import (
    Competence,
    Framework,
    Item,
    ItemStatus,
    ItemVersion,
    Response,
)
from learners.pagination import Page, paginate

# What a page may change on an item; the rest (id, version, status, calibration) is ours.
EDITABLE = (
    "level", "type", "instruction", "instruction_sr", "image", "accessibility",
    "timer_seconds", "explanation", "body", "key", "tolerance",
)  # fmt: skip
TRANSITIONS: Mapping[ItemStatus, tuple[ItemStatus, ...]] = {
    ItemStatus.DRAFT: (ItemStatus.VALIDATED, ItemStatus.ARCHIVED),
    ItemStatus.VALIDATED: (ItemStatus.ARCHIVED,),
    ItemStatus.ARCHIVED: (ItemStatus.VALIDATED,),
}


class StatusChangeRefused(ValueError):
    """This status cannot follow the item's current one."""


@dataclass(frozen=True)
class ItemSaved:
    item: Item
    created: bool
    new_version: bool  # a change of meaning raised the version (the old one is kept)


def own_item(db: Session, framework: Framework, item_id: int) -> Item:
    """An item of this (own) framework; any other is :class:`FrameworkNotFound`."""
    item = db.get(Item, item_id)
    if item is None or item.competence.framework_id != framework.id:
        raise FrameworkNotFound(item_id)
    return item


def items_of(db: Session, competence: Competence, page: int = 1) -> Page[Item]:
    """A competence's items by level and id, one page at a time."""
    query = select(Item).where(Item.competence_id == competence.id).order_by(Item.level, Item.uid)
    return paginate(db, query, page)


def problems_of(data: Mapping[str, Any]) -> list[tuple[str, str]]:
    """What the import would refuse in this item (paths relative to the item)."""
    checker = Checker(ParsedFile("formulaire", data, {}))
    check_item(checker, data, "")
    return [(e.path, e.message) for e in checker.errors]


def next_uid(db: Session, competence: Competence) -> str:
    """``<slug>-<competence code>-<nnn>``, the next number free in that competence."""
    prefix = f"{competence.framework.slug}-{competence.code.lower()}-"
    taken = db.scalars(select(Item.uid).where(Item.uid.startswith(prefix, autoescape=True)))
    numbers = [int(m.group(1)) for uid in taken if (m := re.fullmatch(r".*-(\d+)", uid))]
    return f"{prefix}{max(numbers, default=0) + 1:03d}"


def _refuse(data: Mapping[str, Any]) -> None:
    problems = problems_of(data)
    if problems:
        raise ContentRejected(problems)


def create_item(db: Session, competence: Competence, fields: Mapping[str, Any]) -> ItemSaved:
    """A new draft item in ``competence`` from its fields in file shape (``EDITABLE``)."""
    data = {name: fields.get(name) for name in EDITABLE}
    data.update(
        id=next_uid(db, competence),
        competence=competence.code,
        status=ItemStatus.DRAFT.value,
        version=1,
    )
    data = {k: v for k, v in data.items() if v is not None}
    _refuse(data)
    upsert_item(db, data, competence, None)
    db.flush()
    item = db.scalar(select(Item).where(Item.uid == data["id"]))
    return ItemSaved(item=item, created=True, new_version=False)


def has_answers(db: Session, item: Item) -> bool:
    return bool(
        db.scalar(select(func.count()).select_from(Response).where(Response.item_id == item.id))
    )


def update_item(db: Session, item: Item, fields: Mapping[str, Any]) -> ItemSaved:
    """Edit an item; a validated or archived item whose meaning changes gets a new version."""
    current = export_item(item)
    data = {k: v for k, v in current.items() if k not in EDITABLE}
    data.update({name: fields.get(name) for name in EDITABLE})
    data = {k: v for k, v in data.items() if v is not None}
    _refuse(data)
    changed = semantics(data) != semantics(current)
    bump = changed and item.status != ItemStatus.DRAFT
    if bump:
        data["version"] = item.version + 1
        # A new meaning makes the old calibration meaningless: a/b back to their defaults.
        for name in ("a", "b", "calibrated_at"):
            data.pop(name, None)
    upsert_item(db, data, item.competence, item)
    db.flush()
    return ItemSaved(item=item, created=False, new_version=bump)


def set_status(db: Session, item: Item, status: ItemStatus) -> ItemStatus:
    """Move an item along draft → validated → archived (archived may be validated again);
    returns the status it had."""
    before = item.status
    if status not in TRANSITIONS[before]:
        raise StatusChangeRefused(f"{before.value} → {status.value}")
    item.status = status
    db.flush()
    return before


def validate_drafts(db: Session, framework: Framework) -> int:
    """Validate every draft of the framework at once (a copied framework's items); returns how
    many."""
    drafts = db.scalars(
        select(Item)
        .join(Competence, Item.competence_id == Competence.id)
        .where(Competence.framework_id == framework.id, Item.status == ItemStatus.DRAFT)
    ).all()
    for item in drafts:
        item.status = ItemStatus.VALIDATED
    db.flush()
    return len(drafts)


def earlier_versions(db: Session, item: Item) -> list[ItemVersion]:
    """The versions this item had before its current one, newest first."""
    return list(
        db.scalars(
            select(ItemVersion)
            .where(ItemVersion.item_id == item.id)
            .order_by(ItemVersion.version.desc())
        )
    )


__all__ = [
    "EDITABLE",
    "ItemSaved",
    "StatusChangeRefused",
    "create_item",
    "earlier_versions",
    "has_answers",
    "items_of",
    "next_uid",
    "own_item",
    "set_status",
    "update_item",
    "validate_drafts",
]
