"""Signing in, the role home pages, password change, reset by e-mail, learner sheets."""

from __future__ import annotations

import email
import re
from pathlib import Path

import pytest

from learners.models import User
from tests.learners.factories import PASSWORD
from tests.web.forms import csrf_token, submit, text

HOMES = {
    "learner": ("/apprenant/", "Mes évaluations"),
    "trainer": ("/organisations/{org_a}/", "Association A"),
    "org_admin": ("/organisations/{org_a}/", "Association A"),
    "department": ("/departement/", "Indicateurs du département"),
    "platform_admin": ("/admin/organisations", "Structures"),
}
LOGINS = {
    "learner": "learner-a",
    "trainer": "trainer-a@test.example",
    "org_admin": "ADMIN-A@test.example",  # e-mail logins are case-insensitive
    "department": "dept@test.example",
    "platform_admin": "root@test.example",
}


@pytest.mark.parametrize("role", sorted(HOMES))
def test_each_role_logs_in_and_lands_on_its_home_page(role, client, world):
    response = submit(client, "/connexion", {"login": LOGINS[role], "password": PASSWORD})
    path, heading = HOMES[role]
    assert response.status_code == 302
    assert response.headers["Location"] == path.format(**world.ids)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert heading in page
    assert '<html lang="fr">' in page


def test_logout_ends_the_session(client, world):
    submit(client, "/connexion", {"login": "learner-a", "password": PASSWORD})
    assert client.get("/apprenant/").status_code == 200
    response = submit(client, "/deconnexion", {}, form_path="/apprenant/")
    assert response.status_code == 302
    assert client.get("/apprenant/").status_code == 302


def test_login_follows_a_local_next_but_never_an_external_one(client, world):
    ok = submit(
        client,
        "/connexion?next=/compte/mot-de-passe",
        {"login": "learner-a", "password": PASSWORD},
        "/connexion",
    )
    assert ok.headers["Location"] == "/compte/mot-de-passe"
    other = type(client)(client.application)
    evil = submit(
        other,
        "/connexion?next=//evil.example/x",
        {"login": "learner-a", "password": PASSWORD},
        "/connexion",
    )
    assert evil.headers["Location"] == "/apprenant/"


def test_password_change_keeps_this_session_and_ends_the_others(app, client, world):
    other_device = app.test_client()
    submit(other_device, "/connexion", {"login": "trainer-a@test.example", "password": PASSWORD})
    submit(client, "/connexion", {"login": "trainer-a@test.example", "password": PASSWORD})
    response = submit(
        client,
        "/compte/mot-de-passe",
        {
            "current_password": PASSWORD,
            "new_password": "un nouveau secret",
            "confirm": "un nouveau secret",
        },
    )
    assert response.status_code == 302
    assert client.get(f"/organisations/{world.org_a}/").status_code == 200
    assert other_device.get(f"/organisations/{world.org_a}/").status_code == 302
    fresh = app.test_client()
    assert (
        submit(
            fresh,
            "/connexion",
            {"login": "trainer-a@test.example", "password": "un nouveau secret"},
        ).status_code
        == 302
    )


def test_password_change_refuses_wrong_current_and_short_new(client, world):
    submit(client, "/connexion", {"login": "trainer-a@test.example", "password": PASSWORD})
    wrong = submit(
        client,
        "/compte/mot-de-passe",
        {"current_password": "nope", "new_password": "assez long", "confirm": "assez long"},
    )
    assert wrong.status_code == 422
    assert "Ce n'est pas votre mot de passe actuel" in text(wrong)
    short = submit(
        client,
        "/compte/mot-de-passe",
        {"current_password": PASSWORD, "new_password": "court", "confirm": "court"},
    )
    assert short.status_code == 422
    assert "au moins 8 caractères" in short.get_data(as_text=True)


def _outbox(app) -> list[email.message.Message]:
    return [
        email.message_from_bytes(p.read_bytes())
        for p in sorted(Path(app.config["MAIL_OUTBOX"]).glob("*.eml"))
    ]


