"""Bad input along the journey that the learner-journey and verifier tests leave out: the
campaign link's « Commencer » on a closed or foreign campaign, joining twice, someone else's
session through every form of it, the last answer sent twice, an oversized answer, and on
/verifier a tampered SVG badge and an entity bomb — each with its French message and status,
and the rows of the database counted before and after."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from io import BytesIO

import pytest
from sqlalchemy import select

from assessments import checking
from assessments.models import AssessmentSession, Item, Response
from badges.images import BadgeDesign, render_svg
from badges.models import Credential, VerificationEvent
from badges.ob3 import baking
from learners.database import utcnow
from learners.models import Organisation
from tests.assessments.factories import form_fields, make_tour_campaign
from tests.badges.factories import make_issuer
from tests.web.forms import text

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
ITEM_ID = re.compile(r'name="item_id" value="(\d+)"')
MODELS = (AssessmentSession, Response, Credential, VerificationEvent)
HTML = {"Accept": "text/html"}


@pytest.fixture
def rows(count_rows):
    def take() -> dict[str, int]:
        return {model.__name__: count_rows(model) for model in MODELS}

    return take


@pytest.fixture
def tour(app, world):
    """Association A's one-of-each-type tour (TYPE-TEST) with its badges, a campaign of it that
    closed yesterday (FERM-EE33), and association B's own (AUTR-EB33)."""
    from web.database import db

    with app.app_context():
        org_a = db.session.get(Organisation, world.org_a)
        org_b = db.session.get(Organisation, world.org_b)
        make_tour_campaign(db.session, org_a)
        make_issuer(db.session, org_a, kek=app.config["JALON_KEY_ENCRYPTION_KEY"], shipped=True)
        now = utcnow()
        make_tour_campaign(
            db.session,
            org_a,
            "FERM-EE33",
            opens_at=now - timedelta(days=10),
            closes_at=now - timedelta(days=1),
        )
        make_tour_campaign(db.session, org_b, "AUTR-EB33")
        db.session.commit()


def token(client, path: str = "/apprenant/rejoindre") -> str:
    return TOKEN.search(client.get(path).get_data(as_text=True)).group(1)


def start(client) -> str:
    response = client.post(
        "/apprenant/rejoindre", data={"code": "TYPE-TEST", "csrf_token": token(client)}
    )
    assert response.status_code == 303
    return response.headers["Location"]


def current(app, url: str) -> Item:
    from web.database import db

    with app.app_context():
        session = db.session.get(AssessmentSession, int(url.rstrip("/").rsplit("/", 1)[1]))
        item = session.current_item
        db.session.expunge(item)
        return item


def right_answer(client, app, url: str) -> dict:
    item = current(app, url)
    return {
        "csrf_token": token(client, url),
        "item_id": str(item.id),
        "intent": "answer",
        **form_fields(item, checking.example_right_response(item)),
    }


# ------------------------------------------------------------------------------ joining


