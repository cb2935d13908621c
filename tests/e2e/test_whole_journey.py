"""The whole beneficiary journey in real Chromium, as a demo learner does it with clicks and
typing: log in → join by code → one item of each type (the three practice tasks included) →
results → badge issued → the baked PNG and the QR code downloaded from « Mes badges » → log out
→ an employer uploads the PNG on /verifier (« Badge valide ») and scans the QR code (it decodes
to /c/<id>, « Badge valide ») → the trainer revokes the badge → the same page says « révoqué ».

Run on a desktop window (measuring each page's weight: bytes transferred, cache off, written to
``test-artifacts/page-weights.txt``) and on a 360 × 740 touch phone (a full-page screenshot of
every page in ``test-artifacts/phone/``, and no page wider than the screen)."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import zxingcpp
from PIL import Image
from playwright.sync_api import Page, expect

from assessments.models import ItemType
from badges.ob3 import baking
from learners.demo import DEMO_PASSWORD
from tests.e2e.journey_steps import (
    Visit,
    download,
    log_in,
    log_out,
    open_first_badge,
    publish_badge,
    take_tour,
    verdict,
    verify_upload,
)

FIRST_BUTTON_BOTTOM = """() => {
  const button = document.querySelector('main button[type=submit], main [role=button]');
  return button ? button.getBoundingClientRect().bottom + window.scrollY : null;
}"""
ANSWER_BUTTON_IN_VIEW = """() => {
  const button = document.querySelector(
    '.answer-actions button[value=answer], .answer-actions button[type=submit]');
  if (!button) return null;
  const box = button.getBoundingClientRect();
  return box.top >= 0 && box.bottom <= window.innerHeight;
}"""
PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}


@dataclass
class Walked:
    badge_id: str
    types: list[ItemType]
    png: Path
    qr: Path


def walk(page: Page, server, user: str, code: str, visit: Visit, folder: Path) -> Walked:
    """The journey up to the employer's scan; every page passes through ``visit``."""
    log_in(page, server, user, DEMO_PASSWORD, visit)
    taken = take_tour(page, server, code, visit)
    expect(page.get_by_text("Bravo, vous avez gagné le badge").first).to_be_visible()
    visit(page, "résultats")
    badge_id = open_first_badge(page, visit)
    publish_badge(page, visit)
    png = download(page, "Télécharger mon badge (image)", folder)
    qr = download(page, "Télécharger le code QR (image PNG)", folder)
    log_out(page)
    visit(page, "déconnecté")

    verify_upload(page, server, png, visit)
    expect(page.get_by_role("heading", name="Badge valide")).to_be_visible()
    assert verdict(page) == "valid"
    visit(page, "vérification du fichier")
    return Walked(badge_id, taken.types, png, qr)


def scan_and_revoke(page: Page, server, walked: Walked, visit: Visit) -> None:
    """The QR code leads to the badge's public page; after revocation it says so."""
    decoded = zxingcpp.read_barcodes(Image.open(walked.qr))
    assert len(decoded) == 1
    url = decoded[0].text
    assert url.startswith(server(f"/c/{walked.badge_id}")), url
    page.goto(url)
    expect(page.get_by_role("heading", name="Badge valide")).to_be_visible()
    visit(page, "badge public (code QR)")

    from web.cli.badges import badges

    revoked = server.app.test_cli_runner().invoke(
        badges, ["revoke", walked.badge_id, "--reason", "Badge délivré par erreur."]
    )
    assert revoked.exit_code == 0, revoked.output
    page.reload()
    expect(page.get_by_role("heading", name="Badge révoqué")).to_be_visible()
    expect(page.get_by_text("Badge délivré par erreur.")).to_be_visible()
    assert verdict(page) == "revoked"
    visit(page, "badge public révoqué")


def check_issued(server, user: str, walked: Walked) -> None:
    """Every item type was met, and the downloaded PNG carries the stored, signed badge."""
    from sqlalchemy import select

    from badges.models import Credential
    from learners.models import User
    from web.database import db

    assert sorted(t.value for t in walked.types) == sorted(t.value for t in ItemType)
    with server.app.app_context():
        credential = db.session.scalar(
            select(Credential).where(Credential.public_id == walked.badge_id)
        )
        owner = db.session.get(User, credential.learner.user_id)
        assert user in (owner.username, owner.email)
        assert json.loads(baking.unbake(walked.png.read_bytes())) == json.loads(
            credential.signed_json
        )


