"""Item types, one definition each: the registry from :class:`ItemType` to its definition.

Each module of this package (but ``base``) defines one type, or a family of two that share
code, and lists them in ``DEFINITIONS``; they are gathered here, so adding a type means the
enum value, one module here and one template (``tests/assessments/test_item_types.py`` checks
that every type is covered). Callers go through :mod:`assessments.checking`.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping

from assessments.item_types.base import ItemTypeDefinition
from assessments.models import ItemType


def _gather() -> dict[ItemType, ItemTypeDefinition]:
    found: dict[ItemType, ItemTypeDefinition] = {}
    for module in pkgutil.iter_modules(__path__):
        if module.name == "base":
            continue
        for definition in importlib.import_module(f"{__name__}.{module.name}").DEFINITIONS:
            if definition.kind in found:
                raise RuntimeError(f"item type {definition.kind} is defined twice")
            found[definition.kind] = definition
    return {kind: found[kind] for kind in ItemType if kind in found}


REGISTRY: Mapping[ItemType, ItemTypeDefinition] = _gather()


def definition(kind: ItemType | str) -> ItemTypeDefinition:
    """The definition of item type ``kind``; ``ValueError`` for a type that does not exist."""
    return REGISTRY[ItemType(kind)]


__all__ = ["REGISTRY", "ItemTypeDefinition", "definition"]
