"""Public badge URLs: content negotiation, privacy, issuer keys, status lists and did:web."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from badges import issuance, issuers, keys_store, revocation
from badges.models import VerificationEvent
from badges.ob3 import data_integrity, jwt, status_list
from badges.ob3.resolver import Resolver
from badges.ob3.verify import verify_credential
from tests.badges.factories import make_achievement, make_issuer, tiny_png
from tests.learners.factories import make_learner, make_organisation

BASE_URL = "https://jalon.test"
JSON_LD = "application/ld+json"


@pytest.fixture
def badge(app):
    """A credential issued in the app's database: its public id and a few related ids."""
    from web.database import db

    with app.app_context():
        kek = app.config["JALON_KEY_ENCRYPTION_KEY"]
        issuer = issuers.create(
            db.session,
            make_organisation(db.session),
            kek,
            name="Association Tremplin",
            url="https://tremplin.example",
        )
        achievement = make_achievement(db.session, issuer)
        learner = make_learner(db.session, name="Samira Dupont")
        credential = issuance.issue(
            db.session,
            achievement=achievement,
            learner=learner,
            award_key="session:1:badge:1",
            base_url=BASE_URL,
            kek=kek,
            is_public=True,
        ).credential
        db.session.commit()
        return {
            "id": credential.public_id,
            "issuer": issuer.public_id,
            "achievement": achievement.public_id,
            "list_url": json.loads(credential.signed_json)["credentialStatus"][
                "statusListCredential"
            ],
        }


def _http_documents(client, *urls):
    """Fetch documents through the app, as a remote verifier would over HTTPS."""
    found = {}
    for url in urls:
        response = client.get(url.removeprefix(BASE_URL))
        assert response.status_code == 200, url
        found[url] = response.get_json(force=True)
    return found


def _verify_over_http(client, credential: dict | str):
    """Verify using only what the public URLs serve (no database access)."""
    signed = (
        credential if isinstance(credential, dict) else jwt.decode_vc_jwt(credential).credential
    )
    issuer_url = signed["issuer"]["id"]
    documents = _http_documents(client, issuer_url)
    list_url = signed["credentialStatus"]["statusListCredential"]
    lists = _http_documents(client, list_url)
    return verify_credential(
        credential,
        resolver=Resolver(documents=documents),
        status_fetcher=lambda url: lists[url],
    )