class Screenshots:
    """A full-page screenshot per visited page, numbered in journey order, plus what the
    first screen shows (``-screen``): fixed bars only appear there."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.png"):
            old.unlink()
        self.taken: list[str] = []

    def __call__(self, page: Page, name: str) -> None:
        self.taken.append(name)
        plain = unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")
        page.screenshot(path=self.folder / f"{len(self.taken):02d}-{slug}.png", full_page=True)
        page.screenshot(path=self.folder / f"{len(self.taken):02d}-{slug}-screen.png")


# ------------------------------------------------------------------------------ page weights

PAGE_TYPES = ("document", "stylesheet", "script", "image", "font", "fetch", "xhr")


@dataclass
class PageWeights:
    """Bytes on the wire (headers + body) per page: responses between two visits belong to the
    page reached by the second (a POST, its redirect and the page it leads to count together)."""

    pending: list[tuple[str, str, int]] = field(default_factory=list)
    rows: list[tuple[str, int, int, int]] = field(default_factory=list)

    def listen(self, request) -> None:
        if request.resource_type not in PAGE_TYPES:
            return
        try:
            sizes = request.sizes()
        except Exception:  # a download hands its body to the browser, not the page
            return
        size = sizes["responseBodySize"] + sizes["responseHeadersSize"]
        self.pending.append((request.url, request.resource_type, size))

    def visit(self, page: Page, name: str) -> None:
        page.wait_for_load_state("networkidle")
        total = sum(size for _url, _kind, size in self.pending)
        html = sum(size for _url, kind, size in self.pending if kind == "document")
        self.rows.append((name, len(self.pending), html, total))
        self.pending.clear()

    def table(self) -> str:
        lines = [f"{'page':<30} {'requests':>8} {'HTML bytes':>10} {'all bytes':>10} {'kB':>7}"]
        for name, count, html, total in self.rows:
            lines.append(f"{name:<30} {count:>8} {html:>10} {total:>10} {total / 1024:>7.1f}")
        html = sum(row[2] for row in self.rows)
        total = sum(row[3] for row in self.rows)
        lines.append(f"{'whole journey':<30} {'':>8} {html:>10} {total:>10} {total / 1024:>7.1f}")
        return "\n".join(lines)


def test_whole_journey_on_a_desktop_with_page_weights(
    browser, journey_server, artifacts_dir, tmp_path
):
    server = journey_server
    context = browser.new_context(base_url=server.url, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    # Every page as on a first visit: nothing from the browser cache.
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    weights = PageWeights()
    page.on("requestfinished", weights.listen)
    shots = Screenshots(artifacts_dir / "desktop")

    def visit(page: Page, name: str) -> None:
        weights.visit(page, name)
        shots(page, name)

    try:
        walked = walk(page, server, "sdupont", "TYPE-PA33", visit, tmp_path)
        scan_and_revoke(page, server, walked, visit)
    finally:
        context.close()
    check_issued(server, "sdupont", walked)

    table = weights.table()
    (artifacts_dir / "page-weights.txt").write_text(table + "\n", encoding="utf-8")
    print("\nPage weights (bytes transferred, cache off):\n" + table)
    names = [row[0] for row in weights.rows]
    assert names[:3] == ["connexion", "accueil apprenant", "rejoindre"]
    assert len([n for n in names if n.startswith("question ")]) == 12
    assert all(count > 0 and 0 < html < total for _name, count, html, total in weights.rows)


def test_whole_journey_on_a_phone_fits_the_screen(browser, journey_server, artifacts_dir, tmp_path):
    server = journey_server
    shots = Screenshots(artifacts_dir / "phone")
    context = browser.new_context(base_url=server.url, locale="fr-FR", **PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    too_wide: list[str] = []
    first_screen: list[str] = []
    hidden_answer: list[str] = []

    def visit(page: Page, name: str) -> None:
        shots(page, name)
        width = page.evaluate("document.scrollingElement.scrollWidth")
        if width > 360:
            too_wide.append(f"{name} ({page.url}): {width} px")
        # Where the page's first button ends: is the next step on the first screen? (noted)
        bottom = page.evaluate(FIRST_BUTTON_BOTTOM)
        first_screen.append(f"{name:<34} {'-' if bottom is None else round(bottom):>6}")
        # The next step is visible without scrolling (UX.md): the answer bar stays in view.
        if name.startswith("question ") and page.evaluate(ANSWER_BUTTON_IN_VIEW) is not True:
            hidden_answer.append(name)

    try:
        walked = walk(page, server, "amina@passerelle.example", "TYPE-PA33", visit, tmp_path)
        scan_and_revoke(page, server, walked, visit)
    finally:
        context.close()
    check_issued(server, "amina@passerelle.example", walked)
    (artifacts_dir / "phone-first-button.txt").write_text(
        "page / bottom of the first button in <main>, px (the screen is 740 px high)\n"
        + "\n".join(first_screen)
        + "\n",
        encoding="utf-8",
    )
    assert not too_wide, "sideways scrolling on a 360 px phone:\n" + "\n".join(too_wide)
    assert not hidden_answer, "answer button below the first screen: " + ", ".join(hidden_answer)
    assert len(list(shots.folder.glob("*.png"))) == 2 * len(shots.taken) >= 40
