"""In real Chromium: « Lire à voix haute » reads each text in the language the page gives it.
The French instruction goes to a French voice, an English item's document and choices
(``lang="en"``) to an English one. The browser's speech engine is replaced by a recorder before
the page loads, so the test sees exactly what would be spoken and in which language."""

from __future__ import annotations

import re

from playwright.sync_api import expect

CODE = "ANGL-LIRE"
PASSWORD = "lire en anglais 2026"
EMAIL = "Hi Sam, the printer on floor 2 is out of toner. Could you order a new cartridge?"
ITEM = {
    "id": "lecture-en-001",
    "competence": "1.1",
    "level": 1,
    "type": "qcu",
    "instruction": "Lisez le message. Que demande Kim ?",
    "text_lang": "en",
    "exhibit": EMAIL,
    "accessibility": {"blind": "ok", "colour_blind": "ok", "deaf": "ok"},
    "status": "validated",
    "version": 1,
    "explanation": "Kim demande une cartouche de toner.",
    "body": {
        "choices": [
            {"id": "a", "text": "Order a toner cartridge"},
            {"id": "b", "text": "Repair the printer"},
        ]
    },
    "key": "a",
}
# Records every utterance instead of speaking it (headless Chromium has no voice anyway).
RECORDER = """
(() => {
  window.__spoken = [];
  class FakeUtterance extends EventTarget {
    constructor(text) { super(); this.text = text; this.lang = ""; this.voice = null; }
  }
  const fake = {
    speaking: false,
    getVoices: () => [{ lang: "fr-FR", name: "Française" }, { lang: "en-GB", name: "British" }],
    speak: (u) => window.__spoken.push(
      { text: u.text, lang: u.lang, voice: u.voice && u.voice.name }),
    cancel: () => {},
  };
  Object.defineProperty(window, "speechSynthesis", { value: fake, configurable: true });
  Object.defineProperty(
    window, "SpeechSynthesisUtterance", { value: FakeUtterance, configurable: true });
})();
"""


def _campaign_and_learner(server, code: str, username: str, item_uid: str | None = None) -> None:
    """A one-question campaign of the demo association Passerelle and a learner of it: over
    ``item_uid`` (a shipped item) or, without it, over ``ITEM`` imported here."""
    from sqlalchemy import select

    from assessments import campaigns
    from assessments.models import AssessmentMode, Competence, Framework, Item
    from learners import accounts, demo
    from learners.models import Organisation, Role
    from tests.assessments.factories import make_framework
    from web.database import db

    with server.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == demo.PASSERELLE[0]))
        if item_uid is None:
            framework, item_uid = (
                make_framework(db.session, items=[ITEM], slug="lecture-en"),
                ITEM["id"],
            )
        else:
            framework = db.session.scalar(
                select(Framework).join(Competence).join(Item).where(Item.uid == item_uid)
            )
        assessment = campaigns.create_assessment(
            db.session,
            framework,
            f"Lire en anglais {code}",
            mode=AssessmentMode.FIXED,
            item_uids=[item_uid],
            min_items=1,
            max_items=1,
            organisation_id=org.id,
        )
        campaigns.create_campaign(db.session, assessment, org.id, "Anglais", code=code)
        accounts.create_user(
            db.session,
            display_name=f"Lou {username}",
            password=PASSWORD,
            username=username,
            memberships=((org, Role.LEARNER),),
        )
        db.session.commit()


def _read_aloud(browser, server, login, code: str, username: str):
    """Open the campaign's question on a 360 px phone and press « Lire à voix haute » by
    keyboard; returns the page and what was spoken."""
    context = browser.new_context(
        base_url=server.url, locale="fr-FR", viewport={"width": 360, "height": 740}
    )
    context.add_init_script(RECORDER)
    page = context.new_page()
    login(page, username, PASSWORD)
    page.get_by_role("button", name="J'ai un code d'évaluation").click()
    page.get_by_label("Code de l'évaluation").fill(code)
    page.get_by_role("button", name="Commencer").click()
    expect(page).to_have_url(re.compile(r"/evaluations/\d+$"))
    page.get_by_role("button", name="Lire à voix haute").focus()
    page.keyboard.press("Enter")
    return page, page.evaluate("window.__spoken")


def test_read_aloud_reads_english_material_with_an_english_voice(
    journey_server, browser, login, assert_accessible
):
    _campaign_and_learner(journey_server, CODE, "lou.lecture")
    page, spoken = _read_aloud(browser, journey_server, login, CODE, "lou.lecture")
    assert spoken == [
        {"text": ITEM["instruction"], "lang": "fr-FR", "voice": "Française"},
        {
            "text": f"{EMAIL}. Order a toner cartridge. Repair the printer",
            "lang": "en-GB",
            "voice": "British",
        },
    ]
    expect(page.get_by_role("button", name="Arrêter la lecture")).to_be_visible()
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 360, f"the page scrolls sideways: {page_width}px"
    assert_accessible(page)
    page.context.close()


def test_a_shipped_matching_item_reads_english_words_and_french_meanings(
    journey_server, browser, login, assert_accessible
):
    """anglais-numerique-2.1-001: English words on the left, their French meanings in the lists."""
    code, username = "ANGL-MOTS", "lou.mots"
    _campaign_and_learner(journey_server, code, username, item_uid="anglais-numerique-2.1-001")
    page, spoken = _read_aloud(browser, journey_server, login, code, username)
    assert [(s["lang"], s["voice"]) for s in spoken] == [
        ("fr-FR", "Française"),
        ("en-GB", "British"),
        ("fr-FR", "Française"),
    ]
    assert spoken[1]["text"] == "keyboard. screen. mouse. printer"
    assert set(spoken[2]["text"].split(". ")) == {
        "le clavier",
        "l'écran",
        "la souris",
        "l'imprimante",
    }
    assert_accessible(page)
    page.context.close()
