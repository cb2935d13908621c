"""``task_webmail`` (« par le faire »): do what is asked in a practice mailbox (open, reply,
forward with an attachment, delete, write a new message).

The page reads messages through plain links (``?message=m2&ecrire=forward``: nothing is
written) and posts an action: ``mail_action`` is ``done`` (« J'ai terminé » after opening a
message), ``delete``, or the draft's ``reply`` / ``forward`` / ``send``.
"""

from __future__ import annotations

import re
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
    is_str_list,
)
from assessments.models import ItemType
from assessments.response_errors import InvalidResponse
from assessments.tolerances import pretreat, t1

WEBMAIL_ACTIONS = ("open", "reply", "forward", "delete", "send")
WEBMAIL_COMPOSE = ("reply", "forward", "send")
DONE = "done"  # « J'ai terminé » after opening a message


def _addresses(value: Any) -> set[str]:
    if isinstance(value, str):
        value = [v for v in re.split(r"[,;\s]+", value) if v]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise InvalidResponse("addresses_expected", "Écrivez l'adresse du destinataire.")
    return {pretreat(v).strip().lower() for v in value}


def _mailbox_ids(body: Mapping[str, Any]) -> tuple[set[str], set[str]]:
    """Message ids, and every file id that can be attached (mailbox files, received parts)."""
    mailbox = body.get("mailbox")
    if not isinstance(mailbox, Mapping):
        return set(), set()
    messages = mailbox.get("messages")
    files = entry_ids(mailbox.get("files"))
    for message in messages if isinstance(messages, list) else []:
        if isinstance(message, Mapping):
            files |= entry_ids(message.get("attachments"))
    return entry_ids(messages), files


