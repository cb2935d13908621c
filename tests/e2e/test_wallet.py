"""« Mes badges » in real Chromium: a learner with a badge opens the wallet, downloads the baked
PNG, and the pages pass axe-core in French and English, light and dark, on a 360 px phone."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from badges import issuance, issuers
from badges.images import BadgeDesign, render_png
from badges.ob3 import baking
from tests.badges.factories import make_achievement
from tests.learners.factories import PASSWORD, make_learner, make_organisation

PAGE_TYPES = ("document", "stylesheet", "script", "image", "font")


@pytest.fixture
def learner_with_badge(live_server) -> dict:
    """A fresh learner of a demo association holding one issued badge (made with
    badges.issuance, as the assessment pages would)."""
    from web.database import db

    app = live_server.app
    with app.app_context():
        kek = app.config["JALON_KEY_ENCRYPTION_KEY"]
        login = f"wallet{uuid.uuid4().hex[:8]}"
        user = make_learner(
            db.session, make_organisation(db.session), login=login, name="Inès Fontaine"
        ).user
        organisation = user.memberships[0].organisation
        issuer = issuers.for_organisation(db.session, organisation) or issuers.create(
            db.session, organisation, kek, name="Association Tremplin"
        )
        achievement = make_achievement(
            db.session,
            issuer,
            name="Utiliser une messagerie",
            image_data=render_png(BadgeDesign("#1f6f5c", "mail", "Messagerie")),
            image_media_type="image/png",
            image_alt="Badge rond avec une enveloppe blanche, bandeau « Messagerie ».",
        )
        credential = issuance.issue(
            db.session,
            achievement=achievement,
            learner=user.learner,
            award_key=f"e2e:{login}",
            base_url=app.config["JALON_BASE_URL"],
            kek=kek,
            results=[
                {
                    "resultDescription": "urn:jalon:rd:interagir",
                    "achievedLevel": "urn:jalon:rd:interagir:3",
                }
            ],
            is_public=True,
        ).credential
        db.session.commit()
        return {
            "login": login,
            "id": credential.public_id,
            "signed": json.loads(credential.signed_json),
        }


def test_learner_opens_the_wallet_and_downloads_the_baked_png(
    page, live_server, login, assert_accessible, learner_with_badge, tmp_path: Path
):
    login(page, learner_with_badge["login"], PASSWORD)
    page.goto(live_server("/apprenant/badges"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes badges")
    card = page.get_by_role("article", name="Utiliser une messagerie")
    expect(card).to_contain_text("Valide")
    expect(card).to_contain_text("Pas encore vérifié")
    expect(card).to_contain_text("Visible par les personnes qui ont le lien")
    expect(card.get_by_role("img")).to_have_attribute(
        "alt", "Badge rond avec une enveloppe blanche, bandeau « Messagerie »."
    )
    assert page.evaluate("document.querySelector('article img').naturalWidth") > 0
    assert_accessible(page)

    card.get_by_role("link", name="Télécharger ou partager ce badge").click()
    expect(page).to_have_url(re.compile(rf"/apprenant/badges/{learner_with_badge['id']}$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Utiliser une messagerie")
    expect(page.get_by_role("img", name="Code QR de l'adresse de ce badge")).to_be_visible()
    linkedin = page.get_by_role("link", name=re.compile("Ajouter à mon profil LinkedIn"))
    expect(linkedin).to_have_attribute("target", "_blank")
    expect(linkedin).to_contain_text("s'ouvre dans un nouvel onglet")
    assert_accessible(page)

    with page.expect_download() as info:
        page.get_by_role("link", name="Télécharger mon badge (image)").click()
    download = info.value
    assert download.suggested_filename.endswith(".png")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    assert json.loads(baking.unbake(saved.read_bytes())) == learner_with_badge["signed"]


def test_wallet_pages_pass_axe_in_english_and_dark_mode_on_a_phone(
    browser, live_server, login, assert_accessible, learner_with_badge
):
    context = browser.new_context(
        base_url=live_server.url, viewport={"width": 360, "height": 740}, color_scheme="dark"
    )
    page = context.new_page()
    login(page, learner_with_badge["login"], PASSWORD)
    for path in ("/apprenant/badges", f"/apprenant/badges/{learner_with_badge['id']}"):
        page.goto(live_server(path))
        assert page.evaluate("document.documentElement.scrollWidth") <= 360, path
        assert_accessible(page)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("link", name=re.compile("Add to my LinkedIn profile"))).to_be_visible()
    assert_accessible(page)
    page.goto(live_server("/apprenant/badges"))
    expect(page.get_by_role("heading", level=1)).to_have_text("My badges")
    assert_accessible(page)
    context.close()


def test_making_the_badge_private_from_the_browser(
    browser, page, live_server, login, learner_with_badge, assert_accessible
):
    login(page, learner_with_badge["login"], PASSWORD)
    page.goto(live_server(f"/apprenant/badges/{learner_with_badge['id']}"))
    switch = page.get_by_role("switch", name="Visible par les personnes qui ont le lien")
    expect(switch).to_have_attribute("aria-checked", "true")
    switch.click()
    expect(page.get_by_role("status")).to_contain_text("Votre badge est privé")
    expect(page.get_by_role("switch")).to_have_attribute("aria-checked", "false")
    expect(page.locator("#visibility-state")).to_contain_text("Privé : vous seul le voyez")
    assert_accessible(page)
    stranger = browser.new_context(base_url=live_server.url, locale="fr-FR")
    public = stranger.request.get(live_server(f"/c/{learner_with_badge['id']}"))
    assert public.status == 404 and "pas partagé" in public.text()
    page.get_by_role("switch").click()
    public = stranger.request.get(live_server(f"/c/{learner_with_badge['id']}"))
    assert public.status == 200
    stranger.close()


def test_wallet_page_weight(page, live_server, login, learner_with_badge):
    """Bytes the wallet page transfers on a first visit (HTML, CSS, JS, images, fonts),
    printed for the notes."""
    login(page, learner_with_badge["login"], PASSWORD)
    # A first visit: nothing from the browser cache.
    page.context.new_cdp_session(page).send("Network.setCacheDisabled", {"cacheDisabled": True})
    sizes: dict[str, int] = {}

    def count(response) -> None:
        if response.request.resource_type in PAGE_TYPES:
            sizes[response.url] = len(response.body())

    page.on("response", count)
    page.goto(live_server("/apprenant/badges"), wait_until="load")
    page.wait_for_load_state("networkidle")
    page.remove_listener("response", count)
    total = sum(sizes.values())
    print(f"\nwallet page weight: {total} bytes in {len(sizes)} responses")
    for url, size in sorted(sizes.items(), key=lambda item: -item[1]):
        print(f"  {size:>8}  {url.removeprefix(live_server.url)}")
    assert any(url.endswith("/apprenant/badges") for url in sizes)
    assert any(url.endswith("/image.png") for url in sizes)
