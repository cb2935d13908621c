"""The catalogue of the call's indicators, and the three ways every output reads them.

``compute`` gives one figure, ``breakdown`` the same figure per value of a dimension, and
``monthly_trend`` per month of the date the figure rests on; each cell is masked when it rests
on fewer people than the threshold. The dashboard, the CSV and XLSX exports, the PDF bilan and
the JSON API all call these three, which is what makes their figures equal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from indicators import credentials, paths, progress, scope
from indicators.figures import DEFAULT_MASK_THRESHOLD, Figure, masked_cells, masked_if_small
from indicators.filters import DIMENSIONS, Filters
from indicators.scope import ActionFacts

COUNT = "personnes"
RATE = "taux"


@dataclass(frozen=True)
class Indicator:
    key: str
    label_fr: str
    definition_fr: str
    unit: str  # COUNT or RATE (a fraction in [0, 1])
    function: Callable[..., dict[str, Figure]]  # (db, filters, group) → unmasked figures
    planned: Callable[[ActionFacts], float | int | None] | None = None  # what an action planned


def _defined(function: Callable) -> str:
    return " ".join((function.__doc__ or "").split())


def _indicator(key, label, unit, function, planned=None) -> Indicator:
    return Indicator(key, label, _defined(function), unit, function, planned)


def _rate_planned(field: str) -> Callable[[ActionFacts], float | None]:
    def planned(action: ActionFacts) -> float | None:
        value = getattr(action, field)
        return None if value is None else value / 100

    return planned


INDICATORS: dict[str, Indicator] = {
    i.key: i
    for i in (
        _indicator(
            "beneficiaires_entree",
            "Bénéficiaires entrés",
            COUNT,
            paths.entries,
            lambda a: a.planned_beneficiaries,
        ),
        _indicator("beneficiaires_sortie", "Bénéficiaires sortis", COUNT, paths.exits),
        _indicator("taux_participation", "Taux de participation", RATE, paths.participation),
        _indicator("taux_suite_parcours", "Suite de parcours", RATE, paths.continuation),
        _indicator(
            "taux_parcours_complets",
            "Parcours complets",
            RATE,
            paths.complete_paths,
            _rate_planned("planned_completion_rate"),
        ),
        _indicator(
            "acces_six_mois",
            "Accès à l'emploi ou à la formation à six mois",
            RATE,
            paths.access_at_six_months,
        ),
        _indicator(
            "situations_connues_six_mois",
            "Situations à six mois connues",
            RATE,
            paths.known_at_six_months,
        ),
        _indicator(
            "competences_acquises",
            "Compétences acquises",
            RATE,
            progress.competences_acquired,
        ),
        _indicator(
            "taux_reussite_badges",
            "Réussite certification / badge",
            RATE,
            credentials.success,
            _rate_planned("planned_success_rate"),
        ),
        _indicator(
            "retour_emploi",
            "Retour à l'emploi",
            RATE,
            paths.return_to_employment,
            _rate_planned("planned_employment_rate"),
        ),
        _indicator(
            "taux_verification_badges",
            "Badges vérifiés par un tiers",
            RATE,
            credentials.verification,
        ),
    )
}

# Dimensions along which an action's plan applies (a sex or an age band has no plan).
PLANNED_DIMENSIONS = ("action", "porteur", "typologie", "metier")


def empty(indicator: Indicator) -> Figure:
    """The figure of a cell with nobody in it: 0 people, or no rate."""
    return Figure(key=indicator.key, value=0 if indicator.unit == COUNT else None)


def planned(indicator: Indicator, actions: list[ActionFacts]) -> float | int | None:
    """What these actions planned together: the sum of planned beneficiaries, or the planned
    rates averaged with each action weighted by its planned beneficiaries (actions that planned
    no rate left out)."""
    if indicator.planned is None or not actions:
        return None
    values = [(indicator.planned(a), a.planned_beneficiaries) for a in actions]
    values = [(v, w) for v, w in values if v is not None]
    if not values:
        return None
    if indicator.unit == COUNT:
        return sum(v for v, _ in values)
    weight = sum(w for _, w in values)
    return sum(v * w for v, w in values) / weight if weight else None


def _finish(figure: Figure, planned_value, threshold: int) -> Figure:
    return masked_if_small(replace(figure, planned=planned_value), threshold)


def _masked(cells: list[tuple[str, Figure]], threshold: int) -> list[tuple[str, Figure]]:
    """The cells of a breakdown or trend masked together (``figures.masked_cells``)."""
    figures = masked_cells([f for _, f in cells], threshold)
    return list(zip([k for k, _ in cells], figures, strict=True))


def compute(
    db: Session, key: str, filters: Filters, threshold: int = DEFAULT_MASK_THRESHOLD
) -> Figure:
    """One indicator over everything the filters keep, with what the actions in scope planned."""
    indicator = INDICATORS[key]
    figure = indicator.function(db, filters, None).get("", empty(indicator))
    return _finish(figure, planned(indicator, scope.actions_in_scope(db, filters)), threshold)


def _only(filters: Filters, actions: list[ActionFacts]) -> Filters:
    """The filters held to these actions (already chosen by every action-level filter)."""
    ids = tuple(a.id for a in actions)
    return replace(filters, action_ids=ids, organisation_ids=(), typologies=(), target_jobs=())


def _list_breakdown(db, indicator, filters, dimension) -> list[tuple[str, Figure]]:
    """Typologies and target jobs are lists on the action: one figure per value present among
    the actions in scope (an action of two typologies counts in both), unmasked."""
    actions = scope.actions_in_scope(db, filters)
    attribute = "typologies" if dimension == "typologie" else "target_jobs"
    values = sorted({v for a in actions for v in getattr(a, attribute)})
    cells = []
    for value in values:
        kept = [a for a in actions if value in getattr(a, attribute)]
        figure = indicator.function(db, _only(filters, kept), None).get("", empty(indicator))
        cells.append((value, replace(figure, planned=planned(indicator, kept))))
    return cells


def _planned_by_group(indicator, actions, dimension) -> dict[str, float | int | None]:
    if dimension not in PLANNED_DIMENSIONS:
        return {}
    attribute = "id" if dimension == "action" else "organisation_id"
    groups: dict[str, list[ActionFacts]] = {}
    for action in actions:
        groups.setdefault(str(getattr(action, attribute)), []).append(action)
    return {k: planned(indicator, group) for k, group in groups.items()}


def breakdown(
    db: Session,
    key: str,
    filters: Filters,
    dimension: str,
    threshold: int = DEFAULT_MASK_THRESHOLD,
) -> list[tuple[str, Figure]]:
    """The indicator per value of ``dimension`` (one of ``DIMENSIONS``), small cells masked and
    enough others with them that none is the total minus the cells shown. Keys are stable
    codes: action and porteur ids, years, enum values, INSEE codes, ``''`` for « not stated ».
    Actions and porteurs in scope with no one yet appear too."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    indicator = INDICATORS[key]
    if dimension in scope.LIST_DIMENSIONS:
        return _masked(_list_breakdown(db, indicator, filters, dimension), threshold)
    figures = indicator.function(db, filters, dimension)
    actions = scope.actions_in_scope(db, filters)
    plans = _planned_by_group(indicator, actions, dimension)
    keys = sorted(set(figures) | set(plans), key=key_order)
    cells = [(k, replace(figures.get(k, empty(indicator)), planned=plans.get(k))) for k in keys]
    return _masked(cells, threshold)


