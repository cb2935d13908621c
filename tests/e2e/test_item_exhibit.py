"""In real Chromium: a question that comes with a document (a log, a table) shows it under the
instruction, whole and as written, reachable by keyboard, without making a 360 px phone page
scroll sideways (the document's frame scrolls instead); a question that comes with a picture
shows it with its alt text, as wide as a 360 px phone allows, on its own light panel in dark
mode. axe-core finds no serious or critical violation on either."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from sqlalchemy import select

CODE = "DOCU-EX12"
ITEM = "crcn-1.3-020"  # a spreadsheet extract with a formula to read
PASSWORD = "document a lire 2026"


def _campaign_and_learner(server) -> str:
    from assessments import campaigns
    from assessments.models import AssessmentMode, Framework, Item
    from learners import accounts, demo
    from learners.models import Organisation, Role
    from web.database import db

    with server.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == demo.PASSERELLE[0]))
        framework = db.session.scalar(select(Framework).where(Framework.slug == "crcn"))
        assessment = campaigns.create_assessment(
            db.session,
            framework,
            "Un tableau à lire",
            mode=AssessmentMode.FIXED,
            item_uids=[ITEM],
            min_items=1,
            max_items=1,
            organisation_id=org.id,
        )
        campaigns.create_campaign(db.session, assessment, org.id, "Document", code=CODE)
        accounts.create_user(
            db.session,
            display_name="Dora Document",
            password=PASSWORD,
            username="dora.document",
            memberships=((org, Role.LEARNER),),
        )
        exhibit = db.session.scalar(select(Item).where(Item.uid == ITEM)).extra["exhibit"]
        db.session.commit()
    return exhibit


def test_an_exhibit_is_shown_whole_by_keyboard_and_on_a_phone(
    journey_server, browser, login, assert_accessible
):
    exhibit = _campaign_and_learner(journey_server)
    context = browser.new_context(
        base_url=journey_server.url, locale="fr-FR", viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    login(page, "dora.document", PASSWORD)
    page.get_by_role("button", name="J'ai un code d'évaluation").click()
    page.get_by_label("Code de l'évaluation").fill(CODE)
    page.get_by_role("button", name="Commencer").click()
    expect(page).to_have_url(re.compile(r"/evaluations/\d+$"))

    document = page.get_by_role("region", name="Document à lire")
    expect(document).to_be_visible()
    assert document.inner_text() == exhibit
    document.focus()
    expect(document).to_be_focused()
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 360, f"the page scrolls sideways: {page_width}px"
    assert_accessible(page)
    context.close()


PICTURE_CODE = "IMAGE-EX13"
PICTURE_ITEM = "premiers-pas-1.3-101"  # a phone's home screen, icons numbered


def _picture_campaign_and_learner(server) -> str:
    from assessments import campaigns
    from assessments.models import AssessmentMode, Framework, Item
    from learners import accounts, demo
    from learners.models import Organisation, Role
    from web.database import db

    with server.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == demo.PASSERELLE[0]))
        framework = db.session.scalar(select(Framework).where(Framework.slug == "premiers-pas"))
        assessment = campaigns.create_assessment(
            db.session,
            framework,
            "Une image à regarder",
            mode=AssessmentMode.FIXED,
            item_uids=[PICTURE_ITEM],
            min_items=1,
            max_items=1,
            organisation_id=org.id,
        )
        campaigns.create_campaign(db.session, assessment, org.id, "Image", code=PICTURE_CODE)
        accounts.create_user(
            db.session,
            display_name="Ines Image",
            password=PASSWORD,
            username="ines.image",
            memberships=((org, Role.LEARNER),),
        )
        alt = db.session.scalar(select(Item.image_alt).where(Item.uid == PICTURE_ITEM))
        db.session.commit()
    return alt


def test_a_picture_is_described_readable_on_a_phone_and_in_dark_mode(
    journey_server, browser, login, assert_accessible
):
    alt = _picture_campaign_and_learner(journey_server)
    context = browser.new_context(
        base_url=journey_server.url,
        locale="fr-FR",
        viewport={"width": 360, "height": 740},
        color_scheme="dark",
    )
    page = context.new_page()
    login(page, "ines.image", PASSWORD)
    page.get_by_role("button", name="J'ai un code d'évaluation").click()
    page.get_by_label("Code de l'évaluation").fill(PICTURE_CODE)
    page.get_by_role("button", name="Commencer").click()
    expect(page).to_have_url(re.compile(r"/evaluations/\d+$"))

    picture = page.get_by_role("img", name=alt)
    expect(picture).to_be_visible()
    # Loaded (served, allowed by the page's CSP) and drawn as wide as the phone's column.
    # Wait for the picture to finish loading (a busy machine may still be fetching it).
    loaded = "img => img.complete || new Promise(done => img.addEventListener('load', done))"
    picture.evaluate(loaded)
    assert picture.evaluate("img => img.complete && img.naturalWidth") > 0
    box = picture.bounding_box()
    assert 280 <= box["width"] <= 360, box
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 360, f"the page scrolls sideways: {page_width}px"
    # Dark page, the drawing on its own light panel.
    assert page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")
    panel = picture.evaluate("img => getComputedStyle(img).backgroundColor")
    assert panel == "rgb(255, 255, 255)", panel
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background != "rgb(255, 255, 255)", background
    assert_accessible(page)
    context.close()
