"""JSON content files read with the line where each value starts, so errors can point at it.

The standard ``json`` module gives no positions for valid documents; :func:`locate` walks the
text once more to map every JSON path (``items[3].key.value``) to its line.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assessments.content_errors import ContentError, ContentInvalid

CONTENT_DIR = Path(__file__).parent / "content"


def _ws(text: str, i: int) -> int:
    """Index of the first non-blank character from ``i`` (JSON whitespace only)."""
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def child_path(path: str, key: str | int) -> str:
    """JSON path of a member or element, as errors name fields (``items[3].key``)."""
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def locate(text: str) -> dict[str, int]:
    """Line (1-based) where each value of a *valid* JSON document starts, keyed by JSON path
    (``items[3].key.value``); the root is ``""``."""
    newlines = [m.start() for m in re.finditer("\n", text)]
    decoder = json.JSONDecoder()
    lines: dict[str, int] = {}

    def line(pos: int) -> int:
        return bisect_right(newlines, pos - 1) + 1

    def value(i: int, path: str) -> int:
        i = _ws(text, i)
        lines[path] = line(i)
        if text[i] == "{":
            i = _ws(text, i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                i = _ws(text, i)
                key, i = json.decoder.scanstring(text, i + 1)
                i = _ws(text, i)  # at ':'
                i = value(i + 1, child_path(path, key))
                i = _ws(text, i)
                if text[i] == "}":
                    return i + 1
                i += 1  # ','
        if text[i] == "[":
            i = _ws(text, i + 1)
            if text[i] == "]":
                return i + 1
            index = 0
            while True:
                i = value(i, child_path(path, index))
                i = _ws(text, i)
                index += 1
                if text[i] == "]":
                    return i + 1
                i += 1
        _, end = decoder.raw_decode(text, i)
        return end

    value(0, "")
    return lines


@dataclass
class ParsedFile:
    """A parsed document with the line of each JSON path, for errors that say where."""

    name: str
    data: Any
    lines: dict[str, int]

    def line_of(self, path: str) -> int | None:
        """Line of ``path`` or of its closest existing parent (a missing field's object)."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""

    def error(self, path: str, message: str) -> ContentError:
        return ContentError(self.name, path, self.line_of(path), message)


def parse_text(text: str, name: str) -> ParsedFile:
    """Parse JSON, raising :class:`ContentInvalid` with the line of a syntax error."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContentInvalid(
            [ContentError(name, "", exc.lineno, f"JSON invalide (colonne {exc.colno}) : {exc.msg}")]
        ) from None
    return ParsedFile(name, data, locate(text))


def read_file(path: Path) -> ParsedFile:
    """Read and parse one file; a file that is not UTF-8 is refused like bad JSON."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentInvalid(
            [ContentError(str(path), "", None, "le fichier n'est pas en UTF-8")]
        ) from None
    return parse_text(text, str(path))


def content_files(paths: Iterable[str | Path]) -> list[Path]:
    """The JSON files named, directories expanded recursively, frameworks first."""
    files: list[Path] = []
    for entry in map(Path, paths):
        if entry.is_dir():
            files.extend(sorted(p for p in entry.rglob("*.json") if p.is_file()))
        else:
            files.append(entry)
    return sorted(dict.fromkeys(files), key=lambda p: ("frameworks" not in p.parts, str(p)))
