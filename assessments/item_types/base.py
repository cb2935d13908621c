"""What every item type defines, and the shape checks several types share.

A type is one :class:`ItemTypeDefinition` subclass in its own module of this package: how the
page's posted form is read into a response, how a response is checked, what its body and key
must look like (content import), example right and wrong responses, the form field an error
belongs to, and the template that shows it. Nothing here imports Flask: a submitted form is
any mapping of field name → value(s) (:class:`Posted`).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from assessments.models import ItemType
from assessments.response_errors import InvalidResponse
from assessments.tolerances import DEFAULT_TOLERANCE, match_text

Problem = tuple[str, str]  # (JSON path relative to the item, French message)

EMPTY = "Écrivez une réponse ou choisissez « Je ne sais pas »."
MAX_TEXT = 2000


def field_name(kind: str, identifier: str = "") -> str:
    """Form field names, shared by the item templates and the form readers."""
    return f"{kind}-{identifier}" if identifier else kind


@dataclass(frozen=True)
class Reason:
    """One reason a response is right or wrong, for a trainer checking an item: a ``code``
    the web layer puts into words with ``params``, and the ``part`` of the item it is about
    (a box's label, a form field) when there are several."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)
    part: str = ""


def text_reason(
    answer: str, accepted: Sequence[str], tolerance: Sequence[str] | None, part: str = ""
) -> Reason:
    """Which accepted variant a typed text matched and under which tolerance, or that none
    did (the same comparison :func:`assessments.tolerances.text_matches` makes)."""
    found = match_text(answer, accepted, tolerance)
    if found is None:
        enabled = DEFAULT_TOLERANCE if tolerance is None else tolerance
        return Reason(
            "text_no_match",
            {"answer": answer, "accepted": " ; ".join(accepted), "rules": ", ".join(enabled)},
            part,
        )
    params = {"answer": answer, "variant": found.variant}
    if found.rule == "t3":
        params.update(distance=found.distance, allowed=found.allowed)
    return Reason(f"text_{found.rule}", params, part)


class Posted:
    """A submitted form: a MultiDict (anything with ``getlist``) or a plain mapping of field
    name → a value or a list of values (tests, a trainer's preview)."""

    def __init__(self, form: Any) -> None:
        self._form = form

    def one(self, name: str) -> str:
        """The field's (first) value, ``""`` when absent."""
        if hasattr(self._form, "getlist"):
            return self._form.get(name, "")
        value = self._form.get(name, "")
        if isinstance(value, list | tuple):
            return value[0] if value else ""
        return value

    def many(self, name: str) -> list[str]:
        """Every value of the field (ticked boxes), ``[]`` when absent."""
        if hasattr(self._form, "getlist"):
            return list(self._form.getlist(name))
        value = self._form.get(name)
        if value is None:
            return []
        return [value] if isinstance(value, str) else list(value)


class ItemTypeDefinition(ABC):
    """One item type, defined in one place. ``body`` is the item's body (a mapping, ``{}`` when
    absent), ``key`` its answer key; both are validated by :meth:`problems` at import."""

    kind: ClassVar[ItemType]
    template: ClassVar[str]  # under web/templates
    own_form: ClassVar[bool] = False  # the template holds its own forms and buttons

    @abstractmethod
    def read_form(self, body: Mapping[str, Any], form: Posted) -> Any:
        """The response (FORMAT.md shape) from the page's fields; :class:`InvalidResponse`
        with its ``field`` when the learner must fix something first."""

    @abstractmethod
    def check(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> bool:
        """Whether ``response`` is right; :class:`InvalidResponse` when it is malformed."""

    @abstractmethod
    def problems(self, body: Mapping[str, Any], key: Any) -> list[Problem]:
        """What is wrong with the body and key for this type (empty list when fine)."""

    @abstractmethod
    def right_response(self, body: Mapping[str, Any], key: Any) -> Any:
        """The response a learner who knows the answer gives (built from the key)."""

    @abstractmethod
    def wrong_response(self, body: Mapping[str, Any], key: Any) -> Any:
        """A well-formed response that the key does not accept."""

    @abstractmethod
    def error_field(self, body: Mapping[str, Any], code: str) -> str:
        """The form field a checker error ``code`` is shown on (its id in the template)."""

    def explain(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> list[Reason]:
        """Why a well-formed ``response`` is right or wrong, part by part (the verdict itself
        is :meth:`check`'s)."""
        return [Reason("right" if self.check(body, key, response, tolerance) else "wrong")]

    def page_state(self, body: Mapping[str, Any], values: Posted) -> dict[str, Any]:
        """What the page shows beyond the body, from its query string (no write)."""
        return {}

    def shown_body(self, body: Mapping[str, Any], key: Any, seed: str) -> dict[str, Any]:
        """The body as one learner's page shows it; ``seed`` is fixed per session and item, so
        a reload or a refused answer shows the same page. Most types show it as stored."""
        return dict(body)

    def accepted_texts(self, body: Mapping[str, Any], key: Any) -> list[str]:
        """Every free-text answer the key accepts (the item's tolerance applies to these)."""
        return []


# ---------------------------------------------------------------------------------------------
# Response shapes


def text_response(value: Any) -> str:
    if not isinstance(value, str):
        raise InvalidResponse("text_expected", "Écrivez votre réponse dans la case.")
    if len(value) > MAX_TEXT:
        raise InvalidResponse(
            "too_long", "Votre réponse est trop longue (2 000 caractères au plus)."
        )
    return value


def chosen_ids(values: Any, allowed: set[str], what: str) -> list[str]:
    """Ids chosen in a list, in order, each once and each known."""
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


def chosen_set(value: Any, allowed: set[str], what: str) -> set[str]:
    """Ids ticked in a simulated task (none is a valid answer), each known."""
    if value is None:
        return set()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidResponse("choices_expected", f"Choisissez {what}.")
    unknown = [v for v in value if v not in allowed]
    if unknown:
        raise InvalidResponse("unknown_choice", f"Ce choix n'existe pas : {unknown[0]}.")
    return set(value)


def choice_ids(body: Mapping[str, Any], name: str = "choices") -> list[str]:
    return [c["id"] for c in body.get(name, [])]


def entry_ids(entries: Any) -> set[str]:
    """The text ids of a list of objects; anything else has none (import validation says so)."""
    if not isinstance(entries, list):
        return set()
    return {e["id"] for e in entries if isinstance(e, Mapping) and isinstance(e.get("id"), str)}


# ---------------------------------------------------------------------------------------------
# Body and key validation (content import)


def is_text_list(value: Any, *, non_empty: bool = True) -> bool:
    """A list of texts that are not blank (accepted answers, ids)."""
    return (
        isinstance(value, list)
        and (bool(value) or not non_empty)
        and all(isinstance(v, str) and v.strip() for v in value)
    )


def is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def id_list_problems(body: Any, name: str, problems: list[Problem], minimum: int = 1) -> list[str]:
    """The ids of ``body[name]``, a list of ``{"id", "text"}`` objects (``fields`` need no
    text); what is wrong with it goes to ``problems``."""
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


def entry_problems(entries: Any, path: str, what: str) -> list[Problem]:
    """An optional list of objects each with a text ``id`` (mailbox files, attachments, form
    options, samples), checked before its ids are used."""
    if entries is None:
        return []
    if not isinstance(entries, list):
        return [(path, f"liste {what} attendue")]
    problems: list[Problem] = []
    for i, entry in enumerate(entries):
        if not isinstance(entry, Mapping):
            problems.append((f"{path}[{i}]", "objet attendu"))
        elif not isinstance(entry.get("id"), str):
            problems.append((f"{path}[{i}].id", "identifiant (texte) manquant"))
    return problems
