"""Server-side checking of the "par le faire" simulated tasks: a webmail, an administrative
form, spotting a scam. The page (journey issue) renders the simulation and posts what the
learner did as plain JSON; the verdict is decided here, never in the browser.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from assessments.checking import InvalidResponse, Problem, pretreat, t1, text_matches
from assessments.models import ItemType

WEBMAIL_ACTIONS = ("open", "reply", "forward", "delete", "send")
FORM_KINDS = ("text", "date", "email", "tel", "select", "radio", "checkbox", "number", "textarea")
FORM_TOLERANCE = ("t1", "t2")


def _addresses(value: Any) -> set[str]:
    if isinstance(value, str):
        value = [v for v in re.split(r"[,;\s]+", value) if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidResponse("addresses_expected", "Écrivez l'adresse du destinataire.")
    return {pretreat(v).strip().lower() for v in value}


def _id_set(value: Any, allowed: set[str], what: str) -> set[str]:
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


def _entry_ids(entries: Any) -> set[str]:
    """The text ids of a list of objects; anything else has none (import validation says so)."""
    if not isinstance(entries, list):
        return set()
    return {e["id"] for e in entries if isinstance(e, Mapping) and isinstance(e.get("id"), str)}


def _mailbox_ids(body: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """Message ids, and every file id that can be attached (mailbox files, received parts)."""
    mailbox = body.get("mailbox")
    if not isinstance(mailbox, Mapping):
        return set(), set()
    messages = mailbox.get("messages")
    files = _entry_ids(mailbox.get("files"))
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, Mapping):
            files |= _entry_ids(message.get("attachments"))
    return _entry_ids(messages), files


def _check_webmail(body: Mapping[str, Any], key: Mapping[str, Any], response: Any) -> bool:
    if not isinstance(response, Mapping):
        raise InvalidResponse("task_expected", "Faites l'action demandée dans la messagerie.")
    messages, files = _mailbox_ids(body)
    action = response.get("action")
    if action not in WEBMAIL_ACTIONS:
        raise InvalidResponse("unknown_action", "Faites l'action demandée dans la messagerie.")
    message = response.get("message")
    if message is not None and message not in messages:
        raise InvalidResponse("unknown_message", "Ce message n'existe pas dans la messagerie.")
    attachments = _id_set(response.get("attachments"), files, "une pièce jointe")
    to = _addresses(response.get("to") or [])
    text = response.get("body") or ""
    if not isinstance(text, str):
        raise InvalidResponse("text_expected", "Écrivez votre message dans la case.")
    if action != key["action"]:
        return False
    if "message" in key and message != key["message"]:
        return False
    if "to" in key and to != {a.strip().lower() for a in key["to"]}:
        return False
    if "attachments" in key and attachments != set(key["attachments"]):
        return False
    written = t1(pretreat(text))
    return all(t1(pretreat(word)) in written for word in key.get("body_contains", []))


def _iso_date(value: str) -> str | None:
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


def _check_form(body: Mapping[str, Any], key: Mapping[str, Any], response: Any) -> bool:
    if not isinstance(response, Mapping):
        raise InvalidResponse("fields_expected", "Remplissez le formulaire.")
    fields = {f["id"]: f for f in body.get("fields", [])}
    unknown = [name for name in response if name not in fields]
    if unknown:
        raise InvalidResponse("unknown_field", f"Cette case n'existe pas : {unknown[0]}.")
    if not any(v not in (None, "", []) for v in response.values()):
        raise InvalidResponse("empty", "Remplissez le formulaire ou choisissez « Je ne sais pas ».")
    right = True
    for name, field in fields.items():
        value = response.get(name)
        kind = field.get("kind", "text")
        options = {o["id"] for o in field.get("options", [])}
        if kind == "checkbox":
            chosen = _id_set(value, options, "une ou plusieurs cases")
            if name in key and chosen != set(key[name]):
                right = False
            continue
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise InvalidResponse("text_expected", f"Écrivez du texte dans la case « {name} ».")
        if kind in ("select", "radio"):
            if value and value not in options:
                raise InvalidResponse("unknown_choice", f"Ce choix n'existe pas : {value}.")
            if name in key and value != key[name]:
                right = False
        elif kind == "date":
            if value and _iso_date(value) is None:
                raise InvalidResponse("date_expected", "Écrivez une date, par exemple 12/05/1984.")
            expected = key.get(name)
            if expected is not None:
                accepted = [expected] if isinstance(expected, str) else list(expected)
                if _iso_date(value) not in accepted:
                    right = False
        elif name in key and not text_matches(value, key[name], FORM_TOLERANCE):
            right = False
    return right


def _check_phishing(body: Mapping[str, Any], key: list[str], response: Any) -> bool:
    samples = {s["id"] for s in body.get("samples", [])}
    chosen = _id_set(response if response is not None else [], samples, "les faux messages")
    return chosen == set(key)


def check_task(kind: ItemType, body: Mapping[str, Any], key: Any, response: Any) -> bool:
    """Whether the learner did what the task asked."""
    if kind is ItemType.TASK_WEBMAIL:
        return _check_webmail(body, key, response)
    if kind is ItemType.TASK_FORM:
        return _check_form(body, key, response)
    if kind is ItemType.TASK_PHISHING:
        return _check_phishing(body, key, response)
    raise ValueError(f"not a task type: {kind}")


def example_right_response(kind: ItemType, body: Mapping[str, Any], key: Any) -> Any:
    """What a learner who does the task right posts."""
    if kind is ItemType.TASK_WEBMAIL:
        response: dict[str, Any] = {"action": key["action"]}
        for name in ("message", "to", "attachments"):
            if name in key:
                response[name] = key[name]
        response["body"] = "Bonjour, " + " ".join(key.get("body_contains", [])) + " Merci."
        return response
    if kind is ItemType.TASK_FORM:
        response = {}
        for field in body.get("fields", []):
            expected = key.get(field["id"])
            if expected is None:
                continue
            if field.get("kind") in ("select", "radio", "checkbox"):
                response[field["id"]] = expected
            else:
                response[field["id"]] = expected if isinstance(expected, str) else expected[0]
        return response
    return list(key)


def example_wrong_response(kind: ItemType, body: Mapping[str, Any], key: Any) -> Any:
    """A well-formed attempt at the task that misses what was asked."""
    if kind is ItemType.TASK_WEBMAIL:
        wrong = example_right_response(kind, body, key)
        wrong["action"] = "delete" if key["action"] != "delete" else "open"
        return wrong
    if kind is ItemType.TASK_FORM:
        wrong = example_right_response(kind, body, key)
        fields = {f["id"]: f for f in body.get("fields", [])}
        name = next(iter(wrong))
        field = fields[name]
        kind_ = field.get("kind", "text")
        if kind_ in ("select", "radio"):
            others = [o["id"] for o in field["options"] if o["id"] != key[name]]
            wrong[name] = others[0]
        elif kind_ == "checkbox":
            ids = [o["id"] for o in field["options"]]
            wrong[name] = [i for i in ids if i not in key[name]] or []
        elif kind_ == "date":
            wrong[name] = "1900-01-01"
        else:
            wrong[name] = "zzqxw"
        return wrong
    samples = [s["id"] for s in body.get("samples", [])]
    return [s for s in samples if s not in key]


def _entry_problems(entries: Any, path: str, what: str) -> list[Problem]:
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


def _str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def task_problems(kind: ItemType, body: Mapping[str, Any], key: Any) -> list[Problem]:
    """Body and key checks for a task item (import validation)."""
    problems: list[Problem] = []
    if kind is ItemType.TASK_WEBMAIL:
        mailbox = body.get("mailbox")
        if not isinstance(mailbox, Mapping) or not isinstance(mailbox.get("messages"), list):
            return [("body.mailbox.messages", "liste de messages attendue")]
        for i, message in enumerate(mailbox["messages"]):
            if not isinstance(message, Mapping) or not isinstance(message.get("id"), str):
                problems.append((f"body.mailbox.messages[{i}].id", "identifiant manquant"))
            else:
                problems += _entry_problems(
                    message.get("attachments"),
                    f"body.mailbox.messages[{i}].attachments",
                    "de pièces jointes",
                )
        problems += _entry_problems(mailbox.get("files"), "body.mailbox.files", "de fichiers")
        messages, files = _mailbox_ids(body)
        if not isinstance(key, Mapping):
            return [*problems, ("key", 'task_webmail : la clé est un objet {"action": …}')]
        if key.get("action") not in WEBMAIL_ACTIONS:
            problems.append(("key.action", f"action parmi {', '.join(WEBMAIL_ACTIONS)}"))
        if "message" in key and not isinstance(key["message"], str):
            problems.append(("key.message", "identifiant de message (texte) attendu"))
        elif "message" in key and key["message"] not in messages:
            problems.append(("key.message", f"message inconnu : {key['message']}"))
        if "to" in key and not _str_list(key["to"]):
            problems.append(("key.to", "liste d'adresses attendue"))
        if "attachments" in key and not _str_list(key["attachments"]):
            problems.append(("key.attachments", "liste d'identifiants de pièces jointes attendue"))
        elif "attachments" in key and not set(key["attachments"]) <= files:
            problems.append(("key.attachments", "pièces jointes inconnues"))
        if "body_contains" in key and not (
            isinstance(key["body_contains"], list)
            and all(isinstance(w, str) for w in key["body_contains"])
        ):
            problems.append(("key.body_contains", "liste de mots attendue"))
    elif kind is ItemType.TASK_FORM:
        fields = body.get("fields")
        if not isinstance(fields, list) or not fields:
            return [("body.fields", "liste de champs attendue")]
        by_id: dict[str, Mapping[str, Any]] = {}
        for i, field in enumerate(fields):
            if not isinstance(field, Mapping) or not isinstance(field.get("id"), str):
                problems.append((f"body.fields[{i}].id", "identifiant manquant"))
                continue
            if field.get("kind", "text") not in FORM_KINDS:
                problems.append((f"body.fields[{i}].kind", f"type parmi {', '.join(FORM_KINDS)}"))
            if field.get("kind") in ("select", "radio", "checkbox") and not field.get("options"):
                problems.append((f"body.fields[{i}].options", "options attendues"))
            problems += _entry_problems(
                field.get("options"), f"body.fields[{i}].options", "d'options"
            )
            by_id[field["id"]] = field
        if not isinstance(key, Mapping) or not key:
            return [*problems, ("key", "task_form : la clé est un objet champ → valeur attendue")]
        for name, expected in key.items():
            field = by_id.get(name)
            if field is None:
                problems.append((f"key.{name}", "champ inconnu"))
                continue
            kind_ = field.get("kind", "text")
            options = _entry_ids(field.get("options"))
            if kind_ in ("select", "radio"):
                if not isinstance(expected, str) or expected not in options:
                    problems.append((f"key.{name}", "identifiant d'option attendu"))
            elif kind_ == "checkbox":
                if not _str_list(expected) or not set(expected) <= options:
                    problems.append((f"key.{name}", "liste d'identifiants d'options attendue"))
            elif kind_ == "date":
                accepted = [expected] if isinstance(expected, str) else expected
                if not isinstance(accepted, list) or not all(
                    isinstance(v, str) and _iso_date(v) == v for v in accepted
                ):
                    problems.append((f"key.{name}", "date ISO (AAAA-MM-JJ) attendue"))
            elif not (
                isinstance(expected, list)
                and expected
                and all(isinstance(v, str) for v in expected)
            ):
                problems.append((f"key.{name}", "liste de valeurs acceptées attendue"))
    elif kind is ItemType.TASK_PHISHING:
        samples = body.get("samples")
        if not isinstance(samples, list) or not samples:
            return [("body.samples", "liste d'exemples attendue")]
        problems += _entry_problems(samples, "body.samples", "d'exemples")
        ids = _entry_ids(samples)
        if not isinstance(key, list) or not all(isinstance(k, str) for k in key):
            problems.append(("key", "task_phishing : la clé est la liste des faux (identifiants)"))
        elif not set(key) <= ids:
            problems.append(("key", f"exemples inconnus : {sorted(set(key) - ids)}"))
    return problems


__all__ = ["check_task", "example_right_response", "example_wrong_response", "task_problems"]
