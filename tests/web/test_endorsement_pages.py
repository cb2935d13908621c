"""The endorsement pages: the département and a partner employer's admin endorse a badge, a
later badge says « Badge reconnu par … » on /c/<id> and /verifier, withdrawal shows « retirée »;
associations, trainers and other employers cannot endorse nor withdraw."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from badges import endorsements, issuance
from badges.models import Endorsement
from learners.models import AuditEvent, OrganisationKind, Role, User
from tests.badges.factories import make_achievement, make_issuer
from tests.learners.factories import make_learner, make_organisation, make_user
from tests.web.forms import login_as, submit, text

BASE_URL = "https://jalon.test"


@pytest.fixture
def scene(app):
    """An association's badge, a département, two partner employers with an admin each, and
    the employer's trainer; ids only."""
    from web.database import db

    with app.app_context():
        association = make_organisation(db.session, "Association Tremplin")
        kek = app.config["JALON_KEY_ENCRYPTION_KEY"]
        achievement = make_achievement(db.session, make_issuer(db.session, association, kek=kek))
        departement = make_organisation(
            db.session, "Département du Rhône", OrganisationKind.DEPARTEMENT
        )
        employer = make_organisation(db.session, "Transports Durand", OrganisationKind.EMPLOYEUR)
        other = make_organisation(db.session, "Logistique Martin", OrganisationKind.EMPLOYEUR)
        users = {
            "department": make_user(db.session, Role.DEPARTMENT, departement),
            "employer_admin": make_user(db.session, Role.ORG_ADMIN, employer),
            "employer_trainer": make_user(db.session, Role.TRAINER, employer),
            "other_admin": make_user(db.session, Role.ORG_ADMIN, other),
            "association_admin": make_user(db.session, Role.ORG_ADMIN, association),
        }
        db.session.commit()
        return {
            "achievement": achievement.public_id,
            "achievement_id": achievement.id,
            "association": association.id,
            "employer": employer.id,
            "other": other.id,
            **{name: user.id for name, user in users.items()},
        }


def _client(app, user_id: int):
    from web.database import db

    client = app.test_client()
    with app.app_context():
        login_as(client, db.session.get(User, user_id))
    return client


def _issue(app, achievement_id: int, key: str, org_id: int | None = None) -> str:
    """A credential of the achievement for a new learner (of ``org_id`` when given)."""
    from badges.models import Achievement
    from learners.models import Organisation
    from web.database import db

    with app.app_context():
        org = db.session.get(Organisation, org_id) if org_id else None
        credential = issuance.issue(
            db.session,
            achievement=db.session.get(Achievement, achievement_id),
            learner=make_learner(db.session, org),
            award_key=key,
            base_url=BASE_URL,
            kek=app.config["JALON_KEY_ENCRYPTION_KEY"],
            is_public=True,
        ).credential
        db.session.commit()
        return credential.public_id


def _endorse(client, path: str, achievement: str, comment: str = "Recherché chez nous."):
    return submit(client, path, {"achievement": achievement, "comment": comment})


def test_employer_admin_endorses_and_later_badge_page_says_recognised(app, scene):
    client = _client(app, scene["employer_admin"])
    page = f"/studio/{scene['employer']}/reconnaissances"
    listed = text(client.get(page))
    assert "Association Tremplin — Utiliser une messagerie" in listed

    response = _endorse(client, page, scene["achievement"])
    assert response.status_code == 303
    followed = text(client.get(page))
    assert "Recherché chez nous." in followed and "En vigueur" in followed

    credential = _issue(app, scene["achievement_id"], "after")
    badge_page = text(app.test_client().get(f"/c/{credential}"))
    assert "Badge reconnu par Transports Durand" in badge_page
    assert "Recherché chez nous." in badge_page
    english = text(app.test_client().get(f"/c/{credential}?lang=en"))
    assert "Badge endorsed by Transports Durand" in english


def test_employer_admins_home_is_their_endorsement_page(app, scene):
    response = _client(app, scene["employer_admin"]).get("/")
    assert response.headers["Location"].endswith(f"/studio/{scene['employer']}/reconnaissances")


