"""Awarding in real Chromium: a trainer awards a badge by hand with a photo (the learner opens
it, a trainer of another association cannot), awards from a CSV file with a bad line (dry run,
then the run with its progress), and revokes a badge that the employer's page then says is
« révoqué »."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from learners.models import Role
from tests.badges.factories import make_achievement
from tests.badges.test_manual_awards import png_bytes
from tests.e2e.journey_steps import published_by_holder
from tests.learners.factories import PASSWORD, make_learner, make_organisation, make_user


@pytest.fixture
def association(live_server) -> dict:
    """A fresh association with its issuer, a badge, a trainer and two learners; a trainer of
    another association."""
    from badges import issuers
    from web.database import db

    app = live_server.app
    tag = uuid.uuid4().hex[:8]
    with app.app_context():
        org = make_organisation(db.session, f"Plateau {tag}")
        issuer = issuers.create(db.session, org, app.config["JALON_KEY_ENCRYPTION_KEY"])
        achievement = make_achievement(db.session, issuer, name="Raccorder une fibre optique")
        make_user(db.session, Role.TRAINER, org, login=f"f{tag}@plateau.example", name="Flore")
        learners = [
            make_learner(db.session, org, login=f"{name.lower()}{tag}", name=f"{name} Martin")
            for name in ("Amina", "Bruno")
        ]
        other = make_organisation(db.session, f"Autre {tag}")
        make_user(db.session, Role.TRAINER, other, login=f"x{tag}@autre.example")
        db.session.commit()
        return {
            "org": org.id,
            "badge": achievement.public_id,
            "trainer": f"f{tag}@plateau.example",
            "stranger": f"x{tag}@autre.example",
            "learners": [learner.user.username for learner in learners],
        }


def _as(browser, live_server, login, user):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(page, user, PASSWORD)
    return page


def _award_by_hand(page, live_server, association, tmp_path):
    photo = tmp_path / "soudure.png"
    photo.write_bytes(png_bytes((120, 90)))
    page.goto(
        live_server(f"/organisations/{association['org']}/badges/{association['badge']}/attribuer")
    )
    page.get_by_label("Apprenant").select_option(label="Amina Martin")
    page.get_by_label("Ce qui a été constaté").fill("Raccordement réalisé seule au plateau.")
    page.get_by_label("Pièce justificative (facultatif)").set_input_files(str(photo))
    page.get_by_label("La personne a accepté que ce fichier soit joint à son badge").check()
    page.get_by_role("button", name="Attribuer le badge").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Raccorder une fibre optique")
    expect(page.locator("body")).to_contain_text("Badge attribué à Amina Martin.")
    evidence = page.get_by_role("link", name="Ouvrir soudure.png").get_attribute("href")
    return evidence, page.url.rsplit("/", 1)[-1]


def test_manual_award_with_a_file_opens_for_the_learner_not_for_a_stranger(
    browser, page, live_server, login, association, assert_accessible, tmp_path
):
    login(page, association["trainer"], PASSWORD)
    page.goto(
        live_server(f"/organisations/{association['org']}/badges/{association['badge']}/attribuer")
    )
    assert_accessible(page)
    evidence, credential_id = _award_by_hand(page, live_server, association, tmp_path)
    assert_accessible(page)

    learner = _as(browser, live_server, login, association["learners"][0])
    learner.goto(live_server(f"/apprenant/badges/{credential_id}"))
    expect(learner.get_by_role("heading", name="Pièces justificatives")).to_be_visible()
    assert_accessible(learner)
    with learner.expect_response(lambda r: r.url.endswith(evidence)) as opened:
        learner.get_by_role("link", name="Ouvrir soudure.png").click()
    assert opened.value.status == 200
    assert opened.value.headers["content-type"] == "image/png"

    stranger = _as(browser, live_server, login, association["stranger"])
    assert stranger.goto(live_server(evidence)).status == 404
    other_learner = _as(browser, live_server, login, association["learners"][1])
    assert other_learner.goto(live_server(evidence)).status == 404


def test_bulk_csv_with_a_bad_row_dry_run_then_run_with_progress(
    page, live_server, login, association, assert_accessible, tmp_path
):
    amina, bruno = association["learners"]
    csv_file = tmp_path / "stage.csv"
    csv_file.write_text(
        f"identifiant;constat\n{amina};Stage réussi\npersonne-inconnue;\n{bruno};Projet rendu\n",
        encoding="utf-8-sig",
    )
    login(page, association["trainer"], PASSWORD)
    page.goto(
        live_server(
            f"/organisations/{association['org']}/badges/{association['badge']}/attribuer-en-lot"
        )
    )
    page.get_by_label("Fichier CSV").set_input_files(str(csv_file))
    page.get_by_role("button", name="Vérifier le fichier (rien n'est attribué)").click()
    report = page.locator("#dry-run")
    expect(report).to_contain_text("Identifiant inconnu")
    expect(report.locator("tbody tr")).to_have_count(3)
    expect(page.get_by_role("status")).to_contain_text("2 lignes prêtes sur 3.")
    assert_accessible(page)
    page.get_by_role("button", name="Attribuer le badge aux lignes prêtes").click()
    expect(page.locator("progress")).to_be_visible()
    expect(page.get_by_role("heading", name="Attribution terminée")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("2 badges attribués.")
    run = page.locator("#run-report")
    expect(run.locator("tr.row-awarded")).to_have_count(2)
    expect(run.locator("tr.row-unknown")).to_contain_text("personne-inconnue")
    assert_accessible(page)


def test_revoke_then_the_employers_page_says_revoked(
    browser, page, live_server, login, association, tmp_path
):
    login(page, association["trainer"], PASSWORD)
    _award_by_hand(page, live_server, association, tmp_path)
    public_url = page.get_by_role("link", name="/c/").get_attribute("href")
    published_by_holder(live_server, public_url.rstrip("/").rsplit("/", 1)[-1])
    page.get_by_label("Raison (la personne la lira)").last.fill("Épreuve refaite par un autre.")
    page.get_by_role("button", name="Révoquer ce badge").click()
    expect(page.locator("#credential-state")).to_contain_text("Révoqué")
    visitor = browser.new_context(base_url=live_server.url, locale="fr-FR").new_page()
    visitor.goto(public_url)
    expect(visitor.get_by_role("heading", level=1)).to_contain_text("révoqué")
    expect(visitor.locator("body")).to_contain_text("Épreuve refaite par un autre.")
