"""A trainer runs a campaign in real Chromium: from the organisation page to the campaigns list,
creates a campaign (a fixed list on two competences), copies its link, opens its A4 poster and
reads its QR code; a new learner follows that link from a 360 px phone, signs in for the first
time, is told where the results go, takes the assessment; the trainer's list then counts them.
axe-core finds no violation on the new pages, on a desktop and on a 360 px phone."""

from __future__ import annotations

import io
import re

import zxingcpp
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.journey_steps import answer_by_clicks, current_item

TRAINER = "formateur@passerelle.example"
ASSOCIATION = "Association Passerelle Numérique"
NAME = "Atelier premiers pas — décembre"
PHONE = {"width": 360, "height": 740}


def no_violation(axe_violations, page: Page) -> None:
    found = axe_violations(page)
    assert found == [], f"axe on {page.url}: " + "; ".join(
        f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in found
    )


def fits_a_phone(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def offered(page: Page, label: str):
    """The competence box of the chosen framework (another framework with the same competence,
    an organisation's copy say, has its boxes disabled while it is not chosen)."""
    return page.get_by_label(label).and_(page.locator(":enabled"))


def create_campaign(page: Page, axe_violations) -> None:
    page.get_by_role("link", name="Campagnes d'évaluation").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Campagnes")
    no_violation(axe_violations, page)
    page.get_by_role("button", name="Créer une campagne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer une campagne")
    no_violation(axe_violations, page)
    page.get_by_label("Nom de la campagne").fill(NAME)
    page.get_by_label("Référentiel").select_option(label="Premiers pas numériques")
    # Only the chosen framework's competences are offered (campaigns.js).
    keyboard = offered(page, "1.2 Utiliser le clavier")
    expect(keyboard).to_be_visible()
    expect(page.get_by_text("Rédiger un courriel professionnel")).to_have_count(0)
    keyboard.check()
    offered(page, "2.1 Utiliser une messagerie électronique").check()
    expect(page.get_by_label("Du niveau")).to_be_hidden()
    page.get_by_label("Liste fixe : les mêmes questions pour tous").check()
    expect(page.get_by_label("Du niveau")).to_be_visible()
    expect(page.get_by_label("Nombre minimum de questions")).to_be_hidden()
    page.get_by_label("Du niveau").select_option("1")
    page.get_by_label("Au niveau").select_option("2")
    page.get_by_label("Nombre maximum de questions").fill("3")
    page.get_by_role("button", name="Créer la campagne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.get_by_text("La campagne est créée.")).to_be_visible()


def check_poster(page: Page, link: str, code: str) -> bytes:
    poster = page.get_by_role("button", name="Affiche à imprimer (PDF, A4)")
    response = page.context.request.get(poster.get_attribute("href"))
    assert response.ok and response.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.body()))
    words = " ".join(reader.pages[0].extract_text().split())  # lines wrapped on the page
    assert NAME in words and code in words and link in words
    decoded = zxingcpp.read_barcodes(reader.pages[0].images[0].image)
    assert [found.text for found in decoded] == [link]
    return response.body()


def new_learner(page: Page) -> tuple[str, str]:
    page.goto(page.url.split("/campagnes")[0] + "/apprenants/nouveau")
    page.get_by_label("Prénom et nom de l'apprenant").fill("Rose Campagne")
    page.get_by_role("button", name="Créer le compte et imprimer la fiche").click()
    return page.locator("#sheet-username").inner_text(), page.locator("#sheet-code").inner_text()


