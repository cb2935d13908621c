"""Which language a reader (screen reader, speech) is told each text of a page is in: the
``lang`` of its closest marked element, as browsers resolve it."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class _Languages(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str]] = []  # (tag, language in force inside it)
        self.texts: list[tuple[str, str]] = []
        self.inputs: dict[str, str] = {}  # input id → its language

    def _lang(self) -> str:
        return self.stack[-1][1] if self.stack else ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        lang = named.get("lang") or self._lang()
        if tag in VOID:
            if tag == "input" and named.get("id"):
                self.inputs[named["id"]] = lang
            return
        self.stack.append((tag, lang))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.texts.append((" ".join(data.split()), self._lang()))


def languages(html: str) -> _Languages:
    parser = _Languages()
    parser.feed(html)
    return parser


def language_of(html: str, text: str) -> set[str]:
    """The languages the page gives ``text`` (every place it appears, spaces normalised)."""
    wanted = " ".join(text.split())
    return {lang for shown, lang in languages(html).texts if shown == wanted}
