"""Is this answer right? Server-side checking of every item type.

``check(item, response)`` returns an :class:`AnswerStatus`; a response that does not even have
the shape the item expects (an unknown choice, text where a list is due, an empty answer)
raises :class:`InvalidResponse`, which the web layer turns into a French message: such a
response is never stored nor counted. Free text is compared the PIX way, with three
tolerances each switchable per item (see FORMAT.md).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from assessments.models import AnswerStatus, ItemType

DEFAULT_TOLERANCE = ("t1", "t2")
TOLERANCES = ("t1", "t2", "t3")
T3_RATIO = 0.25


class Checkable(Protocol):
    """What the checker needs of an item: a model row or an :class:`ItemData`."""

    type: Any
    body: Any
    key: Any
    tolerance: Any


@dataclass
class ItemData:
    """An item read from a content file, before it is stored (validation checks its key)."""

    type: str
    body: Any
    key: Any
    tolerance: list[str] | None = None
    uid: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


# Every ``InvalidResponse.code`` the checkers raise (the web layer has a message for each).
RESPONSE_ERROR_CODES = (
    "addresses_expected", "choice_expected", "choices_expected", "date_expected",
    "duplicate_choice", "empty", "fields_expected", "incomplete_order", "incomplete_pairs",
    "number_expected", "pairs_expected", "task_expected", "text_expected", "too_long",
    "unknown_action", "unknown_choice", "unknown_field", "unknown_message",
)  # fmt: skip


class InvalidResponse(ValueError):
    """The response has not the shape the item expects; ``code`` is stable, ``message`` French."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# ---------------------------------------------------------------------------------------------
# Free-text tolerances


def pretreat(text: str) -> str:
    """Always applied: Unicode NFC, and the many kinds of non-breaking space become spaces."""
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"[\u00a0\u202f\u2007\u2009\u200a]", " ", text)


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c))
    )


def t1(text: str) -> str:
    """Trim, lowercase, strip accents and remove every whitespace."""
    return re.sub(r"\s+", "", strip_accents(text.strip().lower()))


def t2(text: str) -> str:
    """Drop every character that is not a letter, a digit or a space; collapse spaces."""
    kept = "".join(c for c in text if c.isalnum() or c.isspace())
    return re.sub(r"\s+", " ", kept).strip()


def levenshtein(left: str, right: str) -> int:
    """Edit distance (insertions, deletions, substitutions), two-row dynamic programming."""
    if len(left) < len(right):
        left, right = right, left
    previous = list(range(len(right) + 1))
    for i, lc in enumerate(left, 1):
        current = [i]
        for j, rc in enumerate(right, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (lc != rc)))
        previous = current
    return previous[-1]


def normalise(text: str, tolerance: Iterable[str] = DEFAULT_TOLERANCE) -> str:
    """The form of ``text`` that is compared, after pre-treatment and the T1/T2 tolerances."""
    enabled = set(tolerance)
    text = pretreat(text)
    text = t1(text) if "t1" in enabled else text.strip()
    if "t2" in enabled:
        text = t2(text)
    return text


def text_matches(
    answer: str, accepted: Iterable[str], tolerance: Iterable[str] | None = None
) -> bool:
    """Whether ``answer`` equals one accepted variant, tolerances applied to both sides."""
    enabled = tuple(DEFAULT_TOLERANCE if tolerance is None else tolerance)
    given = normalise(answer, enabled)
    if not given:
        return False
    for variant in accepted:
        expected = normalise(variant, enabled)
        if given == expected:
            return True
        if (
            "t3" in enabled
            and expected
            and levenshtein(given, expected) / len(expected) <= T3_RATIO
        ):
            return True
    return False


# ---------------------------------------------------------------------------------------------
# Numbers

