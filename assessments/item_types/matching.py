"""``matching``: link each element of the body's ``left`` list to one of its ``right`` list
(a select ``pair-<left id>`` per line)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessments.item_types.base import (
    ItemTypeDefinition,
    Posted,
    Problem,
    Reason,
    choice_ids,
    field_name,
    id_list_problems,
)
from assessments.models import ItemType
from assessments.response_errors import InvalidResponse


class Matching(ItemTypeDefinition):
    kind = ItemType.MATCHING
    template = "learner/items/matching.html"

    def read_form(self, body: Mapping[str, Any], form: Posted) -> Any:
        pairs = {}
        for left in choice_ids(body, "left"):
            value = form.one(field_name("pair", left))
            if not value:
                raise InvalidResponse(
                    "incomplete_pairs",
                    "Reliez chaque élément à une réponse.",
                    field=field_name("pair", left),
                )
            pairs[left] = value
        return pairs

    def check(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> bool:
        left, right = choice_ids(body, "left"), set(choice_ids(body, "right"))
        if not isinstance(response, Mapping) or not all(
            isinstance(v, str) for v in response.values()
        ):
            raise InvalidResponse("pairs_expected", "Reliez chaque élément à sa réponse.")
        unknown = [k for k in response if k not in left] + [
            v for v in response.values() if v not in right
        ]
        if unknown:
            raise InvalidResponse("unknown_choice", f"Ce choix n'existe pas : {unknown[0]}.")
        if set(response) != set(left):
            raise InvalidResponse("incomplete_pairs", "Reliez chaque élément à une réponse.")
        return dict(response) == dict(key)

    def explain(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> list[Reason]:
        if self.check(body, key, response, tolerance):
            return [Reason("pairs_right")]
        left = {entry["id"]: entry["text"] for entry in body["left"]}
        right = {entry["id"]: entry["text"] for entry in body["right"]}
        return [
            Reason(
                "pair_wrong", {"given": right[response[name]], "expected": right[key[name]]}, text
            )
            for name, text in left.items()
            if response[name] != key[name]
        ]

    def problems(self, body: Mapping[str, Any], key: Any) -> list[Problem]:
        problems: list[Problem] = []
        left = id_list_problems(body, "left", problems)
        right = id_list_problems(body, "right", problems)
        if not isinstance(key, Mapping) or not all(isinstance(v, str) for v in key.values()):
            problems.append(("key", "matching : la clé est un objet gauche → droite"))
            return problems
        if left and set(key) != set(left):
            problems.append(("key", "matching : chaque élément de gauche doit être relié"))
        if right and not set(key.values()) <= set(right):
            problems.append(("key", "matching : élément de droite inconnu"))
        return problems

    def right_response(self, body: Mapping[str, Any], key: Any) -> Any:
        return key

    def wrong_response(self, body: Mapping[str, Any], key: Any) -> Any:
        values = list(key.values())
        return dict(zip(key, values[1:] + values[:1], strict=True))

    def error_field(self, body: Mapping[str, Any], code: str) -> str:
        return field_name("pair", next(iter(choice_ids(body, "left")), ""))


DEFINITIONS = (Matching(),)
