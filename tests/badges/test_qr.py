"""QR codes carry the credential URL and render as PNG and accessible SVG."""

import io

import pytest
from PIL import Image

from badges import qr

URL = "https://jalon.test/c/5dd238df-e7f6-462a-970a-936382e7d701"


def test_png_is_a_square_black_and_white_image():
    image = Image.open(io.BytesIO(qr.qr_png(URL)))
    assert image.format == "PNG" and image.width == image.height >= 250
    assert {colour for _count, colour in image.convert("L").getcolors()} == {0, 255}


def test_code_holds_exactly_the_url():
    code = qr._code(URL)
    assert b"".join(segment.data for segment in code.data_list) == URL.encode()


def test_svg_has_a_white_background_and_a_text_alternative():
    svg = qr.qr_svg(URL, title="Code QR de ce badge <démo>")
    assert svg.startswith('<svg role="img"')
    assert "<title>Code QR de ce badge &lt;démo&gt;</title>" in svg
    assert '<rect fill="white"' in svg and "<script" not in svg


def test_overlong_url_is_refused():
    with pytest.raises(ValueError):
        qr.qr_png("https://x.test/" + "a" * 3000)
