"""Driving a Flask test client as a browser would: CSRF tokens read out of rendered forms,
forms posted with them, a user signed in."""

from __future__ import annotations

import html
import re

_TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client, path: str) -> str:
    page = client.get(path).get_data(as_text=True)
    match = _TOKEN.search(page)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def submit(client, path: str, data: dict[str, str], form_path: str | None = None):
    """POST ``data`` with the CSRF token of the form at ``form_path`` (default: ``path``)."""
    return client.post(path, data={**data, "csrf_token": csrf_token(client, form_path or path)})


def text(response) -> str:
    """The page as a reader sees it (entities decoded)."""
    return html.unescape(response.get_data(as_text=True))


def login_as(client, user) -> None:
    """Sign ``user`` in on a Flask test client without a login request (no rate limit used)."""
    with client.session_transaction() as cookie:
        cookie["_user_id"] = user.get_id()
        cookie["_fresh"] = True
