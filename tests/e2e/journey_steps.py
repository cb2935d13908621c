"""Steps of the beneficiary's journey as a person does them with a mouse and a keyboard (clicks,
typing, picking in lists), shared by the whole-journey, phone and axe tests.

``visit(page, name)`` is called once on every page the journey lands on, so each test decides
what to do there (measure its weight, take a screenshot, run axe-core, check the width).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from playwright.sync_api import Page, expect

from assessments import checking
from assessments.models import Item, ItemType

Visit = Callable[[Page, str], None]
TOUR_ITEMS = 12  # the demo's « Découverte » campaign: one item of each type


def session_id(page: Page) -> int:
    return int(re.search(r"/evaluations/(\d+)", page.url).group(1))


def current_item(server, page: Page) -> Item:
    """The item the server is asking now (to know its type and right answer)."""
    from assessments.models import AssessmentSession
    from web.database import db

    with server.app.app_context():
        item = db.session.get(AssessmentSession, session_id(page)).current_item
        db.session.expunge(item)
        return item


def log_in(page: Page, server, user: str, password: str, visit: Visit) -> None:
    page.goto(server("/connexion"))
    visit(page, "connexion")
    page.get_by_label("Adresse e-mail ou identifiant").fill(user)
    page.get_by_label("Mot de passe ou code d'accès").fill(password)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile(r"/apprenant/$"))
    visit(page, "accueil apprenant")


def answer_by_clicks(page: Page, item: Item, visit: Visit | None = None) -> None:
    """Give the right answer to ``item`` with clicks and typing, then send it (the practice
    mailbox's own pages — a message opened, a draft — pass through ``visit``)."""
    kind = ItemType(item.type)
    body, response = item.body, checking.example_right_response(item)
    submit = "Valider ma réponse"
    if kind is ItemType.QCU:
        page.locator(f"#choice-{response}").check()
    elif kind in (ItemType.QCM, ItemType.TASK_PHISHING):
        for choice in response:
            page.locator(f"#choice-{choice}").check()
    elif kind is ItemType.QROC:
        page.locator("#text").fill(response)
    elif kind is ItemType.NUMBER:
        page.locator("#number").fill(response)
    elif kind in (ItemType.QROCM_IND, ItemType.QROCM_DEP):
        for name, value in response.items():
            page.locator(f"#field-{name}").fill(value)
    elif kind is ItemType.ORDERING:
        for place, entry in enumerate(response, start=1):
            page.locator(f"#position-{entry}").select_option(str(place))
    elif kind is ItemType.MATCHING:
        for left, right in response.items():
            page.locator(f"#pair-{left}").select_option(right)
    elif kind is ItemType.TASK_FORM:
        submit = "Envoyer le formulaire"
        for entry in body["fields"]:
            value = response.get(entry["id"])
            target = f"field-{entry['id']}"
            if value is None:
                continue
            if entry.get("kind") == "radio":
                page.locator(f"#{target}-{value}").check()
            elif entry.get("kind") == "checkbox":
                for option in value:
                    page.locator(f"#{target}-{option}").check()
            elif entry.get("kind") == "select":
                page.locator(f"#{target}").select_option(value)
            else:
                page.locator(f"#{target}").fill(value)
    elif kind is ItemType.TASK_WEBMAIL:
        _answer_mail(page, item, response, visit or (lambda _page, _name: None))
        return
    elif kind is ItemType.TASK_PROCEDURE:
        _answer_procedure(page, item, response, visit or (lambda _page, _name: None))
        submit = "Envoyer ma réponse"
    page.get_by_role("button", name=submit, exact=True).click()


def _answer_procedure(page: Page, item: Item, response: dict, visit: Visit) -> None:
    """Each screen of the path in turn: its choice or its fields, then « Continuer »; the
    screens that show a message received on the phone pass through ``visit``."""
    screens = {s["id"]: s for s in item.body["screens"]}
    for screen_id, answer in response.items():
        expect(page.locator("#ecran")).to_have_text(screens[screen_id]["title"])
        if screens[screen_id].get("message"):
            visit(page, f"démarche : écran « {screens[screen_id]['title']} »")
        if isinstance(answer, str):
            page.locator(f"#step-{screen_id}-{answer}").check()
        else:
            for name, value in answer.items():
                field = next(f for f in screens[screen_id]["fields"] if f["id"] == name)
                target = f"#step-{screen_id}-{name}"
                if field.get("kind") == "select":
                    page.locator(target).select_option(value)
                elif field.get("kind") in ("radio", "checkbox"):
                    for option in [value] if isinstance(value, str) else value:
                        page.locator(f"{target}-{option}").check()
                else:
                    page.locator(target).fill(value)
        page.get_by_role("button", name="Continuer", exact=True).click()
    expect(page.get_by_role("heading", name="Vos réponses")).to_be_visible()


def _answer_mail(page: Page, item: Item, response: dict, visit: Visit) -> None:
    """Open the message, forward or reply (or delete), attach, write, send."""
    message = next(m for m in item.body["mailbox"]["messages"] if m["id"] == response["message"])
    page.locator("nav.webmail-inbox a", has_text=message["subject"]).click()
    expect(page.get_by_role("heading", name="Message ouvert")).to_be_visible()
    visit(page, "messagerie : message ouvert")
    action = response["action"]
    if action == "open":
        page.get_by_role("button", name="J'ai terminé").click()
        return
    if action == "delete":
        page.get_by_role("button", name="🗑️ Supprimer").click()
        return
    label = {"forward": "Transférer", "reply": "Répondre"}[action]
    page.get_by_role("button", name=label).click()
    expect(page.locator("#mail_body")).to_be_visible()
    visit(page, f"messagerie : {label.lower()}")
    if response.get("to"):
        page.locator("#to").fill(", ".join(response["to"]))
    for attachment in response.get("attachments", []):
        page.locator(f"#attachment-{attachment}").check()
    page.locator("#mail_body").fill(response.get("body", ""))
    page.get_by_role("button", name="Envoyer le message").click()


@dataclass
class Taken:
    """What the assessment left behind: the session and the item types met."""

    session_id: int
    types: list[ItemType] = field(default_factory=list)


def take_tour(page: Page, server, code: str, visit: Visit) -> Taken:
    """From the learner's home: « J'ai un code d'évaluation », type the code, answer every
    item right, land on the results."""
    page.get_by_role("button", name="J'ai un code d'évaluation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rejoindre une évaluation")
    visit(page, "rejoindre")
    page.get_by_label("Code de l'évaluation").fill(code.lower().replace("-", " "))
    page.get_by_role("button", name="Commencer").click()
    expect(page).to_have_url(re.compile(r"/evaluations/\d+$"))
    taken = Taken(session_id(page))
    for number in range(1, TOUR_ITEMS + 1):
        expect(page.get_by_text(f"Question {number} sur {TOUR_ITEMS}")).to_be_visible()
        item = current_item(server, page)
        kind = ItemType(item.type)
        taken.types.append(kind)
        visit(page, f"question {number} ({kind.value})")
        answer_by_clicks(page, item, visit)
        if number < TOUR_ITEMS:
            expect(page.get_by_text(f"Question {number + 1} sur {TOUR_ITEMS}")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/resultats$"))
    return taken


def open_first_badge(page: Page, visit: Visit) -> str:
    """From the results: « Voir mes badges », then the first badge's page; its public id."""
    page.get_by_role("button", name="Voir mes badges").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes badges")
    visit(page, "mes badges")
    page.get_by_role("link", name="Télécharger ou partager ce badge").first.click()
    expect(page).to_have_url(re.compile(r"/apprenant/badges/[0-9a-f-]+$"))
    visit(page, "page du badge")
    return page.url.rstrip("/").rsplit("/", 1)[1]


def publish_badge(page: Page, visit: Visit) -> None:
    """On the badge's page: a new badge is private; the holder makes it visible to share it."""
    switch = page.get_by_role("switch", name="Visible par les personnes qui ont le lien")
    expect(switch).to_have_attribute("aria-checked", "false")
    switch.click()
    expect(page.get_by_role("switch")).to_have_attribute("aria-checked", "true")
    visit(page, "badge rendu visible")


def published_by_holder(server, public_id: str) -> None:
    """The holder made the badge visible (as ``publish_badge`` does), for tests about what
    employers see once it is shared."""
    from badges import issuance, wallet
    from web.database import db

    with server.app.app_context():
        wallet.set_public(db.session, issuance.get(db.session, public_id), True)
        db.session.commit()


def download(page: Page, link_name: str, folder: Path) -> Path:
    """Click a download link and keep the file (Playwright's download)."""
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name, exact=True).click()
    saved = folder / info.value.suggested_filename
    info.value.save_as(saved)
    return saved


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion$"))


def verify_upload(page: Page, server, file: Path, visit: Visit | None = None) -> None:
    """Open /verifier, choose the file, press « Vérifier le badge »."""
    page.goto(server("/verifier"))
    if visit:
        visit(page, "vérifier un badge")
    page.get_by_label("Fichier du badge").set_input_files(str(file))
    page.get_by_role("button", name="Vérifier le badge").click()


def verdict(page: Page) -> str:
    return page.locator("[data-verdict]").get_attribute("data-verdict")
