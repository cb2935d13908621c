"""In real Chromium: the département opens its indicators, filters, drills down from a porteur
to an action and downloads the CSV; an association's trainer opens the same indicators for its
own actions. axe-core finds no serious violation, and the pages fit a 360 px phone."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from tests.indicators.factories import enrol, make_action, observe

DEPARTEMENT = "departement@jalon.example"
TRAINER = "formateur@passerelle.example"
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="module")
def action(live_server) -> dict[str, int | str]:
    """An action of Passerelle with six paths (five learners made here), two of them over."""
    from sqlalchemy import select

    from learners import demo
    from learners.models import Organisation, Situation
    from tests.learners.factories import make_learner
    from web.database import db

    with live_server.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == demo.PASSERELLE[0]))
        made = make_action(db.session, org, title="Premiers pas numériques (e2e)")
        for n in range(6):
            path = enrol(
                db.session,
                made,
                make_learner(db.session, org),
                exit=date(2025, 5, 2) if n < 2 else None,
            )
            if n == 0:
                observe(db.session, path, Situation.CDI)
        db.session.commit()
        return {"org": org.id, "id": made.id, "title": made.title}


def test_the_departement_reads_filters_and_drills_down(
    page, login, live_server, action, assert_accessible
):
    login(page, DEPARTEMENT)
    page.goto(live_server("/departement/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs du département")
    assert_accessible(page)
    page.get_by_label("Détailler par").select_option("sexe")
    page.get_by_role("button", name="Afficher").click()
    expect(page.locator("#indicators-table th[scope=col]").first).to_have_text("Sexe")
    page.goto(live_server("/departement/"))
    page.get_by_role("link", name="Association Passerelle Numérique").click()
    page.get_by_role("link", name=str(action["title"]), exact=True).click()
    expect(page.locator("#f-action")).to_have_value(str(action["id"]))
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger le tableau (CSV)").click()
    assert download.value.suggested_filename == "indicateurs-departement.csv"
    assert_accessible(page)


def test_the_association_sees_its_actions_on_a_phone(
    browser, live_server, login, action, assert_accessible
):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", **PHONE)
    try:
        page = context.new_page()
        login(page, TRAINER)
        page.goto(live_server(f"/organisations/{action['org']}/indicateurs"))
        expect(page.get_by_role("heading", level=1)).to_have_text("Indicateurs de nos actions")
        expect(page.locator("#indicators-table")).to_contain_text(str(action["title"]))
        assert page.evaluate(FITS)
        assert_accessible(page)
    finally:
        context.close()
