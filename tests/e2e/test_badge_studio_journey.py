"""The badge studio from end to end in real Chromium, on real pages only: a trainer designs a
badge with an uploaded PNG and an alignment on a competence, previews it, builds its rule
(competence ≥ level), tries it on a campaign (one finished session passes, one fails), publishes
it; a new learner finishes a session of that campaign and finds it in « Mes badges »; the
employer's /c/<id> shows it valid with its name, criteria and alignment; the trainer suspends
then revokes it with a reason; /c/<id> says « révoqué » and the learner reads the reason.
axe-core finds nothing serious on the pages met."""

from __future__ import annotations

import itertools

import pytest
from playwright.sync_api import expect

from tests.e2e.journey_steps import log_out, publish_badge, take_tour
from tests.e2e.test_badge_rules import PASSWORD, credential_of
from tests.e2e.test_studio_badges import _describe, _png
from tests.learners.factories import make_learner

TRAINER = "formateur@passerelle.example"
COMPETENCE = "1.1"  # the Découverte tour asks two of its items, answered right by take_tour
_numbers = itertools.count(1)


@pytest.fixture
def campaign(journey_server):
    """A campaign of the Découverte tour in Passerelle where Awa finished at level 2 in
    competence 1.1 and Léo at level 0; a new learner's login."""
    from sqlalchemy import select

    from assessments import campaigns
    from assessments.models import Campaign
    from learners import demo
    from learners.database import utcnow
    from learners.models import Organisation
    from tests.assessments.factories import make_session
    from web.database import db

    n = next(_numbers)
    with journey_server.app.app_context():
        session = db.session
        org = session.scalar(select(Organisation).where(Organisation.name == demo.PASSERELLE[0]))
        tour = session.scalar(select(Campaign).where(Campaign.code == "TYPEPA33"))
        created = campaigns.create_campaign(session, tour.assessment, org.id, f"Parcours badge {n}")

        def learner(name: str, login: str):
            return make_learner(session, org, name=name, login=login, password=PASSWORD)

        for name, level in (("Awa Diallo", 2), ("Léo Petit", 0)):
            found = learner(name, f"{name.split()[0].lower()}parcours{n}")
            make_session(session, created, found, finished_at=utcnow(), levels={COMPETENCE: level})
        newcomer = f"ninaparcours{n}"
        learner("Nina Parcours", newcomer)
        session.commit()
        return {
            "org": org.id,
            "name": created.name,
            "code": created.code,
            "framework": tour.assessment.framework.title_fr,
            "newcomer": newcomer,
        }


