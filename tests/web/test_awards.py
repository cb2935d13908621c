"""Awarding in the studio: by hand with a file, from a CSV file, and a credential's status
changes as the learner, the employer's page and the verifier see them."""

from __future__ import annotations

import html
import io
import json

import pytest
from sqlalchemy import func, select

from badges.models import Credential, EvidenceFile
from learners.models import AuditEvent, Organisation, User
from tests.badges.factories import make_achievement, make_issuer
from tests.badges.test_manual_awards import pdf_bytes, png_bytes
from tests.web.forms import csrf_token, text

HTML = {"Accept": "text/html"}


@pytest.fixture
def achievement_id(app, world) -> str:
    from web.database import db

    with app.app_context():
        org = db.session.get(Organisation, world.org_a)
        issuer = make_issuer(db.session, org, kek=app.config["JALON_KEY_ENCRYPTION_KEY"])
        achievement = make_achievement(db.session, issuer, name="Raccordement fibre")
        db.session.commit()
        return achievement.public_id


def _learner_pk(app, user_id: int) -> int:
    from web.database import db

    with app.app_context():
        return db.session.get(User, user_id).learner.id


def _award(client, app, world, achievement_id, **fields):
    path = f"/organisations/{world.org_a}/badges/{achievement_id}/attribuer"
    data = {
        "csrf_token": csrf_token(client, path),
        "learner": str(_learner_pk(app, world.learner)),
        "narrative": "Raccordement réalisé seul au plateau technique.",
        **fields,
    }
    return client.post(path, data=data, content_type="multipart/form-data")


def _credential(app) -> Credential:
    from web.database import db

    with app.app_context():
        found = db.session.scalars(select(Credential).order_by(Credential.id.desc())).first()
        db.session.expunge_all()
        return found


def _count(app, model) -> int:
    from web.database import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_award_with_file_then_holder_and_staff_open_it_and_strangers_do_not(
    app, world, client_as, achievement_id
):
    trainer = client_as("trainer")
    response = _award(
        trainer,
        app,
        world,
        achievement_id,
        file=(io.BytesIO(png_bytes()), "photo soudure.png"),
        consent="y",
        url="https://portfolio.example/realisation",
    )
    assert response.status_code == 303
    credential = _credential(app)
    assert response.headers["Location"].endswith(f"/credentials/{credential.public_id}")
    assert credential.awarded_by_id == world.trainer
    evidence = json.loads(credential.signed_json)["evidence"]
    file_url = next(e["id"] for e in evidence if e.get("genre") == "Document")
    path = file_url.removeprefix("https://jalon.test")
    assert path.startswith("/preuves/")
    page = text(trainer.get(response.headers["Location"]))
    assert "Raccordement fibre" in page and "Ouvrir photo soudure.png" in page

    holder = client_as("learner").get(path)
    assert holder.status_code == 200 and holder.mimetype == "image/png"
    assert "no-store" in holder.headers["Cache-Control"]
    assert holder.headers["Content-Security-Policy"].startswith("sandbox;")
    assert holder.headers["X-Content-Type-Options"] == "nosniff"
    assert trainer.get(path).status_code == 200
    for stranger in ("trainer_b", "learner_b", "platform_admin", "department"):
        assert client_as(stranger).get(path).status_code == 404, stranger
    assert client_as("anonymous").get(path).status_code == 302
    from web.database import db

    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions == ["credential.awarded", "evidence.viewed"]  # the holder's look is theirs


def test_file_without_the_persons_agreement_is_refused_and_nothing_written(
    app, world, client_as, achievement_id
):
    response = _award(
        client_as("trainer"), app, world, achievement_id, file=(io.BytesIO(pdf_bytes()), "a.pdf")
    )
    assert response.status_code == 422
    assert "Cochez l'accord de la personne" in text(response)
    assert "Raccordement réalisé seul" in text(response)  # nothing typed is lost
    assert _count(app, Credential) == 0 and _count(app, EvidenceFile) == 0


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((b"MZ\x90\x00binary", "outil.exe"), "Ce type de fichier n'est pas accepté"),
        ((b"<svg onload='x()'/>", "image.svg"), "Ce type de fichier n'est pas accepté"),
        ((b"%PDF-1.4 /JavaScript", "piege.pdf"), "Ce PDF contient un script"),
    ],
)
def test_bad_files_are_refused_in_french(app, world, client_as, achievement_id, upload, message):
    data, name = upload
    response = _award(
        client_as("trainer"), app, world, achievement_id, file=(io.BytesIO(data), name), consent="y"
    )
    assert response.status_code == 422 and message in text(response)
    assert _count(app, Credential) == 0


