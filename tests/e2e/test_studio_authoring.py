"""A trainer writes a framework in Chromium: create it, add a domain and a competence, write a
single-choice and a number item, validate them, export the framework; axe on every page, and
the pages fit a 360 px phone without sideways scrolling."""

from __future__ import annotations

import json
import re

from playwright.sync_api import expect


def fits_phone(page) -> None:
    """At 360 px wide, nothing scrolls sideways."""
    size = page.viewport_size
    page.set_viewport_size({"width": 360, "height": 740})
    width = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(size)
    assert width <= 360, f"{page.url} is {width} px wide at 360 px"


def test_a_trainer_writes_a_framework_and_items_then_exports_it(
    page, login, assert_accessible, tmp_path
):
    login(page, "formateur@passerelle.example")
    page.get_by_role("link", name="Référentiels et questions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Référentiels de compétences")
    assert_accessible(page)
    fits_phone(page)

    page.get_by_role("button", name="Créer un référentiel").click()
    assert_accessible(page)
    # Bad input first: no title, a slug with capitals.
    page.get_by_label("Code court du référentiel").fill("Agent Accueil")
    page.get_by_role("button", name="Enregistrer le référentiel").click()
    expect(page.locator("#error-summary")).to_contain_text("Écrivez le titre en français")
    assert_accessible(page)
    page.get_by_label("Code court du référentiel").fill("agent-accueil-e2e")
    page.get_by_label("Titre (français)").fill("Agent d'accueil")
    page.get_by_role("button", name="Enregistrer le référentiel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Agent d'accueil")

    page.get_by_role("button", name="Ajouter un domaine").click()
    assert_accessible(page)
    page.get_by_label("Code du domaine").fill("1")
    page.get_by_label("Titre du domaine (français)").fill("Accueillir le public")
    page.get_by_role("button", name="Enregistrer le domaine").click()

    page.get_by_role("button", name="Ajouter une compétence").click()
    assert_accessible(page)
    fits_phone(page)
    page.get_by_label("Code de la compétence").fill("1.1")
    page.get_by_label("Titre (français)", exact=True).fill("Orienter une personne")
    page.locator("#levels-0-text_fr").fill("Dire bonjour et écouter la demande.")
    page.locator("#alignments-0-framework").fill("ESCO")
    page.locator("#alignments-0-url").fill("http://data.europa.eu/esco/skill/e2e")
    page.get_by_role("button", name="Enregistrer la compétence").click()
    page.get_by_role("link", name="1.1 — Orienter une personne").click()
    assert_accessible(page)

    page.get_by_role("link", name="Choix unique").click()
    assert_accessible(page)
    fits_phone(page)
    page.get_by_label("Consigne", exact=True).fill("Une personne cherche la CAF. Que faites-vous ?")
    page.get_by_label("Choix 1", exact=True).fill("Je lui indique le bon guichet")
    page.get_by_label("Choix 2", exact=True).fill("Je la laisse chercher")
    # No right answer ticked: the key does not fit, the page says so on the choices.
    page.get_by_label("Explication montrée après l'évaluation").fill("On oriente la personne.")
    page.get_by_role("button", name="Enregistrer la question").click()
    expect(page.locator("#error-summary")).to_contain_text("Cochez une seule bonne réponse")
    assert_accessible(page)
    page.get_by_label("Choix 1 : bonne réponse").check()
    page.get_by_role("button", name="Enregistrer la question").click()
    expect(page.get_by_role("status")).to_contain_text("enregistrée")

    page.get_by_role("link", name="Nombre").click()
    page.get_by_label("Consigne", exact=True).fill("Combien font 3 tickets à 1,50 € ?")
    page.get_by_label("Unité (facultatif)").fill("€")
    page.get_by_label("Bonne réponse (nombre)").fill("4,5")
    page.get_by_label("Explication montrée après l'évaluation").fill("3 × 1,50 = 4,50.")
    page.get_by_role("button", name="Enregistrer la question").click()
    expect(page.get_by_role("table")).to_contain_text("agent-accueil-e2e-1.1-002")
    assert_accessible(page)
    fits_phone(page)

    for uid in ("agent-accueil-e2e-1.1-001", "agent-accueil-e2e-1.1-002"):
        page.get_by_role("button", name=f"Valider {uid}").click()
        expect(page.get_by_role("status")).to_contain_text("statut changé")
    expect(page.get_by_role("table")).not_to_contain_text("Brouillon")

    page.get_by_role("link", name="Agent d'accueil").click()
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Exporter (JSON)").click()
    path = tmp_path / "export.json"
    download_info.value.save_as(path)
    bundle = json.loads(path.read_text(encoding="utf-8"))
    assert bundle["slug"] == "agent-accueil-e2e"
    assert [(i["type"], i["status"]) for i in bundle["items"]] == [
        ("qcu", "validated"),
        ("number", "validated"),
    ]
    assert bundle["items"][1]["key"] == {"value": 4.5, "tolerance": 0}
    assert re.search(r"/referentiels/\d+$", page.url)


