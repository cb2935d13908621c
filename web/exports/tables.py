"""The table a page shows and its exports write: typed columns, plain rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

CellValue = str | int | float | date | datetime | None


@dataclass(frozen=True)
class Column:
    key: str
    title: str  # already translated
    kind: str = "text"  # text | int | float | percent | date | datetime


@dataclass(frozen=True)
class Table:
    title: str
    columns: Sequence[Column]
    rows: Sequence[Sequence[CellValue]] = field(default_factory=list)

    def __post_init__(self) -> None:
        width = len(self.columns)
        for number, row in enumerate(self.rows, start=1):
            if len(row) != width:
                raise ValueError(f"row {number} has {len(row)} cells for {width} columns")

    def as_dicts(self) -> list[dict[str, Any]]:
        """Rows keyed by column key (the JSON API's shape)."""
        keys = [c.key for c in self.columns]
        return [dict(zip(keys, row, strict=True)) for row in self.rows]