def test_reset_by_email_sends_a_single_use_link(app, client, world):
    response = submit(client, "/mot-de-passe-oublie", {"login": "trainer-a@test.example"})
    assert response.status_code == 200
    assert "Regardez vos e-mails" in response.get_data(as_text=True)
    [message] = _outbox(app)
    assert message["To"] == "trainer-a@test.example"
    link = re.search(
        r"https://jalon\.test(/mot-de-passe/nouveau/\S+)", message.get_payload(decode=True).decode()
    )
    path = link.group(1)
    done = submit(
        client, path, {"new_password": "mon nouveau secret", "confirm": "mon nouveau secret"}
    )
    assert done.status_code == 302
    assert (
        submit(
            client,
            "/connexion",
            {"login": "trainer-a@test.example", "password": "mon nouveau secret"},
        ).status_code
        == 302
    )
    again = client.get(path)
    assert again.status_code == 400
    assert "déjà servi" in again.get_data(as_text=True)


def test_reset_answers_the_same_for_unknown_accounts_and_sends_nothing(app, client, world):
    known = submit(client, "/mot-de-passe-oublie", {"login": "trainer-a@test.example"})
    unknown = submit(client, "/mot-de-passe-oublie", {"login": "nobody@test.example"})
    no_email = submit(client, "/mot-de-passe-oublie", {"login": "learner-a"})
    strip = lambda r: re.sub(r'value="[^"]+"', "", r.get_data(as_text=True))  # noqa: E731
    assert known.status_code == unknown.status_code == no_email.status_code == 200
    assert strip(known) == strip(unknown) == strip(no_email)
    assert len(_outbox(app)) == 1


def test_trainer_creates_learner_without_email_and_gets_a_printable_sheet(app, client_as, world):
    trainer = client_as("trainer")
    path = f"/organisations/{world.org_a}/apprenants/nouveau"
    response = submit(trainer, path, {"display_name": "Élodie N'Guessan"})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    username = re.search(r'id="sheet-username">([^<]+)<', page).group(1)
    code = re.search(r'id="sheet-code">([^<]+)<', page).group(1)
    assert username == "eguessan"
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    learner = app.test_client()
    # Typed as people do from paper: lower case, no dash.
    first = submit(
        learner, "/connexion", {"login": username, "password": code.lower().replace("-", "")}
    )
    assert first.headers["Location"] == "/compte/mot-de-passe"
    assert learner.get("/apprenant/").headers["Location"] == "/compte/mot-de-passe"
    changed = submit(
        learner,
        "/compte/mot-de-passe",
        {
            "current_password": code,
            "new_password": "ma phrase secrete",
            "confirm": "ma phrase secrete",
        },
    )
    assert changed.headers["Location"] == "/apprenant/"
    assert "Mes badges" in learner.get("/apprenant/").get_data(as_text=True)
    assert (
        submit(app.test_client(), "/connexion", {"login": username, "password": code}).status_code
        == 422
    )
    listing = text(trainer.get(f"/organisations/{world.org_a}/"))
    assert "Élodie N'Guessan" in listing and "Activé" in listing


def test_renewed_code_replaces_the_old_password(app, client_as, world):
    trainer = client_as("trainer")
    token = csrf_token(trainer, f"/organisations/{world.org_a}/")
    response = trainer.post(
        f"/organisations/{world.org_a}/apprenants/{world.learner}/nouveau-code",
        data={"csrf_token": token},
    )
    code = re.search(r'id="sheet-code">([^<]+)<', response.get_data(as_text=True)).group(1)
    assert (
        submit(
            app.test_client(), "/connexion", {"login": "learner-a", "password": PASSWORD}
        ).status_code
        == 422
    )
    assert (
        submit(app.test_client(), "/connexion", {"login": "learner-a", "password": code}).headers[
            "Location"
        ]
        == "/compte/mot-de-passe"
    )


