"""What an employer sees: /c/<id> for every verdict, the /verifier page and POST /api/verifier
for files from Jalon and from elsewhere, the events they count, and the limits they keep."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, select

from badges import issuance, issuers, revocation, verification
from badges.images import BadgeDesign, render_png, render_svg
from badges.models import VerificationEvent
from badges.ob3 import baking, build, data_integrity, keys, resolver
from badges.ob3 import status_list as bsl
from badges.ob3.errors import Ob3Error
from badges.qr import qr_svg
from learners.database import utcnow
from tests.badges.factories import make_achievement
from tests.learners.factories import make_learner, make_organisation
from web.verify import display

BASE_URL = "https://jalon.test"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
PARTNER = "https://partenaire.example/issuer"
PARTNER_LIST = "https://partenaire.example/status/1"


class OfflineWeb:
    """The verifier's fetcher in tests: serves fixed documents, refuses everything else (the
    network is never reached) and remembers what was asked."""

    def __init__(self, documents: dict[str, dict[str, Any]] | None = None) -> None:
        self.documents = dict(documents or {})
        self.asked: list[str] = []

    def __call__(self, url: str) -> dict[str, Any]:
        self.asked.append(url)
        if url not in self.documents:
            raise Ob3Error(f"offline test: {url}")
        return self.documents[url]


@pytest.fixture(autouse=True)
def web(app) -> OfflineWeb:
    fake = OfflineWeb()
    app.config["JALON_VERIFIER_FETCHER"] = fake
    return fake


@dataclass
class Issued:
    id: str
    signed: dict[str, Any]
    jws: str

    @property
    def path(self) -> str:
        return f"/c/{self.id}"

    @property
    def json_bytes(self) -> bytes:
        return json.dumps(self.signed, ensure_ascii=False).encode()


@pytest.fixture
def issue(app):
    """``issue(**kwargs)`` → a badge issued in the app's database (kwargs go to issuance.issue)."""
    from web.database import db

    state: dict[str, Any] = {}

    def make(award_key: str = "session:1:badge:1", **kwargs) -> Issued:
        with app.app_context():
            kek = app.config["JALON_KEY_ENCRYPTION_KEY"]
            if "achievement" not in state:
                issuer = issuers.create(
                    db.session,
                    make_organisation(db.session),
                    kek,
                    name="Association Tremplin",
                    url="https://tremplin.example",
                )
                achievement = make_achievement(
                    db.session,
                    issuer,
                    image_data=render_png(BadgeDesign("#1f6f5c", "mail", "Messagerie"), 64),
                    image_media_type="image/png",
                    image_alt="Badge rond avec une enveloppe, bandeau « Messagerie ».",
                )
                state["achievement"] = achievement.id
            from badges.models import Achievement

            achievement = db.session.get(Achievement, state["achievement"])
            kwargs.setdefault(
                "results",
                [
                    {
                        "resultDescription": "urn:jalon:rd:interagir",
                        "achievedLevel": "urn:jalon:rd:interagir:3",
                    }
                ],
            )
            kwargs.setdefault(
                "evidence",
                [{"name": "Test de compétences", "narrative": "Passé en atelier, le 2 mai."}],
            )
            credential = issuance.issue(
                db.session,
                achievement=achievement,
                learner=make_learner(db.session, name="Samira Dupont"),
                award_key=award_key,
                base_url=BASE_URL,
                kek=kek,
                is_public=True,
                **kwargs,
            ).credential
            db.session.commit()
            return Issued(credential.public_id, json.loads(credential.signed_json), credential.jws)

    return make


def _page(client, path: str, **kwargs) -> tuple[int, str]:
    response = client.get(path, headers=HTML, **kwargs)
    return response.status_code, response.get_data(as_text=True)


def _verdict(page: str) -> str:
    marker = 'data-verdict="'
    start = page.index(marker) + len(marker)
    return page[start : page.index('"', start)]


def _events(app) -> list[tuple[str, str, int | None]]:
    from web.database import db

    with app.app_context():
        return [
            (e.channel.value, e.result, e.credential_id)
            for e in db.session.scalars(select(VerificationEvent).order_by(VerificationEvent.id))
        ]


def _credential_pk(app, public_id: str) -> int:
    from web.database import db

    with app.app_context():
        return issuance.get(db.session, public_id).id


# ------------------------------------------------------------------------------ /c/<id>


def test_valid_badge_page_answers_first_then_says_what_was_achieved(client, issue, app):
    badge = issue()
    status, page = _page(client, badge.path)
    assert status == 200 and _verdict(page) == "valid"
    # The verdict comes first, in icon + words + colour class.
    assert page.index("verdict-ok") < page.index("Utiliser une messagerie</h2>")
    assert '<span class="verdict-icon" aria-hidden="true">✓</span> Badge valide</h1>' in page
    assert "Émetteur connu de Jalon." in page
    # What was achieved: criteria, result per competence with level, framework link, evidence.
    assert "Niveau 2 ou plus en « Interagir »" in page
    assert "<strong>Interagir</strong> : Niveau 3" in page
    assert 'href="https://pix.fr/competences/2.1"' in page and "2.1 Interagir" in page
    assert "Samira Dupont" in page and "Association Tremplin" in page
    assert 'href="https://tremplin.example"' in page
    assert "Passé en atelier, le 2 mai." in page
    assert 'alt="Badge rond avec une enveloppe, bandeau « Messagerie »."' in page
    # Each check is folded, in plain words.
    assert page.count('<details class="check check-passed">') >= 8
    assert "Signature : vérifié" in page
    assert "La signature est valide : le badge n&#39;a pas été modifié." in page


