"""``task_form`` (« par le faire »): fill in a mock administrative form from the facts given.
Text boxes are compared with t1 + t2, e-mail addresses and boxes marked ``"compare": "exact"``
(logins, codes) exactly (case aside), numbers as numbers
(« 240,00 » is 240, never 24 000), dates read the French way, options by id."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from assessments.item_types.base import (
    ItemTypeDefinition,
    Posted,
    Problem,
    Reason,
    chosen_set,
    entry_ids,
    entry_problems,
    field_name,
    is_str_list,
    text_reason,
)
from assessments.models import ItemType
from assessments.response_errors import InvalidResponse
from assessments.tolerances import read_quantity, same_quantity, text_matches

FORM_KINDS = ("text", "date", "email", "tel", "select", "radio", "checkbox", "number", "textarea")
FORM_TOLERANCE = ("t1", "t2")
OPTION_KINDS = ("select", "radio", "checkbox")


def iso_date(value: str) -> str | None:
    """``1984-05-12`` or the French ``12/05/1984`` (also ``12-05-1984``, ``12.05.1984``)."""
    value = value.strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    if match:
        year, month, day = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", value)
        if not match:
            return None
        day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


class TaskForm(ItemTypeDefinition):
    kind = ItemType.TASK_FORM
    template = "learner/items/task_form.html"

    def read_form(self, body: Mapping[str, Any], form: Posted) -> Any:
        values: dict[str, Any] = {}
        for field in body.get("fields", []):
            name = field_name("field", field["id"])
            checkbox = field.get("kind") == "checkbox"
            values[field["id"]] = form.many(name) if checkbox else form.one(name)
        if not any(v not in ("", []) for v in values.values()):
            first = field_name("field", next(iter(values))) if values else "form"
            raise InvalidResponse(
                "form_empty",
                "Remplissez le formulaire, ou choisissez « Je ne sais pas ».",
                field=first,
            )
        return values

    def check(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> bool:
        if not isinstance(response, Mapping):
            raise InvalidResponse("fields_expected", "Remplissez le formulaire.")
        fields = {f["id"]: f for f in body.get("fields", [])}
        unknown = [name for name in response if name not in fields]
        if unknown:
            raise InvalidResponse("unknown_field", f"Cette case n'existe pas : {unknown[0]}.")
        if not any(v not in (None, "", []) for v in response.values()):
            raise InvalidResponse(
                "empty", "Remplissez le formulaire ou choisissez « Je ne sais pas »."
            )
        right = True
        for name, field in fields.items():
            if not field_right(field, key, response.get(name)):
                right = False  # every field is still read: a malformed one is reported
        return right

    def explain(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> list[Reason]:
        self.check(body, key, response, tolerance)  # a malformed form is refused first
        return [
            field_reason(field, key[field["id"]], response.get(field["id"]))
            for field in body.get("fields", [])
            if field["id"] in key
        ]

    def problems(self, body: Mapping[str, Any], key: Any) -> list[Problem]:
        fields = body.get("fields")
        if not isinstance(fields, list) or not fields:
            return [("body.fields", "liste de champs attendue")]
        problems: list[Problem] = []
        by_id: dict[str, Mapping[str, Any]] = {}
        for i, field in enumerate(fields):
            if not isinstance(field, Mapping) or not isinstance(field.get("id"), str):
                problems.append((f"body.fields[{i}].id", "identifiant manquant"))
                continue
            if field.get("kind", "text") not in FORM_KINDS:
                problems.append((f"body.fields[{i}].kind", f"type parmi {', '.join(FORM_KINDS)}"))
            if field.get("compare", "exact") != "exact":
                problems.append((f"body.fields[{i}].compare", "seule valeur possible : « exact »"))
            if field.get("kind") in OPTION_KINDS and not field.get("options"):
                problems.append((f"body.fields[{i}].options", "options attendues"))
            problems += entry_problems(
                field.get("options"), f"body.fields[{i}].options", "d'options"
            )
            by_id[field["id"]] = field
        if not isinstance(key, Mapping) or not key:
            return [*problems, ("key", "task_form : la clé est un objet champ → valeur attendue")]
        for name, expected in key.items():
            field = by_id.get(name)
            if field is None:
                problems.append((f"key.{name}", "champ inconnu"))
            else:
                problems += key_problems(name, field, expected)
        return problems

    def right_response(self, body: Mapping[str, Any], key: Any) -> Any:
        response = {}
        for field in body.get("fields", []):
            expected = key.get(field["id"])
            if expected is None:
                continue
            if field.get("kind") in OPTION_KINDS:
                response[field["id"]] = expected
            else:
                response[field["id"]] = expected if isinstance(expected, str) else expected[0]
        return response

    def wrong_response(self, body: Mapping[str, Any], key: Any) -> Any:
        wrong = self.right_response(body, key)
        fields = {f["id"]: f for f in body.get("fields", [])}
        name = next(iter(wrong))
        field = fields[name]
        kind = field.get("kind", "text")
        if kind in ("select", "radio"):
            others = [o["id"] for o in field["options"] if o["id"] != key[name]]
            wrong[name] = others[0]
        elif kind == "checkbox":
            ids = [o["id"] for o in field["options"]]
            wrong[name] = [i for i in ids if i not in key[name]] or []
        elif kind == "date":
            wrong[name] = "1900-01-01"
        else:
            wrong[name] = "zzqxw"
        return wrong

    def error_field(self, body: Mapping[str, Any], code: str) -> str:
        fields = body.get("fields") or [{"id": ""}]
        return field_name("field", fields[0]["id"])


def field_right(field: Mapping[str, Any], key: Mapping[str, Any], value: Any) -> bool:
    """Whether one field holds what the key expects (a field the key omits is always right);
    :class:`InvalidResponse` when its value is malformed."""
    name, kind = field["id"], field.get("kind", "text")
    options = {o["id"] for o in field.get("options", [])}
    if kind == "checkbox":
        chosen = chosen_set(value, options, "une ou plusieurs cases")
        return name not in key or chosen == set(key[name])
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidResponse("text_expected", f"Écrivez du texte dans la case « {name} ».")
    if kind in ("select", "radio"):
        if value and value not in options:
            raise InvalidResponse("unknown_choice", f"Ce choix n'existe pas : {value}.")
        return name not in key or value == key[name]
    if kind == "date":
        if value and iso_date(value) is None:
            raise InvalidResponse("date_expected", "Écrivez une date, par exemple 12/05/1984.")
        expected = key.get(name)
        if expected is None:
            return True
        accepted = [expected] if isinstance(expected, str) else list(expected)
        return iso_date(value) in accepted
    if kind == "number":
        return _number_right(field, key, value)
    if kind == "email" or field.get("compare") == "exact":
        # t1/t2 would take « jmartin@… » for « j.martin@… », « k.haddad » for the login « khaddad »
        return name not in key or value.strip().lower() in {v.strip().lower() for v in key[name]}
    return name not in key or text_matches(value, key[name], FORM_TOLERANCE)


def _number_right(field: Mapping[str, Any], key: Mapping[str, Any], value: str) -> bool:
    """A number box is compared as a number: « 240,00 » is 240, never 24 000 (issue 12)."""
    name = field["id"]
    given = read_quantity(value, zero_led_is_code=False)
    if value.strip() and given is None:
        raise InvalidResponse(
            "number_expected",
            f"Écrivez un nombre dans la case « {field.get('label', name)} », par exemple : 12,5.",
            field=field_name("field", name),
        )
    if name not in key:
        return True
    accepted = [read_quantity(v, zero_led_is_code=False) for v in key[name]]
    return given is not None and same_quantity(given, [q for q in accepted if q is not None])


def field_reason(field: Mapping[str, Any], expected: Any, value: Any) -> Reason:
    """Whether one field holds what the key expects (decided by :func:`field_right`), with
    what was given and expected; a plain text box also says which tolerance matched."""
    label, kind = field.get("label") or field["id"], field.get("kind", "text")
    plain_text = kind not in (*OPTION_KINDS, "date", "number", "email")
    if plain_text and field.get("compare") != "exact":
        return text_reason(value or "", expected, FORM_TOLERANCE, label)
    right = field_right(field, {field["id"]: expected}, value)
    options = {o["id"]: o.get("text") or o["id"] for o in field.get("options", [])}
    if kind == "checkbox":
        given = " ; ".join(options[i] for i in options if i in set(value or []))
        wanted = " ; ".join(options[i] for i in options if i in set(expected))
    elif kind in ("select", "radio"):
        given, wanted = options.get(value or "", value or ""), options.get(expected, expected)
    else:
        accepted = [expected] if isinstance(expected, str) else list(expected)
        given, wanted = value or "", " ; ".join(accepted)
    code = "field_right" if right else "field_wrong"
    return Reason(code, {"given": given, "expected": wanted}, label)


def key_problems(name: str, field: Mapping[str, Any], expected: Any) -> list[Problem]:
    """What is wrong with the key's expected value for one field."""
    kind = field.get("kind", "text")
    options = entry_ids(field.get("options"))
    if kind in ("select", "radio"):
        if not isinstance(expected, str) or expected not in options:
            return [(f"key.{name}", "identifiant d'option attendu")]
    elif kind == "checkbox":
        if not is_str_list(expected) or not set(expected) <= options:
            return [(f"key.{name}", "liste d'identifiants d'options attendue")]
    elif kind == "date":
        accepted = [expected] if isinstance(expected, str) else expected
        if not isinstance(accepted, list) or not all(
            isinstance(v, str) and iso_date(v) == v for v in accepted
        ):
            return [(f"key.{name}", "date ISO (AAAA-MM-JJ) attendue")]
    elif not (
        isinstance(expected, list) and expected and all(isinstance(v, str) for v in expected)
    ):
        return [(f"key.{name}", "liste de valeurs acceptées attendue")]
    elif kind == "number" and any(
        read_quantity(v, zero_led_is_code=False) is None for v in expected
    ):
        return [(f"key.{name}", "nombres attendus (« 240 », « 240 € »), comparés comme nombres")]
    return []


DEFINITIONS = (TaskForm(),)
