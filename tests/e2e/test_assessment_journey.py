"""A learner joins by code and answers one item of every type — the practice mailbox, form and
scam spotting included — with the KEYBOARD ONLY (Tab, Space, Enter, arrow keys; no click), in
real Chromium. axe-core must find no serious or critical violation on the join page, on every
item page and on the results, in French and in English."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from assessments import checking
from assessments.models import Item, ItemType

TOUR_CODE = "TYPE-PA33"
PASSWORD = "parcours au clavier 2026"
_numbers = itertools.count(1)


@pytest.fixture(scope="module")
def journey_ready(live_server):
    """The demo's campaigns, issuers and achievements (``jalon demo`` loads the same)."""
    from assessments import demo as assessments_demo
    from badges import demo as badges_demo
    from web.database import db

    app = live_server.app
    with app.app_context():
        assessments_demo.load(db.session)
        badges_demo.load(db.session, kek=app.config["JALON_KEY_ENCRYPTION_KEY"])
        db.session.commit()
    return live_server


@pytest.fixture
def new_learner(journey_ready):
    """A fresh learner of the Passerelle association (the demo accounts stay untouched)."""
    from sqlalchemy import select

    from learners import accounts, demo
    from learners.models import Organisation, Role
    from web.database import db

    login = f"clavier{next(_numbers)}"
    with journey_ready.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == demo.PASSERELLE[0]))
        accounts.create_user(
            db.session,
            display_name="Awa Clavier",
            password=PASSWORD,
            username=login,
            memberships=((org, Role.LEARNER),),
        )
        db.session.commit()
    return login


def current_item(live_server, page) -> Item:
    from assessments.models import AssessmentSession
    from web.database import db

    session_id = int(page.url.split("/evaluations/")[1].split("/")[0].split("?")[0].split("#")[0])
    with live_server.app.app_context():
        item = db.session.get(AssessmentSession, session_id).current_item
        db.session.expunge(item)
        return item


def focused(locator) -> bool:
    return locator.evaluate("el => el === document.activeElement")


def tab_to(page, locator, limit: int = 120) -> None:
    """Press Tab until ``locator`` has the focus, as a keyboard user would."""
    for _ in range(limit):
        if focused(locator):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {locator}")


def press_button(page, name: str) -> None:
    button = page.get_by_role("button", name=name, exact=True).first
    tab_to(page, button)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def follow_link(page, locator) -> None:
    tab_to(page, locator)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page, selector: str, value: str) -> None:
    tab_to(page, page.locator(selector))
    page.keyboard.type(value)


def choose_radio(page, name: str, ids: list[str], wanted: str) -> None:
    """Tab into a radio group (focus lands on the first), then arrows to the wanted one."""
    tab_to(page, page.locator(f'input[name="{name}"]').first)
    steps = ids.index(wanted)
    if steps == 0:
        page.keyboard.press("Space")
    for _ in range(steps):
        page.keyboard.press("ArrowDown")
    assert page.locator(f'input[name="{name}"][value="{wanted}"]').is_checked()


def tick(page, selector: str) -> None:
    tab_to(page, page.locator(selector))
    page.keyboard.press("Space")
    assert page.locator(selector).is_checked()


def select_by_arrows(page, selector: str, steps: int) -> None:
    tab_to(page, page.locator(selector))
    for _ in range(abs(steps)):
        page.keyboard.press("ArrowDown" if steps > 0 else "ArrowUp")


def shown_steps(page) -> list[str]:
    """The ordering item's steps in the order the page shows them."""
    return page.locator(".ordering-item").evaluate_all("els => els.map(e => e.dataset.id)")