_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def parse_number(text: Any, unit: str | None = None) -> float:
    """Read a number typed the French way: ``12,5``, ``1 234,5``, ``1.234,5``, ``12,5 €``."""
    if isinstance(text, bool):
        raise InvalidResponse("number_expected", "Écrivez un nombre, par exemple : 12,5.")
    if isinstance(text, int | float):
        if not math.isfinite(text):
            raise InvalidResponse("number_expected", "Écrivez un nombre, par exemple : 12,5.")
        return float(text)
    if not isinstance(text, str):
        raise InvalidResponse("number_expected", "Écrivez un nombre, par exemple : 12,5.")
    cleaned = pretreat(text).strip()
    if unit and cleaned.endswith(unit.strip()):
        cleaned = cleaned[: -len(unit.strip())]
    cleaned = re.sub(r"\s+", "", cleaned).replace("\u2212", "-")
    if not cleaned:
        raise InvalidResponse("empty", "Écrivez une réponse ou choisissez « Je ne sais pas ».")
    if "," in cleaned and "." in cleaned:
        decimal = "," if cleaned.rfind(",") > cleaned.rfind(".") else "."
        thousands = "." if decimal == "," else ","
        cleaned = cleaned.replace(thousands, "")
    if cleaned.count(",") + cleaned.count(".") > 1 or not _NUMBER.match(cleaned):
        raise InvalidResponse("number_expected", "Écrivez un nombre, par exemple : 12,5.")
    value = float(cleaned.replace(",", "."))
    if not math.isfinite(value):
        raise InvalidResponse("number_expected", "Écrivez un nombre, par exemple : 12,5.")
    return value


# ---------------------------------------------------------------------------------------------
# Response shapes

_EMPTY = "Écrivez une réponse ou choisissez « Je ne sais pas »."


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidResponse("text_expected", "Écrivez votre réponse dans la case.")
    if len(value) > 2000:
        raise InvalidResponse(
            "too_long", "Votre réponse est trop longue (2 000 caractères au plus)."
        )
    return value


def _ids(values: Any, allowed: set[str], what: str) -> list[str]:
    if isinstance(values, str):
        values = [values]
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise InvalidResponse("choices_expected", f"Choisissez {what} dans la liste.")
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise InvalidResponse("unknown_choice", f"Ce choix n'existe pas : {unknown[0]}.")
    if len(set(values)) != len(values):
        raise InvalidResponse("duplicate_choice", "Vous avez choisi deux fois la même réponse.")
    return values


def _fields(values: Any, allowed: Sequence[str]) -> dict[str, str]:
    if not isinstance(values, Mapping):
        raise InvalidResponse("fields_expected", "Remplissez les cases de la question.")
    unknown = [k for k in values if k not in allowed]
    if unknown:
        raise InvalidResponse("unknown_field", f"Cette case n'existe pas : {unknown[0]}.")
    answers = {name: _text(values.get(name, "")) for name in allowed}
    if not any(v.strip() for v in answers.values()):
        raise InvalidResponse("empty", _EMPTY)
    return answers


def choice_ids(body: Mapping[str, Any], name: str = "choices") -> list[str]:
    return [c["id"] for c in body.get(name, [])]


def field_ids(body: Mapping[str, Any]) -> list[str]:
    return [f["id"] for f in body.get("fields", [])]


def distinct_groups_matched(
    answers: Iterable[str], groups: Sequence[Sequence[str]], tolerance: Iterable[str] | None
) -> int:
    """How many *different* accepted groups the answers cover (maximum bipartite matching)."""
    tolerance = tuple(DEFAULT_TOLERANCE if tolerance is None else tolerance)
    edges = [
        [g for g, group in enumerate(groups) if text_matches(answer, group, tolerance)]
        for answer in answers
    ]
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


# ---------------------------------------------------------------------------------------------
# Checking


def _status(right: bool) -> AnswerStatus:
    return AnswerStatus.OK if right else AnswerStatus.KO


