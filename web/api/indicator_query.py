"""The query string of ``/api/v1/indicators/<key>`` read into ``Filters``, a dimension or a
trend, with a French reason for each parameter refused (a 400 problem+json lists them).

The parameters are those of the département's dashboard form, named like ``DIMENSIONS``;
each filter may be repeated (``?sexe=f&sexe=nd``) and values of one parameter are OR-ed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from indicators.filters import AGE_BANDS, DIMENSIONS, Filters
from learners import communes, target_jobs
from learners.models import PublicStatus, Sex, Typology

MAX_VALUES = 100  # per parameter: more is no filter a person means
TREND_MONTHS = "mois"

# Parameter → (Filters field, the values it accepts or None for ids).
CHOICES: dict[str, Callable[[], tuple[str, ...]]] = {
    "typologie": lambda: tuple(t.value for t in Typology),
    "metier": lambda: tuple(target_jobs.target_jobs()),
    "sexe": lambda: tuple(s.value for s in Sex),
    "tranche_age": lambda: AGE_BANDS,
    "statut": lambda: tuple(s.value for s in PublicStatus),
    "commune": lambda: tuple(c.code for c in communes.all_communes()),
}
FIELDS = {
    "action": "action_ids",
    "porteur": "organisation_ids",
    "typologie": "typologies",
    "metier": "target_jobs",
    "sexe": "sexes",
    "tranche_age": "age_bands",
    "statut": "public_statuses",
    "commune": "communes",
}
DATES = {"du": "period_start", "au": "period_end"}
KNOWN = frozenset(FIELDS) | frozenset(DATES) | {"par", "tendance"}


@dataclass(frozen=True)
class IndicatorQuery:
    filters: Filters
    dimension: str | None = None
    trend: bool = False


class BadQuery(ValueError):
    """Parameters refused: ``reasons`` maps each one to a French sentence."""

    def __init__(self, reasons: dict[str, str]) -> None:
        super().__init__(reasons)
        self.reasons = reasons


def _ids(values: list[str]) -> tuple[int, ...] | str:
    if not all(v.isascii() and v.isdigit() and 0 < len(v) < 10 for v in values):
        return _("Donnez des numéros entiers positifs.")
    return tuple(sorted({int(v) for v in values}))


def _choices(values: list[str], allowed: tuple[str, ...]) -> tuple[str, ...] | str:
    unknown = sorted(set(values) - set(allowed))
    if unknown:
        return _("Valeur inconnue : %(values)s.", values=", ".join(unknown)[:200])
    return tuple(sorted(set(values)))


def _date(values: list[str]) -> date | str:
    if len(values) != 1:
        return _("Donnez une seule date.")
    try:
        return date.fromisoformat(values[0]) if len(values[0]) == 10 else _date_error()
    except ValueError:
        return _date_error()


def _date_error() -> str:
    return _("Écrivez la date sous la forme AAAA-MM-JJ, par exemple 2026-01-31.")


def _filter_fields(args: MultiDict, reasons: dict[str, str]) -> dict[str, object]:
    fields: dict[str, object] = {}
    for name, field in FIELDS.items():
        values = args.getlist(name)
        if not values:
            continue
        if len(values) > MAX_VALUES:
            reasons[name] = _("Trop de valeurs : %(count)d au plus.", count=MAX_VALUES)
            continue
        read = _choices(values, CHOICES[name]()) if name in CHOICES else _ids(values)
        if isinstance(read, str):
            reasons[name] = read
        else:
            fields[field] = read
    for name, field in DATES.items():
        if name in args:
            read = _date(args.getlist(name))
            if isinstance(read, str):
                reasons[name] = read
            else:
                fields[field] = read
    return fields


def _shape(args: MultiDict, reasons: dict[str, str]) -> tuple[str | None, bool]:
    """The breakdown dimension and whether a monthly trend is asked."""
    dimension = args.get("par") or None
    if dimension is not None and dimension not in DIMENSIONS:
        reasons["par"] = _(
            "Dimension inconnue : choisissez parmi %(names)s.", names=", ".join(DIMENSIONS)
        )
    trend = "tendance" in args
    if trend and args.get("tendance") != TREND_MONTHS:
        reasons["tendance"] = _("La seule tendance proposée est « tendance=mois ».")
    if trend and dimension is not None:
        reasons["tendance"] = _("Demandez une répartition (par) ou une tendance, pas les deux.")
    return dimension, trend


def read(args: MultiDict) -> IndicatorQuery:
    """The query the parameters ask for; ``BadQuery`` listing every parameter refused."""
    reasons = {name: _("Paramètre inconnu.") for name in args if name not in KNOWN}
    fields = _filter_fields(args, reasons)
    dimension, trend = _shape(args, reasons)
    start, end = fields.get("period_start"), fields.get("period_end")
    if isinstance(start, date) and isinstance(end, date) and start > end:
        reasons["au"] = _("La date de fin précède la date de début.")
    if reasons:
        raise BadQuery(reasons)
    return IndicatorQuery(filters=Filters(**fields), dimension=dimension, trend=trend)  # type: ignore[arg-type]