def test_department_endorses_then_withdraws_and_earlier_badges_say_withdrawn(app, scene):
    client = _client(app, scene["department"])
    assert _endorse(client, "/departement/reconnaissances", scene["achievement"]).status_code == 303
    credential = _issue(app, scene["achievement_id"], "endorsed")
    badge_page = text(app.test_client().get(f"/c/{credential}"))
    assert "Badge reconnu par Département du Rhône" in badge_page

    with app.app_context():
        from web.database import db

        public_id = db.session.scalar(select(Endorsement.public_id))
    withdraw = f"/departement/reconnaissances/{public_id}/retrait"
    refused = submit(client, withdraw, {"reason": ""}, form_path="/departement/reconnaissances")
    assert refused.status_code == 422
    assert "Indiquez la raison du retrait." in text(refused)
    reason = {"reason": "Fin du partenariat"}
    done = submit(client, withdraw, reason, "/departement/reconnaissances")
    assert done.status_code == 303

    page = text(app.test_client().get(f"/c/{credential}"))
    assert "Badge valide" in page
    assert "Reconnaissance par Département du Rhône retirée" in page
    assert "Le badge lui-même peut rester valide" in page
    later = _issue(app, scene["achievement_id"], "later")
    later_page = text(app.test_client().get(f"/c/{later}"))
    assert "Reconnaissance" not in later_page.split("Vérifications")[0]
    with app.app_context():
        from web.database import db

        actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"endorsement.created", "endorsement.created_for_us", "endorsement.withdrawn"} <= actions


def test_bad_input_rerenders_with_french_messages_and_keeps_the_comment(app, scene):
    client = _client(app, scene["employer_admin"])
    page = f"/studio/{scene['employer']}/reconnaissances"
    missing = _endorse(client, page, "", comment="Mon commentaire")
    assert missing.status_code == 422
    assert "Choisissez un badge dans la liste." in text(missing)
    assert "Mon commentaire" in text(missing)
    unknown = _endorse(client, page, "00000000-0000-4000-8000-000000000000")
    assert unknown.status_code == 422
    no_comment = _endorse(client, page, scene["achievement"], comment="  ")
    assert no_comment.status_code == 422
    assert "pourquoi vous reconnaissez ce badge" in text(no_comment)
    assert _endorse(client, page, scene["achievement"]).status_code == 303
    again = _endorse(client, page, scene["achievement"])
    assert again.status_code == 422  # no longer offered: already endorsed


def test_association_admin_and_employer_trainer_cannot_endorse(app, scene):
    association_page = f"/studio/{scene['association']}/reconnaissances"
    assert _client(app, scene["association_admin"]).get(association_page).status_code == 403
    employer_page = f"/studio/{scene['employer']}/reconnaissances"
    assert _client(app, scene["employer_trainer"]).get(employer_page).status_code == 403
    department_page = _client(app, scene["association_admin"]).get("/departement/reconnaissances")
    assert department_page.status_code == 403


def test_another_employer_can_neither_see_nor_withdraw_an_endorsement(app, scene):
    owner = _client(app, scene["employer_admin"])
    _endorse(owner, f"/studio/{scene['employer']}/reconnaissances", scene["achievement"])
    with app.app_context():
        from web.database import db

        public_id = db.session.scalar(select(Endorsement.public_id))
    other = _client(app, scene["other_admin"])
    assert other.get(f"/studio/{scene['employer']}/reconnaissances").status_code == 403
    own_page = f"/studio/{scene['other']}/reconnaissances"
    assert "Recherché chez nous." not in text(other.get(own_page))
    response = submit(other, f"{own_page}/{public_id}/retrait", {"reason": "Non"}, own_page)
    assert response.status_code == 404
    with app.app_context():
        from web.database import db

        assert db.session.scalar(select(Endorsement.withdrawn_at)) is None