@pytest.mark.parametrize(
    ("code", "status", "message"),
    [
        ("FERM-EE33", 422, "Cette évaluation est fermée"),
        ("AUTR-EB33", 422, "Ce code ne correspond à aucune évaluation"),
    ],
)
def test_commencer_on_a_closed_or_foreign_campaign_link_starts_nothing(
    tour, client_as, rows, code, status, message
):
    client = client_as("learner")
    before = rows()
    response = client.post(
        f"/apprenant/campagne/{code}", data={"csrf_token": token(client)}, headers=HTML
    )
    assert response.status_code == status
    assert message in text(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert rows() == before


def test_joining_twice_resumes_the_same_session(tour, client_as, rows):
    client = client_as("learner")
    first, second = start(client), start(client)
    assert first == second
    assert rows()["AssessmentSession"] == 1


# ------------------------------------------------------------------------------ sessions


def test_someone_elses_session_is_404_through_every_form_and_changes_nothing(
    app, tour, client_as, rows
):
    owner = client_as("learner")
    url = start(owner)
    answer = right_answer(owner, app, url)
    intruder = client_as("learner_b")
    before = rows()
    intruder_token = token(intruder)
    for path, data in (
        (f"{url}/reponse", {**answer, "csrf_token": intruder_token}),
        (f"{url}/amenagement", {"csrf_token": intruder_token}),
    ):
        response = intruder.post(path, data=data, headers=HTML)
        assert response.status_code == 404
        assert "Page introuvable" in text(response)
    assert rows() == before
    # The owner's question is still waiting for its answer.
    assert owner.post(f"{url}/reponse", data=answer).status_code == 303
    assert "Question 2 sur 12" in text(owner.get(url))


def test_the_last_answer_sent_twice_issues_the_badges_once(app, tour, client_as, rows):
    client = client_as("learner")
    url = start(client)
    for _ in range(11):
        assert client.post(f"{url}/reponse", data=right_answer(client, app, url)).status_code == 303
    last = right_answer(client, app, url)
    first = client.post(f"{url}/reponse", data=last)
    after_first = rows()
    second = client.post(f"{url}/reponse", data=last)
    assert first.headers["Location"] == second.headers["Location"] == f"{url}/resultats"
    assert rows() == after_first
    assert after_first["Credential"] == 1  # « diagnostic réalisé » (a tour is not « autonome »)
    assert "Cette évaluation est terminée" in text(client.get(second.headers["Location"]))


def test_an_oversized_answer_is_a_french_413_and_records_nothing(app, tour, client_as, rows):
    client = client_as("learner")
    url = start(client)
    answer = right_answer(client, app, url)
    before = rows()
    response = client.post(
        f"{url}/reponse", data={**answer, "text": "x" * (6 * 1024 * 1024)}, headers=HTML
    )
    assert response.status_code == 413
    assert "Ce que vous avez envoyé dépasse 1 Mo : rien n'a été enregistré" in text(response)
    assert rows() == before
    assert client.post(f"{url}/reponse", data=answer).status_code == 303  # nothing was lost


# ------------------------------------------------------------------------------ /verifier


@pytest.fixture
def issued(app, tour, client_as):
    """A badge the learner earned on the tour (its signed JSON)."""
    from web.database import db

    client = client_as("learner")
    url = start(client)
    for _ in range(12):
        client.post(f"{url}/reponse", data=right_answer(client, app, url))
    with app.app_context():
        credential = db.session.scalars(select(Credential).order_by(Credential.id)).first()
        return json.loads(credential.signed_json)


def upload(client, data: bytes, name: str):
    return client.post(
        "/verifier",
        data={"badge_file": (BytesIO(data), name), "csrf_token": token(client, "/verifier")},
        content_type="multipart/form-data",
        headers=HTML,
    )


def verdict(response) -> str:
    return re.search(r'data-verdict="([a-z_]+)"', response.get_data(as_text=True)).group(1)


def events(app) -> list[tuple[str, int | None]]:
    from web.database import db

    with app.app_context():
        return [
            (e.result, e.credential_id)
            for e in db.session.scalars(select(VerificationEvent).order_by(VerificationEvent.id))
        ]


def test_tampered_svg_badge_is_an_invalid_signature_counted_on_no_ones_badge(
    app, client, issued, rows
):
    image = render_svg(BadgeDesign("#2b4f8a", "mail", "Badge"), "Badge", 64)
    genuine = upload(client, baking.bake_svg(image, issued), "badge.svg")
    assert genuine.status_code == 200 and verdict(genuine) == "valid"
    forged = json.loads(json.dumps(issued))
    forged["validFrom"] = "2020-01-01T00:00:00Z"
    before = rows()
    response = upload(client, baking.bake_svg(image, forged), "badge.svg")
    assert response.status_code == 200 and verdict(response) == "invalid_signature"
    assert "Signature invalide" in text(response)
    after = rows()
    assert after == {**before, "VerificationEvent": before["VerificationEvent"] + 1}
    assert events(app)[-1] == ("invalid_signature", None)


def test_entity_bomb_is_counted_as_malformed_and_writes_nothing_else(app, client, tour, rows):
    entities = "".join(
        f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">' for i in range(9)
    )
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "lol">{entities}]>'
        '<svg xmlns="http://www.w3.org/2000/svg"><text>&j;</text></svg>'
    ).encode()
    before = rows()
    response = upload(client, bomb, "badge.svg")
    assert response.status_code == 200 and verdict(response) == "malformed"
    assert "entités XML" in text(response)
    assert rows() == {**before, "VerificationEvent": before["VerificationEvent"] + 1}
    assert events(app) == [("malformed", None)]
