import io
from datetime import UTC, datetime

import qrcode
from pypdf import PdfReader

from badges.attestation import AttestationContent, french_date, render_pdf
from badges.images import BadgeDesign, render_png


def qr_png(text: str) -> bytes:
    out = io.BytesIO()
    qrcode.make(text).save(out, format="PNG")
    return out.getvalue()


def content(**overrides):
    values = {
        "holder_name": "Aïcha Ben Saïd — Алёна Łukasz",
        "badge_name": "Sécurité numérique — niveau 2",
        "criteria": "Protéger ses comptes : mots de passe solides, repérer l'hameçonnage.",
        "issuer_name": "Association Clés & Avenir",
        "issued": datetime(2026, 11, 3, tzinfo=UTC),
        "valid_until": datetime(2029, 11, 3, tzinfo=UTC),
        "verification_url": "https://jalon.test/c/0f3a",
        "credential_id": "urn:uuid:0f3a",
        "badge_png": render_png(BadgeDesign("#1f5fa8", "shield", "Sécurité")),
        "qr_png": qr_png("https://jalon.test/c/0f3a"),
        "results": (("4.1 Sécuriser l'environnement numérique", "niveau 2"),),
    }
    values.update(overrides)
    return AttestationContent(**values)


def test_attestation_is_a_one_page_pdf_with_every_fact():
    reader = PdfReader(io.BytesIO(render_pdf(content())))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in (
        "Attestation de badge numérique",
        "Aïcha Ben Saïd",
        "Алёна Łukasz",
        "Sécurité numérique — niveau 2",
        "hameçonnage",
        "Association Clés & Avenir",
        "3 novembre 2026",
        "3 novembre 2029",
        "https://jalon.test/c/0f3a",
        "niveau 2",
    ):
        assert expected in text, expected
    assert reader.metadata.title == "Attestation — Sécurité numérique — niveau 2"
    # Badge and QR code are embedded images.
    assert len(reader.pages[0].images) == 2


def test_long_criteria_flow_onto_a_second_page_without_losing_the_qr_code():
    long_text = "Savoir faire une chose utile. " * 160
    reader = PdfReader(io.BytesIO(render_pdf(content(criteria=long_text))))
    assert len(reader.pages) >= 2
    assert sum(len(page.images) for page in reader.pages) == 2


def test_french_dates():
    assert french_date(datetime(2026, 8, 1, tzinfo=UTC)) == "1 août 2026"