def answer_by_keyboard(page, item: Item) -> None:
    """Give the right answer to ``item`` with the keyboard, then submit it."""
    kind = ItemType(item.type)
    body, response = item.body, checking.example_right_response(item)
    if kind is ItemType.QCU:
        choose_radio(page, "choice", [c["id"] for c in body["choices"]], response)
    elif kind in (ItemType.QCM, ItemType.TASK_PHISHING):
        for choice in response:
            tick(page, f"#choice-{choice}")
    elif kind is ItemType.QROC:
        type_into(page, "#text", response)
    elif kind is ItemType.NUMBER:
        type_into(page, "#number", response)
    elif kind in (ItemType.QROCM_IND, ItemType.QROCM_DEP):
        for name, value in response.items():
            type_into(page, f"#field-{name}", value)
    elif kind is ItemType.ORDERING:
        shown = shown_steps(page)  # shuffled for this session, not the stored order
        for place, entry in enumerate(response, start=1):
            select_by_arrows(page, f"#position-{entry}", place - (shown.index(entry) + 1))
    elif kind is ItemType.MATCHING:
        rights = [r["id"] for r in body["right"]]
        for left, right in response.items():
            select_by_arrows(page, f"#pair-{left}", rights.index(right) + 1)
    elif kind is ItemType.TASK_FORM:
        for field in body["fields"]:
            value = response.get(field["id"])
            if value is None:
                continue
            options = [o["id"] for o in field.get("options", [])]
            target = f"field-{field['id']}"
            if field.get("kind") == "radio":
                choose_radio(page, target, options, value)
            elif field.get("kind") == "checkbox":
                for option in value:
                    tick(page, f"#{target}-{option}")
            elif field.get("kind") == "select":
                select_by_arrows(page, f"#{target}", options.index(value) + 1)
            else:
                type_into(page, f"#{target}", value)
    elif kind is ItemType.TASK_WEBMAIL:
        answer_mail_by_keyboard(page, item, response)
        return
    elif kind is ItemType.TASK_PROCEDURE:
        answer_procedure_by_keyboard(page, item, response)
        return
    press_button(
        page, "Envoyer le formulaire" if kind is ItemType.TASK_FORM else "Valider ma réponse"
    )


def answer_procedure_by_keyboard(page, item: Item, response: dict) -> None:
    """Walk the procedure screen by screen with the keyboard: arrows in a group of choices or
    typing in the fields, Enter on « Continuer »; the focus lands on each new screen's title
    (the link's anchor), then « Envoyer ma réponse » on the summary."""
    screens = {s["id"]: s for s in item.body["screens"]}
    for screen_id, answer in response.items():
        screen = screens[screen_id]
        assert page.locator("#ecran").inner_text() == screen["title"]
        if isinstance(answer, str):
            ids = [c["id"] for c in screen["choices"]]
            choose_radio(page, f"step-{screen_id}", ids, answer)
        else:
            for field in screen["fields"]:
                value = answer.get(field["id"])
                target = f"step-{screen_id}-{field['id']}"
                options = [o["id"] for o in field.get("options", [])]
                if not value:
                    continue
                if field.get("kind") == "radio":
                    choose_radio(page, target, options, value)
                elif field.get("kind") == "checkbox":
                    for option in value:
                        tick(page, f"#{target}-{option}")
                elif field.get("kind") == "select":
                    select_by_arrows(page, f"#{target}", options.index(value) + 1)
                else:
                    type_into(page, f"#{target}", value)
        press_button(page, "Continuer")
    assert page.get_by_role("heading", name="Vos réponses").is_visible()
    press_button(page, "Envoyer ma réponse")


def answer_mail_by_keyboard(page, item: Item, response: dict) -> None:
    """Open the message from the inbox, forward or reply, attach, send: links and forms only."""
    subject = next(m for m in item.body["mailbox"]["messages"] if m["id"] == response["message"])
    follow_link(page, page.locator("nav.webmail-inbox a", has_text=subject["subject"]))
    assert page.get_by_role("heading", name="Message ouvert").is_visible()
    if response["action"] == "open":
        press_button(page, "J'ai terminé")
        return
    labels = {"forward": "Transférer", "reply": "Répondre", "delete": "Supprimer"}
    if response["action"] == "delete":
        press_button(page, "🗑️ Supprimer")
        return
    follow_link(page, page.get_by_role("button", name=labels[response["action"]]))
    if response.get("to"):
        to = page.locator("#to")
        tab_to(page, to)
        page.keyboard.press("Control+A")
        page.keyboard.type(", ".join(response["to"]))
    for attachment in response.get("attachments", []):
        tick(page, f"#attachment-{attachment}")
    type_into(page, "#mail_body", response.get("body", ""))
    press_button(page, "Envoyer le message")


