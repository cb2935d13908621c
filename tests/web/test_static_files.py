"""Static files: content-hashed URLs in every page, a year's cache for the current hash, a short
one for any other, and no database work (nor session cookie) for a static request."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import pytest
from flask import url_for
from sqlalchemy import event

from web.extensions import login_manager
from web.static_files import StaticManifest

ROOT = Path(__file__).parents[2]
STATIC = ROOT / "web" / "static"
ASSET = re.compile(r"""(?:href|src)="(/static/[^"]+)\"""")
LONG = "public, max-age=31536000, immutable"


def content_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def assets_in(response) -> list[str]:
    return ASSET.findall(response.get_data(as_text=True))


@pytest.mark.parametrize(
    ("role", "path"),
    [("anonymous", "/connexion"), ("anonymous", "/verifier"), ("learner", "/apprenant/")],
)
def test_every_asset_link_carries_the_hash_of_the_file_content(client_as, role, path):
    response = client_as(role).get(path)
    assert response.status_code == 200
    links = assets_in(response)
    assert any("pico" in link for link in links)
    for link in links:
        filename, _sep, version = link.removeprefix("/static/").partition("?v=")
        assert version == content_hash(STATIC / filename), link


def test_no_template_writes_a_static_address_by_hand():
    by_hand = [
        str(path.relative_to(ROOT))
        for path in ROOT.glob("web/**/templates/**/*.html")
        if re.search(r"""(href|src)=["']/static/""", path.read_text(encoding="utf-8"))
    ]
    assert not by_hand


def test_the_current_hash_is_cached_for_a_year_without_cookie(client_as):
    client = client_as("learner")
    link = next(link for link in assets_in(client.get("/apprenant/")) if "jalon.css" in link)
    response = client.get(link)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == LONG
    assert response.data == (STATIC / "css" / "jalon.css").read_bytes()
    assert "Set-Cookie" not in response.headers
    assert "cookie" not in response.headers.get("Vary", "").lower()
    assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("query", ["?v=0123456789abcdef", ""])
def test_a_stale_or_missing_hash_gets_a_short_cache(client, query):
    response = client.get(f"/static/css/jalon.css{query}")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "public, max-age=60"
    assert "immutable" not in response.headers["Cache-Control"]


def test_a_missing_file_is_a_404(client):
    assert client.get("/static/css/nothing-here.css?v=0123456789abcdef").status_code == 404
    assert client.get("/static/../pyproject.toml").status_code == 404


def test_a_changed_file_changes_its_url(app, client, tmp_path):
    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css" / "site.css"
    sheet.write_text("body { color: black; }")
    app.static_folder = str(tmp_path)
    app.extensions["jalon_static"] = StaticManifest(tmp_path)
    with app.test_request_context():
        before = url_for("static", filename="css/site.css")
    sheet.write_text("body { color: navy; }")
    stat = sheet.stat()
    os.utime(sheet, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with app.test_request_context():
        after = url_for("static", filename="css/site.css")

    assert before != after
    assert after.endswith(f"?v={content_hash(sheet)}")
    assert client.get(after).headers["Cache-Control"] == LONG
    old = client.get(before)
    assert old.data == b"body { color: navy; }"
    assert "immutable" not in old.headers["Cache-Control"]


def test_a_file_added_after_start_gets_its_hash_and_names_outside_stay_unversioned(tmp_path):
    static = StaticManifest(tmp_path)
    assert static.version("late.css") is None  # asked before it exists: its path is remembered
    (tmp_path / "late.css").write_text("p { margin: 0; }")
    assert static.version("late.css") == content_hash(tmp_path / "late.css")
    (tmp_path.parent / "outside.css").write_text("p {}")
    assert static.version("../outside.css") is None
    assert static.version("../outside.css") is None


def test_a_static_request_neither_loads_the_user_nor_queries_the_database(
    app, client_as, monkeypatch
):
    from web.database import db

    client = client_as("learner")
    loads: list[str] = []
    loader = login_manager._user_callback
    monkeypatch.setattr(
        login_manager, "_user_callback", lambda user_id: loads.append(user_id) or loader(user_id)
    )
    statements: list[str] = []
    with app.app_context():
        engine = db.engine

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get("/apprenant/")
        assert page.status_code == 200
        assert loads and statements  # the counters see a page's work
        loads.clear()
        statements.clear()
        for link in assets_in(page):
            assert client.get(link).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert loads == []
    assert statements == []


def test_templates_build_a_static_or_a_plain_url_once_per_version_and_mount_point(app, tmp_path):
    from web.static_files import template_url_for

    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css" / "page.css"
    sheet.write_text("p { margin: 0; }")
    app.static_folder = str(tmp_path)
    app.extensions["jalon_static"] = StaticManifest(tmp_path)
    assert app.jinja_env.globals["url_for"] is template_url_for
    with app.test_request_context():
        first = template_url_for("static", filename="css/page.css")
        assert first == url_for("static", filename="css/page.css")
        assert template_url_for("static", filename="css/page.css") is first  # looked up
        # So is an endpoint named without values; with values, or relative, it is built.
        login = template_url_for("auth.login")
        assert login == url_for("auth.login") and template_url_for("auth.login") is login
        page = template_url_for("learner.answer", session_id=7)
        assert page == url_for("learner.answer", session_id=7)
        assert template_url_for("learner.answer", session_id=8).endswith("/8/reponse")
        external = template_url_for("static", filename="css/page.css", _external=True)
        assert external == url_for("static", filename="css/page.css", _external=True)
        assert "://" in external
    sheet.write_text("p { margin: 1em; }")
    stat = sheet.stat()
    os.utime(sheet, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    with app.test_request_context():
        changed = template_url_for("static", filename="css/page.css")
    assert changed != first and changed.endswith(f"?v={content_hash(sheet)}")
    with app.test_request_context("/", base_url="http://localhost/jalon/"):
        assert template_url_for("static", filename="css/page.css").startswith("/jalon/static/")
        assert template_url_for("auth.login") == "/jalon/connexion"
