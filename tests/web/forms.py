"""Reading CSRF tokens out of rendered forms, as a browser would."""

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
