"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 description of the indicators API and of the
public badge verifier (``POST /api/verifier``).

Built from the same lists the endpoints read (the catalogue's keys, ``DIMENSIONS``, the values
each filter accepts, the verdicts and check states), so the document cannot drift from what the
API takes; the tests validate it and run schemathesis against the app with it.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify

from badges.ob3.verification_result import CheckStatus, EndorsementState, Verdict
from indicators import catalogue
from indicators.filters import DIMENSIONS
from web.api import bp
from web.api.indicator_query import CHOICES, MAX_VALUES, TREND_MONTHS
from web.authz import public

PROBLEM = "application/problem+json"
BOOLEAN = {"type": "boolean"}
NULLABLE_NUMBER = {"type": ["number", "null"]}
NULLABLE_INTEGER = {"type": ["integer", "null"], "minimum": 0}
NULLABLE_STRING = {"type": ["string", "null"]}
NULLABLE_BOOLEAN = {"type": ["boolean", "null"]}
BADGE_TYPES = (
    "application/json",
    "application/ld+json",
    "application/vc+ld+json",
    "application/jwt",
    "application/vc+jwt",
    "image/png",
    "image/svg+xml",
)


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
        "Verification": _verification_schema(),
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


def _object(properties: dict[str, Any], description: str | None = None) -> dict[str, Any]:
    found = {"type": "object", "properties": properties, "required": list(properties)}
    return {**found, "description": description} if description else found


def _verification_schema() -> dict[str, Any]:
    """The verifier's answer: ``VerificationResult.to_dict`` and what the web layer adds."""
    messages = {"message_fr": {"type": "string"}, "message_en": {"type": "string"}}
    check = _object(
        {"code": {"type": "string"}, "status": {"enum": [s.value for s in CheckStatus]}} | messages
    )
    endorsement = _object(
        {
            "target": NULLABLE_STRING,
            "endorser": _object(
                {"id": NULLABLE_STRING, "name": NULLABLE_STRING, "known": NULLABLE_BOOLEAN}
            ),
            "comment": NULLABLE_STRING,
            "state": {"enum": [s.value for s in EndorsementState]},
            "verdict": {"enum": [*(v.value for v in Verdict), None]},
            "reason_fr": NULLABLE_STRING,
            "reason_en": NULLABLE_STRING,
        }
    )
    look_alike = _object(
        {"known_name": {"type": "string"}} | messages,
        "L'émetteur, inconnu de Jalon, se donne le nom d'une organisation que Jalon connaît "
        "(known_name) : quelqu'un a pu copier ce nom. L'avertissement que montre /verifier.",
    )
    return _object(
        {
            "verdict": {"enum": [v.value for v in Verdict]},
            "label_fr": {"type": "string"},
            "label_en": {"type": "string"},
            "reason": NULLABLE_STRING | {"description": "La raison lue sur /verifier."},
            "format": {"enum": ["json", "jws", "png", "svg", None]},
            "issuer": _object(
                {"id": NULLABLE_STRING, "name": NULLABLE_STRING, "known": NULLABLE_BOOLEAN}
            ),
            "recipient_match": NULLABLE_BOOLEAN,
            "checks": {"type": "array", "items": check},
            "endorsements": {"type": "array", "items": endorsement},
            "credential": _object(
                {"id": NULLABLE_STRING, "name": NULLABLE_STRING, "issued_by_jalon": BOOLEAN}
            ),
            "issuer_look_alike": {
                "oneOf": [look_alike, {"type": "null"}],
                "description": "Avertissement : nom d'organisation emprunté, ou null.",
            },
        },
        "Le verdict, chaque vérification faite et ce qu'est le badge.",
    )


def _verifier_path() -> dict[str, Any]:
    badge = {"schema": {"type": "string", "contentMediaType": "application/octet-stream"}}
    upload = _object({"file": {"type": "string", "contentMediaType": "application/octet-stream"}})
    refused = {
        "description": (
            "Rien de lisible comme badge, ou fichier refusé (trop grand, trop complexe, "
            "vérification trop longue ou trop gourmande en mémoire) : la raison dans detail, "
            "et les membres de la vérification."
        ),
        "content": {
            PROBLEM: {
                "schema": {
                    "allOf": [
                        {"$ref": "#/components/schemas/Problem"},
                        {"$ref": "#/components/schemas/Verification"},
                    ]
                }
            }
        },
    }
    return {
        "post": {
            "operationId": "verifier",
            "summary": "Vérifier un badge Open Badges 3.0 (JSON, JWT, PNG ou SVG).",
            "security": [],
            "requestBody": {
                "required": True,
                "content": {t: badge for t in BADGE_TYPES}
                | {"multipart/form-data": {"schema": upload}},
            },
            "responses": {
                "200": _ok("Verification", "Le verdict, quel qu'il soit."),
                "400": _problem("Corps vide."),
                "413": _problem("Fichier trop volumineux."),
                "422": refused,
                "429": _problem("Trop de demandes depuis cette adresse."),
            },
        }
    }


def _problem(description: str) -> dict[str, Any]:
    schema = {"$ref": "#/components/schemas/Problem"}
    return {"description": description, "content": {PROBLEM: {"schema": schema}}}


def _ok(schema: str, description: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{schema}"}
    return {"description": description, "content": {"application/json": {"schema": ref}}}


def document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of ``/api/v1/indicators`` and ``/api/verifier``."""
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
            "title": "Jalon — indicateurs du département et vérification de badges",
            "version": "1.0.0",
            "description": (
                "Les indicateurs de l'appel à projets, agrégés et masqués sous le seuil : "
                "jamais une donnée sur une personne. Un jeton d'API est créé par "
                "l'administrateur du département (en-tête « Authorization: Bearer <jeton> »). "
                "La vérification de badges (POST /api/verifier) est publique, sans jeton."
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
            "/api/verifier": _verifier_path(),
        },
        "components": {
            "securitySchemes": {"jeton": {"type": "http", "scheme": "bearer"}},
            "schemas": _schemas(),
        },
    }


@bp.get("/v1/openapi.json")
@public
def openapi_document() -> Response:
    """The description of the indicators API and the verifier; public, it holds no data."""
    return jsonify(document())
