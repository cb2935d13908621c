"""In real Chromium: a trainer builds the award rule of an achievement of their association
with two conditions (no JSON), tries it on a campaign where one learner's finished session
passes and another's fails, saves it; a new learner finishing a session of that campaign earns
the badge, and the employer's page /c/<id> shows it. axe-core finds nothing serious on the
rule page, which fits a 360 px phone."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.journey_steps import log_out, published_by_holder, take_tour
from tests.learners.factories import make_learner

TRAINER = "formateur@passerelle.example"
PASSWORD = "regle de badge 2026"
FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"
_numbers = itertools.count(1)


@pytest.fixture
def setting(journey_server):
    """In Passerelle: a badge given by hand so far, and a campaign of the demo tour where Awa
    finished oriented « autonome » and Léo « atelier d'initiation »; a new learner's login."""
    from sqlalchemy import select

    from assessments import campaigns
    from assessments.models import Campaign, Referral
    from badges import issuers
    from learners import demo
    from learners.database import utcnow
    from learners.models import Organisation
    from tests.assessments.factories import make_session
    from tests.badges.factories import make_achievement
    from web.database import db

    n = next(_numbers)
    with journey_server.app.app_context():
        session = db.session
        org = session.scalar(select(Organisation).where(Organisation.name == demo.PASSERELLE[0]))
        tour = session.scalar(select(Campaign).where(Campaign.code == "TYPEPA33"))
        campaign = campaigns.create_campaign(
            session, tour.assessment, org.id, f"Atelier badges {n}"
        )
        achievement = make_achievement(
            session,
            issuers.for_organisation(session, org),
            name=f"Autonome au numérique {n}",
            award_rules=None,
        )

        def learner(name: str, login: str):
            return make_learner(session, org, name=name, login=login, password=PASSWORD)

        for name, referral in (
            ("Awa Traoré", Referral.AUTONOME),
            ("Léo Martin", Referral.ATELIER_INITIATION),
        ):
            found = learner(name, f"{name.split()[0].lower()}regle{n}")
            make_session(session, campaign, found, finished_at=utcnow(), referral=referral)
        newcomer = f"nouvelleregle{n}"
        learner("Nina Nouvelle", newcomer)
        session.commit()
        return {
            "org": org.id,
            "badge": achievement.public_id,
            "badge_name": achievement.name,
            "campaign": campaign.name,
            "code": campaign.code,
            "framework": tour.assessment.framework.title_fr,
            "newcomer": newcomer,
        }


def credential_of(server, public_id: str, login: str) -> str | None:
    from sqlalchemy import select

    from badges.models import Achievement, Credential
    from learners.models import Learner, User
    from web.database import db

    with server.app.app_context():
        return db.session.scalar(
            select(Credential.public_id)
            .join(Achievement, Achievement.id == Credential.achievement_id)
            .join(Learner, Learner.id == Credential.learner_id)
            .join(User, User.id == Learner.user_id)
            .where(Achievement.public_id == public_id, User.username == login)
        )


def test_trainer_builds_tries_and_saves_a_rule_that_then_awards_the_badge(
    journey_server, setting, page, login, assert_accessible, artifacts_dir
):
    login(page, TRAINER)
    page.goto(journey_server(f"/organisations/{setting['org']}/badges/{setting['badge']}/regle"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(setting["badge_name"])
    expect(page.get_by_text("Attribué à la main par un formateur")).to_be_visible()

    page.get_by_label("Automatiquement, quand toutes les conditions sont remplies").check()
    page.get_by_label("Référentiel de l'évaluation").select_option(label=setting["framework"])
    page.locator("#conditions-0-type").select_option(label="Avoir terminé l'évaluation")
    page.get_by_role("button", name="Ajouter une condition").click()
    second = page.get_by_role("group", name="Condition 2")
    expect(second).to_be_visible()
    expect(page.locator("#conditions-0-type")).to_have_value("completion")  # kept
    second.get_by_label("Condition", exact=True).select_option(
        label="Une orientation (diagnostic Premiers pas)"
    )
    second.get_by_label("Autonome").check()  # shown at once by the page's script
    # The newcomer below takes the twelve-question tour: right everywhere, « à accompagner »
    # (a tour cannot show « autonome » on every competence).
    second.get_by_label("À accompagner").check()
    words = page.locator(".rule-in-words")  # follows each change without a button
    expect(words).to_contain_text("Être orienté vers : autonome ou à accompagner.")
    page.get_by_role("button", name="Mettre à jour la règle en clair").click()
    expect(words).to_contain_text(f"évaluation « {setting['framework']} » quand")
    expect(words).to_contain_text("toutes ces conditions sont remplies")
    expect(words).to_contain_text("Terminer l'évaluation.")
    expect(words).to_contain_text("Être orienté vers : autonome ou à accompagner.")

    page.get_by_label("Campagne").select_option(label=setting["campaign"])
    page.get_by_role("button", name="Essayer la règle sur cette campagne").click()
    results = page.locator("#resultats")
    expect(results).to_contain_text("2 participants ont terminé l'évaluation.")
    expect(results).to_contain_text("1 l'obtiendrait")
    expect(results.locator("ul.earners")).to_have_text("Awa Traoré")
    expect(results.locator("ul.others")).to_contain_text(
        "Léo Martin — il manque : Être orienté vers : autonome ou à accompagner."
    )
    assert_accessible(page)
    page.set_viewport_size({"width": 360, "height": 740})
    assert page.evaluate(FITS), "the rule page is wider than a 360 px phone"
    page.screenshot(path=str(artifacts_dir / "badge-rule-360.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name="Enregistrer la règle").click()
    expect(page.get_by_text("La règle d'obtention est enregistrée.")).to_be_visible()
    expect(page.locator("#conditions-1-type")).to_have_value("referral")
    log_out(page)

    login(page, setting["newcomer"], PASSWORD)
    take_tour(page, journey_server, setting["code"], lambda *_: None)
    expect(page.get_by_text(setting["badge_name"]).first).to_be_visible()
    log_out(page)

    credential = credential_of(journey_server, setting["badge"], setting["newcomer"])
    assert credential is not None, "the learner who finished the campaign did not get the badge"
    published_by_holder(journey_server, credential)
    page.goto(journey_server(f"/c/{credential}"))
    expect(page.get_by_role("heading", name="Badge valide")).to_be_visible()
    expect(page.get_by_text(setting["badge_name"]).first).to_be_visible()
    assert re.search(r"/c/[0-9a-f-]+$", page.url)


def test_without_javascript_the_rule_is_built_with_buttons_and_tried(
    browser, journey_server, setting, login
):
    context = browser.new_context(
        base_url=journey_server.url, locale="fr-FR", java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        login(page, TRAINER)
        page.goto(
            journey_server(f"/organisations/{setting['org']}/badges/{setting['badge']}/regle")
        )
        page.get_by_label("Automatiquement, quand au moins une condition est remplie").check()
        page.get_by_label("Référentiel de l'évaluation").select_option(label=setting["framework"])
        page.locator("#conditions-0-type").select_option(
            label="Une orientation (diagnostic Premiers pas)"
        )
        first = page.get_by_role("group", name="Condition 1")
        expect(first.get_by_label("Autonome")).to_be_hidden()  # no script: one more round trip
        first.get_by_role("button", name="Afficher les champs de cette condition").click()
        first = page.get_by_role("group", name="Condition 1")
        first.get_by_label("À accompagner").check()
        page.get_by_role("button", name="Ajouter une condition").click()
        page.locator("#conditions-1-type").select_option(label="Avoir terminé l'évaluation")
        page.get_by_role("button", name="Ajouter une condition").click()
        expect(page.get_by_role("group", name="Condition 3")).to_be_visible()
        page.get_by_role("button", name="Retirer la condition 3").click()
        expect(page.get_by_role("group", name="Condition 3")).to_have_count(0)
        words = page.locator(".rule-in-words")
        expect(words).to_contain_text("au moins une de ces conditions est remplie")
        expect(words).to_contain_text("Être orienté vers : à accompagner.")
        expect(words).to_contain_text("Terminer l'évaluation.")
        page.get_by_label("Campagne").select_option(label=setting["campaign"])
        page.get_by_role("button", name="Essayer la règle sur cette campagne").click()
        # Both finished: « Terminer l'évaluation » is enough when one condition suffices.
        expect(page.locator("#resultats")).to_contain_text("2 l'obtiendraient")
    finally:
        context.close()


def test_choosing_the_framework_fills_the_competence_lists_without_a_click(
    journey_server, setting, page, login
):
    """With the page's script, the competences of the framework just chosen are offered at
    once in every condition, and what was already chosen stays."""
    login(page, TRAINER)
    page.goto(journey_server(f"/organisations/{setting['org']}/badges/{setting['badge']}/regle"))
    page.get_by_label("Automatiquement, quand toutes les conditions sont remplies").check()
    page.locator("#conditions-0-type").select_option("competence_level")
    competence = page.locator("#conditions-0-competence")
    expect(competence.locator("option")).to_have_count(1)  # « — choisir — » only
    page.get_by_label("Référentiel de l'évaluation").select_option(label=setting["framework"])
    expect(competence.locator("option[value='1.1']")).to_have_count(1)
    competence.select_option("1.1")
    expect(page.locator("#conditions-0-type")).to_have_value("competence_level")
    expect(
        page.get_by_role("button", name="Afficher les compétences de ce référentiel")
    ).to_be_hidden()
