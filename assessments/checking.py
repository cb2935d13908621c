"""Is this answer right? Every item-level operation on responses, through the item types.

``check(item, response)`` returns an :class:`AnswerStatus`; a response that does not even have
the shape the item expects (an unknown choice, text where a list is due, an empty answer)
raises :class:`InvalidResponse`, which the web layer turns into a French message on the field
named by ``error.field``: such a response is never stored nor counted. ``read_form`` turns the
fields posted by an item's page into that response. What each type accepts is defined once, in
its module of :mod:`assessments.item_types`; free text is compared the PIX way
(:mod:`assessments.tolerances`, FORMAT.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Protocol

from assessments.item_types import ItemTypeDefinition, definition
from assessments.item_types.base import Posted, Problem, Reason
from assessments.models import AnswerStatus, ItemType
from assessments.response_errors import InvalidResponse
from assessments.tolerances import TOLERANCES


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


@contextmanager
def _on_its_field(kind: ItemTypeDefinition, body: Mapping[str, Any]) -> Iterator[None]:
    """An :class:`InvalidResponse` leaves with the form field it is shown on."""
    try:
        yield
    except InvalidResponse as error:
        if error.field is None:
            error.field = kind.error_field(body, error.code)
        raise


def read_form(item: Checkable, form: Any) -> Any:
    """The response to ``item`` from the fields its page posted (a MultiDict or a mapping of
    field name → value(s)); :class:`InvalidResponse` when something must be fixed first."""
    kind, body = definition(item.type), item.body or {}
    with _on_its_field(kind, body):
        return kind.read_form(body, Posted(form))


def check(item: Checkable, response: Any) -> AnswerStatus:
    """``ok`` or ``ko`` for a response to ``item``; :class:`InvalidResponse` when malformed."""
    kind, body = definition(item.type), item.body or {}
    with _on_its_field(kind, body):
        right = kind.check(body, item.key, response, item.tolerance)
    return AnswerStatus.OK if right else AnswerStatus.KO


def explain(item: Checkable, response: Any) -> list[Reason]:
    """Why ``response`` is right or wrong, part by part (which accepted answer and tolerance
    matched, which choice was missing…); :class:`InvalidResponse` when malformed."""
    kind, body = definition(item.type), item.body or {}
    with _on_its_field(kind, body):
        return kind.explain(body, item.key, response, item.tolerance)


def example_right_response(item: Checkable) -> Any:
    """The response a learner who knows the answer gives (built from the key)."""
    return definition(item.type).right_response(item.body or {}, item.key)


def example_wrong_response(item: Checkable) -> Any:
    """A well-formed response that the key does not accept (content tests use it)."""
    return definition(item.type).wrong_response(item.body or {}, item.key)


def key_problems(item: Checkable) -> list[Problem]:
    """What is wrong with an item's body and key for its type (empty list when fine)."""
    try:
        kind = ItemType(item.type)
    except ValueError:
        return [("type", f"type inconnu : {item.type!r}")]
    if not isinstance(item.body, Mapping):
        return [("body", "objet attendu")]
    problems: list[Problem] = []
    if item.tolerance is not None and (
        not isinstance(item.tolerance, list) or not all(t in TOLERANCES for t in item.tolerance)
    ):
        problems.append(("tolerance", 'liste parmi "t1", "t2", "t3" attendue'))
    elif item.tolerance and "t3" in item.tolerance:
        problems += _typo_tolerance_problems(kind, item)
    return problems + definition(kind).problems(item.body, item.key)


def _typo_tolerance_problems(kind: ItemType, item: Checkable) -> list[Problem]:
    """t3 accepts a few wrong characters: on a number, that is a wrong number (« 135 » for
    « 125 »), so an item whose answers hold digits cannot have it (issue 12)."""
    if kind is ItemType.NUMBER:
        return [("tolerance", "t3 (fautes de frappe) ne s'applique pas à un nombre")]
    numeric = [t for t in definition(kind).accepted_texts(item.body, item.key) if _has_digit(t)]
    if numeric:
        return [
            (
                "tolerance",
                f"t3 (fautes de frappe) refusé : la réponse « {numeric[0]} » contient un nombre, "
                "une faute de frappe en ferait un autre nombre",
            )
        ]
    return []


def _has_digit(text: str) -> bool:
    return any(c.isdigit() for c in text)


__all__ = [
    "Checkable",
    "InvalidResponse",
    "ItemData",
    "Reason",
    "check",
    "example_right_response",
    "example_wrong_response",
    "explain",
    "key_problems",
    "read_form",
]