def key_order(key: str) -> tuple[int, int | str]:
    """Ids and years in numeric order, codes after them, « not stated » ('') last."""
    if not key:
        return (2, "")
    return (0, int(key)) if key.isdigit() else (1, key)


def monthly_trend(
    db: Session, key: str, filters: Filters, threshold: int = DEFAULT_MASK_THRESHOLD
) -> list[tuple[str, Figure]]:
    """The indicator per month (« 2026-03 ») of the date it rests on (entry or exit), months
    with nobody left out, masked as a breakdown is (the months add up to the figure)."""
    indicator = INDICATORS[key]
    figures = indicator.function(db, filters, scope.MONTH)
    return _masked([(m, figures[m]) for m in sorted(figures) if m], threshold)


def competence_progress(
    db: Session, filters: Filters, threshold: int = DEFAULT_MASK_THRESHOLD
) -> list[tuple[int, Figure]]:
    """« Compétences acquises » per competence (competence id → figure), each masked on its
    own: a person counts in every competence measured twice, so the cells do not add up to
    the headline and none can be worked out from it (no secondary suppression needed)."""
    figures = progress.by_competence(db, filters)
    return [(c, masked_if_small(figures[c], threshold)) for c in sorted(figures)]


# What a funder follows month by month besides entries and exits (the catalogue's counts):
# paths completed, by month of exit. (Badges issued per month was left out: grouping 220,000
# badges by month of issue costs about a second at 100,000 beneficiaries on SQLite.)
MONTHLY_COUNTS = {
    "parcours_termines": "Parcours terminés, par mois de sortie : sorties au motif « parcours "
    "terminé » (le numérateur du taux de parcours complets).",
}  # key → French definition


def monthly_counts(
    db: Session, filters: Filters, threshold: int = DEFAULT_MASK_THRESHOLD
) -> dict[str, list[tuple[str, Figure]]]:
    """Each of ``MONTHLY_COUNTS`` per month (« 2026-03 »), masked as a trend is."""
    completed = {
        month: Figure(key="parcours_termines", value=f.numerator or 0, people=f.numerator or 0)
        for month, f in paths.complete_paths(db, filters, scope.MONTH).items()
        if month
    }
    return {"parcours_termines": _masked(sorted(completed.items()), threshold)}