def test_competence_alignments_left_out_of_the_badge_show_from_its_published_definition(
    client, issue, app
):
    from badges.models import Achievement, Credential
    from web.database import db

    first = issue()
    with app.app_context():
        credential = db.session.scalar(select(Credential).where(Credential.public_id == first.id))
        achievement = db.session.get(Achievement, credential.achievement_id)
        (rubric,) = achievement.result_descriptions
        digcomp = {
            "targetName": "Interagir à travers les technologies",
            "targetUrl": "https://publications.jrc.ec.europa.eu/repository/handle/JRC128415",
            "targetCode": "2.1",
            "targetFramework": "DigComp 2.2",
        }
        achievement.result_descriptions = [{**rubric, "alignment": [digcomp]}]
        db.session.commit()
    badge = issue(award_key="session:2:badge:1")
    (carried,) = badge.signed["credentialSubject"]["achievement"]["resultDescription"]
    assert "alignment" not in carried
    status, page = _page(client, badge.path)
    assert status == 200 and _verdict(page) == "valid"
    assert "<strong>Interagir</strong> : Niveau 3" in page
    assert "Interagir à travers les technologies" in page and "DigComp 2.2" in page
    # The credential's own alignments win: the definition only fills what it leaves out.
    own = {"targetName": "Propre", "targetUrl": "https://example.org/propre"}
    carried_own = {**carried, "alignment": [own]}
    achievement_copy = {**badge.signed["credentialSubject"]["achievement"]}
    achievement_copy["resultDescription"] = [carried_own]
    document = {
        **badge.signed,
        "credentialSubject": {**badge.signed["credentialSubject"], "achievement": achievement_copy},
    }
    published = {"resultDescription": [{**carried, "alignment": [digcomp]}]}
    (line,) = display.read(document, "https://jalon.test", published).results
    assert [link.name for link in line.alignments] == ["Propre"]
    (line,) = display.read(badge.signed, "https://jalon.test", published).results
    assert [link.name for link in line.alignments] == [digcomp["targetName"]]
    (line,) = display.read(badge.signed, "https://jalon.test").results
    assert line.alignments == []


def test_qr_code_on_the_page_opens_the_badge_as_a_scan(client, issue):
    badge = issue()
    _status, page = _page(client, badge.path)
    target = verification.qr_url(badge.id, BASE_URL)
    assert target == f"{BASE_URL}/c/{badge.id}?via=qr"
    assert qr_svg(target, title="Code QR de ce badge") in page


def test_revoked_badge_says_so_with_the_reason(client, issue, app):
    from web.database import db

    badge = issue()
    with app.app_context():
        revocation.revoke(
            db.session,
            issuance.get(db.session, badge.id),
            "Badge attribué par erreur",
            base_url=BASE_URL,
            kek=app.config["JALON_KEY_ENCRYPTION_KEY"],
        )
        db.session.commit()
    _status, page = _page(client, badge.path)
    assert _verdict(page) == "revoked"
    assert "verdict-bad" in page and "Badge révoqué" in page
    assert "Raison : Badge attribué par erreur" in page
    assert "Badge valide" not in page


def test_expired_badge_says_since_when(client, issue):
    issued_at = utcnow() - timedelta(days=400)
    badge = issue(now=issued_at, valid_until=issued_at + timedelta(days=365))
    _status, page = _page(client, badge.path)
    assert _verdict(page) == "expired" and "Badge expiré" in page
    assert "il n&#39;est plus valable depuis le" in page
    assert "verdict-warn" in page and "⌛" in page


def test_badge_not_yet_valid_says_from_when(client, issue):
    badge = issue(now=utcnow() + timedelta(days=10))
    _status, page = _page(client, badge.path)
    assert _verdict(page) == "not_yet_valid" and "Badge pas encore valide" in page
    assert "il ne sera valable qu&#39;à partir du" in page


def test_tampered_stored_badge_shows_an_invalid_signature(client, issue, app):
    from web.database import db

    badge = issue()
    with app.app_context():
        stored = issuance.get(db.session, badge.id)
        document = json.loads(stored.signed_json)
        document["credentialSubject"]["achievement"]["name"] = "Expert en cybersécurité"
        stored.signed_json = json.dumps(document, ensure_ascii=False)
        db.session.commit()
    status, page = _page(client, badge.path)
    assert status == 200 and _verdict(page) == "invalid_signature"
    assert "Signature invalide" in page and "verdict-bad" in page
    assert "Ne vous y fiez pas." in page
    assert '<details class="check check-failed">' in page


def test_unreadable_status_list_gives_status_unknown_not_valid(client, issue, app):
    from web.database import db

    badge = issue()
    with app.app_context():
        listed = issuance.get(db.session, badge.id).status_list
        listed.signed_credential = None
        db.session.commit()
    _status, page = _page(client, badge.path)
    assert _verdict(page) == "status_unknown" and "Statut inconnu" in page
    assert "nous n&#39;avons pas pu savoir si le badge a été retiré" in page
    assert "Badge valide" not in page


def test_suspended_badge_is_not_shown_as_valid(client, issue, app):
    from web.database import db

    badge = issue()
    with app.app_context():
        issuance.get(db.session, badge.id).suspended = True
        db.session.commit()
    _status, page = _page(client, badge.path)
    assert _verdict(page) == "suspended" and "Badge suspendu" in page


