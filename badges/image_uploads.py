"""Badge images a trainer uploads: PNG or SVG only, checked by their content, never trusted.

A PNG is decoded with Pillow (dimensions checked before the pixels are read, so a decompression
bomb is refused cheaply) and encoded again: metadata chunks, a credential baked by another
platform, trailing bytes — nothing of the original file survives but its pixels. An SVG goes
through ``assessments.svg_sanitiser``. Refusals carry a ``code`` the web layer puts in words.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from assessments.svg_sanitiser import SvgRefused, sanitise

MAX_BYTES = 512 * 1024
MAX_SIDE = 2048  # a bigger upload is refused: nobody needs it, and it costs memory to decode
STORED_SIDE = 512  # what is kept: sharp on every screen, small inside every credential
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PNG = "image/png"
SVG = "image/svg+xml"


class ImageRefused(ValueError):
    """Not a usable badge image; ``code`` names the reason (``svg_script``, ``too_large``…)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


@dataclass(frozen=True)
class BadgeImage:
    data: bytes
    media_type: str


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(b"<?xml") or head.startswith(b"<svg") or head.startswith(b"<!--")


def _png(data: bytes) -> BadgeImage:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != "PNG":
                raise ImageRefused("not_an_image")
            width, height = probe.size
            if width > MAX_SIDE or height > MAX_SIDE or width < 16 or height < 16:
                raise ImageRefused("bad_dimensions", f"{width}×{height}")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            picture = image.convert("RGBA")
    except ImageRefused:
        raise
    except Image.DecompressionBombError as error:  # Pillow's own bound, met before ours
        raise ImageRefused("bad_dimensions", type(error).__name__) from error
    except (
        UnidentifiedImageError,
        OSError,
        ValueError,
        SyntaxError,
    ) as error:
        raise ImageRefused("unreadable_png", type(error).__name__) from error
    picture.thumbnail((STORED_SIDE, STORED_SIDE))
    out = io.BytesIO()
    picture.save(out, format="PNG", optimize=True)
    return BadgeImage(out.getvalue(), PNG)


def check(data: bytes) -> BadgeImage:
    """The image to store for an upload: a re-encoded PNG or a sanitised SVG."""
    if not data:
        raise ImageRefused("empty")
    if len(data) > MAX_BYTES:
        raise ImageRefused("too_large", str(len(data)))
    if data.startswith(PNG_MAGIC):
        return _png(data)
    if _looks_like_svg(data):
        try:
            return BadgeImage(sanitise(data), SVG)
        except SvgRefused as refused:
            raise ImageRefused(f"svg_{refused.code}", refused.detail) from refused
    raise ImageRefused("not_an_image")


def check_stored(data: bytes, media_type: str) -> BadgeImage:
    """An image carried back by a form (kept between a preview and a save): checked again, as
    a browser can send anything in a hidden field."""
    image = check(data)
    if image.media_type != media_type:
        raise ImageRefused("not_an_image")
    return image
