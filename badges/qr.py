"""QR codes for a credential's public URL, as PNG or SVG.

Error correction level M and a 4-module quiet zone: readable by phone cameras on a printed sheet
or a screen, and still small enough for a long ``/c/<uuid>`` URL at a low version.
"""

from __future__ import annotations

import io
from functools import lru_cache
from xml.sax.saxutils import escape

import qrcode
import qrcode.constants
import qrcode.image.svg

MAX_URL_LENGTH = 2000
# Drawing a code costs about as much as the rest of the employer's page, and the drawing only
# depends on the URL and title: the most recent ones are kept (a few KB each).
SVG_CACHE_SIZE = 1024


def _code(url: str) -> qrcode.QRCode:
    if not url or len(url) > MAX_URL_LENGTH:
        raise ValueError("a QR code needs a URL of at most 2000 characters")
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4, box_size=10)
    code.add_data(url)
    code.make(fit=True)
    return code


def qr_png(url: str, *, box_size: int = 10) -> bytes:
    """A black-on-white PNG of ``url``."""
    code = _code(url)
    code.box_size = box_size
    image = code.make_image(fill_color="black", back_color="white")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def qr_svg(url: str, *, title: str | None = None) -> str:
    """A scalable SVG of ``url`` (one path, no script or style), with an optional ``<title>``
    so screen readers announce what the code is for."""
    return _svg(url, title)


@lru_cache(maxsize=SVG_CACHE_SIZE)
def _svg(url: str, title: str | None) -> str:
    image = _code(url).make_image(image_factory=qrcode.image.svg.SvgPathFillImage)
    svg = image.to_string(encoding="unicode")
    if title:
        end_of_tag = svg.index(">", svg.index("<svg")) + 1
        svg = f"{svg[:end_of_tag]}<title>{escape(title)}</title>{svg[end_of_tag:]}"
        svg = svg.replace("<svg ", '<svg role="img" ', 1)
    return svg
