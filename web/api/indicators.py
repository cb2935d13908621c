"""``/api/v1/indicators``: the département's indicators for its own tools, with an API token.

The catalogue (each key with its French label and definition), and one indicator on the
dashboard's filters: a headline figure, a breakdown (``?par=<dimension>``) or a monthly trend
(``?tendance=mois``). Figures come from ``indicators.catalogue`` as on the dashboard and are
masked the same way: a masked cell is ``{"masque": true}`` with null values. Aggregates only.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from flask import Response, current_app, jsonify, request, url_for
from flask_babel import gettext as _

from indicators import catalogue
from indicators.figures import Figure
from web.api import bp
from web.api.indicator_query import BadQuery, IndicatorQuery, read
from web.api.problems import problem
from web.authz import api_token
from web.database import db


def mask_threshold() -> int:
    return int(current_app.config["JALON_INDICATORS_MASK_THRESHOLD"])


def figure_json(figure: Figure) -> dict[str, Any]:
    """A figure as the API writes it; a masked one keeps only its planned value."""
    return {
        "valeur": figure.value,
        "numerateur": figure.numerator,
        "denominateur": figure.denominator,
        "personnes": figure.people,
        "prevu": figure.planned,
        "masque": figure.masked,
    }


def _filters_json(query: IndicatorQuery) -> dict[str, Any]:
    return {
        name: (value.isoformat() if hasattr(value, "isoformat") else list(value))
        for name, value in asdict(query.filters).items()
        if value
    }


def answer(key: str, query: IndicatorQuery) -> dict[str, Any]:
    """The body of ``/api/v1/indicators/<key>`` for this query (what the tests compare)."""
    threshold = mask_threshold()
    body: dict[str, Any] = {"indicateur": key, "filtres": _filters_json(query)}
    if query.dimension is not None:
        rows = catalogue.breakdown(db.session, key, query.filters, query.dimension, threshold)
        body["par"] = query.dimension
        body["lignes"] = [{"cle": str(cell), **figure_json(figure)} for cell, figure in rows]
    elif query.trend:
        rows = catalogue.monthly_trend(db.session, key, query.filters, threshold)
        body["tendance"] = [{"mois": month, **figure_json(figure)} for month, figure in rows]
    else:
        body["figure"] = figure_json(catalogue.compute(db.session, key, query.filters, threshold))
    return body


def _no_store(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/v1/indicators")
@api_token
def indicator_catalogue() -> Response:
    """Every indicator, with its French label, definition and unit."""
    entries = [
        {
            "cle": item.key,
            "libelle": item.label_fr,
            "definition": item.definition_fr,
            "unite": item.unit,
            "url": url_for("api.indicator", key=item.key),
        }
        for item in catalogue.INDICATORS.values()
    ]
    return _no_store(jsonify(indicateurs=entries, seuil_masquage=mask_threshold()))


@bp.get("/v1/indicators/<key>")
@api_token
def indicator(key: str) -> Response:
    """One indicator on the filters of the query string: figure, breakdown or trend."""
    if key not in catalogue.INDICATORS:
        return problem(404, _("Indicateur inconnu"), _("Aucun indicateur ne porte ce nom."))
    try:
        query = read(request.args)
    except BadQuery as refused:
        params = [{"name": name, "reason": reason} for name, reason in refused.reasons.items()]
        detail = _("Les filtres demandés ne sont pas valides : voyez « invalid-params ».")
        return problem(400, _("Filtres refusés"), detail, **{"invalid-params": params})
    return _no_store(jsonify(answer(key, query)))