def check(item: Checkable, response: Any) -> AnswerStatus:
    """``ok`` or ``ko`` for a response to ``item``; :class:`InvalidResponse` when malformed."""
    kind = ItemType(item.type)
    body, key = item.body or {}, item.key
    tolerance = item.tolerance
    if kind is ItemType.QCU:
        if isinstance(response, list) and len(response) == 1:
            response = response[0]
        if not isinstance(response, str):
            raise InvalidResponse("choice_expected", "Choisissez une réponse dans la liste.")
        _ids([response], set(choice_ids(body)), "une réponse")
        return _status(response == key)
    if kind is ItemType.QCM:
        chosen = _ids(response, set(choice_ids(body)), "une ou plusieurs réponses")
        if not chosen:
            raise InvalidResponse("empty", "Choisissez au moins une réponse.")
        return _status(set(chosen) == set(key))
    if kind is ItemType.QROC:
        text = _text(response)
        if not text.strip():
            raise InvalidResponse("empty", _EMPTY)
        return _status(text_matches(text, key, tolerance))
    if kind is ItemType.QROCM_IND:
        answers = _fields(response, field_ids(body))
        return _status(all(text_matches(answers[name], key[name], tolerance) for name in answers))
    if kind is ItemType.QROCM_DEP:
        answers = _fields(response, field_ids(body))
        given = [v for v in answers.values() if v.strip()]
        matched = distinct_groups_matched(given, key["answers"], tolerance)
        return _status(matched >= key["required"])
    if kind is ItemType.NUMBER:
        value = parse_number(response, body.get("unit"))
        return _status(abs(value - float(key["value"])) <= float(key.get("tolerance", 0)) + 1e-9)
    if kind is ItemType.ORDERING:
        order = _ids(response, set(choice_ids(body, "items")), "un élément")
        if len(order) != len(body["items"]):
            raise InvalidResponse("incomplete_order", "Rangez tous les éléments de la liste.")
        return _status(order == list(key))
    if kind is ItemType.MATCHING:
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
        return _status(dict(response) == dict(key))
    from assessments import tasks

    return _status(tasks.check_task(kind, body, key, response))


def example_wrong_response(item: Checkable) -> Any:
    """A well-formed response that the key does not accept (content tests use it)."""
    kind = ItemType(item.type)
    body, key = item.body or {}, item.key
    if kind is ItemType.QCU:
        return next(c for c in choice_ids(body) if c != key)
    if kind is ItemType.QCM:
        ids = choice_ids(body)
        wrong = [c for c in ids if c not in key]
        return wrong or ids[:-1] or ids
    if kind in (ItemType.QROC,):
        return "zzqxw réponse fausse"
    if kind in (ItemType.QROCM_IND, ItemType.QROCM_DEP):
        return {name: "zzqxw" for name in field_ids(body)}
    if kind is ItemType.NUMBER:
        return str(float(key["value"]) + float(key.get("tolerance", 0)) + 1000.5)
    if kind is ItemType.ORDERING:
        return list(reversed(key))
    if kind is ItemType.MATCHING:
        values = list(key.values())
        return dict(zip(key, values[1:] + values[:1], strict=True))
    from assessments import tasks

    return tasks.example_wrong_response(kind, body, key)


def example_right_response(item: Checkable) -> Any:
    """The response a learner who knows the answer gives (built from the key)."""
    kind = ItemType(item.type)
    body, key = item.body or {}, item.key
    if kind in (ItemType.QCU, ItemType.QCM, ItemType.ORDERING, ItemType.MATCHING):
        return key
    if kind is ItemType.QROC:
        return key[0]
    if kind is ItemType.QROCM_IND:
        return {name: variants[0] for name, variants in key.items()}
    if kind is ItemType.QROCM_DEP:
        names = field_ids(body)
        return {name: key["answers"][i][0] for i, name in enumerate(names[: key["required"]])}
    if kind is ItemType.NUMBER:
        return str(key["value"]).replace(".", ",")
    from assessments import tasks

    return tasks.example_right_response(kind, body, key)


# ---------------------------------------------------------------------------------------------
# Validation of bodies and keys (content import)

Problem = tuple[str, str]  # (JSON path relative to the item, French message)


def _is_str_list(value: Any, *, non_empty: bool = True) -> bool:
    return (
        isinstance(value, list)
        and (bool(value) or not non_empty)
        and all(isinstance(v, str) and v.strip() for v in value)
    )


def _check_id_list(body: Any, name: str, problems: list[Problem], minimum: int = 1) -> list[str]:
    entries = body.get(name) if isinstance(body, Mapping) else None
    if not isinstance(entries, list) or len(entries) < minimum:
        problems.append((f"body.{name}", f"liste d'au moins {minimum} éléments attendue"))
        return []
    ids: list[str] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
            problems.append((f"body.{name}[{i}].id", "identifiant (texte) manquant"))
            continue
        if name != "fields" and not isinstance(entry.get("text"), str):
            problems.append((f"body.{name}[{i}].text", "texte manquant"))
        if entry["id"] in ids:
            problems.append((f"body.{name}[{i}].id", f"identifiant en double : {entry['id']}"))
        ids.append(entry["id"])
    return ids


