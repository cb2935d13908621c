"""One page of a list that can grow: every list view pages through this, never loads it whole."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200


@dataclass(frozen=True)
class Page(Generic[T]):
    items: Sequence[T]
    number: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def clamp(number: int | None, per_page: int | None = None) -> tuple[int, int]:
    """A page number ≥ 1 and a page size within bounds, whatever the query string said."""
    size = min(max(per_page or DEFAULT_PER_PAGE, 1), MAX_PER_PAGE)
    return max(number or 1, 1), size


def paginate(
    db: Session, query: Select, number: int | None = 1, per_page: int | None = None
) -> Page:
    """Run ``query`` (ordered by the caller) for one page, with the total count."""
    number, per_page = clamp(number, per_page)
    total = db.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    last = max(1, -(-total // per_page))
    number = min(number, last)
    rows = db.scalars(query.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(items=rows, number=number, per_page=per_page, total=total)
