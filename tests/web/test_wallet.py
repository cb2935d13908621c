"""« Mes badges »: the learner sees each badge's state, downloads files that verify, shares them,
and hides the public page; nobody else reaches any of it."""

from __future__ import annotations

import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
import zxingcpp
from defusedxml import ElementTree
from PIL import Image
from pypdf import PdfReader

from badges import issuance, issuers, revocation, verification, wallet
from badges.images import BadgeDesign, render_png
from badges.models import VerificationChannel
from badges.ob3 import baking, jwt
from badges.ob3.resolver import Resolver
from badges.ob3.verify import Verdict
from learners.models import User
from tests.badges.factories import make_achievement
from tests.web.forms import csrf_token, text

BASE_URL = "https://jalon.test"
SVG = "{http://www.w3.org/2000/svg}"
DOWNLOADS = ("badge.json", "badge.jwt", "badge.png", "badge.svg", "qr.png", "qr.svg")


def _learner(db_session, user_id: int):
    return db_session.get(User, user_id).learner


def _issue(app, user_id: int, award_key: str, **kwargs) -> str:
    """A badge issued to the world's user ``user_id`` (by association A's issuer)."""
    from web.database import db

    with app.app_context():
        kek = app.config["JALON_KEY_ENCRYPTION_KEY"]
        learner = _learner(db.session, user_id)
        organisation = learner.user.memberships[0].organisation
        issuer = issuers.for_organisation(db.session, organisation) or issuers.create(
            db.session, organisation, kek, name="Association Tremplin"
        )
        achievement = make_achievement(
            db.session,
            issuer,
            image_data=render_png(BadgeDesign("#1f6f5c", "mail", "Messagerie")),
            image_media_type="image/png",
            image_alt="Badge rond avec une enveloppe blanche.",
        )
        credential = issuance.issue(
            db.session,
            achievement=achievement,
            learner=learner,
            award_key=award_key,
            base_url=BASE_URL,
            kek=kek,
            results=[
                {
                    "resultDescription": "urn:jalon:rd:interagir",
                    "achievedLevel": "urn:jalon:rd:interagir:3",
                }
            ],
            **{"is_public": True, **kwargs},  # published by its holder unless said otherwise
        ).credential
        db.session.commit()
        return credential.public_id


@pytest.fixture
def badge(app, world) -> str:
    return _issue(app, world.learner, "session:1:badge:1")


@pytest.fixture
def new_badge(app, world) -> str:
    """A badge just issued, left as issuance leaves it: private."""
    from web.database import db

    with app.app_context():
        learner = _learner(db.session, world.learner)
        organisation = learner.user.memberships[0].organisation
        kek = app.config["JALON_KEY_ENCRYPTION_KEY"]
        issuer = issuers.for_organisation(db.session, organisation) or issuers.create(
            db.session, organisation, kek, name="Association Tremplin"
        )
        credential = issuance.issue(
            db.session,
            achievement=make_achievement(db.session, issuer),
            learner=learner,
            award_key="new",
            base_url=BASE_URL,
            kek=kek,
        ).credential
        db.session.commit()
        return credential.public_id


@pytest.fixture
def learner(client_as):
    return client_as("learner")


def _verify(app, data: bytes, filename: str):
    from web.database import db

    with app.app_context():
        return verification.verify_bytes(db.session, data, base_url=BASE_URL, filename=filename)


def test_wallet_shows_each_badge_with_its_facts_and_verification_count(app, badge, learner):
    from web.database import db

    with app.app_context():
        credential = issuance.get(db.session, badge)
        result = verification.verify_stored(db.session, credential, base_url=BASE_URL)
        for channel in (VerificationChannel.QR, VerificationChannel.LINK):
            verification.record(db.session, credential, channel, result)
        db.session.commit()
    response = learner.get("/apprenant/badges")
    assert response.status_code == 200
    page = text(response)
    for expected in (
        "Mes badges",
        "Utiliser une messagerie",
        "Niveau 2 ou plus en « Interagir »",  # criteria
        "Association Tremplin",
        "Sans limite de durée",
        "Valide",
        "Vérifié 2 fois",
        'alt="Badge rond avec une enveloppe blanche."',
        f'src="/apprenant/badges/{badge}/image.png"',
        f'href="/apprenant/badges/{badge}"',
    ):
        assert expected in page, expected
    image = learner.get(f"/apprenant/badges/{badge}/image.png")
    assert image.status_code == 200 and image.mimetype == "image/png"


