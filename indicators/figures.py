"""One computed figure, as every output (page, CSV, XLSX, API, PDF) shows it."""

from __future__ import annotations

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


def masked_if_small(figure: Figure, threshold: int) -> Figure:
    """The figure, or its masked form when it rests on fewer than ``threshold`` people (but
    not on nobody: an empty cell says 0 people and reveals no one)."""
    if figure.people == 0 or figure.people >= threshold:
        return figure
    return Figure(key=figure.key, value=None, people=0, masked=True, planned=figure.planned)
