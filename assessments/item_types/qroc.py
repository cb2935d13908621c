"""``qroc``: one short text answer, compared with the accepted variants under the item's
tolerances (:mod:`assessments.tolerances`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessments.item_types.base import (
    EMPTY,
    ItemTypeDefinition,
    Posted,
    Problem,
    Reason,
    is_text_list,
    text_reason,
    text_response,
)
from assessments.models import ItemType
from assessments.response_errors import InvalidResponse
from assessments.tolerances import text_matches


class Qroc(ItemTypeDefinition):
    kind = ItemType.QROC
    template = "learner/items/qroc.html"

    def read_form(self, body: Mapping[str, Any], form: Posted) -> Any:
        text = form.one("text")
        if not text.strip():
            raise InvalidResponse("empty", EMPTY, field="text")
        return text

    def check(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> bool:
        text = text_response(response)
        if not text.strip():
            raise InvalidResponse("empty", EMPTY)
        return text_matches(text, key, tolerance)

    def explain(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> list[Reason]:
        return [text_reason(text_response(response), key, tolerance)]

    def problems(self, body: Mapping[str, Any], key: Any) -> list[Problem]:
        if not is_text_list(key):
            return [("key", "qroc : la clé est une liste de réponses acceptées (textes)")]
        return []

    def accepted_texts(self, body: Mapping[str, Any], key: Any) -> list[str]:
        return list(key) if is_text_list(key) else []

    def right_response(self, body: Mapping[str, Any], key: Any) -> Any:
        return key[0]

    def wrong_response(self, body: Mapping[str, Any], key: Any) -> Any:
        return "zzqxw réponse fausse"

    def error_field(self, body: Mapping[str, Any], code: str) -> str:
        return "text"


DEFINITIONS = (Qroc(),)
