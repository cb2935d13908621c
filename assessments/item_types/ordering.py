"""``ordering``: put the body's ``items`` in the key's order. Each step has a select
``position-<id>`` giving its place (1, 2, 3…); JavaScript adds « Monter / Descendre ».

The steps are shown shuffled (FORMAT.md), with a seed per session and item, and never in the
key's order: content files often list them in the right order, and a page that showed them so
would count an untouched submit as right (issue 12, dev-web-1.4-002)."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from assessments.item_types.base import (
    ItemTypeDefinition,
    Posted,
    Problem,
    Reason,
    choice_ids,
    chosen_ids,
    field_name,
    id_list_problems,
    is_text_list,
)
from assessments.models import ItemType
from assessments.response_errors import InvalidResponse


def shuffled_order(ids: Sequence[str], key: Sequence[str], seed: str) -> list[str]:
    """``ids`` shuffled by ``seed`` (the same seed, the same order), rotated by one step when
    the shuffle happens to give the key's order."""
    order = list(ids)
    random.Random(seed).shuffle(order)
    if len(order) > 1 and order == list(key):
        order = order[1:] + order[:1]
    return order


class Ordering(ItemTypeDefinition):
    kind = ItemType.ORDERING
    template = "learner/items/ordering.html"

    def read_form(self, body: Mapping[str, Any], form: Posted) -> Any:
        ids = choice_ids(body, "items")
        positions: dict[str, int] = {}
        for identifier in ids:
            try:
                position = int(form.one(field_name("position", identifier)))
            except ValueError:
                position = 0
            if not 1 <= position <= len(ids):
                raise InvalidResponse(
                    "position_expected",
                    "Choisissez une place dans la liste.",
                    field=field_name("position", identifier),
                )
            positions[identifier] = position
        seen: set[int] = set()
        for identifier in ids:
            if positions[identifier] in seen:
                raise InvalidResponse(
                    "duplicate_position",
                    "Deux étapes ont la même place. Donnez une place différente à chaque étape.",
                    field=field_name("position", identifier),
                )
            seen.add(positions[identifier])
        return sorted(ids, key=lambda i: positions[i])

    def check(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> bool:
        order = chosen_ids(response, set(choice_ids(body, "items")), "un élément")
        if len(order) != len(body["items"]):
            raise InvalidResponse("incomplete_order", "Rangez tous les éléments de la liste.")
        return order == list(key)

    def explain(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> list[Reason]:
        if self.check(body, key, response, tolerance):
            return [Reason("order_right")]
        texts = {entry["id"]: entry["text"] for entry in body["items"]}
        return [
            Reason(
                "step_misplaced", {"step": texts[step], "given": i, "expected": key.index(step) + 1}
            )
            for i, step in enumerate(response, start=1)
            if key[i - 1] != step
        ]

    def problems(self, body: Mapping[str, Any], key: Any) -> list[Problem]:
        problems: list[Problem] = []
        ids = id_list_problems(body, "items", problems, minimum=2)
        if not is_text_list(key):
            problems.append(("key", "ordering : la clé est la liste ordonnée des identifiants"))
        elif ids and sorted(key) != sorted(ids):
            problems.append(("key", "ordering : la clé doit contenir chaque élément une fois"))
        return problems

    def shown_body(self, body: Mapping[str, Any], key: Any, seed: str) -> dict[str, Any]:
        by_id = {entry["id"]: entry for entry in body.get("items", [])}
        order = shuffled_order(list(by_id), key, seed)
        return {**body, "items": [by_id[identifier] for identifier in order]}

    def right_response(self, body: Mapping[str, Any], key: Any) -> Any:
        return key

    def wrong_response(self, body: Mapping[str, Any], key: Any) -> Any:
        return list(reversed(key))

    def error_field(self, body: Mapping[str, Any], code: str) -> str:
        return field_name("position", next(iter(choice_ids(body, "items")), ""))


DEFINITIONS = (Ordering(),)
