"""An employer in real Chromium: scans a badge's QR code on a 360 px phone and reads « Badge
valide » without scrolling; uploads a baked PNG on /verifier; every verdict style and the
verifier pass axe-core in French and English; the page weight of /c/<id> is printed."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from badges import issuance, issuers, revocation
from badges.images import BadgeDesign, render_png
from badges.ob3 import baking
from tests.badges.factories import make_achievement
from tests.learners.factories import make_learner

PHONE = {"width": 360, "height": 740}
PAGE_TYPES = ("document", "stylesheet", "script", "image", "font")


@pytest.fixture
def badges_for_employer(live_server) -> dict:
    """Two badges of a demo association issued with badges.issuance: one valid, one revoked."""
    from web.database import db

    app = live_server.app
    base_url = app.config["JALON_BASE_URL"]
    with app.app_context():
        kek = app.config["JALON_KEY_ENCRYPTION_KEY"]
        from learners.models import Organisation

        organisation = db.session.query(Organisation).order_by(Organisation.id).first()
        issuer = issuers.for_organisation(db.session, organisation) or issuers.create(
            db.session, organisation, kek, name="Association Tremplin"
        )
        achievement = make_achievement(
            db.session,
            issuer,
            name="Utiliser une messagerie",
            image_data=render_png(BadgeDesign("#1f6f5c", "mail", "Messagerie"), 128),
            image_media_type="image/png",
            image_alt="Badge rond avec une enveloppe blanche, bandeau « Messagerie ».",
        )
        made = {}
        for name in ("valid", "revoked"):
            credential = issuance.issue(
                db.session,
                achievement=achievement,
                learner=make_learner(db.session, name="Inès Fontaine"),
                award_key=f"e2e-employer:{uuid.uuid4()}",
                base_url=base_url,
                kek=kek,
                results=[
                    {
                        "resultDescription": "urn:jalon:rd:interagir",
                        "achievedLevel": "urn:jalon:rd:interagir:3",
                    }
                ],
                evidence=[{"name": "Test de compétences", "narrative": "Passé en atelier."}],
                is_public=True,
            ).credential
            if name == "revoked":
                revocation.revoke(
                    db.session, credential, "Badge attribué par erreur", base_url=base_url, kek=kek
                )
            made[name] = credential.public_id
            made[f"{name}_json"] = credential.signed_json
        db.session.commit()
    return made


def test_scanned_qr_code_says_valid_in_the_first_screen_of_a_phone(
    browser, live_server, badges_for_employer, assert_accessible
):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.goto(live_server(f"/c/{badges_for_employer['valid']}?via=qr"))
    verdict = page.get_by_role("heading", level=1)
    expect(verdict).to_have_text(re.compile("Badge valide"))
    expect(verdict).to_be_in_viewport()
    box = verdict.bounding_box()
    assert box is not None and box["y"] + box["height"] <= PHONE["height"]
    sentence = page.get_by_text("Ce badge est authentique et il est toujours en cours de validité.")
    expect(sentence).to_be_in_viewport()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # Checks are folded until asked for.
    signature = page.locator("details.check").filter(
        has=page.locator("summary", has_text="Signature : vérifié")
    )
    expect(signature.locator("p")).to_be_hidden()
    signature.locator("summary").click()
    expect(signature.locator("p")).to_be_visible()
    assert_accessible(page)
    context.close()


@pytest.mark.parametrize("kind", ["valid", "revoked"])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_verdict_pages_pass_axe_in_french_and_english(
    browser, live_server, badges_for_employer, assert_accessible, kind, scheme
):
    context = browser.new_context(
        base_url=live_server.url, viewport=PHONE, locale="fr-FR", color_scheme=scheme
    )
    page = context.new_page()
    page.goto(live_server(f"/c/{badges_for_employer[kind]}"))
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile("Badge valide" if kind == "valid" else "Badge révoqué"))
    if kind == "revoked":
        expect(page.get_by_text("Raison : Badge attribué par erreur")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(heading).to_have_text(re.compile("Valid badge" if kind == "valid" else "Revoked badge"))
    assert_accessible(page)
    context.close()


def test_employer_uploads_a_baked_png_on_the_verifier(
    page, live_server, badges_for_employer, assert_accessible, tmp_path: Path
):
    baked = tmp_path / "badge-messagerie.png"
    image = render_png(BadgeDesign("#1f6f5c", "mail", "Messagerie"), 128)
    baked.write_bytes(baking.bake_png(image, badges_for_employer["valid_json"]))
    page.goto(live_server("/verifier"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier un badge")
    assert_accessible(page)
    page.get_by_label("Fichier du badge").set_input_files(str(baked))
    page.get_by_role("button", name="Vérifier le badge").click()
    verdict = page.locator("#verdict-title")
    expect(verdict).to_have_text(re.compile("Badge valide"))
    expect(page.locator(".issuer-known")).to_contain_text("Émetteur connu de Jalon.")
    expect(page.get_by_role("heading", name="Utiliser une messagerie")).to_be_visible()
    assert_accessible(page)


def test_verifier_passes_axe_in_english_with_a_bad_file(
    browser, live_server, assert_accessible, tmp_path: Path
):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE, locale="fr-FR")
    page = context.new_page()
    page.goto(live_server("/verifier"))
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify a badge")
    assert_accessible(page)
    garbage = tmp_path / "photo.png"
    garbage.write_bytes(b"not an image at all")
    page.get_by_label("Badge file").set_input_files(str(garbage))
    page.get_by_role("button", name="Verify the badge").click()
    expect(page.locator("#verdict-title")).to_have_text(re.compile("Format not recognised"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert_accessible(page)
    page.get_by_role("button", name="Français").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier un badge")
    assert_accessible(page)
    context.close()


def test_badge_page_weight(browser, live_server, badges_for_employer):
    """Bytes /c/<id> transfers on a first visit from a phone (HTML, CSS, JS, images, fonts),
    printed for the notes."""
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    page = context.new_page()
    page.context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, int] = {}

    def count(response) -> None:
        if response.request.resource_type in PAGE_TYPES:
            transferred = response.request.sizes()
            sizes[response.url] = (
                transferred["responseBodySize"] + transferred["responseHeadersSize"]
            )

    page.on("response", count)
    page.goto(live_server(f"/c/{badges_for_employer['valid']}?via=qr"), wait_until="load")
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", count)
    total = sum(sizes.values())
    print(f"\n/c/<id> page weight: {total} bytes transferred in {len(sizes)} responses")
    for url, size in sorted(sizes.items(), key=lambda item: -item[1]):
        print(f"  {size:>8}  {url.removeprefix(live_server.url)[:80]}")
    assert any("/c/" in url for url in sizes)
    assert any("/static/css/verify.css?v=" in url for url in sizes)  # hashed, cached a year
    context.close()
