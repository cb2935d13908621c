"""The printable PDF attestation of a badge: what was earned, by whom, from whom, and a QR code.

Employers often ask for paper; the QR code on it opens the live verification page, so a printed
copy of a revoked badge is still caught.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).parent / "fonts"
MONTHS_FR = (
    "janvier", "février", "mars", "avril", "mai", "juin",
    "juillet", "août", "septembre", "octobre", "novembre", "décembre",
)  # fmt: skip


@dataclass(frozen=True)
class AttestationContent:
    holder_name: str
    badge_name: str
    criteria: str
    issuer_name: str
    issued: datetime
    verification_url: str
    credential_id: str
    badge_png: bytes
    qr_png: bytes
    valid_until: datetime | None = None
    results: tuple[tuple[str, str], ...] = ()  # (competence, level in words)


def french_date(moment: datetime) -> str:
    return f"{moment.day} {MONTHS_FR[moment.month - 1]} {moment.year}"


def render_pdf(content: AttestationContent) -> bytes:
    """One A4 page; fonts embedded so any name prints correctly."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_lang("fr")
    pdf.set_title(f"Attestation — {content.badge_name}")
    pdf.set_author(content.issuer_name)
    pdf.set_subject("Attestation de badge numérique (Open Badges 3.0)")
    pdf.set_creator("Jalon")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("DejaVu", "B", 20)
    pdf.multi_cell(width, 10, "Attestation de badge numérique", align="C")
    pdf.ln(4)
    pdf.image(io.BytesIO(content.badge_png), x=(pdf.w - 60) / 2, w=60, h=60)
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 13)
    pdf.multi_cell(width, 7, "Ce badge a été délivré à", align="C")
    pdf.set_font("DejaVu", "B", 18)
    pdf.multi_cell(width, 10, content.holder_name, align="C")
    pdf.set_font("DejaVu", "", 13)
    pdf.multi_cell(width, 7, "pour avoir obtenu le badge", align="C")
    pdf.set_font("DejaVu", "B", 16)
    pdf.multi_cell(width, 9, content.badge_name, align="C")
    pdf.ln(4)

    _section(pdf, width, "Ce que le badge atteste", content.criteria)
    if content.results:
        lines = "\n".join(f"• {competence} : {level}" for competence, level in content.results)
        _section(pdf, width, "Résultats", lines)
    validity = f"Délivré le {french_date(content.issued)}"
    if content.valid_until:
        validity += f", valable jusqu'au {french_date(content.valid_until)}"
    _section(pdf, width, "Émetteur", f"{content.issuer_name}\n{validity}.")

    pdf.ln(2)
    top = pdf.get_y()
    if top + 45 > pdf.h - pdf.b_margin:
        pdf.add_page()
        top = pdf.get_y()
    pdf.image(io.BytesIO(content.qr_png), x=pdf.l_margin, y=top, w=40, h=40)
    pdf.set_xy(pdf.l_margin + 45, top)
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(width - 45, 6, "Vérifier ce badge")
    pdf.set_x(pdf.l_margin + 45)
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(
        width - 45,
        6,
        "Scannez le code QR ou ouvrez l'adresse ci-dessous : la page dit si le badge est "
        f"valide aujourd'hui.\n{content.verification_url}\nIdentifiant : {content.credential_id}",
    )
    return bytes(pdf.output())


def _section(pdf: FPDF, width: float, title: str, text: str) -> None:
    pdf.set_font("DejaVu", "B", 12)
    pdf.multi_cell(width, 7, title)
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(width, 6, text)
    pdf.ln(2)