def key_problems(item: Checkable) -> list[Problem]:
    """What is wrong with an item's body and key for its type (empty list when fine)."""
    try:
        kind = ItemType(item.type)
    except ValueError:
        return [("type", f"type inconnu : {item.type!r}")]
    body, key = item.body, item.key
    problems: list[Problem] = []
    if not isinstance(body, Mapping):
        return [("body", "objet attendu")]
    if item.tolerance is not None and (
        not isinstance(item.tolerance, list) or not all(t in TOLERANCES for t in item.tolerance)
    ):
        problems.append(("tolerance", 'liste parmi "t1", "t2", "t3" attendue'))
    if kind in (ItemType.QCU, ItemType.QCM):
        ids = _check_id_list(body, "choices", problems, minimum=2)
        if ids and len(ids) > 5:
            problems.append(("body.choices", "5 choix au plus"))
        if kind is ItemType.QCU:
            if not isinstance(key, str):
                problems.append(("key", "qcu : la clé est l'identifiant d'un choix (texte)"))
            elif ids and key not in ids:
                problems.append(("key", f"choix inconnu : {key}"))
        else:
            if not _is_str_list(key) or len(set(key)) != len(key):
                problems.append(("key", "qcm : la clé est une liste d'identifiants de choix"))
            elif ids and not set(key) <= set(ids):
                problems.append(("key", f"choix inconnus : {sorted(set(key) - set(ids))}"))
    elif kind is ItemType.QROC:
        if not _is_str_list(key):
            problems.append(("key", "qroc : la clé est une liste de réponses acceptées (textes)"))
    elif kind is ItemType.QROCM_IND:
        ids = _check_id_list(body, "fields", problems)
        if not isinstance(key, Mapping):
            problems.append(("key", "qrocm_ind : la clé est un objet champ → réponses acceptées"))
        else:
            if ids and set(key) != set(ids):
                problems.append(("key", "qrocm_ind : il faut une clé pour chaque champ, pas plus"))
            for name, variants in key.items():
                if not _is_str_list(variants):
                    problems.append((f"key.{name}", "liste de réponses acceptées attendue"))
    elif kind is ItemType.QROCM_DEP:
        ids = _check_id_list(body, "fields", problems)
        if not isinstance(key, Mapping):
            problems.append(("key", 'qrocm_dep : la clé est {"required": n, "answers": [[…]]}'))
        else:
            required, groups = key.get("required"), key.get("answers")
            if not isinstance(groups, list) or not all(_is_str_list(g) for g in groups):
                problems.append(("key.answers", "liste de groupes de réponses attendue"))
                groups = []
            if not isinstance(required, int) or isinstance(required, bool) or required < 1:
                problems.append(("key.required", "entier ≥ 1 attendu"))
            elif required > len(groups) or (ids and required > len(ids)):
                problems.append(("key.required", "plus grand que les groupes ou les champs"))
    elif kind is ItemType.NUMBER:
        value = key.get("value") if isinstance(key, Mapping) else None
        tol = key.get("tolerance", 0) if isinstance(key, Mapping) else None
        if not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(("key.value", 'number : la clé est {"value": nombre, "tolerance": …}'))
        if not isinstance(tol, int | float) or isinstance(tol, bool) or tol < 0:
            problems.append(("key.tolerance", "nombre positif attendu"))
    elif kind is ItemType.ORDERING:
        ids = _check_id_list(body, "items", problems, minimum=2)
        if not _is_str_list(key):
            problems.append(("key", "ordering : la clé est la liste ordonnée des identifiants"))
        elif ids and sorted(key) != sorted(ids):
            problems.append(("key", "ordering : la clé doit contenir chaque élément une fois"))
    elif kind is ItemType.MATCHING:
        left = _check_id_list(body, "left", problems)
        right = _check_id_list(body, "right", problems)
        if not isinstance(key, Mapping) or not all(isinstance(v, str) for v in key.values()):
            problems.append(("key", "matching : la clé est un objet gauche → droite"))
        else:
            if left and set(key) != set(left):
                problems.append(("key", "matching : chaque élément de gauche doit être relié"))
            if right and not set(key.values()) <= set(right):
                problems.append(("key", "matching : élément de droite inconnu"))
    else:
        from assessments import tasks

        problems.extend(tasks.task_problems(kind, body, key))
    return problems