def test_verifier_reports_an_endorsement_embedded_in_a_pasted_badge(app, scene):
    from badges.models import Credential
    from web.database import db

    _endorse(
        _client(app, scene["employer_admin"]),
        f"/studio/{scene['employer']}/reconnaissances",
        scene["achievement"],
    )
    public_id = _issue(app, scene["achievement_id"], "pasted")
    with app.app_context():
        signed = db.session.scalar(
            select(Credential.signed_json).where(Credential.public_id == public_id)
        )
    visitor = app.test_client()
    response = submit(visitor, "/verifier", {"badge_text": signed})
    assert "Badge reconnu par Transports Durand" in text(response)

    tampered = json.loads(signed)
    endorsement = tampered["credentialSubject"]["achievement"]["endorsement"][0]
    endorsement["credentialSubject"]["endorsementComment"] = "Falsifié"
    api = visitor.post("/api/verifier", json=tampered)
    body = api.get_json()
    assert body["verdict"] == "invalid_signature"  # the badge's own signature covers it


def test_platform_admin_opens_an_employer_admin_account(app, scene, world):
    from web.database import db

    with app.app_context():
        root = db.session.get(User, world.platform_admin)
    client = app.test_client()
    with app.app_context():
        login_as(client, db.session.get(User, root.id))
    path = f"/admin/organisations/{scene['employer']}/administrateur"
    created = submit(client, path, {"display_name": "Paul Durand", "email": "paul@durand.example"})
    assert created.status_code == 200
    assert "Code d'accès provisoire" in text(created)
    taken = submit(client, path, {"display_name": "Paul Bis", "email": "paul@durand.example"})
    assert taken.status_code == 422
    assert "Un compte utilise déjà cette adresse e-mail." in text(taken)
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "paul@durand.example"))
        assert user.must_change_password
        assert user.roles_in(scene["employer"]) == {Role.ORG_ADMIN}
        organisation = user.memberships[0].organisation
        assert endorsements.may_endorse(organisation)


def test_the_public_achievement_document_carries_the_standing_endorsements(app, scene):
    client = _client(app, scene["employer_admin"])
    _endorse(client, f"/studio/{scene['employer']}/reconnaissances", scene["achievement"])
    document = app.test_client().get(f"/achievements/{scene['achievement']}").get_json()
    [endorsement] = document["endorsement"]
    assert endorsement["type"] == ["VerifiableCredential", "EndorsementCredential"]
    assert endorsement["credentialSubject"]["id"] == document["id"]


def test_the_learner_sees_who_recognises_their_badge_until_it_is_withdrawn(app, scene):
    from badges.models import Credential
    from web.database import db

    client = _client(app, scene["employer_admin"])
    page = f"/studio/{scene['employer']}/reconnaissances"
    _endorse(client, page, scene["achievement"])
    public_id = _issue(app, scene["achievement_id"], "wallet", scene["association"])
    with app.app_context():
        holder = db.session.scalar(
            select(Credential).where(Credential.public_id == public_id)
        ).learner.user
        learner = app.test_client()
        login_as(learner, holder)
    response = learner.get(f"/apprenant/badges/{public_id}")
    assert response.status_code == 200, response.headers.get("Location")
    sheet = text(response)
    assert "Reconnu par" in sheet and "Transports Durand" in sheet
    with app.app_context():
        endorsement_id = db.session.scalar(select(Endorsement.public_id))
    submit(client, f"{page}/{endorsement_id}/retrait", {"reason": "Fin"}, page)
    assert "Reconnu par" not in text(learner.get(f"/apprenant/badges/{public_id}"))


def _did_key_badge(endorsement_subject: str) -> dict:
    """A badge issued elsewhere (a did:key issuer) carrying one endorsement about
    ``endorsement_subject``, itself signed by another did:key."""
    from dataclasses import replace
    from datetime import UTC, datetime

    from badges.ob3 import build, data_integrity, keys

    def signed(document: dict, key) -> dict:
        did = keys.did_key_for(key)
        return data_integrity.sign(document, key, f"{did}#{did.removeprefix('did:key:')}")

    issuer_key, endorser_key = keys.generate_ed25519(), keys.generate_ed25519()
    achievement = build.AchievementDef(
        id="https://ailleurs.example/achievements/1",
        name="Conduire un chariot élévateur",
        description="Sait conduire un chariot en sécurité.",
        criteria_narrative="Épreuve pratique sur plateau technique.",
    )
    now = datetime.now(UTC)
    endorsement = signed(
        build.build_endorsement_credential(
            credential_id="urn:uuid:5b0e3a8e-3f5d-4d4c-9b53-6a0f6f1d2e77",
            issuer=build.IssuerProfile(id=keys.did_key_for(endorser_key), name="Région Exemple"),
            subject_id=endorsement_subject,
            comment="Formation reconnue par la Région.",
            name="Reconnaissance",
            valid_from=now,
        ),
        endorser_key,
    )
    badge = build.build_achievement_credential(
        credential_id="urn:uuid:0d5c7a3e-6c1f-4f0a-8e2b-3b4c5d6e7f80",
        issuer=build.IssuerProfile(id=keys.did_key_for(issuer_key), name="Centre Ailleurs"),
        achievement=replace(achievement, endorsements=[endorsement]),
        recipient=build.Recipient(identity="personne@example.org"),
        valid_from=now,
    )
    return signed(badge, issuer_key)


