"""What the département (or an association) narrows the indicators to.

An empty tuple means "no restriction" on that dimension. The same ``Filters`` drives the
dashboard, the CSV/XLSX exports and the JSON API, which is what makes their figures equal.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

AGE_BANDS = ("moins_26", "26_49", "50_plus")

# The dimensions a figure can be broken down by (the call's « Évaluation » section).
DIMENSIONS = (
    "action",
    "porteur",
    "typologie",
    "metier",
    "periode",
    "sexe",
    "tranche_age",
    "statut",
    "commune",
)


@dataclass(frozen=True)
class Filters:
    action_ids: tuple[int, ...] = ()
    organisation_ids: tuple[int, ...] = ()  # porteurs
    typologies: tuple[str, ...] = ()  # learners.models.Typology values
    target_jobs: tuple[str, ...] = ()  # learners.target_jobs codes
    # The period applies to the date each indicator rests on: the entry date, or the exit date
    # for the indicators about exits (``indicators.scope.ENTRY`` / ``EXIT``).
    period_start: date | None = None  # on or after
    period_end: date | None = None  # on or before
    sexes: tuple[str, ...] = ()  # learners.models.Sex values
    age_bands: tuple[str, ...] = ()  # AGE_BANDS, age at entry
    public_statuses: tuple[str, ...] = ()  # learners.models.PublicStatus values
    communes: tuple[str, ...] = ()  # INSEE codes of residence


def age_band(birth_year: int | None, entry_year: int) -> str | None:
    """The call's age bands (under 26, 26–49, 50 and over), from the age reached in the year of
    entry; None when the birth year was not given."""
    if birth_year is None:
        return None
    age = entry_year - birth_year
    if age < 26:
        return "moins_26"
    return "26_49" if age < 50 else "50_plus"
