"""In real Chromium: the département endorses an association's badge, a learner then earns it,
and the badge's public page says « Badge reconnu par … »; once the département withdraws the
endorsement, the same page says it was withdrawn while the badge stays valid. axe-core finds no
serious or critical violation on the endorsement page nor on the badge's page."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from badges.demo import DEMO_ACHIEVEMENT
from learners import demo
from tests.e2e.journey_steps import publish_badge, take_tour

TOUR_CODE = "TYPE-PA33"
PASSWORD = "reconnu par le departement"
DEPARTEMENT = demo.DEPARTEMENT[0]
BADGE_OPTION = f"{demo.PASSERELLE[0]} — {DEMO_ACHIEVEMENT}"
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def learner(journey_server) -> str:
    """A fresh learner of the Passerelle association (the demo accounts stay untouched)."""
    from sqlalchemy import select

    from learners import accounts
    from learners.models import Organisation, Role
    from web.database import db

    login = f"reconnu{uuid.uuid4().hex[:8]}"
    with journey_server.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == demo.PASSERELLE[0]))
        accounts.create_user(
            db.session,
            display_name="Nora Reconnue",
            password=PASSWORD,
            username=login,
            memberships=((org, Role.LEARNER),),
        )
        db.session.commit()
    return login


def _log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    page.wait_for_load_state()


def _earned_badge_id(page: Page) -> str:
    """From the results: « Voir mes badges », then the endorsed badge's page, made visible;
    its public id."""
    page.get_by_role("button", name="Voir mes badges").click()
    card = page.get_by_role("article", name=DEMO_ACHIEVEMENT)
    card.get_by_role("link", name="Télécharger ou partager ce badge").click()
    expect(page).to_have_url(re.compile(r"/apprenant/badges/[0-9a-f-]+$"))
    publish_badge(page, lambda *_: None)  # a new badge is private until its holder shares it
    return page.url.rsplit("/", 1)[1]


def _fits_a_phone(page: Page, name: str, folder) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.screenshot(path=folder / f"reconnaissance-{name}.png", full_page=True)
    assert page.evaluate(FITS), f"{name} is wider than a 360 px phone"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_department_endorses_a_badge_and_the_badge_page_says_recognised(
    journey_server, learner, page, login, assert_accessible, artifacts_dir
):
    login(page, "departement@jalon.example")
    page.get_by_role("link", name="Reconnaître des badges").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reconnaître des badges")
    page.get_by_label("Badge à reconnaître").select_option(label=BADGE_OPTION)
    page.get_by_label("Pourquoi reconnaissez-vous ce badge ?").fill(
        "Premier pas vers l'emploi : le Département soutient ce parcours."
    )
    page.get_by_role("button", name="Reconnaître ce badge").click()
    expect(page.get_by_text("Badge reconnu : les prochains badges")).to_be_visible()
    expect(page.get_by_role("heading", name=DEMO_ACHIEVEMENT)).to_be_visible()
    assert_accessible(page)
    _log_out(page)

    login(page, learner, PASSWORD)
    take_tour(page, journey_server, TOUR_CODE, lambda *_: None)
    badge_id = _earned_badge_id(page)
    _log_out(page)

    page.goto(journey_server(f"/c/{badge_id}"))
    expect(page.get_by_role("heading", name="Badge valide")).to_be_visible()
    expect(page.get_by_text(f"Badge reconnu par {DEPARTEMENT}")).to_be_visible()
    expect(page.get_by_text("le Département soutient ce parcours")).to_be_visible()
    assert_accessible(page)
    _fits_a_phone(page, "badge", artifacts_dir)

    # Withdrawn (which also leaves the shared demo as it was for later journeys).
    login(page, "departement@jalon.example")
    page.goto(journey_server("/departement/reconnaissances"))
    _fits_a_phone(page, "departement", artifacts_dir)
    item = page.locator("li.endorsement-item", has_text=DEMO_ACHIEVEMENT)
    item.get_by_label("Raison du retrait").fill("Fin de l'expérimentation.")
    item.get_by_role("button", name="Retirer la reconnaissance").click()
    expect(page.get_by_text("Reconnaissance retirée.")).to_be_visible()
    _log_out(page)
    page.goto(journey_server(f"/c/{badge_id}"))
    expect(page.get_by_role("heading", name="Badge valide")).to_be_visible()
    expect(page.get_by_text(f"Reconnaissance par {DEPARTEMENT} retirée")).to_be_visible()
