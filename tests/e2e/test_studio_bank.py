"""A trainer in real Chromium on a 360 px phone: browses the item bank, previews an item as the
learner sees it, checks an answer (told which tolerance matched), opens the practice mailbox's
preview, runs « Calibrer » and watches it finish; axe-core finds no serious or critical
violation on any of these pages, in French and in English."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from assessments import checking
from assessments.models import Item

PHONE = {"width": 360, "height": 740}
TRAINER = "formateur@passerelle.example"


# The elements sticking out to the right (outside scrolling tables), to say what overflows.
OVERFLOWING = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
  .filter(e => !e.closest('.table-scroll'))
  .slice(0, 12).map(e => `${e.tagName}.${e.className}#${e.id}`)"""


def fits_the_phone(page: Page) -> None:
    """No sideways scrolling at 360 px."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], (page.url, page.evaluate(OVERFLOWING))


def right_answer(server, uid: str) -> str:
    from web.database import db

    with server.app.app_context():
        item = db.session.scalar(select(Item).where(Item.uid == uid))
        return checking.example_right_response(item)


def framework_title(server, slug: str) -> str:
    from assessments.frameworks import get_framework
    from web.database import db

    with server.app.app_context():
        return get_framework(db.session, slug).title_fr


def test_trainer_previews_checks_and_calibrates_on_a_phone(
    browser, journey_server, login, assert_accessible
):
    server = journey_server
    context = browser.new_context(base_url=server.url, locale="fr-FR", viewport=PHONE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, TRAINER)
    page.get_by_role("link", name="Banque d'items").click()
    expect(page.get_by_role("heading", name="Banque d'items", level=1)).to_be_visible()
    bank_url = page.url
    assert_accessible(page)
    fits_the_phone(page)

    page.get_by_label("Référentiel").select_option(label=framework_title(server, "premiers-pas"))
    page.get_by_label("Type").select_option(label="Réponse courte")
    page.get_by_role("button", name="Filtrer").last.click()
    expect(page.get_by_role("link", name="premiers-pas-1.2-005")).to_be_visible()
    expect(page.get_by_role("link", name="premiers-pas-1.1-001")).to_have_count(0)
    page.get_by_role("link", name="premiers-pas-1.2-005").click()
    expect(page.locator("h1#instruction")).to_be_visible()
    assert_accessible(page)
    fits_the_phone(page)

    typed = right_answer(server, "premiers-pas-1.2-005").upper() + "  "
    page.locator("#text").fill(typed)
    page.get_by_role("button", name="Valider ma réponse").click()
    verdict = page.locator("#verdict")
    expect(verdict.get_by_role("heading", name="Réponse acceptée")).to_be_visible()
    expect(verdict).to_contain_text("tolérance T1")
    assert_accessible(page)
    fits_the_phone(page)

    page.locator("#text").fill("zzqxw")
    page.get_by_role("button", name="Valider ma réponse").click()
    expect(verdict.get_by_role("heading", name="Réponse refusée")).to_be_visible()

    mailbox = bank_url + "/premiers-pas-2.1-009"
    page.goto(mailbox)
    page.locator(".webmail-inbox a").first.click()
    expect(page).to_have_url(re.compile(r"/banque/premiers-pas-2\.1-009\?message="))
    expect(page.get_by_role("heading", name="Message ouvert")).to_be_visible()
    assert_accessible(page)
    fits_the_phone(page)

    page.goto(bank_url)
    page.get_by_label("Nombre minimum de réponses par item").fill("10")
    page.get_by_role("button", name="Calibrer", exact=True).click()
    expect(page.get_by_role("heading", name="Calibration des items")).to_be_visible()
    expect(page.locator(".job-text")).to_have_text(re.compile("Terminé"))
    page.reload()
    expect(page.get_by_role("heading", name="Résultat")).to_be_visible()
    assert_accessible(page)
    fits_the_phone(page)

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Item calibration")).to_be_visible()
    assert_accessible(page)
    page.goto(bank_url)
    expect(page.get_by_role("heading", name="Item bank", level=1)).to_be_visible()
    assert_accessible(page)
    page.goto(bank_url + "/premiers-pas-1.2-005")
    page.locator("#text").fill(typed)
    page.get_by_role("button", name="Confirm my answer").click()
    expect(page.locator("#verdict").get_by_role("heading", name="Answer accepted")).to_be_visible()
    assert_accessible(page)
    fits_the_phone(page)
    context.close()
