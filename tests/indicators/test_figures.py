"""Masking and age bands: the two rules every indicator output shares."""

import pytest

from indicators.figures import Figure, masked_cells, masked_if_small
from indicators.filters import age_band


def test_a_figure_on_fewer_people_than_the_threshold_is_masked_entirely():
    figure = Figure(key="taux", value=0.5, numerator=2, denominator=4, people=4, planned=0.6)
    masked = masked_if_small(figure, threshold=5)
    assert masked.masked and masked.value is None and masked.numerator is None
    assert masked.denominator is None and masked.people == 0 and masked.planned == 0.6


def test_a_figure_at_the_threshold_or_on_nobody_is_shown():
    at = Figure(key="n", value=5, people=5)
    assert masked_if_small(at, threshold=5) == at
    empty = Figure(key="n", value=0, people=0)
    assert masked_if_small(empty, threshold=5) == empty


def _shown(people: list[int], threshold: int = 5) -> list[int | None]:
    cells = [Figure(key="n", value=n, people=n) for n in people]
    return [None if f.masked else f.value for f in masked_cells(cells, threshold)]


@pytest.mark.parametrize(
    ("people", "shown"),
    [
        ([20, 3], [None, None]),  # total 23 − 20 would give the 3 back
        ([20, 3, 7, 9], [20, None, None, 9]),  # the next-smallest cell goes with it
        ([20, 3, 0, 9], [20, None, 0, None]),  # an empty cell protects nothing
        ([20, 1, 2, 9], [20, None, None, None]),  # two masked cells, 3 people: still too few
        ([20, 3, 4], [20, None, None]),  # two small cells hide each other
        ([20, 7, 9], [20, 7, 9]),  # nothing small, nothing masked
    ],
)
def test_a_masked_cell_is_never_the_total_minus_the_cells_shown(people, shown):
    assert _shown(people) == shown


@pytest.mark.parametrize(
    ("birth_year", "band"),
    [(2001, "moins_26"), (2000, "26_49"), (1977, "26_49"), (1976, "50_plus"), (None, None)],
)
def test_age_bands_use_the_age_reached_in_the_year_of_entry(birth_year, band):
    assert age_band(birth_year, entry_year=2026) == band