def test_badge_page_in_english(client, issue):
    badge = issue()
    _status, page = _page(client, f"{badge.path}?lang=en")
    assert '<html lang="en"' in page
    assert "Valid badge" in page and "Issuer known to Jalon." in page
    assert "The signature (VC-JWT) is valid" in page or "signature is valid" in page


def test_each_opening_counts_with_its_channel(client, issue, app):
    badge = issue()
    client.get(f"{badge.path}?via=qr", headers=HTML)
    other = app.test_client()  # another visitor
    other.head(badge.path, headers=HTML)  # a link checker is not a verification
    # Switching language on the page comes back to it: not a new verification.
    other.get(f"{badge.path}?lang=en", headers={**HTML, "Referer": f"{BASE_URL}{badge.path}"})
    other.get(badge.path, headers=HTML)
    pk = _credential_pk(app, badge.id)
    assert _events(app) == [("qr", "valid", pk), ("link", "valid", pk)]


def test_a_reload_does_not_inflate_the_count(client, issue, app):
    badge = issue()
    first = client.get(badge.path, headers={**HTML, "Referer": "https://reseau.example/post"})
    seen = first.headers["Set-Cookie"]
    assert f"Path=/c/{badge.id}" in seen and "HttpOnly" in seen
    for _ in range(3):  # a reload keeps the referrer it came with, and sends the cookie
        client.get(badge.path, headers={**HTML, "Referer": "https://reseau.example/post"})
    assert len(_events(app)) == 1
    app.test_client().get(badge.path, headers=HTML)  # another visitor still counts
    assert len(_events(app)) == 2


def test_machines_still_get_the_signed_json(client, issue):
    badge = issue()
    response = client.get(badge.path, headers={"Accept": "application/ld+json"})
    assert response.mimetype == "application/ld+json"
    assert json.loads(response.data) == badge.signed


# ----------------------------------------------------------------------------- /verifier


def _upload(client, data: bytes, filename: str):
    from io import BytesIO

    return client.post(
        "/verifier",
        data={"badge_file": (BytesIO(data), filename)},
        content_type="multipart/form-data",
        headers=HTML,
    )


def _paste(client, text: str):
    return client.post("/verifier", data={"badge_text": text}, headers=HTML)


@pytest.fixture
def no_csrf(app):
    app.config["WTF_CSRF_ENABLED"] = False


def test_verifier_page_offers_a_file_and_a_text_box(client):
    status, page = _page(client, "/verifier")
    assert status == 200
    assert 'enctype="multipart/form-data"' in page
    assert 'type="file"' in page and "<textarea" in page
    assert "Vérifier le badge" in page and "csrf_token" in page