def test_oversized_evidence_is_refused_in_the_form_and_nothing_typed_is_lost(
    app, world, client_as, achievement_id
):
    big = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024 + 10)  # over the form's 5 MB, under the body's
    response = _award(
        client_as("trainer"),
        app,
        world,
        achievement_id,
        narrative="Stage de trois semaines en entreprise.",
        url="https://example.org/projet",
        file=(io.BytesIO(big), "gros.pdf"),
        consent="y",
    )
    page = text(response)
    assert response.status_code == 422
    assert "Le fichier est trop lourd : 5 Mo au plus." in page
    assert "Stage de trois semaines en entreprise." in page
    assert 'value="https://example.org/projet"' in page
    assert _count(app, Credential) == 0


def test_learner_of_another_association_cannot_be_chosen(app, world, client_as, achievement_id):
    response = _award(
        client_as("trainer"),
        app,
        world,
        achievement_id,
        learner=str(_learner_pk(app, world.learner_b)),
    )
    assert response.status_code == 422 and "Choisissez une personne de la liste" in text(response)
    assert _count(app, Credential) == 0


def test_learner_hides_the_file_from_staff_and_shows_it_again(
    app, world, client_as, achievement_id
):
    trainer = client_as("trainer")
    _award(
        trainer, app, world, achievement_id, file=(io.BytesIO(png_bytes()), "p.png"), consent="y"
    )
    credential = _credential(app)
    learner = client_as("learner")
    badge_page = f"/apprenant/badges/{credential.public_id}"
    page = learner.get(badge_page)
    assert "Cacher ce fichier à ma structure" in text(page)
    from web.database import db

    with app.app_context():
        file_id = db.session.scalar(select(EvidenceFile.public_id))
    hide = learner.post(
        f"/preuves/{file_id}/visibilite",
        data={"csrf_token": csrf_token(learner, badge_page), "visibility": "private"},
    )
    assert hide.status_code == 303
    assert trainer.get(f"/preuves/{file_id}").status_code == 404
    assert learner.get(f"/preuves/{file_id}").status_code == 200
    assert "cachée par la personne" in text(
        trainer.get(f"/organisations/{world.org_a}/credentials/{credential.public_id}")
    )


CSV = "\ufeffidentifiant;constat\nlearner-a;Stage réussi\n\ninconnu\nlearner-b\nLEARNER-A\n"


def test_bulk_dry_run_then_run_awards_the_good_rows(app, world, client_as, achievement_id):
    trainer = client_as("trainer")
    path = f"/organisations/{world.org_a}/badges/{achievement_id}/attribuer-en-lot"
    dry = trainer.post(
        path,
        data={
            "csrf_token": csrf_token(trainer, path),
            "file": (io.BytesIO(CSV.encode()), "liste.csv"),
        },
        content_type="multipart/form-data",
    )
    page = text(dry)
    assert dry.status_code == 200
    for words in (
        "Prêt : le badge sera attribué",
        "Ligne vide",
        "Identifiant inconnu",
        "Pas un apprenant de votre structure",
        "Doublon",
        "1 ligne prête sur 5.",
    ):
        assert words in page, words
    assert _count(app, Credential) == 0  # the dry run wrote nothing
    raw = dry.get_data(as_text=True)
    rows = html.unescape(raw.split('name="rows" type="hidden" value="')[1].split('"')[0])
    start = trainer.post(
        f"{path}/lancer", data={"csrf_token": csrf_token(trainer, path), "rows": rows}
    )
    assert start.status_code == 303
    result = text(trainer.get(start.headers["Location"]))
    assert "1 badge attribué." in result and "Badge attribué" in result
    assert _count(app, Credential) == 1
    again = trainer.post(
        f"{path}/lancer", data={"csrf_token": csrf_token(trainer, path), "rows": rows}
    )
    second = text(trainer.get(again.headers["Location"]))
    assert "1 badge attribué." not in second and "A déjà ce badge" in second
    assert _count(app, Credential) == 1  # duplicates refused
    other = client_as("trainer_b").get(start.headers["Location"])
    assert other.status_code == 403


