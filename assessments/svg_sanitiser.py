"""Uploaded SVG images (badge images, item pictures): parsed safely, checked, and written again
from a whitelist. It lives in ``assessments`` so item pictures use it; ``badges`` imports it.

An SVG is a program as much as a picture: it can carry scripts, event handlers, links that run
JavaScript, foreign HTML, external references (fonts, images, stylesheets fetched by whoever
opens the badge) and entity bombs. A badge image travels inside every credential and is shown
on employers' screens, so anything active is **refused** (the trainer is told why), harmless
editor clutter (Inkscape or Illustrator metadata, unknown attributes) is dropped, and the
picture is serialised again by this module, element by element, so nothing unseen survives.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"
MAX_ELEMENTS = 5000
MAX_DEPTH = 40

ALLOWED_ELEMENTS = frozenset(
    [
        "svg",
        "g",
        "defs",
        "title",
        "desc",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "mask",
        "symbol",
        "use",
        "style",
    ]
)
# Active or outward-looking elements: refused, never silently dropped (the trainer must know).
SCRIPT_ELEMENTS = frozenset({"script", "handler", "listener"})
FOREIGN_ELEMENTS = frozenset({"foreignObject", "iframe", "embed", "object"})
REFUSED_ELEMENTS = frozenset(
    [
        "a",
        "image",
        "feImage",
        "animate",
        "animateMotion",
        "animateTransform",
        "animateColor",
        "set",
        "audio",
        "video",
        "canvas",
        "discard",
        "cursor",
        "font",
        "font-face",
        "font-face-uri",
        "switch",
        "view",
        "pattern",
        "filter",
    ]
)
ALLOWED_ATTRIBUTES = frozenset(
    [
        "id",
        "class",
        "style",
        "x",
        "y",
        "x1",
        "x2",
        "y1",
        "y2",
        "cx",
        "cy",
        "r",
        "rx",
        "ry",
        "fx",
        "fy",
        "width",
        "height",
        "d",
        "points",
        "transform",
        "viewBox",
        "preserveAspectRatio",
        "version",
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-miterlimit",
        "opacity",
        "color",
        "display",
        "visibility",
        "clip-path",
        "clip-rule",
        "mask",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "text-anchor",
        "dominant-baseline",
        "letter-spacing",
        "word-spacing",
        "text-decoration",
        "dx",
        "dy",
        "rotate",
        "textLength",
        "lengthAdjust",
        "offset",
        "stop-color",
        "stop-opacity",
        "gradientUnits",
        "gradientTransform",
        "spreadMethod",
        "clipPathUnits",
        "maskUnits",
        "maskContentUnits",
        "role",
        "aria-label",
        "aria-labelledby",
        "aria-describedby",
        "aria-hidden",
        "lang",
        "xml:space",
        "xml:lang",
        "href",
    ]
)
URL_REFERENCE = re.compile(r"url\(\s*(['\"]?)(.*?)\1\s*\)", re.IGNORECASE | re.DOTALL)
CSS_DANGER = re.compile(r"@import|expression\s*\(|javascript:|behavior\s*:|-moz-binding", re.I)


class SvgRefused(ValueError):
    """The SVG cannot be shown; ``code`` says why (the web layer puts it in words)."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code
        self.detail = detail


def _split(tag: str) -> tuple[str | None, str]:
    if tag.startswith("{"):
        namespace, _, local = tag[1:].partition("}")
        return namespace, local
    return None, tag


def _attribute_name(name: str) -> str | None:
    """The attribute's name as written back, or None when it is not ours to keep."""
    namespace, local = _split(name)
    if namespace == XLINK_NS and local == "href":
        return "href"
    if namespace == XML_NS:
        return f"xml:{local}"
    if namespace is not None:
        return None  # inkscape:, sodipodi:, … editor clutter
    return local


def _check_references(text: str) -> None:
    """Every ``url(...)`` must point inside the document (``#id``); no CSS that loads or runs."""
    if CSS_DANGER.search(text):
        raise SvgRefused("external_reference", text[:80])
    for match in URL_REFERENCE.finditer(text):
        if not match.group(2).strip().startswith("#"):
            raise SvgRefused("external_reference", match.group(2)[:80])


def _attributes(element: ET.Element) -> list[tuple[str, str]]:
    kept = []
    for raw_name, value in element.attrib.items():
        name = _attribute_name(raw_name)
        local = _split(raw_name)[1]
        if local.lower().startswith("on"):
            raise SvgRefused("event_handler", local)
        if name == "href":
            if not value.strip().startswith("#"):
                raise SvgRefused("external_reference", value[:80])
        elif name is None or name not in ALLOWED_ATTRIBUTES:
            continue
        if "javascript:" in value.lower().replace(" ", ""):
            raise SvgRefused("script", local)
        _check_references(value)
        kept.append((name, value))
    return kept


def _element(element: ET.Element, depth: int, counter: list[int]) -> str:
    counter[0] += 1
    if counter[0] > MAX_ELEMENTS or depth > MAX_DEPTH:
        raise SvgRefused("too_complex")
    namespace, local = _split(element.tag)
    if local in SCRIPT_ELEMENTS:
        raise SvgRefused("script", local)
    if local in FOREIGN_ELEMENTS or namespace not in (SVG_NS, None):
        if namespace in (SVG_NS, "http://www.w3.org/1999/xhtml") or local in FOREIGN_ELEMENTS:
            raise SvgRefused("foreign_object", local)
        return ""  # another vocabulary's metadata (RDF, sodipodi:namedview): dropped
    if local in REFUSED_ELEMENTS or local not in ALLOWED_ELEMENTS:
        if local == "metadata":
            return ""
        raise SvgRefused("forbidden_element", local)
    attributes = _attributes(element)
    text = element.text or ""
    if local == "style":
        _check_references(text)
    inner = escape(text) + "".join(
        _element(child, depth + 1, counter) + escape(child.tail or "") for child in element
    )
    if depth == 0:
        attributes = [(n, v) for n, v in attributes if n not in ("xmlns",)]
        attributes.insert(0, ("xmlns", SVG_NS))
    written = "".join(f" {name}={quoteattr(value)}" for name, value in attributes)
    return f"<{local}{written}>{inner}</{local}>"


def sanitise(data: bytes) -> bytes:
    """A clean copy of the SVG ``data``, or ``SvgRefused`` saying what was found."""
    if b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data.upper():
        raise SvgRefused("doctype")
    try:
        root = fromstring(data, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise SvgRefused("doctype", type(error).__name__) from error
    except (ET.ParseError, ValueError) as error:
        raise SvgRefused("unreadable", str(error)[:80]) from error
    namespace, local = _split(root.tag)
    if local != "svg" or namespace not in (SVG_NS, None):
        raise SvgRefused("not_svg", local)
    body = _element(root, 0, [0])
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body).encode("utf-8")