@pytest.mark.parametrize("kind", ["json", "png", "svg"])
def test_uploaded_badge_file_is_verified_and_counted(client, issue, app, no_csrf, kind):
    badge = issue()
    if kind == "json":
        data, name = badge.json_bytes, "badge.json"
    elif kind == "png":
        image = render_png(BadgeDesign("#2b4f8a", "mail", "Badge"), 64)
        data, name = baking.bake_png(image, badge.signed), "badge.png"
    else:
        image = render_svg(BadgeDesign("#2b4f8a", "mail", "Badge"), "Badge", 64)
        data, name = baking.bake_svg(image, badge.signed), "badge.svg"
    response = _upload(client, data, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and _verdict(page) == "valid", page[:3000]
    assert "Badge valide</h2>" in page and "Utiliser une messagerie" in page
    assert "<strong>Interagir</strong> : Niveau 3" in page
    assert "Émetteur connu de Jalon." in page
    assert _events(app) == [("upload", "valid", _credential_pk(app, badge.id))]


def test_pasted_json_and_jws_are_verified(client, issue, app, no_csrf):
    badge = issue()
    for text in (json.dumps(badge.signed, ensure_ascii=False), badge.jws):
        page = _paste(client, text).get_data(as_text=True)
        assert _verdict(page) == "valid"
    pk = _credential_pk(app, badge.id)
    assert _events(app) == [("upload", "valid", pk), ("upload", "valid", pk)]


def _external_credential(
    issuer_id: str, vm: str, private_key, *, issuer_name: str = "Lycée Jean Moulin", **extra
) -> dict[str, Any]:
    unsigned = build.build_achievement_credential(
        credential_id="urn:uuid:6f1d3d6e-1c39-4d6a-9a51-2a3f0e0a0b01",
        issuer=build.IssuerProfile(id=issuer_id, name=issuer_name),
        achievement=build.AchievementDef(
            id="https://partenaire.example/achievements/soudure",
            name="Soudure à l'arc",
            description="Réaliser une soudure conforme.",
            criteria_narrative="Trois soudures contrôlées.",
            alignments=(
                build.Alignment(
                    target_name="Soudeur",
                    target_url="https://www.francecompetences.fr/recherche/rncp/12345/",
                    target_code="RNCP12345",
                    target_framework="RNCP",
                ),
            ),
        ),
        recipient=build.Recipient(identity="a@example.org", salt="0123456789abcdef"),
        valid_from=utcnow().replace(microsecond=0) - timedelta(days=1),
        **extra,
    )
    return data_integrity.sign(unsigned, private_key, vm)


def test_external_did_key_badge_is_valid_and_issuer_unknown_to_jalon(client, app, no_csrf, web):
    key = keys.generate_ed25519()
    did = keys.did_key_for(key)
    signed = _external_credential(did, f"{did}#{did.removeprefix('did:key:')}", key)
    page = _paste(client, json.dumps(signed)).get_data(as_text=True)
    assert _verdict(page) == "valid"
    assert "Badge valide" in page
    assert "Émetteur inconnu de Jalon" in page
    assert "Soudure à l&#39;arc" in page and "Lycée Jean Moulin" in page
    assert "RNCP</span> — " in page and "RNCP12345 Soudeur" in page
    assert web.asked == []  # did:key resolves offline
    assert _events(app) == [("upload", "valid", None)]
    assert 'data-alert="borrowed-name"' not in page  # a name Jalon does not know: no alarm


def test_unknown_issuer_borrowing_a_known_organisations_name_is_flagged(
    client, app, no_csrf, web, world
):
    """Case, accents and spacing aside, the name is Association A's: the verifier says so
    in a red alert block, not in a grey line."""
    key = keys.generate_ed25519()
    did = keys.did_key_for(key)
    signed = _external_credential(
        did, f"{did}#{did.removeprefix('did:key:')}", key, issuer_name="  ASSOCIATION   à "
    )
    page = _paste(client, json.dumps(signed)).get_data(as_text=True)
    assert _verdict(page) == "valid"  # the signature holds: only the name is borrowed
    alert = page[page.index('data-alert="borrowed-name"') :]
    assert alert.index("Attention") < alert.index("</div>")
    assert 'class="verify-alert verify-alert-bad" role="alert"' in page
    assert (
        "Attention : ce badge dit venir de Association A, mais il n'a pas été délivré par "
        "Jalon pour Association A."
    ) in alert


def test_https_issuer_keys_and_status_list_come_through_the_guarded_fetcher(
    client, app, no_csrf, web
):
    key = keys.generate_ed25519()
    multikey = keys.ed25519_to_multikey(key)
    vm = f"{PARTNER}#key-1"
    web.documents[PARTNER] = {
        "@context": ["https://www.w3.org/ns/cid/v1"],
        "id": PARTNER,
        "verificationMethod": [
            {"id": vm, "type": "Multikey", "controller": PARTNER, "publicKeyMultibase": multikey}
        ],
        "assertionMethod": [vm],
    }
    listed = bsl.build_status_list_credential(
        credential_id=PARTNER_LIST,
        issuer_id=PARTNER,
        purpose="revocation",
        set_indices=[42],
        valid_from=utcnow().replace(microsecond=0) - timedelta(days=1),
    )
    web.documents[PARTNER_LIST] = data_integrity.sign(listed, key, vm)
    for index, expected in ((7, "valid"), (42, "revoked")):
        signed = _external_credential(
            PARTNER, vm, key, status=build.StatusEntry(PARTNER_LIST, index)
        )
        page = _paste(client, json.dumps(signed)).get_data(as_text=True)
        assert _verdict(page) == expected, page
        assert "Émetteur inconnu de Jalon" in page
    assert set(web.asked) == {PARTNER, PARTNER_LIST}
    assert "L&#39;organisme n&#39;a pas donné de raison." in page


def test_unreachable_https_issuer_is_not_valid(client, no_csrf, web):
    key = keys.generate_ed25519()
    signed = _external_credential(PARTNER, f"{PARTNER}#key-1", key)
    page = _paste(client, json.dumps(signed)).get_data(as_text=True)
    assert _verdict(page) == "invalid_signature"
    assert PARTNER in web.asked


def test_tampered_file_gives_invalid_signature_not_an_error(client, issue, app, no_csrf):
    badge = issue()
    forged = json.loads(badge.json_bytes)
    forged["credentialSubject"]["result"][0]["achievedLevel"] = "urn:jalon:rd:interagir:8"
    response = _upload(client, json.dumps(forged).encode(), "badge.json")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and _verdict(page) == "invalid_signature"
    assert "Signature invalide" in page
    # A forgery is counted, but not on the real holder's badge.
    assert _events(app) == [("upload", "invalid_signature", None)]


def test_twenty_megabytes_are_refused_in_french_and_nothing_is_counted(client, app, no_csrf):
    response = _upload(client, b"x" * (20 * 1024 * 1024), "gros.png")
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "Ce fichier est trop volumineux : 8 Mo au plus." in page
    assert 'type="file"' in page  # the form is there to try again
    assert _events(app) == []


def test_entity_bomb_svg_is_refused_with_a_french_reason(client, no_csrf):
    """A billion-laughs SVG is refused for its entity declarations before any parser expands
    them: the reason names the entities (no timing here: a busy machine made a time bound flaky)."""
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode() for i in range(9)
        )
        + b']><svg xmlns="http://www.w3.org/2000/svg"><text>&j;</text></svg>'
    )
    response = _upload(client, bomb, "badge.svg")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and _verdict(page) == "malformed"
    assert "Format non reconnu" in page and "entités XML" in page


def test_garbage_bytes_are_an_unrecognised_format(client, app, no_csrf):
    response = _upload(client, bytes(range(256)) * 8, "photo.jpg")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and _verdict(page) == "malformed"
    assert "Format non reconnu" in page
    assert _events(app) == [("upload", "malformed", None)]


def test_empty_form_asks_for_a_file_or_text(client, no_csrf):
    response = client.post("/verifier", data={}, headers=HTML)
    assert response.status_code == 422
    assert "Choisissez le fichier du badge, ou collez son texte" in response.get_data(as_text=True)


def test_verifier_form_needs_its_csrf_token(client):
    response = client.post("/verifier", data={"badge_text": "{}"}, headers=HTML)
    assert response.status_code == 400