def test_bulk_file_not_in_utf8_is_refused_in_french(app, world, client_as, achievement_id):
    trainer = client_as("trainer")
    path = f"/organisations/{world.org_a}/badges/{achievement_id}/attribuer-en-lot"
    response = trainer.post(
        path,
        data={
            "csrf_token": csrf_token(trainer, path),
            "file": (io.BytesIO("élève".encode("latin-1")), "liste.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "n'est pas en UTF-8" in text(response)


def test_tampered_confirmation_is_a_400(app, world, client_as, achievement_id):
    trainer = client_as("trainer")
    path = f"/organisations/{world.org_a}/badges/{achievement_id}/attribuer-en-lot"
    response = trainer.post(
        f"{path}/lancer", data={"csrf_token": csrf_token(trainer, path), "rows": "[{]"}
    )
    assert response.status_code == 400


def _status(client, world, credential, action, reason):
    base = f"/organisations/{world.org_a}/credentials/{credential.public_id}"
    return client.post(
        f"{base}/{action}", data={"csrf_token": csrf_token(client, base), "reason": reason}
    )


def test_suspend_reinstate_revoke_as_learner_employer_and_verifier_see_it(
    app, world, client_as, achievement_id
):
    trainer = client_as("trainer")
    _award(trainer, app, world, achievement_id)
    credential = _credential(app)
    public = f"/c/{credential.public_id}"
    learner = client_as("learner")
    assert client_as("anonymous").get(public, headers=HTML).status_code == 404  # private at first
    own = f"/apprenant/badges/{credential.public_id}"
    learner.post(
        f"{own}/visibilite", data={"visibility": "public", "csrf_token": csrf_token(learner, own)}
    )

    missing = _status(trainer, world, credential, "suspendre", "  ")
    assert missing.status_code == 422 and "Indiquez la raison" in text(missing)
    assert _status(trainer, world, credential, "suspendre", "Contrôle en cours").status_code == 303
    page = text(client_as("anonymous").get(public, headers=HTML))
    assert "Badge suspendu" in page and "Contrôle en cours" in page
    visitor = client_as("anonymous")
    verified = visitor.post(
        "/verifier",
        data={
            "badge_text": credential.signed_json,
            "csrf_token": csrf_token(visitor, "/verifier"),
        },
        headers=HTML,
    )
    assert "Badge suspendu" in text(verified) and "Contrôle en cours" in text(verified)
    wallet = text(learner.get("/apprenant/badges"))
    assert "Suspendu" in wallet and "Raison : Contrôle en cours" in wallet

    assert _status(trainer, world, credential, "retablir", "Contrôle terminé").status_code == 303
    assert "Badge valide" in text(client_as("anonymous").get(public, headers=HTML))

    assert _status(trainer, world, credential, "revoquer", "Fraude constatée").status_code == 303
    page = text(client_as("anonymous").get(public, headers=HTML))
    assert "Badge révoqué" in page and "Fraude constatée" in page
    assert "Raison : Fraude constatée" in text(learner.get("/apprenant/badges"))
    final = _status(trainer, world, credential, "retablir", "Pardon")
    assert final.status_code == 422 and "la révocation est définitive" in text(final)
    from web.database import db

    with app.app_context():
        journal = db.session.execute(
            select(AuditEvent.action, AuditEvent.reason, AuditEvent.actor_id).order_by(
                AuditEvent.id
            )
        ).all()
    assert [tuple(row) for row in journal] == [
        ("credential.awarded", None, world.trainer),
        ("credential.suspended", "Contrôle en cours", world.trainer),
        ("credential.reinstated", "Contrôle terminé", world.trainer),
        ("credential.revoked", "Fraude constatée", world.trainer),
    ]
    journal_page = text(client_as("org_admin").get(f"/organisations/{world.org_a}/journal"))
    assert "Badge révoqué" in journal_page and "Fraude constatée" in journal_page


def test_learner_record_lists_hand_awarded_badges_with_their_actions(
    app, world, client_as, achievement_id
):
    trainer = client_as("trainer")
    _award(trainer, app, world, achievement_id)
    credential = _credential(app)
    page = text(trainer.get(f"/organisations/{world.org_a}/apprenants/{world.learner}"))
    assert "Badges attribués par la structure" in page and "Raccordement fibre" in page
    assert f"/organisations/{world.org_a}/credentials/{credential.public_id}" in page


def test_awards_block_for_the_badge_page_links_awarding_and_each_holder(
    app, world, client_as, achievement_id
):
    from flask import render_template

    from badges import manual_awards
    from web.database import db
    from web.studio.results import BADGE_STATUS_LABELS

    _award(client_as("trainer"), app, world, achievement_id)
    credential = _credential(app)
    with app.test_request_context():
        organisation = db.session.get(Organisation, world.org_a)
        achievement = manual_awards.achievement_of(db.session, world.org_a, achievement_id)
        block = render_template(
            "studio/badges/_awards_block.html",
            organisation=organisation,
            achievement=achievement,
            holders=manual_awards.holders_of(db.session, achievement),
            badge_statuses=BADGE_STATUS_LABELS,
        )
    base = f"/organisations/{world.org_a}"
    assert f"{base}/badges/{achievement_id}/attribuer" in block
    assert f"{base}/badges/{achievement_id}/attribuer-en-lot" in block
    assert f"{base}/credentials/{credential.public_id}" in block
    assert "Actif" in block


def test_platform_admin_sees_the_record_without_award_actions(
    app, world, client_as, achievement_id
):
    _award(client_as("trainer"), app, world, achievement_id)
    page = text(
        client_as("platform_admin").get(f"/organisations/{world.org_a}/apprenants/{world.learner}")
    )
    assert "Raccordement fibre" in page and "/credentials/" not in page


def test_no_one_is_chosen_by_default(app, world, client_as, achievement_id):
    response = _award(client_as("trainer"), app, world, achievement_id, learner="0")
    assert response.status_code == 422 and "Choisissez une personne de la liste" in text(response)
    page = text(
        client_as("trainer").get(f"/organisations/{world.org_a}/badges/{achievement_id}/attribuer")
    )
    assert page.index("— Choisissez une personne —") < page.index("Learner")
