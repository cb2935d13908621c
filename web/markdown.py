"""Markdown as the OB 3.0 criteria narrative is written, rendered for a page, safely.

The text may come from anyone (a trainer in the studio, a credential from another issuer
dropped on ``/verifier``): raw HTML is off (written as text), links and images keep only
``http``/``https`` addresses, images are shown as their words (a badge page
loads nothing from another site), and every link opens with ``rel="noopener noreferrer
nofollow"``. Registered as the ``markdown`` template filter.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask
from markdown_it import MarkdownIt
from markupsafe import Markup

SAFE_SCHEMES = frozenset({"http", "https"})
MAX_SOURCE = 20_000


def _safe_link(url: str) -> bool:
    return urlsplit(url.strip()).scheme.lower() in SAFE_SCHEMES


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    parser.validateLink = _safe_link  # a refused link is left as plain text
    parser.disable("image")  # an image would be fetched by whoever reads the page

    def link_open(renderer, tokens, idx, options, env):
        tokens[idx].attrSet("rel", "noopener noreferrer nofollow")
        return renderer.renderToken(tokens, idx, options, env)

    parser.add_render_rule("link_open", link_open)
    return parser


PARSER = _parser()


def render(source: str | None) -> Markup:
    """HTML for ``source`` (trusted output: the parser escapes everything it does not build)."""
    if not source:
        return Markup("")
    return Markup(PARSER.render(source[:MAX_SOURCE]))  # noqa: S704 (html off: escaped)


def register(app: Flask) -> None:
    app.jinja_env.filters["markdown"] = render
