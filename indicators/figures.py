"""One computed figure, as every output (page, CSV, XLSX, API, PDF) shows it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

DEFAULT_MASK_THRESHOLD = 5


@dataclass(frozen=True)
class Figure:
    """A count or a rate. ``masked`` is set when it was computed from fewer people than the
    threshold: then ``value``, ``numerator`` and ``denominator`` are None in every output.
    Rates are fractions in [0, 1]; ``planned`` is the action's planned rate or count when the
    indicator has one."""

    key: str
    value: float | int | None
    numerator: int | None = None
    denominator: int | None = None
    people: int = 0  # how many people the figure rests on (what masking looks at)
    masked: bool = False
    planned: float | int | None = None


def masked(figure: Figure) -> Figure:
    """The figure with its value, numerator, denominator and people hidden (the plan kept)."""
    return Figure(key=figure.key, value=None, people=0, masked=True, planned=figure.planned)


def masked_if_small(figure: Figure, threshold: int) -> Figure:
    """The figure, or its masked form when it rests on fewer than ``threshold`` people (but
    not on nobody: an empty cell says 0 people and reveals no one)."""
    if figure.people == 0 or figure.people >= threshold:
        return figure
    return masked(figure)


def masked_cells(figures: Sequence[Figure], threshold: int) -> list[Figure]:
    """The cells of one breakdown (or trend) of a figure whose total is shown beside them, each
    masked when small, and then, when any is, the smallest others too until no masked cell can
    be worked out as the total minus the cells shown: at least two masked cells, resting
    together on at least ``threshold`` people (secondary suppression). Cells with people in
    them are taken before empty ones, the smallest first."""
    hidden = {n for n, f in enumerate(figures) if 0 < f.people < threshold}
    if hidden:
        people = sum(figures[n].people for n in hidden)
        others = sorted(
            (n for n in range(len(figures)) if n not in hidden),
            key=lambda n: (figures[n].people == 0, figures[n].people, n),
        )
        for n in others:
            if len(hidden) >= 2 and people >= threshold:
                break
            hidden.add(n)
            people += figures[n].people
    return [masked(f) if n in hidden else f for n, f in enumerate(figures)]
