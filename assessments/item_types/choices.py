"""``qcu`` (one right choice) and ``qcm`` (the exact set of right choices): 2 to 5 choices,
shown as radio buttons or check boxes named ``choice``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessments.item_types.base import (
    ItemTypeDefinition,
    Posted,
    Problem,
    Reason,
    choice_ids,
    chosen_ids,
    id_list_problems,
    is_text_list,
)
from assessments.models import ItemType
from assessments.response_errors import InvalidResponse

MAX_CHOICES = 5


def _texts(body: Mapping[str, Any], ids: Any) -> str:
    """The choices' texts, in the item's order, for a trainer's reason."""
    wanted = {ids} if isinstance(ids, str) else set(ids)
    return " ; ".join(c["text"] for c in body.get("choices", []) if c["id"] in wanted)


class _Choices(ItemTypeDefinition):
    def error_field(self, body: Mapping[str, Any], code: str) -> str:
        return "choices"

    def right_response(self, body: Mapping[str, Any], key: Any) -> Any:
        return key

    def _choice_problems(self, body: Mapping[str, Any], problems: list[Problem]) -> list[str]:
        ids = id_list_problems(body, "choices", problems, minimum=2)
        if ids and len(ids) > MAX_CHOICES:
            problems.append(("body.choices", f"{MAX_CHOICES} choix au plus"))
        return ids


class Qcu(_Choices):
    kind = ItemType.QCU
    template = "learner/items/qcu.html"

    def read_form(self, body: Mapping[str, Any], form: Posted) -> Any:
        chosen = form.one("choice")
        if not chosen:
            raise InvalidResponse(
                "choice_expected", "Choisissez une réponse dans la liste.", field="choices"
            )
        return chosen

    def check(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> bool:
        if isinstance(response, list) and len(response) == 1:
            response = response[0]
        if not isinstance(response, str):
            raise InvalidResponse("choice_expected", "Choisissez une réponse dans la liste.")
        chosen_ids([response], set(choice_ids(body)), "une réponse")
        return response == key

    def problems(self, body: Mapping[str, Any], key: Any) -> list[Problem]:
        problems: list[Problem] = []
        ids = self._choice_problems(body, problems)
        if not isinstance(key, str):
            problems.append(("key", "qcu : la clé est l'identifiant d'un choix (texte)"))
        elif ids and key not in ids:
            problems.append(("key", f"choix inconnu : {key}"))
        return problems

    def wrong_response(self, body: Mapping[str, Any], key: Any) -> Any:
        return next(c for c in choice_ids(body) if c != key)

    def explain(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> list[Reason]:
        chosen = response[0] if isinstance(response, list) else response
        if self.check(body, key, response, tolerance):
            return [Reason("choice_right", {"choice": _texts(body, key)})]
        return [
            Reason("choice_wrong", {"choice": _texts(body, chosen), "expected": _texts(body, key)})
        ]


class Qcm(_Choices):
    kind = ItemType.QCM
    template = "learner/items/qcm.html"

    def read_form(self, body: Mapping[str, Any], form: Posted) -> Any:
        chosen = form.many("choice")
        if not chosen:
            raise InvalidResponse("nothing_ticked", "Cochez au moins une réponse.", field="choices")
        return chosen

    def check(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> bool:
        chosen = chosen_ids(response, set(choice_ids(body)), "une ou plusieurs réponses")
        if not chosen:
            raise InvalidResponse("empty", "Choisissez au moins une réponse.")
        return set(chosen) == set(key)

    def problems(self, body: Mapping[str, Any], key: Any) -> list[Problem]:
        problems: list[Problem] = []
        ids = self._choice_problems(body, problems)
        if not is_text_list(key) or len(set(key)) != len(key):
            problems.append(("key", "qcm : la clé est une liste d'identifiants de choix"))
        elif ids and not set(key) <= set(ids):
            problems.append(("key", f"choix inconnus : {sorted(set(key) - set(ids))}"))
        return problems

    def explain(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> list[Reason]:
        if self.check(body, key, response, tolerance):
            return [Reason("choices_right", {"choices": _texts(body, key)})]
        reasons = []
        missing, extra = set(key) - set(response), set(response) - set(key)
        if missing:
            reasons.append(Reason("choices_missing", {"choices": _texts(body, missing)}))
        if extra:
            reasons.append(Reason("choices_extra", {"choices": _texts(body, extra)}))
        return reasons

    def wrong_response(self, body: Mapping[str, Any], key: Any) -> Any:
        ids = choice_ids(body)
        wrong = [c for c in ids if c not in key]
        return wrong or ids[:-1] or ids


DEFINITIONS = (Qcu(), Qcm())