class TaskWebmail(ItemTypeDefinition):
    kind = ItemType.TASK_WEBMAIL
    template = "learner/items/task_webmail.html"
    own_form = True

    def read_form(self, body: Mapping[str, Any], form: Posted) -> Any:
        action = form.one("mail_action")
        message = form.one("message") or None
        if action == DONE:
            if not message:
                raise InvalidResponse(
                    "message_not_opened",
                    "Ouvrez un message, puis appuyez sur « J'ai terminé ».",
                    field="mailbox",
                )
            return {"action": "open", "message": message}
        if action == "delete":
            return {"action": "delete", "message": message}
        if action not in WEBMAIL_COMPOSE:
            raise InvalidResponse(
                "unknown_action", "Faites l'action demandée dans la messagerie.", field="mailbox"
            )
        to = form.one("to").strip()
        if not to:
            raise InvalidResponse(
                "address_missing",
                "Écrivez l'adresse du destinataire, par exemple : nom@mail.example.",
                field="to",
            )
        response: dict[str, Any] = {
            "action": action,
            "to": to,
            "attachments": form.many("attachment"),
            "body": form.one("mail_body"),
        }
        if message:
            response["message"] = message
        return response

    def check(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> bool:
        if not isinstance(response, Mapping):
            raise InvalidResponse("task_expected", "Faites l'action demandée dans la messagerie.")
        messages, files = _mailbox_ids(body)
        action = response.get("action")
        if action not in WEBMAIL_ACTIONS:
            raise InvalidResponse("unknown_action", "Faites l'action demandée dans la messagerie.")
        message = response.get("message")
        if message is not None and message not in messages:
            raise InvalidResponse("unknown_message", "Ce message n'existe pas dans la messagerie.")
        attachments = chosen_set(response.get("attachments"), files, "une pièce jointe")
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

    def explain(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> list[Reason]:
        if self.check(body, key, response, tolerance):
            return [Reason("mail_right", {"action": key["action"]})]
        mailbox = body.get("mailbox") or {}
        subjects = {m["id"]: m.get("subject") or m["id"] for m in mailbox.get("messages", [])}
        files = {f["id"]: f.get("name") or f["id"] for f in mailbox.get("files") or []}
        for message in mailbox.get("messages", []):
            files.update(
                {f["id"]: f.get("name") or f["id"] for f in message.get("attachments") or []}
            )
        reasons = []
        if response.get("action") != key["action"]:
            reasons.append(
                Reason(
                    "mail_action_wrong",
                    {"given": response.get("action"), "expected": key["action"]},
                )
            )
        if "message" in key and response.get("message") != key["message"]:
            given = subjects.get(response.get("message") or "", "")
            reasons.append(
                Reason("mail_message_wrong", {"given": given, "expected": subjects[key["message"]]})
            )
        to = _addresses(response.get("to") or [])
        if "to" in key and to != {a.strip().lower() for a in key["to"]}:
            shown = {"given": ", ".join(sorted(to)), "expected": ", ".join(key["to"])}
            reasons.append(Reason("mail_to_wrong", shown))
        attached = set(response.get("attachments") or [])
        if "attachments" in key and attached != set(key["attachments"]):
            shown = {
                "given": " ; ".join(files[f] for f in sorted(attached)),
                "expected": " ; ".join(files[f] for f in key["attachments"]),
            }
            reasons.append(Reason("mail_attachments_wrong", shown))
        written = t1(pretreat(response.get("body") or ""))
        missing = [w for w in key.get("body_contains", []) if t1(pretreat(w)) not in written]
        if missing:
            reasons.append(Reason("mail_words_missing", {"words": " ; ".join(missing)}))
        return reasons

    def problems(self, body: Mapping[str, Any], key: Any) -> list[Problem]:
        mailbox = body.get("mailbox")
        if not isinstance(mailbox, Mapping) or not isinstance(mailbox.get("messages"), list):
            return [("body.mailbox.messages", "liste de messages attendue")]
        problems: list[Problem] = []
        for i, message in enumerate(mailbox["messages"]):
            if not isinstance(message, Mapping) or not isinstance(message.get("id"), str):
                problems.append((f"body.mailbox.messages[{i}].id", "identifiant manquant"))
            else:
                problems += entry_problems(
                    message.get("attachments"),
                    f"body.mailbox.messages[{i}].attachments",
                    "de pièces jointes",
                )
        problems += entry_problems(mailbox.get("files"), "body.mailbox.files", "de fichiers")
        if not isinstance(key, Mapping):
            return [*problems, ("key", 'task_webmail : la clé est un objet {"action": …}')]
        return problems + _key_problems(body, key)

    def right_response(self, body: Mapping[str, Any], key: Any) -> Any:
        response: dict[str, Any] = {"action": key["action"]}
        for name in ("message", "to", "attachments"):
            if name in key:
                response[name] = key[name]
        response["body"] = "Bonjour, " + " ".join(key.get("body_contains", [])) + " Merci."
        return response

    def wrong_response(self, body: Mapping[str, Any], key: Any) -> Any:
        wrong = self.right_response(body, key)
        wrong["action"] = "delete" if key["action"] != "delete" else "open"
        return wrong

    def error_field(self, body: Mapping[str, Any], code: str) -> str:
        return "to" if code == "addresses_expected" else "mailbox"

    def page_state(self, body: Mapping[str, Any], values: Posted) -> dict[str, Any]:
        """The inbox, the message opened (``message``) and the draft being written (``ecrire``,
        or the ``mail_action`` of a draft sent back with an error)."""
        mailbox = body.get("mailbox") or {}
        messages = {m["id"]: m for m in mailbox.get("messages", [])}
        opened = values.one("message")
        compose = values.one("ecrire") or values.one("mail_action")
        if opened not in messages:
            opened = None
        if compose not in WEBMAIL_COMPOSE or (compose != "send" and opened is None):
            compose = None
        files = list(mailbox.get("files") or [])
        if opened:
            files = list(messages[opened].get("attachments") or []) + files
        return {
            "messages": list(messages.values()),
            "opened": messages.get(opened) if opened else None,
            "compose": compose,
            "files": files,
            "owner": mailbox.get("owner", ""),
        }


def _key_problems(body: Mapping[str, Any], key: Mapping[str, Any]) -> list[Problem]:
    problems: list[Problem] = []
    messages, files = _mailbox_ids(body)
    if key.get("action") not in WEBMAIL_ACTIONS:
        problems.append(("key.action", f"action parmi {', '.join(WEBMAIL_ACTIONS)}"))
    if "message" in key and not isinstance(key["message"], str):
        problems.append(("key.message", "identifiant de message (texte) attendu"))
    elif "message" in key and key["message"] not in messages:
        problems.append(("key.message", f"message inconnu : {key['message']}"))
    if "to" in key and not is_str_list(key["to"]):
        problems.append(("key.to", "liste d'adresses attendue"))
    if "attachments" in key and not is_str_list(key["attachments"]):
        problems.append(("key.attachments", "liste d'identifiants de pièces jointes attendue"))
    elif "attachments" in key and not set(key["attachments"]) <= files:
        problems.append(("key.attachments", "pièces jointes inconnues"))
    if "body_contains" in key and not is_str_list(key["body_contains"]):
        problems.append(("key.body_contains", "liste de mots attendue"))
    return problems


DEFINITIONS = (TaskWebmail(),)