def check_both_languages(page, assert_accessible, context) -> None:
    """axe in French, then the same page in English, then back to French."""
    assert_accessible(page)
    url = page.url
    context.add_cookies([{"name": "jalon_lang", "value": "en", "url": page.url}])
    page.goto(url)
    assert page.locator("html").get_attribute("lang") == "en"
    assert_accessible(page)
    context.add_cookies([{"name": "jalon_lang", "value": "fr", "url": page.url}])
    page.goto(url)


def test_keyboard_only_journey_with_every_item_type(
    journey_ready, new_learner, page, context, login, assert_accessible
):
    live_server = journey_ready
    login(page, new_learner, PASSWORD)
    page.goto(live_server("/apprenant/"))
    follow_link(page, page.get_by_role("button", name="J'ai un code d'évaluation"))
    check_both_languages(page, assert_accessible, context)

    code = page.get_by_label("Code de l'évaluation")
    tab_to(page, code)
    page.keyboard.type(TOUR_CODE.lower())
    with page.expect_navigation():
        page.keyboard.press("Enter")

    seen = set()
    for number in range(1, 13):
        assert page.get_by_text(f"Question {number} sur 12").is_visible()
        item = current_item(live_server, page)
        seen.add(ItemType(item.type))
        check_both_languages(page, assert_accessible, context)
        answer_by_keyboard(page, item)
    assert seen == set(ItemType)

    assert "/resultats" in page.url
    assert page.get_by_text("Bravo, vous avez gagné le badge").first.is_visible()
    # Right everywhere, but two questions per competence: not the evidence « autonome » asks.
    assert page.get_by_role("heading", name="Votre orientation : À accompagner").is_visible()
    # The table alternative opens from the keyboard too.
    summary = page.locator("details.chart-table summary")
    tab_to(page, summary)
    page.keyboard.press("Enter")
    assert page.get_by_role("table").is_visible()
    check_both_languages(page, assert_accessible, context)

    from sqlalchemy import select

    from badges.models import Credential
    from learners.models import Learner, User
    from web.database import db

    with live_server.app.app_context():
        learner = db.session.scalar(select(Learner).join(User).where(User.username == new_learner))
        issued = db.session.scalars(
            select(Credential).where(Credential.learner_id == learner.id)
        ).all()
        assert {c.achievement.name for c in issued} == {
            "Premiers pas numériques — diagnostic réalisé"
        }


def test_ordering_buttons_and_read_aloud_enhance_the_page(journey_ready, new_learner, page, login):
    """With JavaScript: move up / down buttons (announced) and the read-aloud button."""
    live_server = journey_ready
    login(page, new_learner, PASSWORD)
    page.goto(live_server(f"/apprenant/campagne/{TOUR_CODE}"))
    press_button(page, "Commencer")
    for _ in range(11):
        item = current_item(live_server, page)
        if item.type == ItemType.ORDERING:
            break
        press_button(page, "Je ne sais pas")
    texts = {entry["id"]: entry["text"] for entry in item.body["items"]}
    first_id = shown_steps(page)[0]
    first = {"id": first_id, "text": texts[first_id]}
    down = page.get_by_role("button", name=f"Descendre : {first['text']}")
    tab_to(page, down)
    page.keyboard.press("Enter")
    assert page.locator(f"#position-{first['id']}").input_value() == "2"
    expect(page.locator("#live")).to_contain_text("place 2")
    speak = page.locator(".js-speak")
    has_speech = page.evaluate("'speechSynthesis' in window")
    assert speak.is_visible() == has_speech
