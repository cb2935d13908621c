"""An item whose material is in English (``text_lang: "en"``): its document, choices, lists and
typed answer carry ``lang="en"`` in the learner's page, so screen readers and « Lire à voix
haute » read them in English, while the instruction and the page's own words stay French."""

from __future__ import annotations

import re

import pytest

from assessments import campaigns
from assessments.models import AssessmentMode
from learners.models import Organisation
from tests.assessments.factories import CHOICES, ITEMS, make_framework
from tests.web.page_languages import language_of, languages
from tests.web.test_learner_journey import current, post_answer, start

EMAIL = "Hi Sam,\nThe printer on floor 2 is out of toner.\nCould you order a new cartridge?"
ENGLISH = [
    {
        **ITEMS[0],
        "id": "essai-en-001",
        "text_lang": "en",
        "exhibit": EMAIL,
        "body": {
            "choices": [
                {"id": "a", "text": "Order a toner cartridge"},
                {"id": "b", "text": "Repair the printer"},
            ]
        },
        "key": "a",
    },
    {
        **ITEMS[7],
        "id": "essai-en-002",
        "text_lang": "en",
        "body": {
            "left": [{"id": "l1", "text": "keyboard"}, {"id": "l2", "text": "screen"}],
            "right": [
                {"id": "r1", "text": "écran", "lang": "fr"},
                {"id": "r2", "text": "clavier", "lang": "fr"},
            ],
        },
        "key": {"l1": "r2", "l2": "r1"},
    },
    {**ITEMS[2], "id": "essai-en-003", "text_lang": "en", "body": {"label": "Your answer"},
     "key": ["password"]},
    {**ITEMS[0], "id": "essai-fr-001", "body": CHOICES},
]  # fmt: skip


@pytest.fixture
def english_campaign(app, world):
    from web.database import db

    with app.app_context():
        framework = make_framework(db.session, items=ENGLISH)
        uids = [item["id"] for item in ENGLISH]
        assessment = campaigns.create_assessment(
            db.session,
            framework,
            "Anglais d'essai",
            mode=AssessmentMode.FIXED,
            item_uids=uids,
            min_items=len(uids),
            max_items=len(uids),
            organisation_id=world.org_a,
        )
        organisation = db.session.get(Organisation, world.org_a)
        campaigns.create_campaign(
            db.session, assessment, organisation.id, "Anglais", code="ANGL-TEST"
        )
        db.session.commit()
    return "ANGL-TEST"


def _pages(app, client, code: str):
    """Each item's page in turn, skipping on with « Je ne sais pas »."""
    url = start(client, code)
    for _ in ENGLISH:
        item = current(app, url)
        yield item, client.get(url).get_data(as_text=True)
        post_answer(client, url, item, {}, intent="skip")


def test_english_material_is_marked_english_and_the_instruction_stays_french(
    app, english_campaign, client_as
):
    pages = {
        item.uid: (item, html) for item, html in _pages(app, client_as("learner"), english_campaign)
    }

    item, html = pages["essai-en-001"]
    assert re.search(r'<h1 id="instruction"[^>]* lang="fr"', html)
    assert language_of(html, item.instruction) == {"fr"}
    assert language_of(html, EMAIL) == {"en"}
    assert language_of(html, "Order a toner cartridge") == {"en"}
    assert language_of(html, "Repair the printer") == {"en"}
    assert language_of(html, "Choisissez une seule réponse.") == {"fr"}
    assert language_of(html, "Document à lire") == {"fr"}

    item, html = pages["essai-en-002"]
    assert language_of(html, "keyboard") == {"en"}
    assert language_of(html, "clavier") == {"fr"}  # an entry's own lang wins
    assert language_of(html, item.instruction) == {"fr"}

    _, html = pages["essai-en-003"]
    assert language_of(html, "Your answer") == {"en"}
    assert languages(html).inputs["text"] == "en"  # what the learner types is English too

    _, html = pages["essai-fr-001"]
    assert language_of(html, "Deux") == {"fr"}
    # Only the language switcher's « English » is English on a French item's page.
    assert {text for text, lang in languages(html).texts if lang != "fr"} == {"English"}