def test_a_trainer_copies_a_shipped_framework_and_checks_an_import_first(
    journey_server, page, login, assert_accessible, tmp_path
):
    login(page, "formateur@passerelle.example")
    page.get_by_role("link", name="Référentiels et questions").click()
    page.get_by_role("link", name="Premiers pas numériques").click()
    expect(page.get_by_text("Fourni par Jalon (lecture seule)")).to_be_visible()
    assert_accessible(page)
    fits_phone(page)
    page.get_by_role("button", name="Copier dans ma structure").click()
    assert_accessible(page)
    page.get_by_label("Code court de la copie").fill("premiers-pas-passerelle")
    page.get_by_label("Titre de la copie").fill("Premiers pas (Passerelle)")
    page.get_by_role("button", name="Copier dans ma structure").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Premiers pas (Passerelle)")
    assert_accessible(page)
    # A copied item of a type written in forms opens in its form, with its texts.
    page.get_by_role("link", name=re.compile(r"^1\.1 — ")).click()
    page.get_by_role("link", name="Modifier premiers-pas-passerelle-1.1-001").click()
    expect(page.get_by_label("Consigne", exact=True)).not_to_be_empty()
    assert_accessible(page)
    fits_phone(page)
    page.get_by_role("link", name="Premiers pas (Passerelle)").click()
    page.get_by_role("button", name=re.compile(r"^Valider les \d+ brouillon")).click()
    expect(page.get_by_role("status")).to_contain_text("validée")

    page.get_by_role("link", name="Référentiels", exact=True).click()
    page.get_by_role("button", name="Importer un fichier").click()
    assert_accessible(page)
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "slug": "x",\n  oops\n}', encoding="utf-8")
    page.get_by_label("Fichier du référentiel (JSON, ou zip avec les images)").set_input_files(
        broken
    )
    page.get_by_role("button", name="Vérifier le fichier (rien n'est importé)").click()
    expect(page.get_by_role("alert")).to_contain_text("ligne 3")
    assert_accessible(page)
    fits_phone(page)


def test_a_trainer_imports_a_file_and_watches_its_progress(
    journey_server, page, login, assert_accessible, tmp_path
):
    """The real import runs as a job (a thread of the live server): the page shows its
    progress bar, then what it wrote."""
    from assessments.content_io import dump, export_framework
    from web.database import db

    with journey_server.app.app_context():
        bundle = export_framework(db.session, "premiers-pas", None)
    bundle["slug"] = "import-suivi"
    for item in bundle["items"]:
        item["id"] = item["id"].replace("premiers-pas", "import-suivi")
    path = tmp_path / "import-suivi.json"
    path.write_text(dump(bundle), encoding="utf-8")
    count = len(bundle["items"])

    login(page, "formateur@passerelle.example")
    page.get_by_role("link", name="Référentiels et questions").click()
    page.get_by_role("button", name="Importer un fichier").click()
    page.get_by_label("Fichier du référentiel (JSON, ou zip avec les images)").set_input_files(path)
    page.get_by_role("button", name="Vérifier le fichier (rien n'est importé)").click()
    page.get_by_role("button", name=re.compile("^Importer")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import du fichier")
    expect(page.get_by_text(f"Fichier importé : {count} question(s).")).to_be_visible()
    expect(page.get_by_text(f"{count} question(s) créée(s)")).to_be_visible()
    assert_accessible(page)
    fits_phone(page)
    page.get_by_role("link", name="Voir les référentiels").click()
    expect(page.get_by_role("link", name=bundle["title"]["fr"]).first).to_be_visible()
