"""Forms of the learner's journey: joining a campaign, answering an item.

An item's fields depend on its type, so the answer form carries only what every item shares
(the CSRF token, the item asked, the button pressed); ``read_response`` turns the posted fields
into the response shape ``assessments.checking`` expects (FORMAT.md), or a French error tied to
the field that needs fixing. Whether the answer is *right* is never decided here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from assessments.models import Item, ItemType

SKIP = "skip"
ANSWER = "answer"
DONE = "done"  # webmail: "J'ai terminé" after opening a message
WEBMAIL_COMPOSE = ("reply", "forward", "send")


class JoinForm(FlaskForm):
    code = StringField(
        _l("Code de l'évaluation"),
        description=_l("Le code est sur la feuille de votre formateur, par exemple : CRCN-PA33."),
        validators=[
            DataRequired(_l("Écrivez le code de l'évaluation, par exemple : CRCN-PA33.")),
            Length(max=32, message=_l("Ce code est trop long : il a 8 lettres ou chiffres.")),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class StartForm(FlaskForm):
    """The "Commencer" button of a campaign link: only the CSRF token."""


class AnswerForm(FlaskForm):
    item_id = HiddenField()


class AdjustmentForm(FlaskForm):
    """Toggle "plus de temps / pause" (an accessibility adjustment)."""


@dataclass
class ReadResponse:
    """What the learner posted: the response for the checker, or errors per field id."""

    response: Any = None
    errors: dict[str, str] | None = None
    action: str | None = None  # webmail action


def field_name(kind: str, identifier: str = "") -> str:
    """Form field names, shared by the templates and this parser."""
    return f"{kind}-{identifier}" if identifier else kind


def _ids(entries: list[dict[str, Any]] | None) -> list[str]:
    return [e["id"] for e in entries or []]


def read_response(item: Item, form: MultiDict) -> ReadResponse:
    """The response shape of FORMAT.md from posted fields, or errors (French, per field)."""
    kind = ItemType(item.type)
    body = item.body or {}
    if kind is ItemType.QCU:
        chosen = form.get("choice")
        if not chosen:
            return ReadResponse(errors={"choices": _l("Choisissez une réponse dans la liste.")})
        return ReadResponse(chosen)
    if kind in (ItemType.QCM, ItemType.TASK_PHISHING):
        chosen = form.getlist("choice")
        if kind is ItemType.QCM and not chosen:
            return ReadResponse(errors={"choices": _l("Cochez au moins une réponse.")})
        return ReadResponse(chosen)
    if kind is ItemType.QROC:
        text = form.get("text", "")
        if not text.strip():
            return ReadResponse(
                errors={"text": _l("Écrivez une réponse, ou choisissez « Je ne sais pas ».")}
            )
        return ReadResponse(text)
    if kind is ItemType.NUMBER:
        text = form.get("number", "")
        if not text.strip():
            return ReadResponse(
                errors={"number": _l("Écrivez un nombre, ou choisissez « Je ne sais pas ».")}
            )
        return ReadResponse(text)
    if kind in (ItemType.QROCM_IND, ItemType.QROCM_DEP):
        values = {fid: form.get(field_name("field", fid), "") for fid in _ids(body.get("fields"))}
        if not any(v.strip() for v in values.values()):
            first = field_name("field", next(iter(values), ""))
            return ReadResponse(
                errors={
                    first: _l("Remplissez au moins une case, ou choisissez « Je ne sais pas ».")
                }
            )
        return ReadResponse(values)
    if kind is ItemType.ORDERING:
        return _read_ordering(body, form)
    if kind is ItemType.MATCHING:
        pairs = {}
        for left in _ids(body.get("left")):
            value = form.get(field_name("pair", left), "")
            if not value:
                return ReadResponse(
                    errors={
                        field_name("pair", left): _l("Choisissez une réponse pour chaque ligne.")
                    }
                )
            pairs[left] = value
        return ReadResponse(pairs)
    if kind is ItemType.TASK_FORM:
        values: dict[str, Any] = {}
        for field in body.get("fields", []):
            name = field_name("field", field["id"])
            if field.get("kind") == "checkbox":
                values[field["id"]] = form.getlist(name)
            else:
                values[field["id"]] = form.get(name, "")
        if not any(v not in ("", []) for v in values.values()):
            first = field_name("field", body["fields"][0]["id"]) if body.get("fields") else "form"
            return ReadResponse(
                errors={first: _l("Remplissez le formulaire, ou choisissez « Je ne sais pas ».")}
            )
        return ReadResponse(values)
    if kind is ItemType.TASK_WEBMAIL:
        return _read_webmail(form)
    raise ValueError(f"unknown item type {kind}")


def _read_ordering(body: dict[str, Any], form: MultiDict) -> ReadResponse:
    ids = _ids(body.get("items"))
    positions: dict[str, int] = {}
    for identifier in ids:
        raw = form.get(field_name("position", identifier), "")
        try:
            position = int(raw)
        except ValueError:
            return ReadResponse(
                errors={
                    field_name("position", identifier): _l("Choisissez une place dans la liste.")
                }
            )
        if not 1 <= position <= len(ids):
            return ReadResponse(
                errors={
                    field_name("position", identifier): _l("Choisissez une place dans la liste.")
                }
            )
        positions[identifier] = position
    seen: dict[int, str] = {}
    for identifier in ids:
        if positions[identifier] in seen:
            return ReadResponse(
                errors={
                    field_name("position", identifier): _l(
                        "Deux étapes ont la même place. Donnez une place différente à chaque étape."
                    )
                }
            )
        seen[positions[identifier]] = identifier
    return ReadResponse(sorted(ids, key=lambda i: positions[i]))


def _read_webmail(form: MultiDict) -> ReadResponse:
    action = form.get("mail_action", "")
    message = form.get("message") or None
    if action == DONE:
        if not message:
            return ReadResponse(
                errors={"mailbox": _l("Ouvrez un message, puis appuyez sur « J'ai terminé ».")}
            )
        return ReadResponse({"action": "open", "message": message}, action="open")
    if action == "delete":
        return ReadResponse({"action": "delete", "message": message}, action="delete")
    if action in WEBMAIL_COMPOSE:
        to = form.get("to", "").strip()
        if not to:
            return ReadResponse(
                errors={
                    "to": _l("Écrivez l'adresse du destinataire, par exemple : nom@mail.example.")
                },
                action=action,
            )
        response: dict[str, Any] = {
            "action": action,
            "to": to,
            "attachments": form.getlist("attachment"),
            "body": form.get("mail_body", ""),
        }
        if message:
            response["message"] = message
        return ReadResponse(response, action=action)
    return ReadResponse(errors={"mailbox": _l("Faites l'action demandée dans la messagerie.")})
