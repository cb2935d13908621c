"""A PNG drawn from an uploaded (already sanitised) SVG badge image, for the baked PNG badge.

CairoSVG renders it with Debian's libcairo2. It runs in its safe mode: no XML entities, no
external file, and only ``data:`` URLs are read (anything else is replaced by an empty
picture), so rendering never touches the network. When the library cannot be loaded or the
picture cannot be drawn, the caller falls back to the generated medallion.
"""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

SIDE = 512  # as uploaded PNGs are stored (``image_uploads.STORED_SIDE``)


def to_png(svg: bytes, side: int = SIDE) -> bytes | None:
    """The SVG drawn as a ``side``-pixel-wide PNG, or None when it cannot be drawn."""
    try:
        import cairosvg  # libcairo2 is loaded here: a machine without it still issues badges
    except (ImportError, OSError):
        log.warning("cairosvg unavailable: SVG badges get the generated medallion as PNG")
        return None
    try:
        return cairosvg.svg2png(bytestring=svg, output_width=side, unsafe=False)
    except Exception:  # any drawing failure (bad XML, unsupported feature): the medallion
        log.warning("an SVG badge image could not be drawn as PNG", exc_info=True)
        return None
