"""Item pictures: checked on the way in, found again to be shown, and who may see them.

A picture is a file name an item carries (``image_file``, with its ``image_alt``). Shipped
items find theirs under ``content/images/<framework slug>/``; an organisation's items find
theirs in ``item_images`` (uploaded in the studio, imported beside the JSON, or copied with a
shipped framework), looked up by the item's organisation and that name. Whatever the source,
bytes reach a browser only after ``check``: a PNG decoded and encoded again by Pillow (nothing
of the original file survives but its pixels), an SVG rewritten from a whitelist by
``assessments.svg_sanitiser`` (no script, no handler, no external reference, no
``foreignObject``). Pages name a picture by a hash of its bytes, so it can be cached for ever.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from assessments.content_parsing import CONTENT_DIR
from assessments.image_checks import MAX_BYTES as MAX_BYTES  # the studio reads at most this
from assessments.image_checks import PNG, SVG, checked
from assessments.image_checks import ImageRefused as ImageRefused
from assessments.models import Item, ItemImage

MAX_SIDE = 4000  # a bigger PNG is refused before its pixels are read
STORED_SIDE = 1600  # what is kept: sharp on a phone and a training room's screen
EXTENSIONS = {SVG: "svg", PNG: "png"}
MEDIA_TYPES = {ext: media for media, ext in EXTENSIONS.items()}
# A picture's file name: no folder, no hidden file, one of the two extensions.
FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,195}\.(svg|png)$")
DIGEST_LENGTH = 16  # hex characters of the SHA-256 in a picture's URL


@dataclass(frozen=True)
class Picture:
    """Checked bytes ready to be served, with their type and SHA-256 (hex)."""

    data: bytes
    media_type: str
    sha256: str

    @property
    def extension(self) -> str:
        return EXTENSIONS[self.media_type]

    @property
    def digest(self) -> str:
        """What a URL carries: enough of the hash that another picture never shares it."""
        return self.sha256[:DIGEST_LENGTH]


def _picture(data: bytes, media_type: str) -> Picture:
    return Picture(data, media_type, hashlib.sha256(data).hexdigest())


def check(data: bytes) -> Picture:
    """The picture to keep for ``data``: a re-encoded PNG or a sanitised SVG, or
    :class:`ImageRefused` (empty, too large, neither PNG nor SVG, active SVG…)."""
    return _picture(*checked(data, max_side=MAX_SIDE, stored_side=STORED_SIDE))


def check_named(name: str, data: bytes) -> Picture:
    """A picture read from a file ``name``: its extension must say what its content is."""
    if not FILE_NAME.match(name):
        raise ImageRefused("bad_name", name[:80])
    picture = check(data)
    if picture.extension != name.rsplit(".", 1)[1]:
        raise ImageRefused("wrong_extension", name[:80])
    return picture


def shipped_path(slug: str, name: str, root: Path = CONTENT_DIR) -> Path | None:
    """Where a shipped item's picture lives (``None`` for a name that is no file name)."""
    if not FILE_NAME.match(name) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", slug):
        return None
    return root / "images" / slug / name


@lru_cache(maxsize=256)
def _shipped(path: Path, modified: int) -> Picture | None:
    """A shipped file, checked as an upload is, kept while the file is unchanged."""
    try:
        return check_named(path.name, path.read_bytes())
    except (OSError, ImageRefused):
        return None


def shipped_picture(slug: str, name: str, root: Path = CONTENT_DIR) -> Picture | None:
    path = shipped_path(slug, name, root)
    try:
        modified = path.stat().st_mtime_ns if path else None
    except OSError:
        return None
    return _shipped(path, modified) if path and modified is not None else None


def picture_of(db: Session, item: Item) -> Picture | None:
    """The checked picture ``item`` shows, or ``None`` (no picture, or its file is gone)."""
    if not item.image_file:
        return None
    if item.organisation_id is None:
        return shipped_picture(item.competence.framework.slug, item.image_file)
    stored = db.scalar(
        select(ItemImage).where(
            ItemImage.organisation_id == item.organisation_id, ItemImage.name == item.image_file
        )
    )
    return Picture(stored.data, stored.media_type, stored.sha256) if stored else None


def stored_names(db: Session, organisation_id: int) -> set[str]:
    """The names of the pictures the organisation's items may name."""
    return set(
        db.scalars(select(ItemImage.name).where(ItemImage.organisation_id == organisation_id))
    )


def store(db: Session, organisation_id: int, name: str, picture: Picture) -> ItemImage:
    """Keep a checked picture under ``name`` for the organisation (replacing one so named)."""
    row = db.scalar(
        select(ItemImage).where(
            ItemImage.organisation_id == organisation_id, ItemImage.name == name
        )
    )
    if row is None:
        row = ItemImage(organisation_id=organisation_id, name=name)
        db.add(row)
    row.data, row.media_type, row.sha256 = picture.data, picture.media_type, picture.sha256
    db.flush()
    return row


def store_upload(db: Session, organisation_id: int, picture: Picture) -> str:
    """Keep an uploaded picture under a name made of its hash (two uploads of the same
    picture share one row); returns the name for ``Item.image_file``."""
    name = f"{picture.sha256[:32]}.{picture.extension}"
    store(db, organisation_id, name, picture)
    return name


def item_by_uid(db: Session, uid: str) -> Item | None:
    return db.scalar(select(Item).where(Item.uid == uid))


def visible_to(item: Item, organisation_ids: set[int]) -> bool:
    """Whoever may see the item may see its picture: shipped items are everyone's (their
    pictures are published with Jalon), an organisation's items only its members'."""
    return item.organisation_id is None or item.organisation_id in organisation_ids
