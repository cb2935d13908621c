"""An organisation admin erases a learner who can no longer log in, on the request they made:
confirmed, journalled with the request, the same erasure as « Mes données »; nobody else may."""

from __future__ import annotations

from sqlalchemy import select

from learners.models import AuditEvent, Membership, Role, User
from tests.web.forms import csrf_token, text
from tests.web.test_wallet import _issue


def _url(world, user_id: int) -> str:
    return f"/organisations/{world.org_a}/apprenants/{user_id}/effacement"


def test_an_organisation_admin_erases_a_learner_after_confirming(app, world, client_as):
    badge = _issue(app, world.learner, "session:1:badge:1")
    admin = client_as("org_admin")
    listing = admin.get(f"/organisations/{world.org_a}/").get_data(as_text=True)
    assert _url(world, world.learner) in listing
    assert _url(world, world.learner) not in client_as("trainer").get(
        f"/organisations/{world.org_a}/"
    ).get_data(as_text=True)
    token = csrf_token(admin, _url(world, world.learner))
    refused = admin.post(_url(world, world.learner), data={"csrf_token": token, "reason": " "})
    assert refused.status_code == 422
    assert "Écrivez comment la personne l'a demandé, et quand." in text(refused)
    assert "Cochez la case pour confirmer l'effacement." in text(refused)

    done = admin.post(
        _url(world, world.learner),
        data={"csrf_token": token, "reason": "Courrier du 3 mars, code perdu", "confirm": "y"},
    )
    assert done.status_code == 303
    assert done.headers["Location"].endswith(f"/organisations/{world.org_a}/")
    assert "Le compte a été effacé et ses badges révoqués." in text(admin.get(done.location))
    assert "effacement à la demande de la personne" in text(app.test_client().get(f"/c/{badge}"))
    from web.database import db

    with app.app_context():
        user = db.session.get(User, world.learner)
        assert user.username != "learner-a" and not user.is_active
        event = db.session.scalar(
            select(AuditEvent).where(AuditEvent.action == "learner.erased_by_staff")
        )
        assert (event.organisation_id, event.actor_id) == (world.org_a, world.org_admin)
        assert event.reason == "Courrier du 3 mars, code perdu"
        assert event.detail["badges_revoked"] == 1
    journal = text(admin.get(f"/organisations/{world.org_a}/journal"))
    assert "Compte d'un apprenant effacé par la structure, à la demande de la personne" in journal
    assert "Courrier du 3 mars, code perdu" in journal


def test_a_learner_of_two_organisations_is_not_erased_from_one(app, world, client_as):
    from web.database import db

    with app.app_context():
        db.session.add(
            Membership(user_id=world.learner, organisation_id=world.org_b, role=Role.LEARNER)
        )
        db.session.commit()
    admin = client_as("org_admin")
    page = admin.get(_url(world, world.learner))
    assert "aussi inscrite dans une autre structure" in text(page)
    token = csrf_token(admin, f"/organisations/{world.org_a}/apprenants/nouveau")
    refused = admin.post(
        _url(world, world.learner),
        data={"csrf_token": token, "reason": "Demande au guichet", "confirm": "y"},
    )
    assert refused.status_code == 422
    with app.app_context():
        assert db.session.get(User, world.learner).is_active