@pytest.mark.parametrize("accept", ["application/ld+json", "application/vc+ld+json"])
def test_json_ld_request_gets_the_signed_credential(client, badge, accept):
    response = client.get(f"/c/{badge['id']}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    signed = json.loads(response.data)
    assert signed["id"] == f"{BASE_URL}/c/{badge['id']}"
    assert signed["proof"][0]["cryptosuite"] == "eddsa-rdfc-2022"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Accept" in response.headers["Vary"]


@pytest.mark.parametrize("accept", ["application/jwt", "application/vc+jwt"])
def test_jwt_request_gets_the_compact_jws(client, badge, accept):
    response = client.get(f"/c/{badge['id']}", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    decoded = jwt.decode_vc_jwt(response.get_data(as_text=True))
    assert decoded.header["alg"] == "RS256"
    assert decoded.payload["jti"] == f"{BASE_URL}/c/{badge['id']}"


def test_both_formats_verify_with_what_the_public_urls_serve(client, badge):
    as_json = json.loads(client.get(f"/c/{badge['id']}?format=json").data)
    as_jwt = client.get(f"/c/{badge['id']}?format=jwt").get_data(as_text=True)
    for credential in (as_json, as_jwt):
        result = _verify_over_http(client, credential)
        assert result.valid, result.to_dict()


def test_download_links_are_attachments(client, badge):
    response = client.get(f"/c/{badge['id']}?format=json")
    assert "attachment" in response.headers["Content-Disposition"]


def test_browser_gets_a_french_page_saying_the_badge_is_valid(client, badge, app):
    response = client.get(
        f"/c/{badge['id']}?via=qr", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    )
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert '<html lang="fr"' in page
    assert "Badge valide" in page
    assert "Utiliser une messagerie" in page and "Association Tremplin" in page
    assert f'href="{BASE_URL}/c/{badge["id"]}?format=json"' in page
    assert "<svg" in page and "<title>" in page  # the QR code, with a text alternative
    from web.database import db

    with app.app_context():
        event = db.session.scalars(select(VerificationEvent)).one()
        assert (event.channel.value, event.result) == ("qr", "valid")


def test_revoked_badge_page_says_so_with_the_reason(client, badge, app):
    from web.database import db

    with app.app_context():
        credential = issuance.get(db.session, badge["id"])
        revocation.revoke(
            db.session,
            credential,
            "Badge attribué par erreur",
            base_url=BASE_URL,
            kek=app.config["JALON_KEY_ENCRYPTION_KEY"],
        )
        db.session.commit()
    page = client.get(f"/c/{badge['id']}").get_data(as_text=True)
    assert "Badge révoqué" in page and "Badge attribué par erreur" in page
    assert "Badge valide" not in page


def test_public_urls_ignore_the_request_host(client, badge):
    response = client.get(
        f"/c/{badge['id']}", headers={"Accept": JSON_LD, "Host": "attacker.example"}
    )
    assert b"attacker.example" not in response.data
    page = client.get(f"/c/{badge['id']}", headers={"Host": "attacker.example"})
    assert b"attacker.example" not in page.data


def test_private_and_unknown_credentials_are_404(client, badge, app):
    from web.database import db

    assert client.get("/c/00000000-0000-4000-8000-000000000000").status_code == 404
    with app.app_context():
        issuance.get(db.session, badge["id"]).is_public = False
        db.session.commit()
    for accept in ("text/html", JSON_LD, "application/jwt"):
        assert client.get(f"/c/{badge['id']}", headers={"Accept": accept}).status_code == 404


def test_issuer_document_publishes_profile_and_keys(client, badge):
    response = client.get(f"/issuers/{badge['issuer']}")
    assert response.status_code == 200 and response.mimetype == JSON_LD
    document = response.get_json(force=True)
    assert document["id"] == f"{BASE_URL}/issuers/{badge['issuer']}"
    assert "Profile" in document["type"] and document["name"] == "Association Tremplin"
    types = sorted(method["type"] for method in document["verificationMethod"])
    assert types == ["JsonWebKey", "Multikey"]
    assert all("d" not in m.get("publicKeyJwk", {}) for m in document["verificationMethod"])
    assert document["assertionMethod"] == [m["id"] for m in document["verificationMethod"]]


def test_rotation_keeps_old_badges_verifying_over_http(client, badge, app):
    from web.database import db

    old = json.loads(client.get(f"/c/{badge['id']}?format=json").data)
    with app.app_context():
        issuer = issuers.get(db.session, badge["issuer"])
        keys_store.rotate(db.session, issuer, app.config["JALON_KEY_ENCRYPTION_KEY"])
        db.session.commit()
    document = client.get(f"/issuers/{badge['issuer']}").get_json(force=True)
    assert len(document["verificationMethod"]) == 4
    assert _verify_over_http(client, old).valid


def test_status_list_is_signed_verifiable_and_briefly_cached(client, badge, app):
    response = client.get(badge["list_url"].removeprefix(BASE_URL))
    assert response.status_code == 200
    assert "max-age=300" in response.headers["Cache-Control"]
    listed = response.get_json(force=True)
    assert "BitstringStatusListCredential" in listed["type"]
    resolver = Resolver(documents=_http_documents(client, listed["issuer"]))
    key = resolver.resolve(listed["proof"]["verificationMethod"]).public_key
    assert data_integrity.verify(listed, key).ok
    listed["credentialSubject"]["encodedList"] = status_list.encode(
        status_list.bitstring(131_072, [7])
    )
    assert not data_integrity.verify(listed, key).ok


def test_revocation_shows_in_the_served_list_and_verification(client, badge, app):
    from web.database import db

    with app.app_context():
        credential = issuance.get(db.session, badge["id"])
        index = credential.status_index
        revocation.revoke(
            db.session,
            credential,
            "Fraude",
            base_url=BASE_URL,
            kek=app.config["JALON_KEY_ENCRYPTION_KEY"],
        )
        db.session.commit()
    listed = client.get(badge["list_url"].removeprefix(BASE_URL)).get_json(force=True)
    assert status_list.get_bit(
        status_list.decode(listed["credentialSubject"]["encodedList"]), index
    )
    signed = json.loads(client.get(f"/c/{badge['id']}?format=json").data)
    assert _verify_over_http(client, signed).verdict.value == "revoked"


def test_achievement_document(client, badge):
    response = client.get(f"/achievements/{badge['achievement']}")
    assert response.status_code == 200
    document = response.get_json(force=True)
    assert document["id"] == f"{BASE_URL}/achievements/{badge['achievement']}"
    assert document["criteria"]["narrative"].startswith("Niveau 2")
    assert client.get("/achievements/nope").status_code == 404


def test_did_web_document_is_served_when_enabled(client, app):
    from web.database import db

    assert client.get("/.well-known/did.json").status_code == 404
    app.config["JALON_ISSUER_DID_WEB"] = "1"
    assert client.get("/.well-known/did.json").status_code == 404  # no did:web issuer yet
    with app.app_context():
        kek = app.config["JALON_KEY_ENCRYPTION_KEY"]
        issuer = issuers.create(db.session, make_organisation(db.session), kek, uses_did_web=True)
        achievement = make_achievement(db.session, issuer)
        credential = issuance.issue(
            db.session,
            achievement=achievement,
            learner=make_learner(db.session),
            award_key="did-web",
            base_url=BASE_URL,
            kek=kek,
            is_public=True,
        ).credential
        db.session.commit()
        signed = json.loads(credential.signed_json)
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    document = response.get_json(force=True)
    assert document["id"] == "did:web:jalon.test" == signed["issuer"]["id"]
    assert signed["proof"][0]["verificationMethod"].startswith("did:web:jalon.test#z6Mk")
    list_url = signed["credentialStatus"]["statusListCredential"]
    lists = _http_documents(client, list_url)
    result = verify_credential(
        signed,
        resolver=Resolver(documents={"https://jalon.test/.well-known/did.json": document}),
        status_fetcher=lambda url: lists[url],
    )
    assert result.valid, result.to_dict()


def test_badge_image_is_served_by_its_content_hashed_url(client, app):
    """Credentials name the badge's image by URL: it answers with the bytes, cached for good;
    a name that is no longer the image's leads to the current one."""
    from web.database import db

    png = tiny_png()
    with app.app_context():
        kek = app.config["JALON_KEY_ENCRYPTION_KEY"]
        achievement = make_achievement(
            db.session,
            make_issuer(db.session, kek=kek),
            image_data=png,
            image_media_type="image/png",
            image_alt="Une enveloppe",
        )
        credential = issuance.issue(
            db.session,
            achievement=achievement,
            learner=make_learner(db.session),
            award_key="image",
            base_url=BASE_URL,
            kek=kek,
            is_public=True,
        ).credential
        db.session.commit()
        public_id = credential.public_id
    signed = json.loads(client.get(f"/c/{public_id}?format=json").data)
    url = signed["credentialSubject"]["achievement"]["image"]["id"]
    assert signed["image"]["id"] == url and "data:" not in json.dumps(signed)
    response = client.get(url.removeprefix(BASE_URL))
    assert response.status_code == 200 and response.data == png
    assert response.mimetype == "image/png"
    assert "immutable" in response.headers["Cache-Control"]
    older = client.get(url.removeprefix(BASE_URL).rsplit("/", 1)[0] + "/0000000000000000.png")
    assert older.status_code == 302 and older.location == url
    page = client.get(f"/c/{public_id}", headers={"Accept": "text/html"}).get_data(as_text=True)
    assert f'src="{url}"' in page
