"""Uploaded pictures checked by their content, never trusted: shared by item pictures
(``assessments.item_images``) and badge images (``badges.image_uploads``), which differ only in
the sizes they accept and keep.

A PNG is decoded with Pillow (dimensions checked before the pixels are read, so a decompression
bomb is refused cheaply) and encoded again: metadata chunks, a credential baked by another
platform, trailing bytes — nothing of the original file survives but its pixels. An SVG goes
through ``assessments.svg_sanitiser``. Refusals carry a ``code`` the web layer puts in words.
"""

from __future__ import annotations

import io

from PIL import Image, UnidentifiedImageError

from assessments.svg_sanitiser import SvgRefused, sanitise

MAX_BYTES = 512 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
PNG = "image/png"
SVG = "image/svg+xml"
MIN_SIDE = 16


class ImageRefused(ValueError):
    """Not a usable picture; ``code`` names the reason (``too_large``, ``svg_script``…)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def _reencoded_png(data: bytes, max_side: int, stored_side: int) -> bytes:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format != "PNG":
                raise ImageRefused("not_an_image")
            width, height = probe.size
            if not (MIN_SIDE <= width <= max_side and MIN_SIDE <= height <= max_side):
                raise ImageRefused("bad_dimensions", f"{width}×{height}")
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image.load()
            pixels = image.convert("RGBA")
    except ImageRefused:
        raise
    except Image.DecompressionBombError as error:  # Pillow's own bound, met before ours
        raise ImageRefused("bad_dimensions", type(error).__name__) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ImageRefused("unreadable_png", type(error).__name__) from error
    pixels.thumbnail((stored_side, stored_side))
    out = io.BytesIO()
    pixels.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _looks_like_svg(data: bytes) -> bool:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<?xml", b"<svg", b"<!--"))


def checked(
    data: bytes, *, max_side: int, stored_side: int, max_bytes: int = MAX_BYTES
) -> tuple[bytes, str]:
    """The bytes to keep for ``data`` and their media type: a PNG re-encoded (at most
    ``stored_side`` pixels a side, ``max_side`` accepted) or a sanitised SVG; otherwise
    :class:`ImageRefused` (empty, too large, neither PNG nor SVG, active SVG…)."""
    if not data:
        raise ImageRefused("empty")
    if len(data) > max_bytes:
        raise ImageRefused("too_large", str(len(data)))
    if data.startswith(PNG_MAGIC):
        return _reencoded_png(data, max_side, stored_side), PNG
    if _looks_like_svg(data):
        try:
            return sanitise(data), SVG
        except SvgRefused as refused:
            raise ImageRefused(f"svg_{refused.code}", refused.detail) from refused
    raise ImageRefused("not_an_image")
