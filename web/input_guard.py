"""Requests carrying a NUL character are refused with a French 400 before any view runs.

No form, address or JSON document of Jalon needs one, PostgreSQL refuses it in text columns
(a 500 otherwise) and some parsers stop at it: refusing it once, here, is simpler and safer
than teaching every field about it.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, request
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge

NUL = "\x00"


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


def _sent_fields() -> list[str]:
    """Address, query string and form fields: everything a view may read as text."""
    fields = [request.path]
    sources = [request.args]
    if request.mimetype in _FORM_TYPES:
        sources.append(request.form)
    for source in sources:
        for name, values in source.lists():
            fields.append(name)
            fields.extend(values)
    return fields


_FORM_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data"}


def _json_body() -> Any:
    """The JSON sent, if any; a body over the size limit is left to the view's own message."""
    if not request.is_json:
        return None
    try:
        return request.get_json(silent=True)
    except RequestEntityTooLarge:
        return None


def refuse_nul_bytes() -> None:
    """``before_request``: a NUL anywhere in what was sent gives a 400 with a plain message."""
    json_body = _json_body()
    if any(NUL in field for field in _sent_fields()) or _holds_nul(json_body):
        abort(
            400,
            description=_(
                "Ce qui a été envoyé contient un caractère invisible interdit. "
                "Retapez le texte et réessayez."
            ),
        )


def register(app: Flask) -> None:
    # Before the access decision: the answer does not depend on who asks.
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul_bytes)
