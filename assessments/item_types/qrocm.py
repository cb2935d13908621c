"""``qrocm_ind`` (several boxes, each with its own accepted answers) and ``qrocm_dep`` (several
boxes whose answers must cover ``required`` *different* groups, in any order). The boxes are
the body's ``fields``, named ``field-<id>`` on the page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from assessments.item_types.base import (
    EMPTY,
    ItemTypeDefinition,
    Posted,
    Problem,
    Reason,
    field_name,
    id_list_problems,
    is_text_list,
    text_reason,
    text_response,
)
from assessments.models import ItemType
from assessments.response_errors import InvalidResponse
from assessments.tolerances import DEFAULT_TOLERANCE, normalise, text_distance, text_matches


def field_ids(body: Mapping[str, Any]) -> list[str]:
    return [f["id"] for f in body.get("fields") or []]


def field_labels(body: Mapping[str, Any]) -> dict[str, str]:
    """Each box's label (its id when it has none), to name it in a trainer's reason."""
    return {f["id"]: f.get("label") or f["id"] for f in body.get("fields") or []}


def field_answers(values: Any, allowed: Sequence[str]) -> dict[str, str]:
    """One text per box (a missing box is empty), at least one filled in."""
    if not isinstance(values, Mapping):
        raise InvalidResponse("fields_expected", "Remplissez les cases de la question.")
    unknown = [k for k in values if k not in allowed]
    if unknown:
        raise InvalidResponse("unknown_field", f"Cette case n'existe pas : {unknown[0]}.")
    answers = {name: text_response(values.get(name, "")) for name in allowed}
    if not any(v.strip() for v in answers.values()):
        raise InvalidResponse("empty", EMPTY)
    return answers


def distinct_groups_matched(
    answers: Iterable[str], groups: Sequence[Sequence[str]], tolerance: Iterable[str] | None
) -> int:
    """How many *different* accepted groups the answers cover (maximum bipartite matching).

    The same answer typed twice counts once, and an answer counts only for the group it is
    closest to: with t3, « taux de rebond » is within typing distance of « taux de retour » and
    must not stand for both (issue 12)."""
    tolerance = tuple(DEFAULT_TOLERANCE if tolerance is None else tolerance)
    distinct = {normalise(answer, tolerance): answer for answer in answers}
    edges = [_closest_groups(answer, groups, tolerance) for answer in distinct.values()]
    owner: dict[int, int] = {}

    def augment(a: int, seen: set[int]) -> bool:
        for g in edges[a]:
            if g in seen:
                continue
            seen.add(g)
            if g not in owner or augment(owner[g], seen):
                owner[g] = a
                return True
        return False

    return sum(augment(a, set()) for a in range(len(edges)))


def _closest_groups(
    answer: str, groups: Sequence[Sequence[str]], tolerance: Sequence[str]
) -> list[int]:
    """The groups ``answer`` matches at its smallest distance (an exact match beats a typo)."""
    distances = [text_distance(answer, group, tolerance) for group in groups]
    found = [d for d in distances if d is not None]
    if not found:
        return []
    return [g for g, d in enumerate(distances) if d == min(found)]


class _Boxes(ItemTypeDefinition):
    def read_form(self, body: Mapping[str, Any], form: Posted) -> Any:
        values = {name: form.one(field_name("field", name)) for name in field_ids(body)}
        if not any(v.strip() for v in values.values()):
            raise InvalidResponse(
                "fields_empty",
                "Remplissez au moins une case, ou choisissez « Je ne sais pas ».",
                field=self.error_field(body, "fields_empty"),
            )
        return values

    def error_field(self, body: Mapping[str, Any], code: str) -> str:
        return field_name("field", next(iter(field_ids(body)), ""))

    def wrong_response(self, body: Mapping[str, Any], key: Any) -> Any:
        return {name: "zzqxw" for name in field_ids(body)}


class QrocmInd(_Boxes):
    kind = ItemType.QROCM_IND
    template = "learner/items/qrocm_ind.html"

    def check(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> bool:
        answers = field_answers(response, field_ids(body))
        return all(text_matches(answers[name], key[name], tolerance) for name in answers)

    def explain(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> list[Reason]:
        answers, labels = field_answers(response, field_ids(body)), field_labels(body)
        return [text_reason(answers[name], key[name], tolerance, labels[name]) for name in answers]

    def problems(self, body: Mapping[str, Any], key: Any) -> list[Problem]:
        problems: list[Problem] = []
        ids = id_list_problems(body, "fields", problems)
        if not isinstance(key, Mapping):
            problems.append(("key", "qrocm_ind : la clé est un objet champ → réponses acceptées"))
            return problems
        if ids and set(key) != set(ids):
            problems.append(("key", "qrocm_ind : il faut une clé pour chaque champ, pas plus"))
        for name, variants in key.items():
            if not is_text_list(variants):
                problems.append((f"key.{name}", "liste de réponses acceptées attendue"))
        return problems

    def accepted_texts(self, body: Mapping[str, Any], key: Any) -> list[str]:
        if not isinstance(key, Mapping):
            return []
        return [v for variants in key.values() if is_text_list(variants) for v in variants]

    def right_response(self, body: Mapping[str, Any], key: Any) -> Any:
        return {name: variants[0] for name, variants in key.items()}


class QrocmDep(_Boxes):
    kind = ItemType.QROCM_DEP
    template = "learner/items/qrocm_dep.html"

    def check(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> bool:
        answers = field_answers(response, field_ids(body))
        given = [v for v in answers.values() if v.strip()]
        return distinct_groups_matched(given, key["answers"], tolerance) >= key["required"]

    def explain(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> list[Reason]:
        answers, labels = field_answers(response, field_ids(body)), field_labels(body)
        accepted = [variant for group in key["answers"] for variant in group]
        reasons = [
            text_reason(text, accepted, tolerance, labels[name])
            for name, text in answers.items()
            if text.strip()
        ]
        given = [v for v in answers.values() if v.strip()]
        found = distinct_groups_matched(given, key["answers"], tolerance)
        return [*reasons, Reason("groups_found", {"found": found, "required": key["required"]})]

    def problems(self, body: Mapping[str, Any], key: Any) -> list[Problem]:
        problems: list[Problem] = []
        ids = id_list_problems(body, "fields", problems)
        if not isinstance(key, Mapping):
            problems.append(("key", 'qrocm_dep : la clé est {"required": n, "answers": [[…]]}'))
            return problems
        required, groups = key.get("required"), key.get("answers")
        if not isinstance(groups, list) or not all(is_text_list(g) for g in groups):
            problems.append(("key.answers", "liste de groupes de réponses attendue"))
            groups = []
        if not isinstance(required, int) or isinstance(required, bool) or required < 1:
            problems.append(("key.required", "entier ≥ 1 attendu"))
        elif required > len(groups) or (ids and required > len(ids)):
            problems.append(("key.required", "plus grand que les groupes ou les champs"))
        return problems

    def accepted_texts(self, body: Mapping[str, Any], key: Any) -> list[str]:
        groups = key.get("answers") if isinstance(key, Mapping) else None
        if not isinstance(groups, list):
            return []
        return [v for group in groups if is_text_list(group) for v in group]

    def right_response(self, body: Mapping[str, Any], key: Any) -> Any:
        names = field_ids(body)
        return {name: key["answers"][i][0] for i, name in enumerate(names[: key["required"]])}


DEFINITIONS = (QrocmInd(), QrocmDep())
