"""« Mes données »: the learner downloads their data and can erase their account; staff exports of
names are journalled."""

from __future__ import annotations

import json

from sqlalchemy import select

from learners.models import AuditEvent, User
from tests.web.forms import csrf_token, text
from tests.web.test_wallet import _issue

PAGE = "/apprenant/mes-donnees"
DOWNLOAD = "/apprenant/mes-donnees/jalon-mes-donnees.json"
ERASE = "/apprenant/mes-donnees/effacement"


def test_the_learner_downloads_their_data_and_none_of_another(app, world, client_as):
    _issue(app, world.learner, "session:1:badge:1")
    _issue(app, world.learner_b, "session:2:badge:1")
    learner = client_as("learner")
    assert "Télécharger mes données" in text(learner.get(PAGE))
    response = learner.get(DOWNLOAD)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]
    data = json.loads(response.data)
    assert data["profile"]["username"] == "learner-a"
    assert len(data["credentials"]) == 1
    assert "learner-b" not in response.get_data(as_text=True)
    assert "Association B" not in response.get_data(as_text=True)


def test_erasure_needs_confirmation_then_revokes_and_ends_the_account(app, world, client_as):
    badge = _issue(app, world.learner, "session:1:badge:1")
    learner = client_as("learner")
    token = csrf_token(learner, PAGE)
    refused = learner.post(ERASE, data={"csrf_token": token})
    assert refused.status_code == 422
    assert "Cochez la case pour confirmer l'effacement." in text(refused)

    done = learner.post(ERASE, data={"csrf_token": token, "confirm": "y"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/connexion")
    assert learner.get("/apprenant/").status_code == 302  # signed out, and the cookie is void
    public = app.test_client().get(f"/c/{badge}")
    assert "révoqué" in text(public).lower()
    assert "effacement à la demande de la personne" in text(public)
    assert "Learner" not in text(public)  # the world's learner is « Learner N »
    login = app.test_client().post(
        "/connexion", data={"login": "learner-a", "password": "correct horse battery"}
    )
    assert login.status_code != 302
    from web.database import db

    with app.app_context():
        user = db.session.get(User, world.learner)
        assert user.username != "learner-a" and not user.is_active
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "learner.erased"))
        assert event.organisation_id == world.org_a
    journal = client_as("org_admin").get(f"/organisations/{world.org_a}/journal")
    assert "Compte d'un apprenant effacé à sa demande" in text(journal)


def test_a_campaign_results_export_is_journalled(app, world, client_as):
    trainer = client_as("trainer")
    base = f"/organisations/{world.org_a}/campagnes/{world.campaign_a}"
    assert trainer.get(f"{base}/resultats.csv").status_code == 200
    assert trainer.get(f"{base}/resultats.xlsx").status_code == 200
    from web.database import db

    with app.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "campaign.results_exported")
        ).all()
        assert [(e.actor_id, e.target_id, e.detail["format"]) for e in events] == [
            (world.trainer, str(world.campaign_a), "csv"),
            (world.trainer, str(world.campaign_a), "xlsx"),
        ]
    journal = client_as("org_admin").get(f"/organisations/{world.org_a}/journal")
    assert "Résultats nominatifs d'une campagne exportés" in text(journal)