def _design(page, journey_server, campaign, tmp_path, assert_accessible) -> tuple[str, str]:
    """The badge form with a PNG and a competence alignment, previewed, saved as a draft;
    (the badge's page address, the alignment's label)."""
    page.goto(journey_server(f"/organisations/{campaign['org']}/badges/nouveau"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Créer un badge")
    _describe(page, "Parcours numérique (e2e)")
    page.get_by_label("Mon image (PNG ou SVG, 512 Ko au plus)").check()
    page.locator("#image_file").set_input_files(str(_png(tmp_path / "parcours.png")))
    page.locator("#image_alt").fill("Rond bleu")
    page.locator("#alignments-0-kind").select_option("competence")
    aligned = page.locator("#alignments-0-competence")
    aligned.select_option(index=1)
    label = aligned.locator("option:checked").inner_text().strip()
    page.get_by_role("button", name="Voir l'aperçu").click()
    preview = page.locator("[data-preview]")
    expect(preview.get_by_role("heading", name="Aperçu avant publication")).to_be_visible()
    expect(preview.locator(".badge-preview-image img")).to_be_visible()
    expect(preview.locator("[data-schema]")).to_have_attribute("data-schema", "valid")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer ce badge tel quel").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Parcours numérique (e2e)")
    expect(page.locator(".badge-summary")).to_contain_text("Brouillon")
    return page.url, label


def _build_and_try_rule(page, campaign, assert_accessible) -> None:
    page.get_by_role("link", name="Voir ou modifier la règle d'obtention").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Parcours numérique (e2e)")
    page.get_by_label("Automatiquement, quand toutes les conditions sont remplies").check()
    page.get_by_label("Référentiel de l'évaluation").select_option(label=campaign["framework"])
    # The competences of the chosen framework arrive without a click (the page's script).
    expect(
        page.get_by_role("button", name="Afficher les compétences de ce référentiel")
    ).to_be_hidden()
    page.locator("#conditions-0-type").select_option("competence_level")
    page.locator("#conditions-0-competence").select_option(COMPETENCE)
    page.locator("#conditions-0-min_level").select_option("1")
    page.get_by_label("Campagne").select_option(label=campaign["name"])
    page.get_by_role("button", name="Essayer la règle sur cette campagne").click()
    results = page.locator("#resultats")
    expect(results).to_contain_text("2 participants ont terminé l'évaluation.")
    expect(results).to_contain_text("1 l'obtiendrait")
    expect(results.locator("ul.earners")).to_have_text("Awa Diallo")
    expect(results.locator("ul.others")).to_contain_text("Léo Petit")
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer la règle").click()
    expect(page.get_by_text("La règle d'obtention est enregistrée.")).to_be_visible()


def _change_status(page, action: str, reason: str) -> None:
    section = page.get_by_role("region", name=action)
    section.get_by_label("Raison (la personne la lira)").fill(reason)
    section.get_by_role("button", name=action).click()


def test_a_designed_badge_is_earned_verified_suspended_and_revoked(
    browser, journey_server, campaign, page, login, assert_accessible, tmp_path
):
    login(page, TRAINER)
    badge_url, alignment = _design(page, journey_server, campaign, tmp_path, assert_accessible)
    _build_and_try_rule(page, campaign, assert_accessible)
    page.goto(badge_url)
    page.get_by_role("button", name="Publier le badge").click()
    expect(page.locator(".badge-summary")).to_contain_text("Publié")
    assert_accessible(page)
    log_out(page)

    login(page, campaign["newcomer"], PASSWORD)
    take_tour(page, journey_server, campaign["code"], lambda *_: None)
    page.goto(journey_server("/apprenant/badges"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Mes badges")
    expect(page.get_by_text("Parcours numérique (e2e)").first).to_be_visible()
    assert_accessible(page)
    public_id = credential_of(journey_server, badge_url.rsplit("/", 1)[-1], campaign["newcomer"])
    assert public_id is not None, "the learner who finished the campaign did not get the badge"
    page.goto(journey_server(f"/apprenant/badges/{public_id}"))
    publish_badge(page, lambda *_: None)  # private until its holder shares it
    log_out(page)

    employer = browser.new_context(base_url=journey_server.url, locale="fr-FR").new_page()
    employer.goto(journey_server(f"/c/{public_id}"))
    expect(employer.get_by_role("heading", name="Badge valide")).to_be_visible()
    body = employer.locator("body")
    expect(body).to_contain_text("Parcours numérique (e2e)")
    expect(body).to_contain_text("Mise en situation réussie au plateau technique")
    expect(body).to_contain_text(alignment.split(" — ")[-1])  # « 1.1 Lire un message… »
    assert_accessible(employer)

    login(page, TRAINER)
    page.goto(badge_url)
    page.get_by_role("link", name="Révoquer, suspendre ou rétablir").first.click()
    _change_status(page, "Suspendre ce badge", "Vérification de l'épreuve en cours.")
    expect(page.locator("#credential-state")).to_contain_text("Suspendu")
    employer.reload()
    expect(employer.get_by_role("heading", level=1)).to_contain_text("suspendu")
    expect(employer.locator("body")).to_contain_text("Vérification de l'épreuve en cours.")
    _change_status(page, "Révoquer ce badge", "Épreuve passée par une autre personne.")
    expect(page.locator("#credential-state")).to_contain_text("Révoqué")
    assert_accessible(page)
    log_out(page)

    employer.reload()
    expect(employer.get_by_role("heading", level=1)).to_contain_text("révoqué")
    expect(employer.locator("body")).to_contain_text("Épreuve passée par une autre personne.")
    assert_accessible(employer)
    login(page, campaign["newcomer"], PASSWORD)
    page.goto(journey_server("/apprenant/badges"))
    expect(page.locator("body")).to_contain_text("Épreuve passée par une autre personne.")
    assert_accessible(page)
