"""Bad input in real Chromium: what a person meets gets a French message and the right status,
and the database holds exactly what it should afterwards (rows counted before and after).

Wrong and closed campaign codes, another learner's session in the address bar, the same answer
sent from two tabs, and on /verifier a tampered badge, a 20 MB file and an SVG entity bomb."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.learners.factories import PASSWORD

CODE = "TYPE-AT77"


@pytest.fixture(scope="module")
def ateliers(journey_server) -> dict:
    """Two fresh learners of « Les Ateliers du Lien » and a campaign of theirs that closed
    yesterday (the demo accounts stay untouched)."""
    from sqlalchemy import select

    from assessments import campaigns
    from assessments.models import Assessment
    from learners import demo
    from learners.database import utcnow
    from learners.models import Organisation
    from tests.learners.factories import make_learner
    from web.database import db

    with journey_server.app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == demo.ATELIERS[0]))
        logins = [f"saisie{uuid.uuid4().hex[:6]}" for _ in range(2)]
        for login in logins:
            make_learner(db.session, org, login=login, name="Noé Saisie")
        closed = campaigns.normalise_code(f"FERM-{uuid.uuid4().hex[:4]}")
        tour = db.session.scalar(
            select(Assessment).where(
                Assessment.organisation_id == org.id,
                Assessment.title.like("Découverte%"),
            )
        )
        now = utcnow()
        campaigns.create_campaign(
            db.session,
            tour,
            org.id,
            "Découverte (fermée)",
            code=closed,
            opens_at=now - timedelta(days=10),
            closes_at=now - timedelta(days=1),
        )
        db.session.commit()
    return {"learners": logins, "closed": closed}


@pytest.fixture
def rows(journey_server):
    """``rows()`` → how many sessions, answers, badges and verification events exist now."""
    from sqlalchemy import func, select

    from assessments.models import AssessmentSession, Response
    from badges.models import Credential, VerificationEvent
    from web.database import db

    def count() -> dict[str, int]:
        with journey_server.app.app_context():
            return {
                model.__name__: db.session.scalar(select(func.count()).select_from(model))
                for model in (AssessmentSession, Response, Credential, VerificationEvent)
            }

    return count


def answered(server, session_id: int) -> int:
    from sqlalchemy import func, select

    from assessments.models import Response
    from web.database import db

    with server.app.app_context():
        return db.session.scalar(
            select(func.count())
            .select_from(Response)
            .where(Response.session_id == session_id, Response.status.is_not(None))
        )


def submit(page: Page, button: str, url_part: str) -> int:
    """Press ``button``; the HTTP status of the POST it sends."""
    with page.expect_response(
        lambda r: r.request.method == "POST" and url_part in r.url
    ) as response:
        page.get_by_role("button", name=button).click()
    page.wait_for_load_state()
    return response.value.status


# ------------------------------------------------------------------------------ learner side


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ZZZZ 9999", "Ce code ne correspond à aucune évaluation"),
        ("closed", "Cette évaluation est fermée"),
        ("TYPE-PA33", "Ce code ne correspond à aucune évaluation"),  # the other association's
    ],
    ids=["unknown", "closed", "other-association"],
)
def test_wrong_campaign_codes_say_what_to_do_and_start_nothing(
    page, journey_server, login, ateliers, rows, assert_accessible, code, message
):
    login(page, ateliers["learners"][0], PASSWORD)
    page.goto(journey_server("/apprenant/rejoindre"))
    before = rows()
    page.get_by_label("Code de l'évaluation").fill(ateliers["closed"] if code == "closed" else code)
    assert submit(page, "Commencer", "/apprenant/rejoindre") == 422
    expect(page.get_by_role("alert")).to_contain_text(message)
    field = page.get_by_label("Code de l'évaluation")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(message))
    assert_accessible(page)
    assert rows() == before


def test_another_learners_session_in_the_address_bar_is_not_found(
    browser, journey_server, login, ateliers, rows
):
    server = journey_server
    owner = browser.new_context(base_url=server.url).new_page()
    login(owner, ateliers["learners"][0], PASSWORD)
    owner.goto(server(f"/apprenant/campagne/{CODE}"))
    owner.get_by_role("button", name=re.compile("Commencer|Recommencer")).click()
    expect(owner).to_have_url(re.compile(r"/evaluations/\d+$"))
    theirs = owner.url
    owner.context.close()

    intruder = browser.new_context(base_url=server.url).new_page()
    login(intruder, ateliers["learners"][1], PASSWORD)
    before = rows()
    for path in (theirs, theirs + "/resultats"):
        response = intruder.goto(path)
        assert response.status == 404
        expect(intruder.get_by_role("heading", level=1)).to_have_text("Page introuvable")
        expect(intruder.get_by_text("Cette page n'existe pas ou n'existe plus.")).to_be_visible()
    assert rows() == before
    intruder.context.close()


def test_the_same_answer_sent_from_two_tabs_counts_once(
    context, journey_server, login, ateliers, rows
):
    server = journey_server
    first = context.new_page()
    login(first, ateliers["learners"][1], PASSWORD)
    first.goto(server(f"/apprenant/campagne/{CODE}"))
    first.get_by_role("button", name=re.compile("Commencer|Recommencer")).click()
    expect(first).to_have_url(re.compile(r"/evaluations/\d+$"))
    session_id = int(first.url.rsplit("/", 1)[1])
    second = context.new_page()
    second.goto(first.url)  # the same question, open twice
    done = answered(server, session_id)
    before = rows()

    assert submit(first, "Je ne sais pas", "/reponse") == 303
    assert submit(second, "Je ne sais pas", "/reponse") == 303
    expect(second.get_by_text("Cette réponse était déjà enregistrée.")).to_be_visible()
    assert answered(server, session_id) == done + 1
    expect(first.locator("main")).to_contain_text(re.compile(r"Question \d+ sur 12"))
    assert first.locator("main h1").inner_text() == second.locator("main h1").inner_text()
    after = rows()
    assert after["Response"] - before["Response"] <= 1  # the next question, asked once
    assert after["AssessmentSession"] == before["AssessmentSession"]


# ------------------------------------------------------------------------------ /verifier


@pytest.fixture(scope="module")
def baked_badge(journey_server, ateliers) -> bytes:
    """A real badge of the demo association, baked into its PNG."""
    from sqlalchemy import select

    from badges import issuance, issuers
    from badges.models import Achievement
    from badges.ob3 import baking
    from learners.models import Learner, User
    from web.database import db

    app = journey_server.app
    with app.app_context():
        learner = db.session.scalar(
            select(Learner).join(User).where(User.username == ateliers["learners"][0])
        )
        organisation = learner.user.memberships[0].organisation
        issuer = issuers.for_organisation(db.session, organisation)
        achievement = db.session.scalar(
            select(Achievement).where(Achievement.issuer_id == issuer.id).limit(1)
        )
        credential = issuance.issue(
            db.session,
            achievement=achievement,
            learner=learner,
            award_key=f"e2e-bad-input:{uuid.uuid4()}",
            base_url=app.config["JALON_BASE_URL"],
            kek=app.config["JALON_KEY_ENCRYPTION_KEY"],
        ).credential
        db.session.commit()
        return baking.bake_png(achievement.image_data, json.loads(credential.signed_json))


def upload(page: Page, server, file: Path) -> int:
    page.goto(server("/verifier"))
    page.get_by_label("Fichier du badge").set_input_files(str(file))
    return submit(page, "Vérifier le badge", "/verifier")


def saved(folder: Path, name: str, data: bytes) -> Path:
    (folder / name).write_bytes(data)
    return folder / name


def test_genuine_badge_file_is_valid(page, journey_server, baked_badge, rows, tmp_path):
    before = rows()
    assert upload(page, journey_server, saved(tmp_path, "badge.png", baked_badge)) == 200
    expect(page.get_by_role("heading", name="Badge valide")).to_be_visible()
    after = rows()
    assert after["VerificationEvent"] == before["VerificationEvent"] + 1
    assert after["Credential"] == before["Credential"]


def test_tampered_badge_file_shows_an_invalid_signature(
    page, journey_server, baked_badge, rows, assert_accessible, tmp_path
):
    from badges.ob3 import baking

    signed = json.loads(baking.unbake(baked_badge))
    signed["credentialSubject"]["achievement"]["name"] = "Expert en cybersécurité"
    forged = baking.bake_png(baked_badge, signed)  # re-baked: one chunk, the forged one
    before = rows()
    assert upload(page, journey_server, saved(tmp_path, "badge.png", forged)) == 200
    expect(page.get_by_role("heading", name="Signature invalide")).to_be_visible()
    assert page.locator("[data-verdict]").get_attribute("data-verdict") == "invalid_signature"
    assert_accessible(page)
    after = rows()
    assert after["VerificationEvent"] == before["VerificationEvent"] + 1
    assert after["Credential"] == before["Credential"]


def test_twenty_megabytes_are_refused_in_french(
    page, journey_server, rows, tmp_path, assert_accessible
):
    before = rows()
    big = b"\x89PNG\r\n\x1a\n" + bytes(20 * 1024 * 1024)
    assert upload(page, journey_server, saved(tmp_path, "gros.png", big)) == 413
    expect(page.get_by_role("alert")).to_contain_text("Ce fichier est trop volumineux : 8 Mo")
    expect(page.get_by_label("Fichier du badge")).to_be_visible()  # try again at once
    assert_accessible(page)
    assert rows() == before


def test_entity_bomb_svg_is_refused_with_a_french_reason(
    page, journey_server, rows, assert_accessible, tmp_path
):
    entities = "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol">{entities}]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&j;</text></svg>'
    ).encode()
    before = rows()
    assert upload(page, journey_server, saved(tmp_path, "badge.svg", bomb)) == 200
    expect(page.get_by_role("heading", name="Format non reconnu")).to_be_visible()
    expect(page.locator("main")).to_contain_text("entités XML")
    assert_accessible(page)
    after = rows()
    assert after["VerificationEvent"] == before["VerificationEvent"] + 1
    assert after["Credential"] == before["Credential"]
