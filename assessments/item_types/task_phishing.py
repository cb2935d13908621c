"""``task_phishing`` (« par le faire »): tick the scams among sample messages. Ticking none is
an answer (there may be no scam to find)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessments.item_types.base import (
    ItemTypeDefinition,
    Posted,
    Problem,
    Reason,
    chosen_set,
    entry_ids,
    entry_problems,
)
from assessments.models import ItemType


class TaskPhishing(ItemTypeDefinition):
    kind = ItemType.TASK_PHISHING
    template = "learner/items/task_phishing.html"

    def read_form(self, body: Mapping[str, Any], form: Posted) -> Any:
        return form.many("choice")

    def check(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> bool:
        samples = {s["id"] for s in body.get("samples", [])}
        chosen = chosen_set(response if response is not None else [], samples, "les faux messages")
        return chosen == set(key)

    def explain(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> list[Reason]:
        if self.check(body, key, response, tolerance):
            return [Reason("scams_right", {"count": len(key)})]
        chosen = set(response or [])
        subjects = {s["id"]: s.get("subject") or s.get("from") or s["id"] for s in body["samples"]}
        reasons = []
        missed = [subjects[s] for s in subjects if s in key and s not in chosen]
        wrongly = [subjects[s] for s in subjects if s in chosen and s not in key]
        if missed:
            reasons.append(Reason("scams_missed", {"samples": " ; ".join(missed)}))
        if wrongly:
            reasons.append(Reason("scams_extra", {"samples": " ; ".join(wrongly)}))
        return reasons

    def problems(self, body: Mapping[str, Any], key: Any) -> list[Problem]:
        samples = body.get("samples")
        if not isinstance(samples, list) or not samples:
            return [("body.samples", "liste d'exemples attendue")]
        problems = entry_problems(samples, "body.samples", "d'exemples")
        ids = entry_ids(samples)
        if not isinstance(key, list) or not all(isinstance(k, str) for k in key):
            problems.append(("key", "task_phishing : la clé est la liste des faux (identifiants)"))
        elif not set(key) <= ids:
            problems.append(("key", f"exemples inconnus : {sorted(set(key) - ids)}"))
        return problems

    def right_response(self, body: Mapping[str, Any], key: Any) -> Any:
        return list(key)

    def wrong_response(self, body: Mapping[str, Any], key: Any) -> Any:
        return [s["id"] for s in body.get("samples", []) if s["id"] not in key]

    def error_field(self, body: Mapping[str, Any], code: str) -> str:
        return "choices"


DEFINITIONS = (TaskPhishing(),)