def test_empty_wallet_says_how_to_earn_a_badge(learner, world):
    page = text(learner.get("/apprenant/badges"))
    assert "Vous n'avez pas encore de badge" in page
    assert 'href="/apprenant/badges"' not in text(learner.get("/apprenant/"))


def test_home_page_counts_the_badges_and_leads_to_the_wallet(app, world, badge, learner):
    _issue(app, world.learner, "second")
    page = text(learner.get("/apprenant/"))
    assert "Vous avez 2 badges." in page
    assert 'href="/apprenant/badges"' in page
    assert "Vous n'avez pas encore de badge" not in page


def test_wallet_states_revoked_with_reason_suspended_and_expired(app, world, learner):
    from datetime import timedelta

    from learners.database import utcnow
    from web.database import db

    revoked = _issue(app, world.learner, "r")
    suspended = _issue(app, world.learner, "s")
    now = utcnow()
    _issue(app, world.learner, "e", now=now - timedelta(days=9), valid_until=now - timedelta(1))
    with app.app_context():
        kek = app.config["JALON_KEY_ENCRYPTION_KEY"]
        revocation.revoke(
            db.session, issuance.get(db.session, revoked), "Attribué par erreur",
            base_url=BASE_URL, kek=kek,
        )  # fmt: skip
        revocation.set_suspended(db.session, issuance.get(db.session, suspended), True)
        db.session.commit()
    detail = text(learner.get(f"/apprenant/badges/{revoked}"))
    assert "Raison : Attribué par erreur" in detail and "linkedin.com" not in detail
    page = text(learner.get("/apprenant/badges"))
    assert "Révoqué" in page and "Raison : Attribué par erreur" in page
    assert "Suspendu" in page
    assert "Expiré" in page
    assert "Pas encore vérifié" in page
    assert "✓ Valide" not in page


def test_badge_page_offers_every_download_and_sharing_way(badge, learner):
    response = learner.get(f"/apprenant/badges/{badge}")
    assert response.status_code == 200
    page = text(response)
    for name in (*DOWNLOADS, "attestation.pdf"):
        assert f'href="/apprenant/badges/{badge}/{name}" download' in page, name
    assert f'<a href="{BASE_URL}/c/{badge}">{BASE_URL}/c/{badge}</a>' in page
    assert "<svg" in page and "<title>Code QR de l'adresse de ce badge</title>" in page
    assert "Interagir : Niveau 3" in page
    assert 'target="_blank" rel="noopener"' in page
    assert "(s'ouvre dans un nouvel onglet)" in page


def test_signed_json_download_verifies_with_the_issuers_local_keys(app, badge, learner):
    response = learner.get(f"/apprenant/badges/{badge}/badge.json")
    assert response.status_code == 200
    assert response.mimetype == "application/ld+json"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and disposition.endswith('.json"')
    assert json.loads(response.data)["id"] == f"{BASE_URL}/c/{badge}"
    result = _verify(app, response.data, "badge.json")
    assert result.verdict is Verdict.VALID, result.to_dict()


def test_vc_jwt_download_decodes_and_its_signature_verifies(app, badge, learner):
    from web.database import db

    response = learner.get(f"/apprenant/badges/{badge}/badge.jwt")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith('.jwt"')
    decoded = jwt.decode_vc_jwt(response.get_data(as_text=True))
    assert decoded.payload["jti"] == f"{BASE_URL}/c/{badge}"
    with app.app_context():
        resolver = Resolver(local=issuers.document_source(db.session, BASE_URL))
        assert jwt.verify_signature(decoded, resolver.resolve(decoded.header["kid"]).public_key)
    assert _verify(app, response.data, "badge.jwt").verdict is Verdict.VALID


@pytest.mark.parametrize("name", ["badge.png", "badge.svg"])
def test_baked_images_unbake_to_the_same_credential(app, badge, learner, name):
    signed = json.loads(learner.get(f"/apprenant/badges/{badge}/badge.json").data)
    response = learner.get(f"/apprenant/badges/{badge}/{name}")
    assert response.status_code == 200
    assert response.mimetype == ("image/png" if name.endswith("png") else "image/svg+xml")
    assert "attachment" in response.headers["Content-Disposition"]
    assert json.loads(baking.unbake(response.data)) == signed
    assert _verify(app, response.data, name).verdict is Verdict.VALID


