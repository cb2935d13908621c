"""The learner's wallet: whose badges, in what state, how often verified, and files that verify."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from defusedxml import ElementTree
from PIL import Image
from pypdf import PdfReader

from badges import issuance, revocation, verification, wallet
from badges.images import BadgeDesign, render_png, render_svg
from badges.models import VerificationChannel
from badges.ob3 import baking
from badges.ob3.verify import Verdict
from learners.database import utcnow
from tests.badges.factories import BASE_URL, KEK, make_achievement, make_issuer
from tests.badges.factories import issue as issue_badge
from tests.learners.factories import make_learner

RESULT = {
    "resultDescription": "urn:jalon:rd:interagir",
    "achievedLevel": "urn:jalon:rd:interagir:3",
}


@pytest.fixture
def png_achievement(dbsession):
    image = render_png(BadgeDesign("#1f6f5c", "mail", "Messagerie"))
    return make_achievement(
        dbsession,
        image_data=image,
        image_media_type="image/png",
        image_alt="Badge rond avec une enveloppe.",
    )


def issue(db, achievement, learner, award_key="session:1:badge:1", **options):
    return issue_badge(db, achievement, learner, award_key, **options).credential


def test_wallet_lists_only_the_learners_own_badges_newest_first(dbsession):
    issuer = make_issuer(dbsession)
    first, second = make_achievement(dbsession, issuer), make_achievement(dbsession, issuer)
    samira, paul = (
        make_learner(dbsession, name="Samira Dupont"),
        make_learner(dbsession, name="Paul Martin"),
    )
    now = utcnow()
    older = issue(dbsession, first, samira, "a", now=now - timedelta(days=3))
    newer = issue(dbsession, second, samira, "b", now=now)
    issue(dbsession, first, paul, "c")
    dbsession.commit()
    assert wallet.credentials_of(dbsession, samira) == [newer, older]
    assert wallet.credentials_of(dbsession, None) == []
    assert (wallet.count_of(dbsession, samira), wallet.count_of(dbsession, paul)) == (2, 1)
    assert wallet.count_of(dbsession, None) == 0


def test_someone_elses_badge_is_not_found_like_an_unknown_one(dbsession):
    achievement = make_achievement(dbsession)
    samira, paul = (
        make_learner(dbsession, name="Samira Dupont"),
        make_learner(dbsession, name="Paul Martin"),
    )
    credential = issue(dbsession, achievement, samira)
    assert wallet.owned(dbsession, samira, credential.public_id) is credential
    for learner, public_id in (
        (paul, credential.public_id),
        (None, credential.public_id),
        (samira, "00000000-0000-4000-8000-000000000000"),
        (samira, "x" * 300),
    ):
        with pytest.raises(issuance.CredentialNotFound):
            wallet.owned(dbsession, learner, public_id)


def test_status_says_revoked_suspended_expired_or_valid(dbsession):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    now = utcnow()
    valid = issue(dbsession, achievement, learner, "valid", valid_until=now + timedelta(days=30))
    expired = issue(
        dbsession,
        achievement,
        learner,
        "expired",
        now=now - timedelta(days=60),
        valid_until=now - timedelta(days=1),
    )
    suspended = issue(dbsession, achievement, learner, "suspended")
    revocation.set_suspended(dbsession, suspended, True)
    revoked = issue(dbsession, achievement, learner, "revoked")
    revocation.revoke(dbsession, revoked, "Erreur de saisie", base_url=BASE_URL, kek=KEK)
    revocation.set_suspended(dbsession, revoked, True)  # revocation still wins
    dbsession.commit()
    assert wallet.status(valid) is wallet.WalletStatus.VALID
    assert wallet.status(valid, now + timedelta(days=31)) is wallet.WalletStatus.EXPIRED
    assert wallet.status(expired) is wallet.WalletStatus.EXPIRED
    assert wallet.status(suspended) is wallet.WalletStatus.SUSPENDED
    assert wallet.status(revoked) is wallet.WalletStatus.REVOKED


def test_verification_counts_come_from_verification_events(dbsession):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    checked, never = (
        issue(dbsession, achievement, learner, "a"),
        issue(dbsession, achievement, learner, "b"),
    )
    result = verification.verify_stored(dbsession, checked, base_url=BASE_URL)
    for channel in (VerificationChannel.QR, VerificationChannel.LINK, VerificationChannel.QR):
        verification.record(dbsession, checked, channel, result)
    verification.record(dbsession, None, VerificationChannel.UPLOAD, result)  # unknown badge
    dbsession.commit()
    assert wallet.verification_counts(dbsession, [checked, never]) == {checked.id: 3, never.id: 0}
    assert wallet.verification_counts(dbsession, []) == {}


def test_making_a_badge_private_keeps_its_signed_files_valid(dbsession):
    credential = issue(dbsession, make_achievement(dbsession), make_learner(dbsession))
    signed_before = credential.signed_json
    wallet.set_public(dbsession, credential, False)
    dbsession.commit()
    dbsession.refresh(credential)
    assert credential.is_public is False
    assert credential.signed_json == signed_before
    result = verification.verify_bytes(dbsession, wallet.signed_json(credential), base_url=BASE_URL)
    assert result.verdict is Verdict.VALID


def test_baked_png_and_svg_hold_the_signed_credential_and_verify(dbsession, png_achievement):
    credential = issue(dbsession, png_achievement, make_learner(dbsession))
    dbsession.commit()
    signed = json.loads(credential.signed_json)
    for name, data in (
        ("badge.png", wallet.baked_png(credential)),
        ("badge.svg", wallet.baked_svg(credential)),
    ):
        assert json.loads(baking.unbake(data)) == signed
        result = verification.verify_bytes(dbsession, data, base_url=BASE_URL, filename=name)
        assert result.verdict is Verdict.VALID, result.to_dict()
        assert result.source_format == name.rsplit(".", 1)[1]


def test_png_badge_gets_an_svg_showing_the_same_picture(dbsession, png_achievement):
    found = wallet.badge_images(png_achievement)
    assert found.png == png_achievement.image_data
    root = ElementTree.fromstring(found.svg)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("{http://www.w3.org/2000/svg}title").text == "Badge rond avec une enveloppe."
    href = root.find("{http://www.w3.org/2000/svg}image").get("href")
    assert href.startswith("data:image/png;base64,")
    assert (root.get("width"), root.get("height")) == ("400", "400")


def test_svg_only_and_imageless_badges_still_get_both_formats(dbsession):
    svg = render_svg(BadgeDesign("#2b4f8a", "code", "Web"), "Badge web")
    svg_only = make_achievement(dbsession, image_data=svg, image_media_type="image/svg+xml")
    imageless = make_achievement(dbsession, name="Réseaux & fibre optique — niveau très avancé")
    for achievement in (svg_only, imageless):
        found = wallet.badge_images(achievement)
        with Image.open(io.BytesIO(found.png)) as picture:
            assert picture.format == "PNG"
        assert ElementTree.fromstring(found.svg).tag == "{http://www.w3.org/2000/svg}svg"
    assert wallet.badge_images(svg_only).svg == svg
    # the same achievement always gets the same generated picture
    assert wallet.badge_images(imageless).png == wallet.badge_images(imageless).png


def test_an_uploaded_svg_badge_is_baked_as_that_picture_not_the_medallion(dbsession):
    """A purple disc uploaded as SVG: the PNG is that disc (purple in the middle, transparent
    in the corners), not the generated medallion, and a bad SVG falls back to the medallion."""
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 100">'
        b'<circle cx="50" cy="50" r="45" fill="#7a1fa8"/>'
        b'<image href="https://example.org/pixel.png" width="10" height="10"/></svg>'
    )
    achievement = make_achievement(dbsession, image_data=svg, image_media_type="image/svg+xml")
    png = wallet.badge_images(achievement).png
    with Image.open(io.BytesIO(png)) as picture:
        assert picture.format == "PNG" and picture.size == (512, 512)
        rgba = picture.convert("RGBA")
        assert rgba.getpixel((256, 256)) == (0x7A, 0x1F, 0xA8, 255)
        assert rgba.getpixel((2, 2))[3] == 0
    assert png != render_png(wallet._fallback_design(achievement))
    credential = issue(dbsession, achievement, make_learner(dbsession))
    assert baking.unbake_png(wallet.baked_png(credential)) is not None

    broken = make_achievement(
        dbsession, name="Cassé", image_data=b"<svg", image_media_type="image/svg+xml"
    )
    assert wallet.badge_images(broken).png == render_png(wallet._fallback_design(broken))


def test_results_are_named_as_the_achievement_describes_them(dbsession):
    achievement = make_achievement(dbsession)
    achievement.result_descriptions = [
        *achievement.result_descriptions,
        {"id": "urn:jalon:rd:score", "name": "Score global", "resultType": "Percent"},
    ]
    credential = issue(
        dbsession,
        achievement,
        make_learner(dbsession),
        results=[RESULT, {"resultDescription": "urn:jalon:rd:score", "value": "72"}],
    )
    assert wallet.results_in_words(credential) == [
        ("Interagir", "Niveau 3"),
        ("Score global", "72"),
    ]


def test_attestation_names_the_holder_badge_issuer_and_results(dbsession, png_achievement):
    learner = make_learner(dbsession, name="Aïcha Ben Saïd")
    credential = issue(dbsession, png_achievement, learner, results=[RESULT])
    text = PdfReader(io.BytesIO(wallet.attestation_pdf(credential, BASE_URL))).pages[0]
    text = text.extract_text()
    for expected in (
        "Aïcha Ben Saïd",
        "Utiliser une messagerie",
        "Association Tremplin",
        "Interagir : Niveau 3",
        f"{BASE_URL}/c/{credential.public_id}",
    ):
        assert expected in text


def test_file_names_are_readable_ascii_and_unique_per_credential(dbsession):
    achievement = make_achievement(dbsession, name="Sécurité numérique — niveau 2 !")
    credential = issue(dbsession, achievement, make_learner(dbsession))
    name = wallet.file_name(credential, "png")
    assert name == f"badge-securite-numerique-niveau-2-{credential.public_id[:8]}.png"
    assert wallet.file_name(credential, "pdf", "attestation").startswith("attestation-securite")