def test_verifier_checks_endorsements_of_badges_issued_elsewhere(app):
    visitor = app.test_client()
    good = json.dumps(_did_key_badge("https://ailleurs.example/achievements/1"))
    page = text(submit(visitor, "/verifier", {"badge_text": good}))
    assert "Badge valide" in page
    assert "Badge reconnu par Région Exemple" in page
    assert "Formation reconnue par la Région." in page
    [found] = visitor.post("/api/verifier", data=good).get_json()["endorsements"]
    assert (found["state"], found["endorser"]["name"]) == ("valid", "Région Exemple")

    wrong = json.dumps(_did_key_badge("https://ailleurs.example/achievements/2"))
    page = text(submit(visitor, "/verifier", {"badge_text": wrong}))
    assert "Badge valide" in page
    assert "Reconnaissance par Région Exemple non valable" in page
    assert "Cette reconnaissance porte sur autre chose que ce badge." in page
    assert "Le badge lui-même peut rester valide" in page
    english = text(submit(visitor, "/verifier?lang=en", {"badge_text": wrong}, "/verifier"))
    assert "Endorsement by Région Exemple not valid" in english
    assert "This endorsement is about something else than this badge." in english


def test_the_association_sees_its_endorsements_in_force_and_withdrawn(app, scene):
    department = _client(app, scene["department"])
    employer = _client(app, scene["employer_admin"])
    employer_page = f"/studio/{scene['employer']}/reconnaissances"
    _endorse(department, "/departement/reconnaissances", scene["achievement"], "Utile au RSA.")
    _endorse(employer, employer_page, scene["achievement"], "Recherché chez nous.")
    association = _client(app, scene["association_admin"])
    studio = f"/organisations/{scene['association']}/badges"
    badges_list = text(association.get(studio))
    assert "Reconnu</span>" in badges_list

    with app.app_context():
        from web.database import db

        employers = db.session.scalar(
            select(Endorsement.public_id).where(Endorsement.organisation_id == scene["employer"])
        )
    withdraw = f"{employer_page}/{employers}/retrait"
    done = submit(employer, withdraw, {"reason": "Fin du partenariat"}, employer_page)
    assert done.status_code == 303

    page = text(association.get(f"{studio}/{scene['achievement']}"))
    in_force = page.split('id="endorsements-in-force"')[1].split("</ul>")[0]
    assert "Reconnu par Département du Rhône" in in_force and "Utile au RSA." in in_force
    assert "Transports Durand" not in in_force
    withdrawn = page.split('id="endorsements-withdrawn"')[1].split("</ul>")[0]
    assert "Reconnu par Transports Durand du " in withdrawn
    assert "Raison du retrait : Fin du partenariat" in withdrawn
    assert "Reconnu</span>" in text(association.get(studio))  # still one in force

    with app.app_context():
        from web.database import db

        department_id = db.session.scalar(
            select(Endorsement.public_id).where(Endorsement.organisation_id != scene["employer"])
        )
    submit(
        department,
        f"/departement/reconnaissances/{department_id}/retrait",
        {"reason": "Révision"},
        "/departement/reconnaissances",
    )
    assert "Reconnu</span>" not in text(association.get(studio))
    assert "Aucune organisation ne reconnaît ce badge" in text(
        association.get(f"{studio}/{scene['achievement']}")
    )
