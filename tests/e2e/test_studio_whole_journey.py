# ruff: noqa: E501 - the forms of the eleven types read best one field per line
"""The trainer's whole week in one chained Chromium journey, through the real pages only: a
framework with a domain and a competence, one item of each of the eleven types written in
their forms, one previewed as the learner sees it with an answer checked, an assessment
composed in the campaign form (a fixed list of those items), the campaign's poster (a PDF whose
QR code is the join link), a new learner who follows that link and answers every item, then the
trainer's results row, its CSV and XLSX (the same figures) and the learner's individual report
(it names the competence and the level)."""

from __future__ import annotations

import csv
import io
import itertools
import re

import zxingcpp
from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from tests.e2e.journey_steps import answer_by_clicks, current_item

TRAINER = "formateur@passerelle.example"
COMPETENCE = "Orienter une personne"
LEARNER = "Lou Parcours"
PASSWORD = "un parcours entier en juin"
_runs = itertools.count(1)

# The eleven forms, by element id (what a person types or picks in each box).
ITEMS: dict[str, dict[str, str | bool]] = {
    "qcu": {"choices-0-text": "Je lui indique le bon guichet", "choices-0-right": True,
            "choices-1-text": "Je la laisse chercher"},
    "qcm": {"choices-0-text": "Chrome", "choices-0-right": True, "choices-1-text": "Excel",
            "choices-2-text": "Firefox", "choices-2-right": True},
    "qroc": {"answers": "caf\nla caf"},
    "number": {"label": "Total", "unit": "€", "value": "4,5"},
    "qrocm_ind": {"fields-0-label": "Ville", "fields-0-answers": "Paris ; paris 1er",
                  "fields-1-label": "Code postal", "fields-1-answers": "75001"},
    "qrocm_dep": {"fields-0-label": "Navigateur 1", "fields-1-label": "Navigateur 2",
                  "required": "2", "groups": "chrome ; google chrome\nfirefox\nedge"},
    "ordering": {"steps-0-text": "Allumer", "steps-1-text": "Se connecter", "steps-2-text": "Ouvrir"},
    "matching": {"pairs-0-left": "PDF", "pairs-0-right": "Document", "pairs-1-left": "JPG",
                 "pairs-1-right": "Image", "pairs-2-right": "Musique"},
    "task_phishing": {"presentation": "message", "samples-0-sender": "banque@exemple.fr",
                      "samples-0-subject": "Relevé", "samples-0-text": "Votre relevé est prêt.",
                      "samples-1-sender": "gain@arnaque.example", "samples-1-subject": "Vous avez gagné !",
                      "samples-1-url": "https://arnaque.example", "samples-1-scam": True},
    "task_form": {"site": "Mes aides (fictif)", "situation": "Sam Dupont, né le 12 mai 1984, célibataire.",
                  "form_fields-0-label": "Nom", "form_fields-0-kind": "text", "form_fields-0-expected": "Dupont",
                  "form_fields-1-label": "Date de naissance", "form_fields-1-kind": "date",
                  "form_fields-1-expected": "12/05/1984", "form_fields-2-label": "Situation",
                  "form_fields-2-kind": "radio", "form_fields-2-options": "Célibataire\nMarié",
                  "form_fields-2-expected": "Célibataire"},
    "task_webmail": {"owner": "sam@exemple.fr", "messages-0-sender": "caf@exemple.fr",
                     "messages-0-subject": "Dossier", "messages-0-text": "Envoyez votre CV à conseil@exemple.fr.",
                     "files": "CV_Dupont.pdf", "action": "forward", "target": "1",
                     "to": "conseil@exemple.fr", "attach": "CV_Dupont.pdf", "body_contains": "CV"},
}  # fmt: skip
TYPE_LINKS = {
    "qcu": "Choix unique",
    "qcm": "Choix multiple",
    "qroc": "Réponse courte",
    "number": "Nombre",
    "qrocm_ind": "Plusieurs cases",
    "qrocm_dep": "Citer N réponses",
    "ordering": "Remettre dans l'ordre",
    "matching": "Relier deux listes",
    "task_phishing": "Mise en situation : repérer l'arnaque",
    "task_form": "Mise en situation : formulaire",
    "task_webmail": "Mise en situation : messagerie",
}
TABLE_CELLS = """() => Array.from(document.querySelectorAll('#results-table tr')).map(row =>
  Array.from(row.querySelectorAll('th, td')).map(cell => {
    const copy = cell.cloneNode(true);
    copy.querySelectorAll('.visually-hidden').forEach(hidden => hidden.remove());
    const text = copy.textContent.replace(/\\s+/g, ' ').trim();
    return text === '—' ? '' : text;
  }))"""