def test_verifier_is_rate_limited_with_a_french_page_and_no_address_in_logs(
    client, app, no_csrf, caplog
):
    caplog.set_level(logging.INFO)
    for _ in range(20):
        assert _paste(client, "pas un badge").status_code == 200
    response = _paste(client, "pas un badge")
    assert response.status_code == 429
    assert "Trop de tentatives" in response.get_data(as_text=True)
    assert response.headers["Retry-After"]
    assert any("ratelimit" in r.getMessage() for r in caplog.records)
    assert "127.0.0.1" not in caplog.text
    assert client.get("/verifier", headers=HTML).status_code == 200  # reading is not limited


def test_verification_events_keep_nothing_about_the_verifier(app):
    from web.database import db

    with app.app_context():
        columns = {c["name"] for c in inspect(db.engine).get_columns("verification_events")}
    assert columns == {"id", "credential_id", "occurred_at", "channel", "result"}


# ------------------------------------------------------------------------ POST /api/verifier


def test_api_verifies_a_raw_body_and_counts_it(client, issue, app):
    badge = issue()
    for body, content_type in (
        (badge.json_bytes, "application/vc+ld+json"),
        (badge.jws.encode(), "application/jwt"),
    ):
        response = client.post("/api/verifier", data=body, content_type=content_type)
        assert response.status_code == 200 and response.mimetype == "application/json"
        answer = response.get_json()
        assert answer["verdict"] == "valid" and answer["issuer"]["known"] is True
        assert answer["credential"] == {
            "id": f"{BASE_URL}/c/{badge.id}",
            "name": "Utiliser une messagerie",
            "issued_by_jalon": True,
        }
        assert {c["code"] for c in answer["checks"]} >= {"proof", "status", "valid_until"}
    pk = _credential_pk(app, badge.id)
    assert _events(app) == [("api", "valid", pk), ("api", "valid", pk)]


def test_api_reports_a_suspended_badge_as_suspended(client, issue, app):
    from web.database import db

    badge = issue()
    with app.app_context():
        issuance.get(db.session, badge.id).suspended = True
        db.session.commit()
    answer = client.post(
        "/api/verifier", data=badge.json_bytes, content_type="application/vc+ld+json"
    ).get_json()
    assert answer["verdict"] == "suspended"
    assert (answer["label_fr"], answer["label_en"]) == ("Badge suspendu", "Suspended badge")


def test_api_accepts_a_multipart_file(client, issue):
    from io import BytesIO

    badge = issue()
    baked = baking.bake_png(render_png(BadgeDesign("#2b4f8a", "mail", "Badge"), 64), badge.jws)
    response = client.post(
        "/api/verifier",
        data={"file": (BytesIO(baked), "badge.png")},
        content_type="multipart/form-data",
    )
    assert response.get_json()["verdict"] == "valid"
    assert response.get_json()["format"] == "png"


def test_api_tampered_badge_is_a_verdict_not_an_error(client, issue):
    badge = issue()
    forged = dict(badge.signed, validFrom="2020-01-01T00:00:00Z")
    response = client.post("/api/verifier", json=forged)
    assert response.status_code == 200
    assert response.get_json()["verdict"] == "invalid_signature"


def test_api_bad_input_is_problem_json(client, app):
    empty = client.post("/api/verifier", data=b"", content_type="application/json")
    assert empty.status_code == 400 and empty.mimetype == "application/problem+json"
    assert "Envoyez le badge" in empty.get_json()["detail"]
    garbage = client.post("/api/verifier", data=b"\x00\x01garbage", content_type="text/plain")
    assert garbage.status_code == 422 and garbage.mimetype == "application/problem+json"
    problem = garbage.get_json()
    assert problem["title"] == "Format non reconnu" and problem["verdict"] == "malformed"
    huge = client.post(
        "/api/verifier", data=b"{" + b" " * (9 * 1024 * 1024), content_type="application/json"
    )
    assert huge.status_code == 413 and huge.mimetype == "application/problem+json"
    assert "trop volumineux" in huge.get_json()["detail"]
    assert [e[:2] for e in _events(app)] == [("api", "malformed")]


def test_api_is_rate_limited_with_problem_json(client, app):
    app.config["JALON_VERIFIER_RATE_LIMIT"] = "2 per minute"
    for _ in range(2):
        client.post("/api/verifier", data=b"x", content_type="text/plain")
    response = client.post("/api/verifier", data=b"x", content_type="text/plain")
    assert response.status_code == 429 and response.mimetype == "application/problem+json"


def test_hostile_credential_content_is_shown_as_text_without_live_links(client, no_csrf):
    key = keys.generate_ed25519()
    did = keys.did_key_for(key)
    unsigned = build.build_achievement_credential(
        credential_id="urn:uuid:1b7c0f9e-7a51-4f0e-9d2c-2d3b4a5c6d7e",
        issuer=build.IssuerProfile(id=did, name="<script>alert(1)</script>"),
        achievement=build.AchievementDef(
            id="https://evil.example/a",
            name="Badge piégé",
            description="Description",
            criteria_narrative="Critères",
            image=build.Image(id="https://evil.example/pixel.png", caption="pixel"),
        ),
        recipient=build.Recipient(identity="a@example.org", salt="0123456789abcdef"),
        valid_from=utcnow().replace(microsecond=0),
        evidence=[build.Evidence(id="javascript:alert(2)", name="Preuve piégée")],
    )
    unsigned["issuer"]["url"] = "javascript:alert(3)"
    signed = data_integrity.sign(unsigned, key, f"{did}#{did.removeprefix('did:key:')}")
    page = _paste(client, json.dumps(signed)).get_data(as_text=True)
    assert _verdict(page) == "valid"  # signed by its key: the content is still not trusted
    assert "Badge piégé" in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert" not in page
    assert 'href="javascript:' not in page
    assert "evil.example/pixel.png" not in page  # the CSP would block it: not even tried


