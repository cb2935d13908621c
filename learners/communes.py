"""The département's communes (INSEE codes): where beneficiaries live and actions take place.

Shipped as data (``content/communes.json``, source in ``content/MANIFEST.md``) so no lookup leaves
the server; the département is the one the file names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DATA = Path(__file__).with_name("content") / "communes.json"


@dataclass(frozen=True)
class Commune:
    code: str  # INSEE code, five characters
    name: str


@cache
def _document() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


@cache
def all_communes() -> tuple[Commune, ...]:
    """Every commune of the département, in the order of their INSEE codes."""
    rows = (Commune(code=c["code"], name=c["name"]) for c in _document()["communes"])
    return tuple(sorted(rows, key=lambda c: c.code))


@cache
def by_code() -> dict[str, Commune]:
    return {c.code: c for c in all_communes()}


def name_of(code: str | None) -> str | None:
    """The commune's name, or None for an empty or unknown code."""
    commune = by_code().get(code or "")
    return commune.name if commune else None


def departement_name() -> str:
    return _document()["departement"]["name"]
