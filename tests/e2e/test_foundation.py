"""Foundation journeys in real Chromium: each role's home, first-login code change, language."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

HOMES = [
    ("sdupont", r"/apprenant/$", "Bonjour Sophie Dupont"),
    ("formateur@passerelle.example", r"/organisations/\d+/$", "Association Passerelle Numérique"),
    ("direction@ateliers.example", r"/organisations/\d+/$", "Les Ateliers du Lien"),
    ("departement@jalon.example", r"/departement/$", "Indicateurs du département"),
    ("admin@jalon.example", r"/admin/organisations$", "Structures"),
]


def test_login_page_is_accessible_and_keyboard_first(page, live_server, assert_accessible):
    page.goto(live_server("/connexion"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert_accessible(page)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Aller au contenu")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()


def test_login_errors_are_announced_and_linked_to_fields(
    page, live_server, login, assert_accessible
):
    login(page, "sdupont", "pas le bon")
    expect(page.get_by_role("alert")).to_contain_text("Identifiant ou mot de passe incorrect")
    expect(page.locator("#error-summary")).to_be_focused()
    assert_accessible(page)
    page.get_by_label("Adresse e-mail ou identifiant").fill("")
    page.get_by_role("button", name="Se connecter").click()
    field = page.get_by_label("Adresse e-mail ou identifiant")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile("Écrivez votre adresse e-mail"))


@pytest.mark.parametrize(("user", "path", "heading"), HOMES, ids=[h[0] for h in HOMES])
def test_each_role_logs_in_and_lands_on_its_home(
    page, login, assert_accessible, user, path, heading
):
    login(page, user)
    expect(page).to_have_url(re.compile(path))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_accessible(page)
    if user == "sdupont":
        expect(page.get_by_role("heading", name="Mes évaluations")).to_be_visible()
        expect(page.get_by_role("heading", name="Mes badges")).to_be_visible()
    page.get_by_role("button", name="Se déconnecter").click()
    expect(page).to_have_url(re.compile(r"/connexion$"))


def test_learner_changes_one_time_code_at_first_login(
    browser, live_server, login, assert_accessible
):
    trainer = browser.new_context(base_url=live_server.url).new_page()
    login(trainer, "formatrice@ateliers.example")
    trainer.get_by_role("button", name="Créer un compte apprenant").click()
    assert_accessible(trainer)
    trainer.get_by_label("Prénom et nom de l'apprenant").fill("Yasmina Haddad")
    trainer.get_by_role("button", name="Créer le compte et imprimer la fiche").click()
    expect(trainer.get_by_role("button", name="Imprimer la fiche")).to_be_visible()
    assert_accessible(trainer)
    username = trainer.locator("#sheet-username").inner_text()
    code = trainer.locator("#sheet-code").inner_text()
    trainer.context.close()

    learner = browser.new_context(base_url=live_server.url).new_page()
    login(learner, username, code)
    expect(learner).to_have_url(re.compile(r"/compte/mot-de-passe$"))
    expect(learner.get_by_role("heading", level=1)).to_have_text("Choisissez votre mot de passe")
    assert_accessible(learner)
    learner.goto(live_server("/apprenant/"))  # cannot skip the change
    expect(learner).to_have_url(re.compile(r"/compte/mot-de-passe$"))
    learner.get_by_label("Mot de passe actuel (ou code d'accès reçu)").fill(code)
    learner.get_by_label("Nouveau mot de passe", exact=True).fill("le chat dort au soleil")
    learner.get_by_label("Nouveau mot de passe, encore une fois").fill("le chat dort au soleil")
    learner.get_by_role("button", name="Changer mon mot de passe").click()
    expect(learner).to_have_url(re.compile(r"/apprenant/$"))
    expect(learner.get_by_role("heading", name="Mes badges")).to_be_visible()
    learner.context.close()


def test_language_switcher_turns_the_page_english_and_back(page, live_server):
    page.goto(live_server("/mot-de-passe-oublie"))
    page.get_by_role("button", name="English").click()
    expect(page).to_have_url(re.compile(r"/mot-de-passe-oublie$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Forgotten password")
    page.goto(live_server("/connexion"))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    page.get_by_role("button", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("button", name="Se connecter")).to_be_visible()


@pytest.mark.parametrize("width", [360, 640])
def test_pages_fit_a_phone_and_200_percent_zoom(browser, live_server, login, width):
    """360 px phones; 640 px ≈ a 1280 px window at 200 % zoom: no sideways scrolling."""
    page = browser.new_context(
        base_url=live_server.url, viewport={"width": width, "height": 740}
    ).new_page()
    page.goto(live_server("/connexion"))
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    login(page, "kmartin")
    expect(page.get_by_role("heading", name="Mes évaluations")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    size = page.get_by_role("button", name="Se déconnecter").bounding_box()
    assert size["height"] >= 44
    font = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 18
    page.context.close()


def test_dark_mode_keeps_contrast(browser, live_server, login, assert_accessible):
    context = browser.new_context(base_url=live_server.url, color_scheme="dark")
    page = context.new_page()
    page.goto(live_server("/connexion"))
    assert_accessible(page)
    login(page, "lpetit")
    assert_accessible(page)
    context.close()
