"""What the learner's pages say about badges, gathered without Flask (``badges.wallet``):
the results page's badge cards (picture inline), « Mes badges » entries, a badge's sheet."""

from __future__ import annotations

import base64
from urllib.parse import parse_qs, urlparse

from badges import revocation, verification, wallet
from badges.images import BadgeDesign, render_png
from badges.models import VerificationChannel
from tests.badges.factories import BASE_URL, KEK, make_achievement, make_issuer
from tests.badges.factories import issue as issue_badge
from tests.learners.factories import make_learner


def issue(db, achievement, learner, award_key: str):
    return issue_badge(db, achievement, learner, award_key).credential


def test_a_badge_card_carries_its_picture_inline_as_a_data_uri(dbsession):
    picture = render_png(BadgeDesign("#1f6f5c", "mail", "Messagerie"))
    achievement = make_achievement(
        dbsession, image_data=picture, image_media_type="image/png", image_alt="Une enveloppe."
    )
    card = wallet.badge_card(issue(dbsession, achievement, make_learner(dbsession), "k"))
    prefix = "data:image/png;base64,"
    assert card.image.startswith(prefix)
    assert base64.b64decode(card.image[len(prefix) :]) == picture
    assert (card.name, card.alt) == (achievement.name, "Une enveloppe.")
    assert card.description == achievement.description


def test_a_badge_without_a_picture_has_no_data_uri_and_an_empty_alt(dbsession):
    achievement = make_achievement(dbsession)
    assert wallet.image_data_uri(achievement) is None
    card = wallet.badge_card(issue(dbsession, achievement, make_learner(dbsession), "k"))
    assert card.image is None and card.alt == ""


def test_wallet_entries_give_each_badge_its_state_and_checks(dbsession):
    issuer = make_issuer(dbsession)
    learner, other = (
        make_learner(dbsession, name="Samira Dupont"),
        make_learner(dbsession, name="Paul Roux"),
    )
    kept = issue(dbsession, make_achievement(dbsession, issuer), learner, "a")
    withdrawn = issue(dbsession, make_achievement(dbsession, issuer), learner, "b")
    issue(dbsession, make_achievement(dbsession, issuer), other, "c")
    revocation.revoke(dbsession, withdrawn, "Erreur de saisie", kek=KEK, base_url=BASE_URL)
    result = verification.verify_stored(dbsession, kept, base_url=BASE_URL)
    verification.record(dbsession, kept, VerificationChannel.QR, result)
    dbsession.commit()
    entries = {e.credential.id: e for e in wallet.entries_of(dbsession, learner)}
    assert set(entries) == {kept.id, withdrawn.id}
    assert (entries[kept.id].status, entries[kept.id].verifications) == (
        wallet.WalletStatus.VALID,
        1,
    )
    assert entries[withdrawn.id].status is wallet.WalletStatus.REVOKED
    assert entries[withdrawn.id].verifications == 0
    assert wallet.entries_of(dbsession, None) == []


def test_a_badge_sheet_has_its_public_address_qr_target_and_linkedin_link(dbsession):
    credential = issue(dbsession, make_achievement(dbsession), make_learner(dbsession), "k")
    sheet = wallet.sheet(dbsession, credential, BASE_URL)
    assert sheet.public_url == f"{BASE_URL}/c/{credential.public_id}"
    assert sheet.qr_url == verification.qr_url(credential.public_id, BASE_URL)
    assert sheet.status is wallet.WalletStatus.VALID and sheet.verifications == 0
    assert sheet.results == wallet.results_in_words(credential)
    linkedin = parse_qs(urlparse(sheet.linkedin_url).query)
    assert linkedin["certUrl"] == [sheet.public_url]
    assert linkedin["certId"] == [credential.public_id]
    assert linkedin["name"] == [credential.achievement.name]