def test_qr_codes_lead_to_the_public_page(badge, learner):
    png = learner.get(f"/apprenant/badges/{badge}/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    found = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    # The QR code marks its openings as scans, so "vérifié N fois" can tell QR from link.
    assert [code.text for code in found] == [f"{BASE_URL}/c/{badge}?via=qr"]
    svg = learner.get(f"/apprenant/badges/{badge}/qr.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert "attachment" in svg.headers["Content-Disposition"]
    root = ElementTree.fromstring(svg.data)
    assert root.tag == f"{SVG}svg"
    assert root.find(f"{SVG}title").text == "Code QR de l'adresse de ce badge"
    assert root.find(f"{SVG}path") is not None


def test_attestation_pdf_names_the_learner_and_the_badge(app, world, badge, learner):
    response = learner.get(f"/apprenant/badges/{badge}/attestation.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].endswith('.pdf"')
    page = PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    from web.database import db

    with app.app_context():
        name = _learner(db.session, world.learner).display_name
    for expected in (name, "Utiliser une messagerie", "Association Tremplin", badge):
        assert expected in page


def test_linkedin_link_is_prefilled_with_the_badge(app, badge, learner):
    from web.database import db

    page = learner.get(f"/apprenant/badges/{badge}").get_data(as_text=True)
    start = page.index("https://www.linkedin.com/profile/add?")
    url = page[start : page.index('"', start)].replace("&amp;", "&")
    params = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    with app.app_context():
        issued = issuance.get(db.session, badge).issued_at
    assert params == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Utiliser une messagerie",
        "organizationName": "Association Tremplin",
        "issueYear": str(issued.year),
        "issueMonth": str(issued.month),
        "certUrl": f"{BASE_URL}/c/{badge}",
        "certId": badge,
    }


def test_private_badge_hides_its_public_page_but_its_file_still_verifies(
    app, client, badge, learner
):
    saved = learner.get(f"/apprenant/badges/{badge}/badge.json").data
    token = csrf_token(learner, f"/apprenant/badges/{badge}")
    response = learner.post(
        f"/apprenant/badges/{badge}/visibilite",
        data={"visibility": "private", "csrf_token": token},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/apprenant/badges/{badge}"
    page = text(learner.get(f"/apprenant/badges/{badge}"))
    assert "Votre badge est privé" in page and "Privé : vous seul le voyez" in page
    assert "linkedin.com" not in page
    assert client.get(f"/c/{badge}").status_code == 404
    assert client.get(f"/c/{badge}", headers={"Accept": "application/ld+json"}).status_code == 404
    assert _verify(app, saved, "badge.json").verdict is Verdict.VALID
    assert learner.get(f"/apprenant/badges/{badge}/badge.json").data == saved

    token = csrf_token(learner, f"/apprenant/badges/{badge}")
    learner.post(
        f"/apprenant/badges/{badge}/visibilite",
        data={"visibility": "public", "csrf_token": token},
    )
    assert client.get(f"/c/{badge}").status_code == 200


def test_visibility_needs_the_form_token_and_a_known_choice(app, badge, learner):
    from web.database import db

    no_token = learner.post(f"/apprenant/badges/{badge}/visibilite", data={"visibility": "private"})
    assert no_token.status_code == 400
    token = csrf_token(learner, f"/apprenant/badges/{badge}")
    bad = learner.post(
        f"/apprenant/badges/{badge}/visibilite",
        data={"visibility": "everyone", "csrf_token": token},
    )
    assert bad.status_code == 422
    assert "Corrigez ce qui suit" in text(bad)
    with app.app_context():
        assert issuance.get(db.session, badge).is_public is True


def test_nobody_else_reaches_a_learners_badge(app, world, badge, client_as):
    """Another learner gets 404 (as for an unknown id); staff and the département get the same
    403 as on any learner page, whether the id exists or not: nothing reveals a badge."""
    _issue(app, world.learner_b, "b's own badge")  # B has badges of their own
    unknown = "00000000-0000-4000-8000-000000000000"
    paths = ["", *(f"/{name}" for name in (*DOWNLOADS, "attestation.pdf", "image.png"))]
    for role, status in (("learner_b", 404), ("trainer", 403), ("department", 403)):
        other = client_as(role)
        for path in paths:
            for credential_id in (badge, unknown):
                response = other.get(f"/apprenant/badges/{credential_id}{path}")
                assert response.status_code == status, (role, path)
        app.config["WTF_CSRF_ENABLED"] = False  # measure the access decision, not the token
        response = other.post(
            f"/apprenant/badges/{badge}/visibilite", data={"visibility": "private"}
        )
        app.config["WTF_CSRF_ENABLED"] = True
        assert response.status_code == status, (role, "visibilite")
    page = text(client_as("learner_b").get("/apprenant/badges"))
    assert badge not in page
    assert client_as("anonymous").get(f"/apprenant/badges/{badge}").status_code == 302
    with app.app_context():
        from web.database import db

        assert issuance.get(db.session, badge).is_public is True


def test_wallet_pages_in_english(badge, learner):
    learner.get("/langue?lang=en&next=/")
    wallet = text(learner.get("/apprenant/badges"))
    assert '<html lang="en">' in wallet
    assert "My badges" in wallet and "Not checked yet" in wallet and "Valid" in wallet
    detail = text(learner.get(f"/apprenant/badges/{badge}"))
    assert "Add to my LinkedIn profile" in detail and "(opens in a new tab)" in detail


def test_holder_viewing_their_own_public_page_is_not_counted_as_a_verification(
    app, badge, learner, client
):
    assert learner.get(f"/c/{badge}").status_code == 200
    assert "Pas encore vérifié" in learner.get("/apprenant/badges").get_data(as_text=True)
    assert client.get(f"/c/{badge}?via=qr").status_code == 200
    assert "Vérifié 1 fois" in learner.get("/apprenant/badges").get_data(as_text=True)


def test_a_new_badge_is_private_until_its_holder_publishes_it(app, client, new_badge, learner):
    """Nothing is shown, nor counted, before the holder says so; the switch says it plainly."""
    from web.database import db

    with app.app_context():
        assert issuance.get(db.session, new_badge).is_public is False
    with app.app_context():
        found = issuance.get(db.session, new_badge)
        secrets = (found.achievement.name, found.learner.display_name)
    hidden = client.get(f"/c/{new_badge}")
    assert hidden.status_code == 404
    assert "Ce badge n'est pas partagé" in text(hidden)
    assert not any(secret in text(hidden) for secret in secrets)
    assert client.get(f"/c/{new_badge}?format=json").status_code == 404
    with app.app_context():
        found = issuance.get(db.session, new_badge)
        assert wallet.verification_counts(db.session, [found]) == {found.id: 0}

    page = learner.get(f"/apprenant/badges/{new_badge}")
    html = page.get_data(as_text=True)
    assert "Privé : vous seul le voyez" in text(page)
    assert 'role="switch"' in html and 'aria-checked="false"' in html
    assert "Rendez d'abord ce badge visible pour le partager" in text(page)
    assert "linkedin.com" not in html and "qr.png" not in html

    token = csrf_token(learner, f"/apprenant/badges/{new_badge}")
    learner.post(
        f"/apprenant/badges/{new_badge}/visibilite",
        data={"visibility": "public", "csrf_token": token},
    )
    page = learner.get(f"/apprenant/badges/{new_badge}")
    assert 'aria-checked="true"' in page.get_data(as_text=True)
    assert "Visible par les personnes qui ont le lien" in text(page)
    assert client.get(f"/c/{new_badge}").status_code == 200


def test_the_holder_previews_their_private_badge_without_counting_it(app, new_badge, learner):
    from web.database import db

    preview = learner.get(f"/c/{new_badge}")
    assert preview.status_code == 200
    assert "Aperçu : ce badge est privé." in text(preview)
    with app.app_context():
        found = issuance.get(db.session, new_badge)
        assert wallet.verification_counts(db.session, [found]) == {found.id: 0}


def test_the_wallet_list_says_which_badges_are_private_and_which_visible(badge, new_badge, learner):
    page = learner.get("/apprenant/badges")
    html = page.get_data(as_text=True)
    cards = {
        public_id: html[html.index(f'id="badge-{public_id}"') :].split("</article>", 1)[0]
        for public_id in (badge, new_badge)
    }
    assert "Visible par les personnes qui ont le lien" in cards[badge]
    assert "Privé" not in cards[badge]
    assert "Privé : vous seul le voyez" in cards[new_badge]
    assert "rendez-le visible sur sa page pour le partager" in cards[new_badge]
    assert "Visible par" not in cards[new_badge]
    english = learner.get("/apprenant/badges?lang=en").get_data(as_text=True)
    assert "Private: only you can see it" in english
    assert "Visible to people who have the link" in english
