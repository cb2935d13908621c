"""In real Chromium, a signed-in person moving from page to page fetches each stylesheet and
script once: hashed addresses cached for a year, with no ``Vary: Cookie`` to void them when the
session cookie changes (it does, at every page)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect


class StaticHits:
    """WSGI wrapper counting the static requests that reach the server."""

    def __init__(self, wrapped) -> None:
        self.wrapped = wrapped
        self.paths: list[str] = []

    def __call__(self, environ, start_response):
        if environ.get("PATH_INFO", "").startswith("/static/"):
            self.paths.append(environ["PATH_INFO"])
        return self.wrapped(environ, start_response)


@pytest.fixture
def static_hits(live_server) -> Iterator[StaticHits]:
    app = live_server.app
    hits = StaticHits(app.wsgi_app)
    app.wsgi_app = hits
    try:
        yield hits
    finally:
        app.wsgi_app = hits.wrapped


def test_pages_after_the_first_fetch_no_static_file_again(page, live_server, login, static_hits):
    login(page, "sdupont")
    for path in ("/apprenant/badges", "/apprenant/"):
        page.goto(live_server(path))
    assert any(path.endswith("jalon.css") for path in static_hits.paths)
    assert any(path.endswith("wallet.css") for path in static_hits.paths)
    static_hits.paths.clear()
    for path in ("/apprenant/badges", "/apprenant/"):
        page.goto(live_server(path))
    expect(page.get_by_role("heading", level=1)).to_have_text("Bonjour Sophie Dupont")
    assert static_hits.paths == []
