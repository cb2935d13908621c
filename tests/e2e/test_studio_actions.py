"""A trainer records a funded action in real Chromium: creates the action, enrols a learner,
records their exit and their situation at exit, then imports a CSV file with a bad line (the
dry run reports it, the real import enrols the good line as a job with its progress), and
reads the six-month follow-ups. axe-core finds no violation on any of these pages."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from playwright.sync_api import Page, expect

TRAINER = "formateur@passerelle.example"
PHONE = {"width": 360, "height": 740}


def no_violation(axe_violations, page: Page) -> None:
    found = axe_violations(page)
    assert found == [], f"axe on {page.url}: " + "; ".join(
        f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes'][:3]]}" for v in found
    )


def create_action(page: Page, axe_violations, title: str) -> None:
    page.get_by_role("link", name="Actions financées et bénéficiaires").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Actions financées")
    no_violation(axe_violations, page)
    page.get_by_role("button", name="Créer une action").click()
    no_violation(axe_violations, page)
    page.get_by_label("Intitulé de l'action").fill(title)
    page.get_by_label("Diagnostic").check()
    page.get_by_label("Première année").fill(str(date.today().year - 1))
    page.get_by_label("Dernière année").fill(str(date.today().year))
    page.get_by_label("Bénéficiaires prévus").fill("8")
    page.get_by_role("button", name="Enregistrer l'action").click()
    # Bad input comes back in French, with what was typed kept.
    expect(page.get_by_text("Choisissez au moins une commune.").first).to_be_visible()
    expect(
        page.get_by_text("Une action accueille au moins 10 bénéficiaires.").first
    ).to_be_visible()
    expect(page.get_by_label("Intitulé de l'action")).to_have_value(title)
    no_violation(axe_violations, page)
    page.get_by_label("Communes où l'action se déroule").select_option(["93066", "93001"])
    page.get_by_label("Bénéficiaires prévus").fill("12")
    page.get_by_label("Taux de parcours complets prévu").fill("70")
    page.get_by_role("button", name="Enregistrer l'action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("L'action est créée.")).to_be_visible()
    no_violation(axe_violations, page)


def enrol_exit_and_outcome(page: Page, axe_violations) -> None:
    page.get_by_role("button", name="Inscrire un apprenant").click()
    no_violation(axe_violations, page)
    page.get_by_label("Apprenant").select_option(label="Sophie Dupont (sdupont)")
    page.get_by_label("Service orienteur").select_option(label="France Travail")
    page.get_by_label("Date d'entrée").fill((date.today() - timedelta(days=60)).isoformat())
    page.get_by_label("Statut du public").select_option(label="Demandeur ou demandeuse d'emploi")
    page.get_by_label("Femme").check()
    page.get_by_label("Commune de résidence").select_option("93066")
    page.get_by_role("button", name="Inscrire à l'action").click()
    expect(page.get_by_text("Sophie Dupont est inscrit·e à l'action.")).to_be_visible()
    page.get_by_role("link", name="Sortie : Sophie Dupont").click()
    no_violation(axe_violations, page)
    page.get_by_label("Date de sortie").fill((date.today() - timedelta(days=1)).isoformat())
    page.get_by_label("Motif de sortie").select_option(label="Parcours terminé")
    page.get_by_role("button", name="Enregistrer la sortie").click()
    expect(page.get_by_text("La sortie est enregistrée.")).to_be_visible()
    page.get_by_role("link", name="Situation : Sophie Dupont").click()
    no_violation(axe_violations, page)
    page.get_by_label("Six mois après la sortie").check()
    page.get_by_label("Situation", exact=True).select_option(label="CDI")
    page.get_by_role("button", name="Enregistrer la situation").click()
    expect(page.get_by_text("La situation à 6 mois se saisit à partir du").first).to_be_visible()
    page.get_by_label("À la sortie").check()
    page.get_by_role("button", name="Enregistrer la situation").click()
    expect(page.get_by_text("La situation est enregistrée.")).to_be_visible()
    row = page.get_by_role("row", name="Sophie Dupont")
    expect(row).to_contain_text("CDI")


CSV = (
    "identifiant,orienteur,date_entree,statut,sexe,commune\n"
    "amina@passerelle.example,ali,{entry},rsa_cer,f,Saint-Denis\n"
    "personne,ali,{entry},rsa_cer,,\n"
)


def import_csv(page: Page, axe_violations) -> None:
    page.get_by_role("button", name="Importer des inscriptions (CSV)").click()
    no_violation(axe_violations, page)
    entry = (date.today() - timedelta(days=10)).strftime("%d/%m/%Y")
    page.get_by_label("Fichier CSV des inscriptions").set_input_files(
        files=[
            {
                "name": "inscriptions.csv",
                "mimeType": "text/csv",
                "buffer": CSV.format(entry=entry).encode("utf-8"),
            }
        ]
    )
    page.get_by_role("button", name="Vérifier le fichier").click()
    expect(page.get_by_text("1 ligne(s) acceptée(s), 1 refusée(s)")).to_be_visible()
    expect(page.get_by_role("row", name="personne")).to_contain_text(
        "Aucun apprenant n'a cet identifiant."
    )
    no_violation(axe_violations, page)
    page.get_by_role("button", name="Inscrire les lignes acceptées").click()
    expect(page.get_by_text("1 inscription(s) faite(s), 1 ligne(s) refusée(s).")).to_be_visible()
    no_violation(axe_violations, page)
    page.get_by_role("link", name="Voir les bénéficiaires de l'action").click()
    expect(page.get_by_role("row", name="Amina Benali")).to_be_visible()


def test_a_trainer_records_an_action_its_beneficiaries_and_an_import(
    page: Page, login, live_server, axe_violations
):
    title = f"Action de démonstration {uuid.uuid4().hex[:6]}"
    login(page, TRAINER)
    create_action(page, axe_violations, title)
    enrol_exit_and_outcome(page, axe_violations)
    import_csv(page, axe_violations)
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("link", name="Retour aux actions").click()
    page.get_by_role("button", name="Suivis à six mois").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Suivis à six mois")
    no_violation(axe_violations, page)