def fill(page: Page, values: dict[str, str | bool]) -> None:
    """Type, pick or tick each box as a person would, whatever kind of box it is."""
    for element_id, value in values.items():
        box = page.locator(f"#{element_id}")
        tag = box.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if tag.startswith("select"):
            box.select_option(value)
        elif tag == "input:checkbox":
            box.set_checked(bool(value))
        else:
            box.fill(value)


def write_framework(page: Page, slug: str, title: str) -> None:
    page.get_by_role("link", name="Référentiels et questions").click()
    page.get_by_role("button", name="Créer un référentiel").click()
    page.get_by_label("Code court du référentiel").fill(slug)
    page.get_by_label("Titre (français)").fill(title)
    page.get_by_role("button", name="Enregistrer le référentiel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.get_by_role("button", name="Ajouter un domaine").click()
    page.get_by_label("Code du domaine").fill("1")
    page.get_by_label("Titre du domaine (français)").fill("Accueillir le public")
    page.get_by_role("button", name="Enregistrer le domaine").click()
    page.get_by_role("button", name="Ajouter une compétence").click()
    page.get_by_label("Code de la compétence").fill("1.1")
    page.get_by_label("Titre (français)", exact=True).fill(COMPETENCE)
    page.locator("#levels-1-text_fr").fill("Orienter la personne vers le bon guichet.")
    page.get_by_role("button", name="Enregistrer la compétence").click()
    page.get_by_role("link", name=f"1.1 — {COMPETENCE}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"1.1 — {COMPETENCE}")


def write_items(page: Page, slug: str) -> None:
    """One item of each type at level 2, then every draft validated from the framework page."""
    competence_url = page.url
    for number, (kind, values) in enumerate(ITEMS.items(), start=1):
        page.get_by_role("link", name=TYPE_LINKS[kind], exact=True).click()
        page.locator("#level").select_option("2")
        page.locator("#instruction").fill(f"Question {number} du parcours ({kind}).")
        fill(page, values)
        page.locator("#explanation").fill("Voici pourquoi.")
        page.get_by_role("button", name="Enregistrer la question").click()
        expect(page.locator("#error-summary")).to_have_count(0)
        expect(page.get_by_role("table")).to_contain_text(f"{slug}-1.1-{number:03d}")
        assert page.url.split("?")[0] == competence_url, (kind, page.url)
    expect(page.get_by_role("table")).to_contain_text(f"{slug}-1.1-011")


def preview_and_check(page: Page, slug: str) -> None:
    """The short-text item as the learner sees it; a typed answer told accepted, and why."""
    back = page.url
    page.get_by_role("link", name=f"Aperçu de {slug}-1.1-003").click()
    expect(page.locator("h1#instruction")).to_have_text("Question 3 du parcours (qroc).")
    page.locator("#text").fill("  LA CAF ")
    page.get_by_role("button", name="Valider ma réponse").click()
    verdict = page.locator("#verdict")
    expect(verdict.get_by_role("heading", name="Réponse acceptée")).to_be_visible()
    page.locator("#text").fill("la mairie")
    page.get_by_role("button", name="Valider ma réponse").click()
    expect(verdict.get_by_role("heading", name="Réponse refusée")).to_be_visible()
    page.goto(back)


def create_campaign(page: Page, title: str, name: str) -> None:
    """The assessment is composed in the campaign form: a fixed list over the new competence."""
    page.get_by_role("navigation", name="Fil d'Ariane").get_by_role("link").first.click()
    page.get_by_role("link", name="Campagnes d'évaluation").click()
    page.get_by_role("button", name="Créer une campagne").click()
    page.get_by_label("Nom de la campagne").fill(name)
    page.get_by_role("radio", name="Composer une évaluation").check()
    page.get_by_label("Référentiel").select_option(label=title)
    page.get_by_label(f"1.1 {COMPETENCE}").and_(page.locator(":enabled")).check()
    page.get_by_label("Liste fixe : les mêmes questions pour tous").check()
    page.get_by_label("Du niveau").select_option("1")
    page.get_by_label("Au niveau").select_option("8")
    page.get_by_label("Nombre maximum de questions").fill(str(len(ITEMS)))
    page.get_by_role("button", name="Créer la campagne").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(name)


def poster_link(page: Page) -> str:
    """The poster is a PDF holding the code; its QR code is the link shown on the page."""
    code = page.locator("#campaign-code").inner_text()
    shown = page.get_by_label("Lien pour rejoindre").input_value()
    poster = page.get_by_role("button", name="Affiche à imprimer (PDF, A4)")
    response = page.context.request.get(poster.get_attribute("href"))
    assert response.ok and response.body().startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.body()))
    assert code in " ".join(reader.pages[0].extract_text().split())
    [found] = zxingcpp.read_barcodes(reader.pages[0].images[0].image)
    assert found.text == shown
    return found.text