def test_a_renewed_code_is_journaled_and_the_learner_is_told_at_next_login(app, client_as, world):
    """The reset is in the organisation's journal, and the learner, signing in with the new
    code, reads who renewed it and when; a first code given at creation says nothing of it."""
    from learners import audit
    from web.database import db

    trainer = client_as("trainer")
    token = csrf_token(trainer, f"/organisations/{world.org_a}/")
    response = trainer.post(
        f"/organisations/{world.org_a}/apprenants/{world.learner}/nouveau-code",
        data={"csrf_token": token},
    )
    code = re.search(r'id="sheet-code">([^<]+)<', response.get_data(as_text=True)).group(1)
    with app.app_context():
        lines = audit.journal(db.session, world.org_a, action_prefix="learner.code").items
        assert [(e.action, e.actor_id, e.target_id) for e in lines] == [
            ("learner.code_renewed", world.trainer, str(world.learner))
        ]
    assert "Nouveau code d'accès donné à un apprenant" in text(
        client_as("org_admin").get(f"/organisations/{world.org_a}/journal")
    )
    learner = app.test_client()
    signed_in = submit(learner, "/connexion", {"login": "learner-a", "password": code})
    assert signed_in.headers["Location"] == "/compte/mot-de-passe"
    page = text(learner.get("/compte/mot-de-passe"))
    assert "Votre code a été renouvelé par votre formatrice ou formateur le " in page
    assert "Votre code a été renouvelé" not in text(learner.get("/compte/mot-de-passe"))  # once


def test_a_first_code_does_not_say_it_was_renewed(app, client_as, world):
    from learners.models import User as UserModel
    from web.database import db

    with app.app_context():
        user = db.session.get(UserModel, world.learner)
        user.must_change_password = True  # as after creation: a first one-time code
        db.session.commit()
    learner = app.test_client()
    submit(learner, "/connexion", {"login": "learner-a", "password": PASSWORD})
    assert "Votre code a été renouvelé" not in text(learner.get("/compte/mot-de-passe"))


def test_platform_admin_creates_an_organisation_with_a_checked_siret(app, client_as, count_rows):
    from learners.models import Organisation

    admin = client_as("platform_admin")
    before = count_rows(Organisation)
    bad = submit(
        admin,
        "/admin/organisations/nouvelle",
        {"name": "Asso", "kind": "association", "siret": "732 829 320 00075"},
    )
    assert bad.status_code == 422
    assert "SIRET n'est pas valide" in text(bad)
    short = submit(
        admin,
        "/admin/organisations/nouvelle",
        {"name": "Asso", "kind": "association", "siret": "123"},
    )
    assert "compte 14 chiffres" in short.get_data(as_text=True)
    assert count_rows(Organisation) == before
    ok = submit(
        admin,
        "/admin/organisations/nouvelle",
        {"name": "Asso Nouvelle", "kind": "ess", "siret": "732 829 320 00074"},
    )
    assert ok.status_code == 302
    assert "Asso Nouvelle" in admin.get("/admin/organisations").get_data(as_text=True)
    assert count_rows(Organisation) == before + 1


def test_department_page_shows_counts_and_no_learner_name(client_as, world):
    page = client_as("department").get("/departement/").get_data(as_text=True)
    assert "Learner" not in page and "learner-a" not in page
    assert "Personnes ayant un compte apprenant : 2<" in page  # the world's two learners


def test_inactive_user_cannot_log_in(app, client, world):
    from web.database import db

    with app.app_context():
        db.session.get(User, world.trainer).is_active = False
        db.session.commit()
    response = submit(
        client, "/connexion", {"login": "trainer-a@test.example", "password": PASSWORD}
    )
    assert response.status_code == 422


def test_the_organisation_page_lists_its_learners_fifty_at_a_time(app, client_as, world):
    from learners.models import Organisation
    from tests.learners.factories import make_learner
    from web.database import db

    with app.app_context():
        organisation = db.session.get(Organisation, world.org_a)
        for n in range(50):  # with the world's own learner: 51
            make_learner(db.session, organisation, name=f"Zoé {n:02d}", login=f"zoe{n:02d}")
        db.session.commit()
    trainer = client_as("trainer")
    first = text(trainer.get(f"/organisations/{world.org_a}/"))
    assert "Page 1 sur 2" in first and "Zoé 48" in first and "Zoé 49" not in first
    assert f'href="/organisations/{world.org_a}/?page=2"' in first
    second = text(trainer.get(f"/organisations/{world.org_a}/?page=2"))
    assert "Zoé 49" in second and "Zoé 48" not in second
