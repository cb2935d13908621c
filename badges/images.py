"""Badge images drawn for each achievement: a medallion in the framework's colour with an icon.

The same geometry is rendered twice, as SVG (crisp, bakeable as XML) and as PNG with Pillow (for
PNG baking and the PDF attestation), so both files of a badge look alike. Icons are simple shapes
in a 100 × 100 box, drawn in white on the medallion.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

Point = tuple[float, float]

# Each icon: ("poly", points) filled, ("line", points, width), ("circle", (cx, cy), r, filled),
# ("rect", (x, y, w, h), filled).
ICONS: dict[str, list[tuple]] = {
    "cursor": [("poly", [(38, 22), (38, 74), (50, 62), (59, 80), (67, 76), (58, 58), (74, 58)])],
    "keyboard": [
        ("rect", (18, 34, 64, 34), False),
        *[("rect", (24 + 11 * i, 40, 7, 6), True) for i in range(5)],
        *[("rect", (24 + 11 * i, 50, 7, 6), True) for i in range(5)],
        ("rect", (32, 60, 36, 4), True),
    ],
    "mail": [
        ("rect", (20, 32, 60, 38), False),
        ("line", [(20, 32), (50, 54), (80, 32)], 4),
    ],
    "shield": [
        ("poly", [(50, 18), (78, 28), (74, 58), (50, 82), (26, 58), (22, 28)]),
    ],
    "code": [
        ("line", [(38, 32), (22, 50), (38, 68)], 6),
        ("line", [(62, 32), (78, 50), (62, 68)], 6),
        ("line", [(55, 26), (45, 74)], 5),
    ],
    "fibre": [
        ("line", [(18, 64), (36, 48), (52, 56), (70, 38), (82, 34)], 6),
        ("circle", (82, 34), 6, True),
        ("line", [(18, 48), (30, 40)], 3),
        ("line", [(24, 74), (40, 62)], 3),
    ],
    "chart": [
        ("rect", (22, 56, 12, 22), True),
        ("rect", (40, 44, 12, 34), True),
        ("rect", (58, 30, 12, 48), True),
        ("line", [(20, 80), (80, 80)], 3),
    ],
    "network": [
        ("rect", (36, 40, 28, 16), True),
        ("line", [(50, 40), (50, 26)], 4),
        ("circle", (50, 22), 7, True),
        ("line", [(40, 56), (27, 71)], 4),
        ("circle", (24, 75), 7, True),
        ("line", [(60, 56), (73, 71)], 4),
        ("circle", (76, 75), 7, True),
    ],
    "people": [
        ("circle", (38, 36), 9, True),
        ("circle", (64, 36), 9, True),
        ("poly", [(22, 74), (26, 54), (50, 50), (54, 74)]),
        ("poly", [(48, 74), (52, 54), (76, 50), (80, 74)]),
    ],
    "star": [
        (
            "poly",
            [
                (50, 18),
                (59, 40),
                (82, 40),
                (64, 55),
                (71, 78),
                (50, 64),
                (29, 78),
                (36, 55),
                (18, 40),
                (41, 40),
            ],
        )
    ],
    "compass": [
        ("circle", (50, 50), 28, False),
        ("poly", [(50, 28), (57, 50), (50, 72), (43, 50)]),
    ],
    "briefcase": [
        ("rect", (20, 36, 60, 40), False),
        ("rect", (38, 26, 24, 10), False),
        ("line", [(20, 54), (80, 54)], 4),
        ("rect", (45, 49, 10, 10), True),
    ],
    "rack": [  # a server rack: frame, three servers, feet
        ("rect", (30, 16, 40, 66), False),
        *[("rect", (36, 23 + 15 * i, 28, 10), True) for i in range(3)],
        ("line", [(36, 82), (36, 88)], 4),
        ("line", [(64, 82), (64, 88)], 4),
    ],
}


@dataclass(frozen=True)
class BadgeDesign:
    """What a badge image shows: a colour, an icon and up to two short lines of text."""

    colour: str
    icon: str
    label: str
    sublabel: str = ""


def _darker(hex_colour: str, factor: float = 0.7) -> str:
    value = hex_colour.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) for i in (0, 2, 4))
    return "#{:02x}{:02x}{:02x}".format(*(int(c * factor) for c in (r, g, b)))


def render_svg(design: BadgeDesign, title: str, size: int = 400) -> bytes:
    """An SVG badge with a <title> for assistive technology."""
    if design.icon not in ICONS:
        raise ValueError(f"unknown icon {design.icon!r}")
    ring = _darker(design.colour)
    shapes = "".join(_svg_shape(shape) for shape in ICONS[design.icon])
    sub = (
        f'<text x="200" y="352" font-size="20" text-anchor="middle" fill="#ffffff" '
        f'font-family="DejaVu Sans, Arial, sans-serif">{escape(design.sublabel)}</text>'
        if design.sublabel
        else ""
    )
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{size}" height="{size}" '
        f'viewBox="0 0 400 400" role="img" aria-labelledby="t">'
        f'<title id="t">{escape(title)}</title>'
        f'<circle cx="200" cy="180" r="170" fill="{ring}"/>'
        f'<circle cx="200" cy="180" r="150" fill="{design.colour}"/>'
        f'<g transform="translate(95 65) scale(2.1)" fill="#ffffff" stroke="#ffffff">{shapes}</g>'
        f'<path d="M40 290 H360 L340 322 L360 354 H40 L60 322 Z" fill="{ring}"/>'
        f'<text x="200" y="330" font-size="26" font-weight="bold" text-anchor="middle" '
        f'fill="#ffffff" font-family="DejaVu Sans, Arial, sans-serif">{escape(design.label)}</text>'
        f"{sub}</svg>"
    )
    return svg.encode("utf-8")


def _svg_points(points: Sequence[Point]) -> str:
    return " ".join(f"{x:g},{y:g}" for x, y in points)


def _svg_shape(shape: tuple) -> str:
    kind = shape[0]
    if kind == "poly":
        return f'<polygon points="{_svg_points(shape[1])}" stroke="none"/>'
    if kind == "line":
        return (
            f'<polyline points="{_svg_points(shape[1])}" fill="none" stroke-width="{shape[2]}" '
            'stroke-linecap="round" stroke-linejoin="round"/>'
        )
    if kind == "circle":
        (cx, cy), r, filled = shape[1], shape[2], shape[3]
        fill = "" if filled else ' fill="none" stroke-width="4"'
        return f'<circle cx="{cx}" cy="{cy}" r="{r}"{fill}/>'
    (x, y, w, h), filled = shape[1], shape[2]
    fill = ' stroke="none"' if filled else ' fill="none" stroke-width="4"'
    return f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="2"{fill}/>'


def render_png(design: BadgeDesign, size: int = 400) -> bytes:
    """The same badge as a PNG (RGBA, transparent corners)."""
    if design.icon not in ICONS:
        raise ValueError(f"unknown icon {design.icon!r}")
    scale = size / 400
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    ring = _darker(design.colour)

    def s(x: float, y: float) -> Point:
        return (x * scale, y * scale)

    draw.ellipse([s(30, 10), s(370, 350)], fill=ring)
    draw.ellipse([s(50, 30), s(350, 330)], fill=design.colour)
    for shape in ICONS[design.icon]:
        _png_shape(draw, shape, lambda x, y: s(95 + 2.1 * x, 65 + 2.1 * y), 2.1 * scale)
    draw.polygon(
        [s(40, 290), s(360, 290), s(340, 322), s(360, 354), s(40, 354), s(60, 322)], fill=ring
    )
    _centred_text(draw, design.label, s(200, 320), int(26 * scale), bold=True)
    if design.sublabel:
        _centred_text(draw, design.sublabel, s(200, 345), int(20 * scale))
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def _png_shape(draw: ImageDraw.ImageDraw, shape: tuple, at, zoom: float) -> None:
    white = "#ffffff"
    kind = shape[0]
    if kind == "poly":
        draw.polygon([at(x, y) for x, y in shape[1]], fill=white)
    elif kind == "line":
        draw.line(
            [at(x, y) for x, y in shape[1]],
            fill=white,
            width=max(1, round(shape[2] * zoom)),
            joint="curve",
        )
    elif kind == "circle":
        (cx, cy), r, filled = shape[1], shape[2], shape[3]
        box = [at(cx - r, cy - r), at(cx + r, cy + r)]
        if filled:
            draw.ellipse(box, fill=white)
        else:
            draw.ellipse(box, outline=white, width=max(1, round(4 * zoom)))
    else:
        (x, y, w, h), filled = shape[1], shape[2]
        box = [at(x, y), at(x + w, y + h)]
        if filled:
            draw.rectangle(box, fill=white)
        else:
            draw.rectangle(box, outline=white, width=max(1, round(4 * zoom)))


FONTS = Path(__file__).parent / "fonts"


def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    """DejaVu Sans, vendored, so accents and non-Latin names render the same everywhere."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    return ImageFont.truetype(str(FONTS / name), size)


def _centred_text(
    draw: ImageDraw.ImageDraw, text: str, centre: Point, size: int, bold: bool = False
) -> None:
    draw.text(centre, text, fill="#ffffff", font=_font(size, bold), anchor="mm")
