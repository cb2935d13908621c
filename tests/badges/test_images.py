"""Badge images: real pictures in the framework's colour, SVG and PNG alike."""

import io

import pytest
from defusedxml import ElementTree
from PIL import Image

from badges.images import ICONS, BadgeDesign, render_png, render_svg

DESIGN = BadgeDesign(colour="#1f5fa8", icon="shield", label="Sécurité", sublabel="Niveau 2")


@pytest.mark.parametrize("icon", sorted(ICONS))
def test_every_icon_renders_as_png_in_the_badge_colour(icon):
    png = render_png(BadgeDesign("#1f5fa8", icon, "Badge"), size=200)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    assert image.size == (200, 200)
    # The medallion's body carries the framework colour; the icon is white.
    colours = {pixel[:3] for pixel in image.convert("RGBA").get_flattened_data() if pixel[3] == 255}
    assert (0x1F, 0x5F, 0xA8) in colours
    assert (255, 255, 255) in colours


def test_svg_is_well_formed_and_titled_for_screen_readers():
    svg = render_svg(DESIGN, title="Badge Sécurité numérique <niveau 2>")
    root = ElementTree.fromstring(svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.get("role") == "img"
    title = root.find("{http://www.w3.org/2000/svg}title")
    assert title.text == "Badge Sécurité numérique <niveau 2>"
    texts = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert texts == ["Sécurité", "Niveau 2"]


def test_unknown_icon_is_refused():
    with pytest.raises(ValueError, match="unknown icon"):
        render_png(BadgeDesign("#000000", "unicorn", "x"))
    with pytest.raises(ValueError, match="unknown icon"):
        render_svg(BadgeDesign("#000000", "unicorn", "x"), title="x")
