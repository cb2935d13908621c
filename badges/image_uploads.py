"""Badge images a trainer uploads: PNG or SVG only, checked by their content, never trusted
(``assessments.image_checks``: a PNG re-encoded, an SVG sanitised), kept small enough to travel
inside every credential."""

from __future__ import annotations

from dataclasses import dataclass

from assessments.image_checks import MAX_BYTES as MAX_BYTES
from assessments.image_checks import PNG as PNG
from assessments.image_checks import PNG_MAGIC as PNG_MAGIC
from assessments.image_checks import SVG as SVG
from assessments.image_checks import ImageRefused, checked

MAX_SIDE = 2048  # a bigger upload is refused: nobody needs it, and it costs memory to decode
STORED_SIDE = 512  # what is kept: sharp on every screen, small inside every credential


@dataclass(frozen=True)
class BadgeImage:
    data: bytes
    media_type: str


def check(data: bytes) -> BadgeImage:
    """The image to store for an upload: a re-encoded PNG or a sanitised SVG."""
    return BadgeImage(*checked(data, max_side=MAX_SIDE, stored_side=STORED_SIDE))


def check_stored(data: bytes, media_type: str) -> BadgeImage:
    """An image carried back by a form (kept between a preview and a save): checked again, as
    a browser can send anything in a hidden field."""
    image = check(data)
    if image.media_type != media_type:
        raise ImageRefused("not_an_image")
    return image
