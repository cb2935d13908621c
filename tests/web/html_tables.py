"""Reading an HTML table as a person sees it: header and cell texts, screen-reader-only text
(``visually-hidden``) left out, so a page's table can be compared with its CSV or XLSX."""

from __future__ import annotations

from html.parser import HTMLParser


class _TableReader(HTMLParser):
    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id = table_id
        self.depth = 0  # > 0 inside the wanted table
        self.hidden = 0  # > 0 inside visually hidden text
        self.caption = False
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        found = dict(attrs)
        if tag == "table" and (self.depth or found.get("id") == self.table_id):
            self.depth += 1
        if not self.depth:
            return
        if tag == "caption":
            self.caption = True
        elif tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self.cell = []
        elif tag == "span" and (self.hidden or "visually-hidden" in (found.get("class") or "")):
            self.hidden += 1

    def handle_endtag(self, tag):
        if not self.depth:
            return
        if tag == "table":
            self.depth -= 1
        elif tag == "caption":
            self.caption = False
        elif tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "span" and self.hidden:
            self.hidden -= 1

    def handle_data(self, data):
        if self.depth and self.cell is not None and not self.hidden and not self.caption:
            self.cell.append(data)


def read_table(page: str, table_id: str) -> list[list[str]]:
    """The rows of ``<table id=table_id>`` (header row first), each a list of cell texts."""
    reader = _TableReader(table_id)
    reader.feed(page)
    return [row for row in reader.rows if row]
