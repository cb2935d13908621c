"""The earlier versions of an item, for the studio: each as the question it was (read-only,
never stored again) and what the next version changed in it.

``item_versions`` keeps each replaced version in its file shape; the current one is the
``items`` row. "What changed" compares a version with the one that replaced it, field by field
over what a page may edit (``item_authoring.EDITABLE``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from assessments.content_export import export_item
from assessments.content_storage import copy_item_fields
from assessments.item_authoring import EDITABLE, earlier_versions
from assessments.models import Item


@dataclass(frozen=True)
class EarlierVersion:
    version: int
    replaced_at: datetime
    item: Item  # transient: shown, never added to the session
    changed: tuple[str, ...]  # the fields (EDITABLE names) the next version changed


def _as_item(current: Item, content: dict[str, Any]) -> Item:
    old = Item(
        uid=current.uid,
        version=content.get("version", 1),
        competence_id=current.competence_id,
        organisation_id=current.organisation_id,
        a=content.get("a", 1.0),
        b=content.get("b", float(content["level"] - 3)),
    )
    copy_item_fields(old, content)
    # Read without events: the copy must not join the competence's items (nor the session).
    set_committed_value(old, "competence", current.competence)
    return old


def _changed(older: dict[str, Any], newer: dict[str, Any]) -> tuple[str, ...]:
    return tuple(name for name in EDITABLE if older.get(name) != newer.get(name))


def history(db: Session, item: Item) -> list[EarlierVersion]:
    """The item's earlier versions, newest first, each with what its successor changed."""
    rows = earlier_versions(db, item)
    newer = export_item(item)
    found = []
    for row in rows:
        found.append(
            EarlierVersion(
                row.version,
                row.replaced_at,
                _as_item(item, row.content),
                _changed(row.content, newer),
            )
        )
        newer = row.content
    return found


def version_of(db: Session, item: Item, version: int) -> EarlierVersion | None:
    """One earlier version of ``item``, or None when it never had it."""
    return next((v for v in history(db, item) if v.version == version), None)