def new_learner(page: Page) -> tuple[str, str]:
    page.goto(page.url.split("/campagnes")[0] + "/apprenants/nouveau")
    page.get_by_label("Prénom et nom de l'apprenant").fill(LEARNER)
    page.get_by_role("button", name="Créer le compte et imprimer la fiche").click()
    return page.locator("#sheet-username").inner_text(), page.locator("#sheet-code").inner_text()


def learner_takes_it(page: Page, server, link: str, login: tuple[str, str]) -> None:
    username, code = login
    page.goto(link)
    page.get_by_label("Adresse e-mail ou identifiant").fill(username)
    page.get_by_label("Mot de passe ou code d'accès").fill(code)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Mot de passe actuel (ou code d'accès reçu)").fill(code)
    page.get_by_label("Nouveau mot de passe", exact=True).fill(PASSWORD)
    page.get_by_label("Nouveau mot de passe, encore une fois").fill(PASSWORD)
    page.get_by_role("button", name="Changer mon mot de passe").click()
    expect(page).to_have_url(link)
    page.get_by_role("button", name="Commencer").click()
    total = len(ITEMS)
    for number in range(1, total + 1):
        expect(page.get_by_text(f"Question {number} sur {total}")).to_be_visible()
        answer_by_clicks(page, current_item(server, page))
    expect(page).to_have_url(re.compile(r"/resultats$"))


def downloaded(page: Page, name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=name).click()
    return info.value.path().read_bytes()


def xlsx_rows(data: bytes) -> list[list[str]]:
    def shown(value) -> str:
        if value is None:
            return ""
        return value.strftime("%d/%m/%Y %H:%M") if hasattr(value, "strftime") else str(value)

    sheet = load_workbook(io.BytesIO(data)).active
    return [[shown(value) for value in row] for row in sheet.iter_rows(values_only=True)]


def new_version_then_the_old_one(page: Page, slug: str, assert_accessible) -> None:
    """A validated item whose right answer changes gets version 2; version 1 stays readable."""
    uid = f"{slug}-1.1-001"
    page.get_by_role("link", name=re.compile(r"^1\.1 — ")).click()
    page.get_by_role("link", name=f"Modifier {uid}").click()
    page.locator("#choices-0-right").uncheck()
    page.locator("#choices-1-right").check()
    page.get_by_role("button", name="Enregistrer la question").click()
    expect(page.get_by_role("status")).to_contain_text("version 2")
    page.get_by_role("link", name=f"Modifier {uid}").click()
    page.get_by_role("link", name=re.compile(r"^Version 1, remplacée le")).click()
    expect(page.get_by_text("Ce que la version suivante a changé")).to_be_visible()
    expect(page.locator("h1#instruction")).to_have_text("Question 1 du parcours (qcu).")
    assert_accessible(page)


def test_a_trainer_builds_a_campaign_from_nothing_and_reads_a_learners_results(
    browser, live_server, login, assert_accessible
):
    run = next(_runs)
    slug, title, name = f"parcours-{run}", f"Accueil du public {run}", f"Parcours entier {run}"
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    login(page, TRAINER)
    write_framework(page, slug, title)
    write_items(page, slug)
    preview_and_check(page, slug)
    page.get_by_role("link", name=title).click()
    page.get_by_role("button", name=re.compile(r"^Valider les 11 brouillon")).click()
    expect(page.get_by_role("status")).to_contain_text("validée")
    new_version_then_the_old_one(page, slug, assert_accessible)

    create_campaign(page, title, name)
    campaign_url = page.url
    page.get_by_role("button", name="Modifier la campagne").click()
    assert_accessible(page)
    page.get_by_label("Durée limite, en minutes").fill("60")
    page.get_by_role("button", name="Enregistrer les changements").click()
    expect(page.get_by_text("Les changements sont enregistrés.")).to_be_visible()
    expect(page.get_by_text("60 minutes")).to_be_visible()
    link = poster_link(page)
    learner_login = new_learner(page)
    learner = browser.new_context(base_url=live_server.url, locale="fr-FR")
    learner.set_default_timeout(15_000)
    learner_takes_it(learner.new_page(), live_server, link, learner_login)
    learner.close()

    page.goto(campaign_url)
    expect(page.get_by_text("1 personne a commencé, 1 a terminé.")).to_be_visible()
    # Someone took it: its assessment no longer changes, said in French on the field.
    page.get_by_role("button", name="Modifier la campagne").click()
    page.get_by_label("Durée limite, en minutes").fill("30")
    page.get_by_role("button", name="Enregistrer les changements").click()
    expect(page.locator("#error-summary")).to_contain_text("son évaluation ne peut plus changer")
    page.goto(campaign_url)
    page.get_by_role("button", name=re.compile("^Voir les résultats")).click()
    row = page.locator("#results-table tbody tr", has_text=LEARNER)
    expect(row).to_contain_text("Terminée")
    table = page.evaluate(TABLE_CELLS)
    mine = next(r for r in table if r[0] == LEARNER)
    level = mine[table[0].index("Niveau 1.1")]
    assert mine[table[0].index("Questions répondues")] == str(len(ITEMS))
    assert level == "2", mine  # every item of level 2 answered right
    csv_data = downloaded(page, "Télécharger le tableau (CSV)")
    assert list(csv.reader(io.StringIO(csv_data.decode("utf-8-sig")), delimiter=";")) == table
    assert xlsx_rows(downloaded(page, "Télécharger le tableau (Excel)")) == table

    page.get_by_role("link", name=LEARNER).click()
    with page.expect_download() as info:
        page.get_by_role("button", name="Télécharger le bilan individuel (PDF)").click()
    reader = PdfReader(io.BytesIO(info.value.path().read_bytes()))
    text = " ".join(" ".join(p.extract_text() for p in reader.pages).split())
    assert LEARNER in text
    assert f"1.1 {COMPETENCE} — niveau {level}" in text
    context.close()
