# ruff: noqa: E501 - hostile files and form data read best one per line
"""Uploaded SVG badge images: a battery of hostile files is refused, each for its reason, and
what is accepted comes out rewritten from the whitelist only."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

import pytest
from defusedxml.ElementTree import fromstring
from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.svg_sanitiser import ALLOWED_ELEMENTS, SvgRefused, sanitise
from badges import images

SVG = 'xmlns="http://www.w3.org/2000/svg"'
XLINK = 'xmlns:xlink="http://www.w3.org/1999/xlink"'

HOSTILE = {
    "script": [
        f"<svg {SVG}><script>alert(1)</script></svg>",
        f'<svg {SVG}><script href="https://evil.example/x.js"/></svg>',
        f'<svg {SVG}><rect fill="javascript:alert(1)"/></svg>',
        f'<svg {SVG} xmlns:ev="http://www.w3.org/2001/xml-events"><ev:listener event="click"/><handler/></svg>',
    ],
    "event_handler": [
        f'<svg {SVG} onload="alert(1)"><rect/></svg>',
        f'<svg {SVG}><g><rect onclick="steal()"/></g></svg>',
        f'<svg {SVG}><circle ONMOUSEOVER="x()"/></svg>',
        f'<svg {SVG} {XLINK}><rect xlink:onfocus="x()"/></svg>',
    ],
    "external_reference": [
        f'<svg {SVG}><use href="https://evil.example/sprite.svg#a"/></svg>',
        f'<svg {SVG} {XLINK}><use xlink:href="javascript:alert(1)"/></svg>',
        f'<svg {SVG} {XLINK}><use xlink:href="data:image/svg+xml;base64,PHN2Zz4="/></svg>',
        f'<svg {SVG}><rect fill="url(https://evil.example/track.png)"/></svg>',
        f"<svg {SVG}><rect style=\"fill: url('//evil.example/x')\"/></svg>",
        f"<svg {SVG}><style>@import url(https://evil.example/x.css);</style></svg>",
        f"<svg {SVG}><style>rect {{ background: url(http://evil.example/beacon) }}</style></svg>",
    ],
    "foreign_object": [
        f'<svg {SVG}><foreignObject><div xmlns="http://www.w3.org/1999/xhtml">x</div></foreignObject></svg>',
        f'<svg {SVG}><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example"/></svg>',
    ],
    "forbidden_element": [
        f'<svg {SVG}><image href="https://evil.example/pixel.png"/></svg>',
        f'<svg {SVG}><a href="https://evil.example"><rect/></a></svg>',
        f'<svg {SVG}><set attributeName="href" to="javascript:alert(1)"/></svg>',
        f'<svg {SVG}><animate attributeName="href" values="javascript:alert(1)"/></svg>',
        f'<svg {SVG}><filter><feImage href="https://evil.example/x.png"/></filter></svg>',
    ],
    "doctype": [
        '<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        f"<svg {SVG}><text>&xxe;</text></svg>",
        '<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        f"<svg {SVG}><text>&b;</text></svg>",
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
        f"<svg {SVG}/>",
    ],
    "not_svg": [
        '<html xmlns="http://www.w3.org/1999/xhtml"><body>x</body></html>',
        "<rect/>",
    ],
    "unreadable": [f"<svg {SVG}><rect></svg>", "<svg"],
    "too_complex": [f"<svg {SVG}>" + "<g>" * 60 + "</g>" * 60 + "</svg>"],
}


@pytest.mark.parametrize(
    ("reason", "svg"), [(reason, svg) for reason, svgs in HOSTILE.items() for svg in svgs]
)
def test_hostile_svg_is_refused_for_its_reason(reason, svg):
    with pytest.raises(SvgRefused) as refused:
        sanitise(svg.encode("utf-8"))
    assert refused.value.code == reason


def test_jalons_own_medallion_passes_unchanged_in_what_it_draws():
    drawn = images.render_svg(images.BadgeDesign("#1f5fa8", "star", "Accueil", "Niveau 1"), "T")
    clean = sanitise(drawn).decode("utf-8")
    assert clean.count("<circle") == drawn.decode().count("<circle")
    assert "<polygon" in clean and "Accueil" in clean and 'role="img"' in clean
    assert sanitise(clean.encode("utf-8")) == clean.encode("utf-8")  # idempotent


def test_editor_clutter_is_dropped_and_internal_references_kept():
    svg = (
        f'<svg {SVG} {XLINK} xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" viewBox="0 0 10 10">'
        "<metadata><rdf:RDF/></metadata>"
        '<defs><linearGradient id="g"><stop offset="0" stop-color="#fff"/></linearGradient>'
        '<circle id="c" r="4"/></defs>'
        '<rect inkscape:label="fond" data-x="1" width="10" height="10" fill="url(#g)"/>'
        '<use xlink:href="#c"/><text x="1">A &amp; B &lt;</text></svg>'
    )
    clean = sanitise(svg.encode("utf-8")).decode("utf-8")
    assert "inkscape" not in clean and "rdf" not in clean and "metadata" not in clean
    assert "data-x" not in clean
    assert 'fill="url(#g)"' in clean and 'href="#c"' in clean
    assert "A &amp; B &lt;" in clean
    assert clean.startswith(
        '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'
    )


def test_an_svg_without_namespace_gets_one():
    clean = sanitise(b'<svg viewBox="0 0 4 4"><rect width="4" height="4"/></svg>')
    assert b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4">' in clean


# Property: whatever mix of harmless and hostile parts a file holds, it is either refused or
# comes out with nothing active, and cleaning the result again changes nothing.


TAGS = [
    "g",
    "rect",
    "circle",
    "text",
    "use",
    "style",
    "script",
    "a",
    "image",
    "foreignObject",
    "set",
]
ATTRIBUTES = st.sampled_from(
    [
        ("fill", "#123456"),
        ("fill", "url(#g)"),
        ("fill", "url(https://evil.example/x)"),
        ("onload", "alert(1)"),
        ("href", "#g"),
        ("href", "https://evil.example/"),
        ("href", "javascript:alert(1)"),
        ("style", "stroke: red"),
        ("style", "background: url(//evil.example)"),
        ("data-x", "1"),
        ("id", "g"),
    ]
)


def _tree(depth: int):
    leaf = st.builds(
        lambda tag, attrs: (tag, attrs, []), st.sampled_from(TAGS), st.lists(ATTRIBUTES, max_size=3)
    )
    if depth == 0:
        return leaf
    return st.builds(
        lambda tag, attrs, children: (tag, attrs, children),
        st.sampled_from(TAGS),
        st.lists(ATTRIBUTES, max_size=3),
        st.lists(_tree(depth - 1), max_size=3),
    )


def _write(node) -> str:
    tag, attrs, children = node
    written = "".join(f" {name}={quoteattr(value)}" for name, value in dict(attrs).items())
    return f"<{tag}{written}>{''.join(map(_write, children))}</{tag}>"


@settings(max_examples=150, deadline=None)
@given(st.lists(_tree(2), max_size=4))
def test_whatever_comes_in_nothing_active_comes_out(children):
    svg = f'<svg xmlns="http://www.w3.org/2000/svg">{"".join(map(_write, children))}</svg>'
    try:
        clean = sanitise(svg.encode("utf-8"))
    except SvgRefused:
        return
    root = fromstring(clean)
    for element in root.iter():
        assert element.tag.split("}")[-1] in ALLOWED_ELEMENTS
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on")
            assert "javascript" not in value and "evil.example" not in value
            if name == "href":
                assert value.startswith("#")
    assert sanitise(clean) == clean