# ------------------------------------------------------------------ a fault of ours, in words


@pytest.fixture
def failing_signature_check(monkeypatch):
    """The signature step raises, as a bug of ours would (the message names nobody real)."""
    from badges.ob3 import verify

    def broken(*_args, **_kwargs):
        raise RuntimeError("bug near Samira Dupont")

    monkeypatch.setattr(verify, "check_proof", broken)


def test_a_failing_check_is_an_internal_error_on_the_page_never_a_forgery(
    client, issue, app, failing_signature_check, caplog
):
    badge = issue()
    with caplog.at_level(logging.ERROR, logger="badges.ob3.verify"):
        _status, page = _page(client, badge.path)
    assert _verdict(page) == "internal_error"
    assert "Vérification impossible (erreur interne)" in page and "verdict-warn" in page
    assert "Cela ne dit rien sur le badge" in page
    assert "Raison : L&#39;étape « Signature » n&#39;a pas pu être menée à bien." in page
    assert '<details class="check check-error">' in page and "Signature : erreur interne" in page
    for finding in ("Signature invalide", "Badge mal formé", "Format non reconnu", "Badge valide"):
        assert finding not in page
    [record] = [r for r in caplog.records if r.name == "badges.ob3.verify"]
    assert "'proof'" in record.getMessage() and "RuntimeError" in record.getMessage()
    assert "Samira" not in caplog.text and badge.id not in caplog.text
    _status, english = _page(client, f"{badge.path}?lang=en")
    assert "Verification impossible (internal error)" in english
    assert "This says nothing about the badge" in english
    assert "Invalid signature" not in english
    pk = _credential_pk(app, badge.id)
    assert _events(app)[0] == ("link", "internal_error", pk)


def test_the_verifier_page_and_the_api_say_internal_error_too(
    client, issue, app, no_csrf, failing_signature_check
):
    badge = issue()
    page = _paste(client, json.dumps(badge.signed)).get_data(as_text=True)
    assert _verdict(page) == "internal_error"
    assert "Vérification impossible (erreur interne)" in page and "Signature invalide" not in page
    response = client.post("/api/verifier", json=badge.signed)
    assert response.status_code == 200  # a verdict, not a 500 nor a 4xx problem
    answer = response.get_json()
    assert answer["verdict"] == "internal_error"
    assert answer["label_fr"] == "Vérification impossible (erreur interne)"
    assert answer["label_en"] == "Verification impossible (internal error)"
    proof = next(c for c in answer["checks"] if c["code"] == "proof")
    assert proof["status"] == "error"
    assert proof["message_en"] == "Verification impossible (internal error)."
    # Without a signature check, the copy sent is not tied to the real badge's count.
    assert answer["credential"]["issued_by_jalon"] is False
    assert [e[:2] for e in _events(app)] == [
        ("upload", "internal_error"),
        ("api", "internal_error"),
    ]
    assert all(e[2] is None for e in _events(app))


# ----------------------------------------------------------------- dates the verifier accepts


def test_dates_written_with_a_lowercase_z_are_shown(client, no_csrf):
    """RFC 3339 allows ``z``; the verifier accepts it, so the page must show those dates."""
    key = keys.generate_ed25519()
    did = keys.did_key_for(key)
    unsigned = build.build_achievement_credential(
        credential_id="urn:uuid:0c7d6e2a-3f4b-4c5d-8e9f-a0b1c2d3e4f5",
        issuer=build.IssuerProfile(id=did, name="Lycée Jean Moulin"),
        achievement=build.AchievementDef(
            id="https://partenaire.example/achievements/soudure",
            name="Soudure à l'arc",
            description="Réaliser une soudure conforme.",
            criteria_narrative="Trois soudures contrôlées.",
        ),
        recipient=build.Recipient(identity="a@example.org", salt="0123456789abcdef"),
        valid_from=utcnow().replace(microsecond=0),
    )
    unsigned["validFrom"] = "2025-05-02T10:00:00z"
    unsigned["validUntil"] = "2099-01-31T00:00:00z"
    signed = data_integrity.sign(unsigned, key, f"{did}#{did.removeprefix('did:key:')}")
    page = _paste(client, json.dumps(signed)).get_data(as_text=True)
    assert _verdict(page) == "valid"
    assert '<time datetime="2025-05-02">2 mai 2025</time>' in page
    assert "<dd>Jusqu'au 31 janvier 2099</dd>" in page
    assert "Non indiquée" not in page and "Sans limite de durée" not in page


# ------------------------------------------------------------------ hostile input (issue 14)


def test_hostile_badges_are_refused_in_words_before_any_fetch(client, issue, app, web, no_csrf):
    badge = issue()
    proof = badge.signed["proof"]
    proof = proof[0] if isinstance(proof, list) else proof
    proofs = [{**proof, "verificationMethod": f"did:web:h{i}.example#k"} for i in range(2_000)]
    hostile = json.dumps(dict(badge.signed, proof=proofs))
    response = client.post("/api/verifier", data=hostile, content_type="application/json")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.get_json()["detail"].startswith("Fichier refusé : ")
    page = _paste(client, json.dumps(dict(badge.signed, proof=proofs[:5])))
    assert "Fichier refusé : il porte plus de 4 signatures." in page.get_data(as_text=True)
    assert web.asked == []


