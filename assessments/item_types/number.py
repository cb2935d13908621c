"""``number``: a number typed the French way (``12,5``, ``1 234,5 €``), right within the key's
absolute tolerance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessments.item_types.base import ItemTypeDefinition, Posted, Problem, Reason
from assessments.models import ItemType
from assessments.response_errors import InvalidResponse
from assessments.tolerances import parse_number

# Float arithmetic must not refuse 12,51 for 12,5 ± 0,01.
EPSILON = 1e-9


class Number(ItemTypeDefinition):
    kind = ItemType.NUMBER
    template = "learner/items/number.html"

    def read_form(self, body: Mapping[str, Any], form: Posted) -> Any:
        text = form.one("number")
        if not text.strip():
            raise InvalidResponse(
                "number_empty",
                "Écrivez un nombre, ou choisissez « Je ne sais pas ».",
                field="number",
            )
        return text

    def check(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> bool:
        value = parse_number(response, body.get("unit"))
        return abs(value - float(key["value"])) <= float(key.get("tolerance", 0)) + EPSILON

    def explain(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> list[Reason]:
        params = {
            "value": parse_number(response, body.get("unit")),
            "expected": float(key["value"]),
            "tolerance": float(key.get("tolerance", 0)),
        }
        right = self.check(body, key, response, tolerance)
        return [Reason("number_within" if right else "number_outside", params)]

    def problems(self, body: Mapping[str, Any], key: Any) -> list[Problem]:
        problems: list[Problem] = []
        value = key.get("value") if isinstance(key, Mapping) else None
        tol = key.get("tolerance", 0) if isinstance(key, Mapping) else None
        if not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(("key.value", 'number : la clé est {"value": nombre, "tolerance": …}'))
        if not isinstance(tol, int | float) or isinstance(tol, bool) or tol < 0:
            problems.append(("key.tolerance", "nombre positif attendu"))
        return problems

    def right_response(self, body: Mapping[str, Any], key: Any) -> Any:
        return str(key["value"]).replace(".", ",")

    def wrong_response(self, body: Mapping[str, Any], key: Any) -> Any:
        return str(float(key["value"]) + float(key.get("tolerance", 0)) + 1000.5)

    def error_field(self, body: Mapping[str, Any], code: str) -> str:
        return "number"


DEFINITIONS = (Number(),)
