"""The badges sessions earned (``badges.session_badges``) and the individual report PDF
(``badges.learner_report``): what the person can do, progress in words, badges with their state
and a QR code that opens the public page."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
import zxingcpp
from pypdf import PdfReader

from badges import issuance, revocation, session_badges
from badges.awarding import award_key
from badges.learner_report import progress_words, render_report, report_pdf
from badges.wallet import WalletStatus
from tests.assessments.factories import make_campaign, make_framework, make_session
from tests.badges.factories import BASE_URL, KEK, make_achievement, make_issuer
from tests.learners.factories import make_learner, make_organisation

MARCH = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MAY = datetime(2026, 5, 11, 9, 0, tzinfo=UTC)


def issue(db, achievement, learner, session):
    return issuance.issue(
        db,
        achievement=achievement,
        learner=learner,
        award_key=award_key(session.id, achievement.id),
        base_url=BASE_URL,
        kek=KEK,
    ).credential


@pytest.fixture
def journey(dbsession):
    """Sarah: an entry session in March and an exit one in May; two badges from the exit
    session (one later suspended), one revoked from the entry; Tom's badge is his own."""
    org = make_organisation(dbsession, "Association Tremplin")
    issuer = make_issuer(dbsession, org)
    framework = make_framework(dbsession)
    campaign = make_campaign(dbsession, framework, organisation=org, name="Bilan")
    sarah = make_learner(dbsession, org, name="Sarah Benali")
    tom = make_learner(dbsession, org, name="Tom")
    entry = make_session(
        dbsession,
        campaign,
        sarah,
        levels={"1.1": 1, "1.2": 0},
        started_at=MARCH,
        finished_at=MARCH + timedelta(minutes=10),
    )
    exit_ = make_session(
        dbsession,
        campaign,
        sarah,
        levels={"1.1": 2, "1.2": 0},
        started_at=MAY,
        finished_at=MAY + timedelta(minutes=10),
    )
    toms = make_session(
        dbsession, campaign, tom, levels={"1.1": 2}, started_at=MAY, finished_at=MAY
    )
    search = make_achievement(dbsession, issuer, name="Chercher sur le web")
    mail = make_achievement(dbsession, issuer, name="Utiliser une messagerie")
    done = make_achievement(dbsession, issuer, name="Évaluation terminée")
    issue(dbsession, search, sarah, exit_)
    suspended = issue(dbsession, mail, sarah, exit_)
    revocation.set_suspended(dbsession, suspended, True)
    revoked = issue(dbsession, done, sarah, entry)
    revocation.revoke(dbsession, revoked, "Erreur", base_url=BASE_URL, kek=KEK)
    issue(dbsession, search, tom, toms)
    dbsession.flush()
    return org, sarah, entry, exit_, toms


def test_badges_are_found_by_session_and_revoked_ones_are_not_counted(dbsession, journey):
    _org, _sarah, entry, exit_, toms = journey
    names = session_badges.names_by_session(dbsession, [entry.id, exit_.id])
    assert names == {exit_.id: ["Chercher sur le web", "Utiliser une messagerie"]}
    lines = session_badges.lines_of(dbsession, [entry.id, exit_.id], BASE_URL)
    assert sorted((line.name, line.status) for line in lines) == [
        ("Chercher sur le web", WalletStatus.VALID),
        ("Utiliser une messagerie", WalletStatus.SUSPENDED),
        ("Évaluation terminée", WalletStatus.REVOKED),
    ]
    assert all(line.url == f"{BASE_URL}/c/{line.public_id}" for line in lines)
    assert session_badges.names_by_session(dbsession, [toms.id]) == {
        toms.id: ["Chercher sur le web"]
    }
    assert session_badges.names_by_session(dbsession, []) == {}


def test_the_report_says_what_the_person_can_do_and_their_progress(dbsession, journey):
    org, sarah, *_ = journey
    pdf = report_pdf(dbsession, sarah, org, BASE_URL)
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    text = " ".join(text.split())
    assert "Bilan individuel" in text and "Sarah Benali" in text
    assert "Association Tremplin" in text
    assert "1.1 Chercher — niveau 2" in text
    assert "Choisir un résultat." in text  # the level-2 descriptor of 1.1
    assert "Niveau 1 le 2 mars 2026, niveau 2 le 11 mai 2026 : progrès de 1 niveau." in text
    assert "niveau stable" in text  # 1.2 stayed at 0
    assert "Chercher sur le web" in text and "état : actif" in text
    assert "état : suspendu" in text and "état : révoqué" in text
    assert "Tom" not in text


def test_each_badge_has_a_qr_code_opening_its_public_page(dbsession, journey):
    org, sarah, entry, exit_, _ = journey
    pdf = report_pdf(dbsession, sarah, org, BASE_URL)
    reader = PdfReader(io.BytesIO(pdf))
    decoded = {
        found.text
        for page in reader.pages
        for image in page.images
        for found in zxingcpp.read_barcodes(image.image)
    }
    expected = {
        line.qr_url for line in session_badges.lines_of(dbsession, [entry.id, exit_.id], BASE_URL)
    }
    assert decoded == expected and len(expected) == 3
    assert all(url.startswith(f"{BASE_URL}/c/") for url in decoded)


def test_the_report_says_which_badges_their_holder_has_not_shared(dbsession, journey):
    """A new badge is private: its QR code leads to « not shared » until the holder says so."""
    org, sarah, entry, exit_, _ = journey
    lines = session_badges.lines_of(dbsession, [entry.id, exit_.id], BASE_URL)
    assert [line.is_public for line in lines] == [False, False, False]
    words = "Privé : la page n'affiche ce badge que lorsque la personne le rend visible."
    printed = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(report_pdf(dbsession, sarah, org, BASE_URL))).pages
    )
    assert printed.replace("\n", " ").count(words) == 3
    for line in lines:
        issuance.get(dbsession, line.public_id).is_public = True
    dbsession.flush()
    printed = "".join(
        page.extract_text()
        for page in PdfReader(io.BytesIO(report_pdf(dbsession, sarah, org, BASE_URL))).pages
    )
    assert "Privé" not in printed


def test_progress_in_words():
    from assessments.learner_record import CompetenceProgress, LevelPoint

    def progress(*levels):
        history = tuple(LevelPoint(MARCH + timedelta(days=i), n) for i, n in enumerate(levels))
        return CompetenceProgress("Essai", "1.1", "Chercher", history, None)

    assert progress(3).change == 0
    assert progress_words(progress(3)) == "Niveau 3 le 2 mars 2026 (une seule évaluation)."
    assert progress_words(progress(1, 2, 4)).endswith("progrès de 3 niveaux.")
    assert progress_words(progress(4, 3)).endswith("baisse de 1 niveau.")
    assert progress_words(progress(2, 2)).endswith("niveau stable.")


def test_a_report_without_results_or_badges_still_prints(dbsession):
    from assessments.learner_record import LearnerRecord

    pdf = render_report(LearnerRecord(1, "Nadia", (), ()), [], "Association")
    text = " ".join(PdfReader(io.BytesIO(pdf)).pages[0].extract_text().split())
    assert "Aucune évaluation terminée pour l'instant." in text
    assert "Aucun badge pour l'instant." in text