def test_an_unreachable_issuer_costs_a_bounded_number_of_fetches(client, web):
    key = keys.generate_ed25519()
    unsigned = build.build_achievement_credential(
        credential_id="urn:uuid:5d0e4c1a-2b3c-4d5e-8f90-a1b2c3d4e5f6",
        issuer=build.IssuerProfile(id="did:web:absent.example", name="Ailleurs"),
        achievement=build.AchievementDef(
            id="https://absent.example/a/1", name="Badge", description="d", criteria_narrative="c"
        ),
        recipient=build.Recipient(identity="a@example.org", salt="0123456789abcdef"),
        valid_from=utcnow().replace(microsecond=0),
    )
    signed = data_integrity.sign(unsigned, key, "did:web:absent.example#key-1")
    proof = signed["proof"]
    signed["proof"] = [
        {**proof, "verificationMethod": f"did:web:absent{i}.example#key-1"} for i in range(4)
    ]
    answer = client.post("/api/verifier", json=signed).get_json()
    assert answer["verdict"] != "malformed"
    assert len(web.asked) <= resolver.MAX_FETCHES
    checks = {c["code"]: c for c in answer["checks"]}
    assert checks["key"]["status"] == "unknown" and checks["schema"]["status"] == "passed"


# ------------------------------------------------------- /c/<id>: cached, counted once a visitor


@pytest.fixture
def work(monkeypatch) -> dict[str, int]:
    """How many times the page really verified a badge and drew a QR code."""
    from badges import qr

    done = {"verify": 0, "qr": 0}
    real_verify, real_code = verification.verify_stored, qr._code

    def verify(*args, **kwargs):
        done["verify"] += 1
        return real_verify(*args, **kwargs)

    def code(*args, **kwargs):
        done["qr"] += 1
        return real_code(*args, **kwargs)

    monkeypatch.setattr(verification, "verify_stored", verify)
    monkeypatch.setattr(qr, "_code", code)
    return done


def test_a_second_view_neither_verifies_again_nor_redraws_the_qr_code(app, issue, work):
    badge = issue()
    first = _page(app.test_client(), badge.path)[1]
    second = _page(app.test_client(), badge.path)[1]
    assert _verdict(first) == _verdict(second) == "valid"
    assert qr_svg(verification.qr_url(badge.id, BASE_URL), title="Code QR de ce badge") in second
    assert work == {"verify": 1, "qr": 1}


def _change(app, badge: Issued, action) -> None:
    from web.database import db

    with app.app_context():
        action(db.session, issuance.get(db.session, badge.id))
        db.session.commit()


def test_a_revocation_shows_at_once_after_a_cached_view(app, client, issue, work):
    badge = issue()
    assert _verdict(_page(client, badge.path)[1]) == "valid"
    _change(
        app,
        badge,
        lambda db, found: revocation.revoke(
            db,
            found,
            "Attribué par erreur",
            base_url=BASE_URL,
            kek=app.config["JALON_KEY_ENCRYPTION_KEY"],
        ),
    )
    page = _page(client, badge.path)[1]
    assert _verdict(page) == "revoked" and "Badge révoqué" in page
    assert "Raison : Attribué par erreur" in page


def test_a_suspension_and_a_reinstatement_show_at_once(app, client, issue, work):
    badge = issue()
    assert _verdict(_page(client, badge.path)[1]) == "valid"
    _change(app, badge, lambda db, found: revocation.set_suspended(db, found, True))
    assert _verdict(_page(client, badge.path)[1]) == "suspended"
    _change(app, badge, lambda db, found: revocation.set_suspended(db, found, False))
    assert _verdict(_page(client, badge.path)[1]) == "valid"


def test_a_withdrawn_key_shows_at_once(app, client, issue, work):
    from badges import keys_store

    badge = issue()
    assert _verdict(_page(client, badge.path)[1]) == "valid"
    kek = app.config["JALON_KEY_ENCRYPTION_KEY"]
    _change(
        app, badge, lambda db, found: keys_store.rotate(db, found.issuer, kek, compromised=True)
    )
    assert _verdict(_page(client, badge.path)[1]) == "invalid_signature"
    assert work["verify"] == 2


def test_a_reload_by_the_same_visitor_is_not_counted_again(app, client, issue):
    badge = issue()
    first = client.get(badge.path, headers=HTML)
    for _ in range(3):
        assert client.get(badge.path, headers=HTML).status_code == 200
    pk = _credential_pk(app, badge.id)
    assert _events(app) == [("link", "valid", pk)]
    # The cookie holds nothing but « counted », for this badge's page alone, for a day.
    cookie = first.headers["Set-Cookie"]
    assert cookie.startswith("jalon_vu=1;")
    assert f"Path={badge.path}" in cookie and "Max-Age=86400" in cookie
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    # Another visitor counts, and so does this visitor on another badge.
    app.test_client().get(f"{badge.path}?via=qr", headers=HTML)
    other = issue(award_key="session:2:badge:1")
    client.get(other.path, headers=HTML)
    assert [e[:2] for e in _events(app)] == [("link", "valid"), ("qr", "valid"), ("link", "valid")]


