"""Front-end assets are local, pinned, and licensed; no page loads anything from another site."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).parents[2]
STATIC = ROOT / "web" / "static"


def test_vendored_pico_matches_the_pinned_npm_version():
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]["@picocss/pico"]
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/@picocss/pico"]["version"] == pinned
    css = (STATIC / "vendor" / "pico" / "pico.jade.min.css").read_text()
    assert f"Pico CSS ✨ v{pinned} " in css[:200]
    assert "MIT" in (STATIC / "vendor" / "pico" / "LICENSE.md").read_text()
    assert pinned in (STATIC / "vendor" / "MANIFEST.md").read_text()


def test_templates_and_css_load_nothing_from_other_sites():
    external = re.compile(
        r"""(src|href)=["']https?://|@import\s+url\(["']?https?://|url\(["']?https?://"""
    )
    offenders = [
        str(path.relative_to(ROOT))
        for path in [*ROOT.glob("web/templates/**/*.html"), *STATIC.glob("**/*.css")]
        if external.search(path.read_text(encoding="utf-8"))
    ]
    assert not offenders


def test_static_files_are_served_with_security_headers(client):
    response = client.get("/static/js/jalon.js")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
