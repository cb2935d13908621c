"""Compiling the translation catalogs (``.po`` → ``.mo``), which are never committed.

``make run``/``make test`` use ``pybabel compile``; the test suite calls ``compile_stale`` at
start-up so that a bare ``pytest`` works too.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).parent / "translations"


def compile_stale(directory: Path = TRANSLATIONS) -> list[Path]:
    """Compile every catalog whose ``.mo`` is missing or older than its ``.po``; atomic writes."""
    written = []
    for po_path in sorted(directory.glob("*/LC_MESSAGES/*.po")):
        mo_path = po_path.with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as handle:
            catalog = read_po(handle, locale=po_path.parent.parent.name)
        fd, tmp = tempfile.mkstemp(dir=mo_path.parent, suffix=".mo.tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.replace(tmp, mo_path)
        written.append(mo_path)
    return written
