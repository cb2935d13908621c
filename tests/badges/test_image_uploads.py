"""Uploaded badge images are checked by their content: PNG re-encoded within bounds, SVG
sanitised, anything else or anything too big refused with a reason."""

from __future__ import annotations

import io
import zlib

import pytest
from PIL import Image, PngImagePlugin

from badges import image_uploads
from badges.image_uploads import ImageRefused


def png(size=(64, 64), *, text: dict[str, str] | None = None, colour=(200, 30, 30, 255)) -> bytes:
    info = PngImagePlugin.PngInfo()
    for key, value in (text or {}).items():
        info.add_itxt(key, value)
    out = io.BytesIO()
    Image.new("RGBA", size, colour).save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def refused(data: bytes) -> str:
    with pytest.raises(ImageRefused) as caught:
        image_uploads.check(data)
    return caught.value.code


def test_a_png_is_re_encoded_without_its_metadata():
    sent = png(text={"openbadgecredential": '{"forged": true}'}) + b"trailing bytes"
    kept = image_uploads.check(sent)
    assert kept.media_type == "image/png"
    assert b"openbadgecredential" not in kept.data and b"trailing" not in kept.data
    with Image.open(io.BytesIO(kept.data)) as image:
        assert image.size == (64, 64) and image.getpixel((3, 3)) == (200, 30, 30, 255)


def test_a_big_png_is_scaled_down_to_the_stored_size():
    kept = image_uploads.check(png((1500, 1000)))
    with Image.open(io.BytesIO(kept.data)) as image:
        assert max(image.size) == image_uploads.STORED_SIDE


def test_dimensions_are_bounded_before_pixels_are_read():
    assert refused(png((3000, 20))) == "bad_dimensions"
    assert refused(png((8, 8))) == "bad_dimensions"


def _bomb() -> bytes:
    """A valid PNG header claiming 60 000 × 60 000 pixels over a tiny compressed body."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            len(body).to_bytes(4, "big") + kind + body + zlib.crc32(kind + body).to_bytes(4, "big")
        )

    header = (60000).to_bytes(4, "big") * 2 + bytes([8, 6, 0, 0, 0])
    return (
        image_uploads.PNG_MAGIC
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + chunk(b"IEND", b"")
    )


def test_a_decompression_bomb_is_refused_cheaply():
    assert refused(_bomb()) == "bad_dimensions"


def test_oversized_empty_broken_and_other_formats_are_refused():
    assert refused(b"") == "empty"
    assert refused(png() + b"\0" * image_uploads.MAX_BYTES) == "too_large"
    assert refused(image_uploads.PNG_MAGIC + b"garbage") == "unreadable_png"
    out = io.BytesIO()
    Image.new("RGB", (32, 32)).save(out, format="JPEG")
    assert refused(out.getvalue()) == "not_an_image"
    assert refused(b"GIF89a....") == "not_an_image"
    assert refused(b"%PDF-1.7\n") == "not_an_image"


def test_an_svg_is_sanitised_and_a_hostile_one_refused_with_its_reason():
    kept = image_uploads.check(b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>')
    assert kept.media_type == "image/svg+xml" and b"<rect" in kept.data
    hostile = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert refused(hostile) == "svg_script"


def test_an_image_carried_back_by_a_form_is_checked_again():
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><rect/></svg>'
    assert image_uploads.check_stored(svg, "image/svg+xml").media_type == "image/svg+xml"
    with pytest.raises(ImageRefused):
        image_uploads.check_stored(svg, "image/png")  # not what it claims
    with pytest.raises(ImageRefused):
        image_uploads.check_stored(
            b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()"/>', "image/svg+xml"
        )
