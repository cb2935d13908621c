"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 description of the indicators API.

Built from the same lists the endpoints read (the catalogue's keys, ``DIMENSIONS``, the values
each filter accepts), so the document cannot drift from what the API takes; the tests validate
it and run schemathesis against the app with it.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from indicators import catalogue
from indicators.filters import DIMENSIONS
from web.api import bp
from web.api.indicator_query import CHOICES, MAX_VALUES, TREND_MONTHS
from web.authz import public

PROBLEM = "application/problem+json"
NULLABLE_NUMBER = {"type": ["number", "null"]}
NULLABLE_INTEGER = {"type": ["integer", "null"], "minimum": 0}


def _list_parameter(name: str, items: dict[str, Any], description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "style": "form",
        "explode": True,
        "description": description,
        "schema": {"type": "array", "items": items, "maxItems": MAX_VALUES},
    }


def _filter_parameters() -> list[dict[str, Any]]:
    ids = {"type": "integer", "minimum": 1, "maximum": 999_999_999}
    described = {
        "typologie": "Typologie d'action de l'appel à projets.",
        "metier": "Métier en tension visé (code).",
        "sexe": "Sexe déclaré à l'entrée (f, m, nd : non déclaré).",
        "tranche_age": "Tranche d'âge à l'entrée.",
        "statut": "Statut du public à l'entrée.",
        "commune": "Commune de résidence (code INSEE).",
    }
    parameters = [
        _list_parameter("action", ids, "Identifiant d'une action."),
        _list_parameter("porteur", ids, "Identifiant d'une structure porteuse."),
    ]
    parameters += [
        _list_parameter(name, {"type": "string", "enum": list(CHOICES[name]())}, text)
        for name, text in described.items()
    ]
    for name, text in (
        ("du", "Période : à partir de cette date (AAAA-MM-JJ), d'entrée ou de sortie."),
        ("au", "Période : jusqu'à cette date incluse (AAAA-MM-JJ)."),
    ):
        parameters.append(
            {
                "name": name,
                "in": "query",
                "description": text,
                "schema": {"type": "string", "format": "date"},
            }
        )
    return parameters


def _schemas() -> dict[str, Any]:
    figure_fields = {
        "valeur": NULLABLE_NUMBER,
        "numerateur": NULLABLE_INTEGER,
        "denominateur": NULLABLE_INTEGER,
        "personnes": {"type": "integer", "minimum": 0},
        "prevu": NULLABLE_NUMBER,
        "masque": {"type": "boolean"},
    }
    figure = {
        "type": "object",
        "description": "Un chiffre, masqué (valeurs nulles) sous le seuil de personnes.",
        "properties": figure_fields,
        "required": list(figure_fields),
        "additionalProperties": False,
    }

    def row(label: str) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {label: {"type": "string"}, **figure_fields},
            "required": [label, *figure_fields],
            "additionalProperties": False,
        }

    return {
        "Figure": figure,
        "Answer": {
            "type": "object",
            "properties": {
                "indicateur": {"type": "string"},
                "filtres": {"type": "object"},
                "figure": {"$ref": "#/components/schemas/Figure"},
                "par": {"type": "string", "enum": list(DIMENSIONS)},
                "lignes": {"type": "array", "items": row("cle")},
                "tendance": {"type": "array", "items": row("mois")},
            },
            "required": ["indicateur", "filtres"],
            "oneOf": [
                {"required": ["figure"]},
                {"required": ["par", "lignes"]},
                {"required": ["tendance"]},
            ],
            "additionalProperties": False,
        },
        "Catalogue": {
            "type": "object",
            "properties": {
                "indicateurs": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            name: {"type": "string"}
                            for name in ("cle", "libelle", "definition", "unite", "url")
                        },
                        "required": ["cle", "libelle", "definition", "unite", "url"],
                    },
                },
                "seuil_masquage": {"type": "integer", "minimum": 1},
            },
            "required": ["indicateurs", "seuil_masquage"],
        },
        "Problem": {
            "type": "object",
            "properties": {
                "type": {"type": "string"},
                "title": {"type": "string"},
                "status": {"type": "integer"},
                "detail": {"type": "string"},
                "invalid-params": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"name": {"type": "string"}, "reason": {"type": "string"}},
                        "required": ["name", "reason"],
                    },
                },
            },
            "required": ["type", "title", "status", "detail"],
        },
    }


def _problem(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {PROBLEM: {"schema": schema}}}


def _ok(schema: str, description: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``/api/v1/indicators``."""
    unauthorised = _problem("Jeton absent, inconnu, révoqué ou expiré.")
    key_parameter = {
        "name": "key",
        "in": "path",
        "required": True,
        "description": "Clé de l'indicateur (voir le catalogue).",
        "schema": {"type": "string", "enum": list(catalogue.INDICATORS)},
    }
    shape = [
        {
            "name": "par",
            "in": "query",
            "description": "Répartition selon une dimension.",
            "schema": {"type": "string", "enum": list(DIMENSIONS)},
        },
        {
            "name": "tendance",
            "in": "query",
            "description": "Tendance mois par mois (entrée ou sortie, selon l'indicateur).",
            "schema": {"type": "string", "enum": [TREND_MONTHS]},
        },
    ]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Jalon — indicateurs du département",
            "version": "1.0.0",
            "description": (
                "Les indicateurs de l'appel à projets, agrégés et masqués sous le seuil : "
                "jamais une donnée sur une personne. Un jeton d'API est créé par "
                "l'administrateur du département (en-tête « Authorization: Bearer <jeton> »)."
            ),
        },
        "security": [{"jeton": []}],
        "paths": {
            "/api/v1/indicators": {
                "get": {
                    "operationId": "catalogue",
                    "summary": "Le catalogue des indicateurs et leur définition.",
                    "responses": {
                        "200": _ok("Catalogue", "Les indicateurs."),
                        "401": unauthorised,
                    },
                }
            },
            "/api/v1/indicators/{key}": {
                "get": {
                    "operationId": "indicateur",
                    "summary": "Un indicateur : chiffre, répartition ou tendance mensuelle.",
                    "parameters": [key_parameter, *_filter_parameters(), *shape],
                    "responses": {
                        "200": _ok("Answer", "Le chiffre, la répartition ou la tendance."),
                        "400": _problem("Filtres refusés (la raison dans invalid-params)."),
                        "401": unauthorised,
                        "404": _problem("Indicateur inconnu."),
                    },
                }
            },
        },
        "components": {
            "securitySchemes": {"jeton": {"type": "http", "scheme": "bearer"}},
            "schemas": _schemas(),
        },
    }


@bp.get("/v1/openapi.json")
@public
def openapi_document() -> Response:
    """The description of the indicators API; public, it holds no data."""
    return jsonify(document())
