"""JSON Schema (draft 2019-09) validation against the vendored 1EdTech OB 3.0 schemas, offline.

The ``referencing`` registry holds only the vendored schemas under their published URLs; any
other ``$ref`` fails instead of being fetched, so validating untrusted input never touches the
network.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

import jsonschema
from referencing import Registry, Resource
from referencing.exceptions import NoSuchResource

import ob_schemas

ACHIEVEMENT_CREDENTIAL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
)
ENDORSEMENT_CREDENTIAL = (
    "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_endorsementcredential_schema.json"
)
PROFILE = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_profile_schema.json"

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class SchemaError:
    """One violation: where in the document, and what the schema says."""

    path: str
    message: str


def _refuse(uri: str) -> Resource:
    raise NoSuchResource(ref=uri)


@cache
def _schemas() -> dict[str, dict[str, Any]]:
    index = json.loads((ob_schemas.SCHEMAS / "index.json").read_text(encoding="utf-8"))
    loaded: dict[str, dict[str, Any]] = {}
    for url, filename in index.items():
        loaded[url] = json.loads((ob_schemas.SCHEMAS / filename).read_text(encoding="utf-8"))
    return loaded


@cache
def _registry() -> Registry:
    resources = []
    for url, schema in _schemas().items():
        resource = Resource.from_contents(schema)
        resources.append((url, resource))
        if "$id" in schema:
            resources.append((schema["$id"], resource))
    return Registry(retrieve=_refuse).with_resources(resources)  # type: ignore[call-arg]


def _is_datetime(value: object) -> bool:
    if not isinstance(value, str) or not _DATETIME.match(value):
        return not isinstance(value, str)
    try:
        datetime.fromisoformat(value.replace("z", "Z").replace("t", "T"))
    except ValueError:
        return False
    return True


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10


@cache
def _format_checker() -> jsonschema.FormatChecker:
    checker = jsonschema.FormatChecker(formats=())
    checker.checks("date-time")(_is_datetime)
    checker.checks("date")(_is_date)
    return checker


def known_schema(url: str) -> bool:
    """Is this JSON Schema URL one we hold locally?"""
    return url in _schemas()


@cache
def _validator(url: str) -> jsonschema.Draft201909Validator:
    schema = _schemas()[url]
    return jsonschema.Draft201909Validator(
        schema, registry=_registry(), format_checker=_format_checker()
    )


def validate(document: Any, schema_url: str = ACHIEVEMENT_CREDENTIAL) -> list[SchemaError]:
    """All violations of ``document`` against the schema at ``schema_url`` (empty list: valid).

    Raises KeyError if the schema is not vendored (callers decide what an unknown schema means).
    """
    validator = _validator(schema_url)
    errors = []
    for error in validator.iter_errors(document):
        path = "/".join(str(p) for p in error.absolute_path) or "(racine)"
        errors.append(SchemaError(path=path, message=error.message[:300]))
    errors.sort(key=lambda e: e.path)
    return errors
