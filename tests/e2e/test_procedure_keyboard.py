"""Practice procedures (``task_procedure``) on a phone-sized screen (360 px), with the KEYBOARD
ONLY, in real Chromium: « Continuer » with nothing chosen says why on the screen, a wrong turn is
undone with « Revenir à l'écran précédent », the SMS code is typed, a file is picked among
blurry and cut-off photos; nothing overflows sideways and axe-core finds no serious or critical
violation on the screens, the phone message and the summary; each new screen takes the focus on
its title. Both answers are judged right on the server."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from assessments import checking
from tests.e2e.test_assessment_journey import (
    answer_procedure_by_keyboard,
    choose_radio,
    current_item,
    follow_link,
    press_button,
    tab_to,
    type_into,
)

CODE = "DEMA-RC26"
PASSWORD = "démarche au clavier 2026"
LOGIN = "demarche360"
ITEMS = ("premiers-pas-2.2-201", "premiers-pas-2.2-203")
PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def procedure_campaign(live_server):
    """A learner of the demo association and a campaign of two practice procedures."""
    from sqlalchemy import select

    from learners import accounts, demo
    from learners.models import Organisation, Role
    from tests.assessments.factories import make_tour_campaign
    from web.database import db

    with live_server.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == demo.PASSERELLE[0]))
        accounts.create_user(
            db.session,
            display_name="Awa Démarche",
            password=PASSWORD,
            username=LOGIN,
            memberships=((org, Role.LEARNER),),
        )
        make_tour_campaign(db.session, org, CODE, items=ITEMS)
        db.session.commit()
    return live_server


def _fits_the_phone(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the page is {width} px wide on a 360 px screen"


def _screen(page, title: str, *, moved: bool = True) -> None:
    """The screen shown; after « Continuer » or « Revenir » (``moved``) the focus is on its
    title, so a screen reader says where the person now is."""
    heading = page.locator("#ecran")
    expect(heading).to_have_text(title)
    if moved:
        expect(heading).to_be_focused()
    _fits_the_phone(page)


def test_procedures_by_keyboard_on_a_phone(procedure_campaign, page, login, assert_accessible):
    server = procedure_campaign
    page.set_viewport_size(PHONE)
    login(page, LOGIN, PASSWORD)
    page.goto(server("/apprenant/"))
    follow_link(page, page.get_by_role("button", name="J'ai un code d'évaluation"))
    code = page.get_by_label("Code de l'évaluation")
    tab_to(page, code)
    page.keyboard.type(CODE.lower())
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # 1. FranceConnect and the SMS code.
    first = current_item(server, page)
    assert first.uid == ITEMS[0]
    _screen(page, "Votre espace particulier", moved=False)
    assert_accessible(page)
    press_button(page, "Continuer")  # nothing chosen: the screen stays and says why
    _screen(page, "Votre espace particulier")
    problem = page.locator("#screen-problem")
    expect(problem).to_have_text("Choisissez une réponse pour continuer.")
    expect(page.locator("#step-accueil")).to_have_attribute("aria-describedby", "screen-problem")
    choose_radio(page, "step-accueil", ["fc", "creer"], "fc")
    press_button(page, "Continuer")
    _screen(page, "Je choisis un compte pour me connecter")
    providers = ["impots", "ameli", "laposte", "msa", "identite"]
    choose_radio(page, "step-fc", providers, "impots")  # a wrong turn…
    press_button(page, "Continuer")
    _screen(page, "Connexion avec votre numéro fiscal")
    follow_link(page, page.get_by_role("link", name="Revenir à l'écran précédent"))  # …undone
    _screen(page, "Je choisis un compte pour me connecter")
    choose_radio(page, "step-fc", providers, "ameli")
    press_button(page, "Continuer")
    _screen(page, "Connexion à votre compte ameli")
    press_button(page, "Continuer")  # a single way on: already chosen
    _screen(page, "Code de sécurité")
    sms = page.get_by_role("figure", name="SMS reçu sur votre téléphone")
    expect(sms).to_contain_text("482913")
    assert_accessible(page)
    type_into(page, "#step-code-code", "482913")
    press_button(page, "Continuer")
    _screen(page, "Vous allez vous connecter à impots.gouv.fr")
    choose_radio(page, "step-retour", ["continuer", "annuler"], "continuer")
    press_button(page, "Continuer")
    _screen(page, "Vos réponses")
    summary = page.locator(".procedure-summary")
    expect(summary).to_contain_text("ameli.fr")
    expect(summary).not_to_contain_text("numéro fiscal")  # the wrong turn was undone
    assert_accessible(page)
    press_button(page, "Envoyer ma réponse")

    # 2. Sending the readable payslip, with the shared keyboard walk.
    second = current_item(server, page)
    assert second.uid == ITEMS[1]
    _screen(page, "Mon Compte", moved=False)
    assert_accessible(page)
    answer_procedure_by_keyboard(page, second, checking.example_right_response(second))
    _fits_the_phone(page)
    assert "/resultats" in page.url

    from sqlalchemy import select

    from assessments.models import AnswerStatus, AssessmentSession, Response
    from learners.models import Learner, User
    from web.database import db

    with server.app.app_context():
        learner = db.session.scalar(select(Learner).join(User).where(User.username == LOGIN))
        statuses = db.session.scalars(
            select(Response.status)
            .join(AssessmentSession)
            .where(AssessmentSession.learner_id == learner.id)
            .order_by(Response.id)
        ).all()
    assert statuses == [AnswerStatus.OK, AnswerStatus.OK]
