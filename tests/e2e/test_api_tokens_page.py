"""In real Chromium: the département's administrator creates an API token (the secret shown
once, in a field focused for copying), sees it listed and revokes it; axe-core finds no serious
violation, and the page fits a 360 px phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.learners.factories import PASSWORD

ADMIN = "admin-jetons@departement.example"
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def departement(live_server) -> int:
    """The demo département with an administrator (the demo has none)."""
    from sqlalchemy import select

    from learners import demo
    from learners.accounts import find_by_login
    from learners.models import Organisation, Role
    from tests.learners.factories import make_user
    from web.database import db

    with live_server.app.app_context():
        org = db.session.scalar(
            select(Organisation).where(Organisation.name == demo.DEPARTEMENT[0])
        )
        if find_by_login(db.session, ADMIN) is None:
            make_user(db.session, Role.ORG_ADMIN, org, login=ADMIN)
            db.session.commit()
        return org.id


def test_the_admin_creates_and_revokes_a_token_on_a_phone(
    browser, live_server, login, departement, assert_accessible, axe_violations
):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", **PHONE)
    try:
        page = context.new_page()
        login(page, ADMIN, PASSWORD)
        page.goto(live_server(f"/organisations/{departement}/"))
        page.get_by_role("link", name="Jetons d'API des outils du département").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Jetons d'API")
        assert_accessible(page)
        page.get_by_label("Nom du jeton").fill("Tableau de bord (e2e)")
        page.get_by_role("button", name="Créer le jeton").click()
        secret = page.get_by_label("Jeton", exact=True)
        expect(secret).to_be_focused()
        assert secret.input_value().startswith("jalon_")
        assert page.evaluate(FITS)
        assert_accessible(page)
        page.get_by_role("button", name="Révoquer le jeton Tableau de bord (e2e)").click()
        expect(page.get_by_role("status").first).to_contain_text("révoqué")
        expect(page.locator("table")).to_contain_text("Révoqué le")
        assert_accessible(page)
        assert axe_violations(page) == []  # not even a moderate one
    finally:
        context.close()