def test_a_visitor_is_counted_again_once_the_period_is_over(app, client, issue):
    badge = issue()
    client.get(badge.path, headers=HTML)
    client.delete_cookie("jalon_vu", path=badge.path)  # what the browser does at Max-Age
    client.get(badge.path, headers=HTML)
    assert len(_events(app)) == 2


def test_a_suspension_reason_is_the_same_on_the_page_the_verifier_and_the_api(
    app, client, no_csrf, issue, work
):
    badge = issue()
    _change(app, badge, lambda db, found: revocation.suspend(db, found, "Enquête en cours"))
    page = _page(client, badge.path)[1]
    assert _verdict(page) == "suspended" and "Raison : Enquête en cours" in page
    uploaded = _paste(client, badge.json_bytes.decode()).get_data(as_text=True)
    assert _verdict(uploaded) == "suspended" and "Raison : Enquête en cours" in uploaded
    answer = client.post(
        "/api/verifier", data=badge.json_bytes, content_type="application/vc+ld+json"
    ).get_json()
    assert (answer["verdict"], answer["reason"]) == ("suspended", "Enquête en cours")
    _change(app, badge, lambda db, found: revocation.reinstate(db, found, "Enquête close"))
    answer = client.post(
        "/api/verifier", data=badge.json_bytes, content_type="application/vc+ld+json"
    ).get_json()
    assert (answer["verdict"], answer["reason"]) == ("valid", None)


# ------------------------------------------------- verification under CPU and memory limits


def _poison(credential: dict[str, Any], graphs: int) -> dict[str, Any]:
    """The badge with an RDFC-1.0 « poison » graph in its subject: two blank nodes, each tied
    to its own labelled node in ``graphs`` named graphs. Canonicalisation tries every order of
    the indistinguishable relations: 9 graphs take a second of CPU, 12 half an hour. The
    credential stays far within ``input_limits`` (a few kilobytes, short arrays)."""
    e = "https://poison.example/"
    subject = dict(credential["credentialSubject"])
    subject[e + "r"] = [{"id": "_:n1"}, {"id": "_:n2"}]
    subject[e + "c"] = [{"id": "_:c1", e + "q": "1"}, {"id": "_:c2", e + "q": "2"}]
    ties = [{"id": "_:n1", e + "p": {"id": "_:c1"}}, {"id": "_:n2", e + "p": {"id": "_:c2"}}]
    subject[e + "g"] = [{"id": f"{e}g/{i}", "@graph": ties} for i in range(graphs)]
    return dict(credential, credentialSubject=subject)


def test_a_badge_that_would_burn_the_cpu_is_refused_and_the_next_one_verifies(
    client, issue, app, no_csrf
):
    app.config["JALON_VERIFY_CPU_SECONDS"] = 1
    badge = issue()
    page = _paste(client, json.dumps(_poison(badge.signed, 11))).get_data(as_text=True)
    assert _verdict(page) == "malformed"
    assert "Fichier refusé : la vérification a pris trop de temps." in page
    answer = client.post("/api/verifier", json=badge.signed)
    assert answer.status_code == 200 and answer.get_json()["verdict"] == "valid"
    assert [e[:2] for e in _events(app)] == [("upload", "malformed"), ("api", "valid")]


def test_a_memory_bomb_is_refused_in_words(client, app):
    """A 5 MB SVG of a million empty elements holds about 150 MB while it is parsed. (The
    limit counts new address space: free memory the worker held when the child was forked
    comes on top, so the bomb must be far above the limit.)"""
    app.config["JALON_VERIFY_MEMORY_MB"] = 16
    app.config["JALON_VERIFY_CPU_SECONDS"] = 30  # only the memory limit may stop it
    bomb = b'<svg xmlns="http://www.w3.org/2000/svg">' + b"<g/>" * 1_240_000 + b"</svg>"
    response = client.post("/api/verifier?lang=en", data=bomb, content_type="image/svg+xml")
    assert response.status_code == 422 and response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "Refused: verifying this file needed too much memory."
    assert client.post("/api/verifier", data=b"{}").get_json()["verdict"] == "malformed"


def test_the_api_warns_of_a_borrowed_name_as_its_openapi_document_says(client, issue, world):
    from jsonschema import Draft202012Validator

    from web.api.openapi import document

    schema = {"$ref": "#/components/schemas/Verification", "components": document()["components"]}
    conforms = Draft202012Validator(schema).validate
    key = keys.generate_ed25519()
    did = keys.did_key_for(key)
    vm = f"{did}#{did.removeprefix('did:key:')}"
    borrowed = _external_credential(did, vm, key, issuer_name="association a")
    answer = client.post("/api/verifier?lang=en", json=borrowed).get_json()
    conforms(answer)
    assert answer["verdict"] == "valid" and answer["issuer"]["known"] is False
    assert answer["issuer_look_alike"] == {
        "known_name": "Association A",
        "message_fr": "Attention : ce badge dit venir de Association A, mais il n'a pas été "
        "délivré par Jalon pour Association A.",
        "message_en": answer["issuer_look_alike"]["message_en"],
    }
    assert "Association A" in answer["issuer_look_alike"]["message_en"]
    assert "Attention" not in answer["issuer_look_alike"]["message_en"]
    for honest in (_external_credential(did, vm, key), issue().signed):
        answer = client.post("/api/verifier", json=honest).get_json()
        conforms(answer)
        assert answer["issuer_look_alike"] is None
    refused = client.post("/api/verifier", json=dict(borrowed, proof=[borrowed["proof"]] * 5))
    assert refused.status_code == 422
    conforms(refused.get_json())
