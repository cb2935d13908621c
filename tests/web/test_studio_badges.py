# ruff: noqa: E501 - hostile files and form data read best one per line
"""The badge studio's pages: a trainer designs an achievement (medallion or uploaded image,
alignments, Markdown criteria), previews it, saves a draft, publishes it; bad input comes back
on its field in French (422, nothing written); an issued badge changes by a new version; another
organisation's badges are not found."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from badges.models import Achievement
from learners.models import AuditEvent
from tests.web.forms import csrf_token, submit, text

PNG_1PX_HEADER = b"\x89PNG\r\n\x1a\n"


def _db():
    from web.database import db

    return db.session


def _base(world) -> str:
    return f"/organisations/{world.org_a}/badges"


def _fields(**overrides) -> dict:
    data = {
        "name": "Accueillir du public",
        "description": "Sait accueillir et orienter une personne.",
        "criteria": "Mise en situation **réussie** au plateau technique.\n\n- accueil\n- orientation",
        "achievement_type": "Competency",
        "tags": "accueil, relation client",
        "validity_months": "24",
        "results_framework": "",
        "image_source": "medallion",
        "colour": "#1f5fa8",
        "icon": "people",
        "label": "Accueil",
        "sublabel": "Niveau 1",
        "image_alt": "Médaille bleue avec deux personnes",
        "alignments-0-kind": "rncp",
        "alignments-0-target": "RNCP37674",
        "alignments-0-name": "Agent d'accueil",
        "alignments-0-valid_from": "2023-01-01",
        "alignments-0-valid_until": "2028-01-01",
        "alignments-1-kind": "esco",
        "alignments-1-target": "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d",
        "alignments-1-name": "accueillir des visiteurs",
        "alignments-2-kind": "",
    }
    data.update(overrides)
    return data


def _count(app) -> int:
    with app.app_context():
        return _db().scalar(select(func.count()).select_from(Achievement))


def _post(client, path, data, form_path=None):
    token = csrf_token(client, form_path or path)
    return client.post(path, data={**data, "csrf_token": token}, content_type="multipart/form-data")


def test_trainer_previews_saves_a_draft_then_publishes(app, world, client_as):
    client = client_as("trainer")
    base = _base(world)
    before = _count(app)
    preview = _post(client, f"{base}/nouveau", {**_fields(), "preview": "1"})
    assert preview.status_code == 200, text(preview)
    page = text(preview)
    assert "Aperçu avant publication" in page
    assert "<strong>réussie</strong>" in page  # criteria Markdown rendered on the employer's view
    assert '"achievementType": "Competency"' in page
    assert "RNCP37674" in page and "Camille Exemple" in page
    assert "Conforme au schéma Open Badges 3.0" in page
    assert _count(app) == before  # a preview writes nothing

    saved = _post(client, f"{base}/nouveau", _fields())
    assert saved.status_code == 303, text(saved)
    badge_url = saved.headers["Location"]
    page = text(client.get(badge_url))
    assert "Brouillon" in page and "Publier le badge" in page
    assert "Attribuer à une personne" not in page  # a draft is awarded to nobody
    with app.app_context():
        achievement = _db().scalar(select(Achievement).order_by(Achievement.id.desc()))
        assert achievement.is_draft and achievement.validity_months == 24
        assert achievement.image_media_type == "image/png"
        assert achievement.alignments[0]["targetUrl"] == (
            "https://www.francecompetences.fr/recherche/rncp/37674/"
        )
        public_id = achievement.public_id

    assert client_as("anonymous").get(f"/achievements/{public_id}").status_code == 404  # a draft
    published = submit(client, f"{badge_url}/publier", {}, form_path=badge_url)
    assert published.status_code == 303
    listing = text(client.get(base))
    assert "Accueillir du public" in listing and "Publié" in listing
    document = client_as("anonymous").get(f"/achievements/{public_id}").get_json()
    assert document["name"] == "Accueillir du public"
    with app.app_context():
        assert not _db().scalar(select(Achievement).filter_by(public_id=public_id)).is_draft
        actions = set(_db().scalars(select(AuditEvent.action)))
    assert {"achievement.created", "achievement.published"} <= actions


def test_bad_input_comes_back_in_french_and_keeps_the_upload(app, world, client_as):
    client = client_as("trainer")
    base = _base(world)
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><rect width="10" height="10"/></svg>'
    data = _fields(
        name="",
        sublabel="une deuxième ligne beaucoup trop longue",
        image_source="upload",
        image_file=(io.BytesIO(svg), "badge.svg"),
        **{"alignments-0-target": "RNCP12", "alignments-1-target": "http://example.org/skill"},
    )
    before = _count(app)
    response = _post(client, f"{base}/nouveau", data)
    assert response.status_code == 422
    page = text(response)
    assert "Donnez un nom au badge." in page
    assert "C'est trop long." in page
    assert "RNCP suivi de 3 à 6 chiffres" in page
    assert "Adresse ESCO attendue" in page
    assert "Image envoyée gardée" in page  # the accepted SVG rides along
    kept = re.search(r'name="kept_image" type="hidden" value="([^"]+)"', page)[1]
    assert _count(app) == before

    fixed = _fields(image_source="upload", kept_image=kept, kept_media_type="image/svg+xml")
    response = _post(client, f"{base}/nouveau", fixed)
    assert response.status_code == 303, text(response)
    with app.app_context():
        achievement = _db().scalar(select(Achievement).order_by(Achievement.id.desc()))
        assert achievement.image_media_type == "image/svg+xml"
        assert b"<rect" in achievement.image_data


def test_hostile_svg_is_refused_with_a_french_message(app, world, client_as):
    client = client_as("trainer")
    hostile = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><rect/></svg>'
    data = _fields(image_source="upload", image_file=(io.BytesIO(hostile), "x.svg"))
    response = _post(client, f"{_base(world)}/nouveau", data)
    assert response.status_code == 422
    assert "Image SVG refusée : elle contient du code lancé par un événement" in text(response)


def test_oversized_and_non_image_uploads_are_refused(app, world, client_as):
    client = client_as("trainer")
    for payload, message in (
        (PNG_1PX_HEADER + b"\0" * (600 * 1024), "L'image dépasse 512 Ko"),
        (b"%PDF-1.7 not an image", "n'est pas une image PNG ou SVG"),
    ):
        data = _fields(image_source="upload", image_file=(io.BytesIO(payload), "x.png"))
        response = _post(client, f"{_base(world)}/nouveau", data)
        assert response.status_code == 422
        assert message in text(response)


def test_a_six_megabyte_image_gets_the_form_message_and_keeps_every_field(app, world, client_as):
    """Over the image limit but under the body limit: the form says so, nothing is lost."""
    client = client_as("trainer")
    before = _count(app)
    payload = PNG_1PX_HEADER + b"\0" * (6 * 1024 * 1024)
    data = _fields(image_source="upload", image_file=(io.BytesIO(payload), "gros.png"))
    response = _post(client, f"{_base(world)}/nouveau", data)
    page = text(response)
    assert response.status_code == 422
    assert "L'image dépasse 512 Ko" in page
    assert 'value="Accueillir du public"' in page
    assert "Sait accueillir et orienter une personne." in page
    assert 'value="accueil, relation client"' in page
    assert _count(app) == before


def test_a_body_over_the_limit_gets_a_plain_413_page_leading_back_to_the_form(
    app, world, client_as
):
    client = client_as("trainer")
    path = f"{_base(world)}/nouveau"
    payload = PNG_1PX_HEADER + b"\0" * (9 * 1024 * 1024)
    data = _fields(image_source="upload", image_file=(io.BytesIO(payload), "enorme.png"))
    response = _post(client, path, data)
    page = text(response)
    assert response.status_code == 413
    assert "Envoi trop volumineux" in page
    assert "dépasse 8 Mo : rien n'a été enregistré" in page
    assert f'<a href="{path}" role="button">Revenir au formulaire</a>' in page


def test_another_organisations_badge_is_not_found(app, world, client_as):
    saved = _post(client_as("trainer"), f"{_base(world)}/nouveau", _fields())
    badge_path = saved.headers["Location"].replace("http://localhost", "")
    public_id = badge_path.rsplit("/", 1)[-1]
    stranger = client_as("trainer_b") if "trainer_b" in world.ids else None
    assert stranger is not None
    # B's trainer through B's space, with A's badge id: not found.
    response = stranger.get(f"/organisations/{world.org_b}/badges/{public_id}")
    assert response.status_code == 404
    # Through A's space: not a member.
    assert stranger.get(badge_path).status_code == 403


def _issue(app, public_id: str):
    """Award the achievement once (as a finished session or a manual award would)."""
    from badges import issuance
    from badges.models import Achievement as Model
    from tests.learners.factories import make_learner

    with app.app_context():
        achievement = _db().scalar(select(Model).filter_by(public_id=public_id))
        learner = make_learner(_db(), name="Awa Traoré")
        issued = issuance.issue(
            _db(),
            achievement=achievement,
            learner=learner,
            award_key=f"test:{public_id}",
            base_url=app.config["JALON_BASE_URL"],
            kek=app.config["JALON_KEY_ENCRYPTION_KEY"],  # the key the studio made the issuer with
            is_public=True,
        )
        _db().commit()
        return issued.credential.public_id


def test_edit_form_shows_the_badge_and_an_issued_badge_gets_a_new_version(app, world, client_as):
    client = client_as("org_admin")
    saved = _post(client, f"{_base(world)}/nouveau", _fields())
    badge_url = saved.headers["Location"]
    public_id = badge_url.rsplit("/", 1)[-1]
    submit(client, f"{badge_url}/publier", {}, form_path=badge_url)

    form = text(client.get(f"{badge_url}/modifier"))
    assert 'value="Accueillir du public"' in form and 'value="RNCP37674"' in form
    assert 'value="2028-01-01"' in form and "Garder l'image actuelle" in form

    # Nobody holds it yet: changed in place.
    response = _post(client, f"{badge_url}/modifier", _fields(name="Accueil", image_source="keep"))
    assert response.status_code == 303 and response.headers["Location"] == badge_url

    credential_id = _issue(app, public_id)
    assert "déjà été délivré 1 fois" in text(client.get(f"{badge_url}/modifier"))
    response = _post(
        client, f"{badge_url}/modifier", _fields(name="Accueil et orientation", image_source="keep")
    )
    assert response.status_code == 303
    new_url = response.headers["Location"]
    assert new_url != badge_url
    page = text(client.get(new_url))
    assert "Version 2" in page and "Accueil et orientation" in page
    assert "Attribuer à une personne" in page  # the current version is the one awarded
    old_page = text(client.get(badge_url))
    assert "Cette version a été remplacée" in old_page
    # The earlier version lists who holds it (to revoke or suspend) but is awarded no more.
    assert "Awa Traoré" in old_page and "Attribuer à une personne" not in old_page
    # Editing the old version leads to the current one.
    assert (
        client.get(f"{badge_url}/modifier")
        .headers["Location"]
        .endswith(f"{new_url.rsplit('/', 1)[-1]}/modifier")
    )
    # The credential issued before still shows its own name and verifies on the employer's page.
    employer_page = client_as("anonymous").get(f"/c/{credential_id}").get_data(as_text=True)
    assert "<strong>réussie</strong>" in employer_page  # the criteria's Markdown, rendered
    employer = text(client_as("anonymous").get(f"/c/{credential_id}"))
    assert "Badge valide" in employer and "Accueil" in employer
    assert "Accueil et orientation" not in employer
    listing = text(client.get(_base(world)))
    assert listing.count("Accueil et orientation") == 1 and ">Accueil<" not in listing
    with app.app_context():
        actions = list(_db().scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert actions[-1] == "achievement.new_version" and "achievement.updated" in actions


def test_a_validity_that_is_not_a_number_is_said_in_french(app, world, client_as):
    response = _post(
        client_as("trainer"), f"{_base(world)}/nouveau", _fields(validity_months="deux")
    )
    assert response.status_code == 422
    assert "Entre 1 et 120 mois, ou laissez vide : sans limite." in text(response)
    assert "Not a valid" not in text(response)