def take_assessment(phone: Page, server, link: str, login: tuple[str, str], axe) -> None:
    """From the poster's link: sign in, choose a password, then the campaign and its items."""
    username, code = login
    phone.goto(link)
    expect(phone).to_have_url(re.compile(r"/connexion\?next="))
    phone.get_by_label("Adresse e-mail ou identifiant").fill(username)
    phone.get_by_label("Mot de passe ou code d'accès").fill(code)
    phone.get_by_role("button", name="Se connecter").click()
    phone.get_by_label("Mot de passe actuel (ou code d'accès reçu)").fill(code)
    phone.get_by_label("Nouveau mot de passe", exact=True).fill("la rose fleurit en juin")
    phone.get_by_label("Nouveau mot de passe, encore une fois").fill("la rose fleurit en juin")
    phone.get_by_role("button", name="Changer mon mot de passe").click()
    expect(phone).to_have_url(link)
    expect(phone.get_by_text(f"Vos résultats seront envoyés à {ASSOCIATION}.")).to_be_visible()
    fits_a_phone(phone)
    no_violation(axe, phone)
    phone.get_by_role("button", name="Commencer").click()
    for number in range(1, 4):
        expect(phone.get_by_text(f"Question {number} sur 3")).to_be_visible()
        answer_by_clicks(phone, current_item(server, phone))
    expect(phone).to_have_url(re.compile(r"/resultats$"))


def test_a_trainer_runs_a_campaign_that_a_learner_joins_from_the_poster_link(
    browser, journey_server, login, axe_violations, artifacts_dir
):
    server = journey_server
    context = browser.new_context(
        base_url=server.url, locale="fr-FR", permissions=["clipboard-read", "clipboard-write"]
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(page, TRAINER)
    create_campaign(page, axe_violations)
    campaign_url = page.url
    no_violation(axe_violations, page)
    page.screenshot(path=artifacts_dir / "campaign-page-desktop.png", full_page=True)

    code = page.locator("#campaign-code").inner_text()
    link = page.get_by_label("Lien pour rejoindre").input_value()
    assert link == f"{server.url}/apprenant/campagne/{code}"
    page.get_by_role("button", name="Copier le lien").click()
    expect(page.locator("#copy-status")).to_have_text(
        "Le lien est copié. Vous pouvez le coller dans un message."
    )
    assert page.evaluate("navigator.clipboard.readText()") == link
    (artifacts_dir / "campaign-poster.pdf").write_bytes(check_poster(page, link, code))
    learner_login = new_learner(page)

    phone_context = browser.new_context(base_url=server.url, locale="fr-FR", viewport=PHONE)
    phone_context.set_default_timeout(10_000)
    take_assessment(phone_context.new_page(), server, link, learner_login, axe_violations)
    phone_context.close()

    page.goto(campaign_url)
    expect(page.get_by_text("1 personne a commencé, 1 a terminé.")).to_be_visible()
    page.get_by_role("link", name="Retour aux campagnes").click()
    row = page.get_by_role("row", name=re.compile(NAME))
    expect(row.get_by_role("cell").nth(3)).to_have_text("1")  # started
    expect(row.get_by_role("cell").nth(4)).to_have_text("1")  # finished
    context.close()


def test_the_campaign_pages_fit_a_phone_and_pass_axe_in_french_and_english(
    browser, journey_server, login, axe_violations, artifacts_dir
):
    context = browser.new_context(base_url=journey_server.url, locale="fr-FR", viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(page, "formatrice@ateliers.example")
    page.get_by_role("link", name="Campagnes d'évaluation").click()
    list_url = page.url
    page.get_by_role("row").nth(1).get_by_role("link").first.click()  # the first campaign's page
    campaign_url = page.url
    for url in (list_url, list_url + "/nouvelle", campaign_url):
        for lang in ("fr", "en"):
            page.goto(f"{url}?lang={lang}")
            expect(page.locator("html")).to_have_attribute("lang", lang)
            fits_a_phone(page)
            no_violation(axe_violations, page)
            name = url.rstrip("/").rsplit("/", 1)[1]
            page.screenshot(path=artifacts_dir / f"campaigns-360-{name}-{lang}.png", full_page=True)
    # Bad input on a phone: the summary takes the focus and names the field.
    page.goto(list_url + "/nouvelle?lang=fr")
    page.get_by_role("button", name="Créer la campagne").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Nom de la campagne : Écrivez le nom de la campagne.")
    fits_a_phone(page)
    no_violation(axe_violations, page)
    context.close()
