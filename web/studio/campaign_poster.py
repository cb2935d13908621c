"""The A4 poster of a campaign, for the training room: its name, the code in large type, the
join link and a QR code that opens the campaign's page (the code already in it).

Printed and pinned to a wall, read from a few metres away by people who may read with
difficulty: few words, large type, three numbered steps. In the language of the trainer who
prints it (the room's language is theirs to choose).
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from fpdf import FPDF

from badges.attestation import FONTS


@dataclass(frozen=True)
class PosterContent:
    campaign_name: str
    organisation_name: str
    code: str  # as printed: ABCD-EFGH
    link: str
    qr_png: bytes
    closes_on: str | None = None  # « 15 mars 2027 à 23 h 59 »


LONG_NAME = 60  # characters: a longer name is printed smaller, so the page holds it all
STEPS = (
    _l("Connectez-vous à Jalon avec votre identifiant."),
    _l(
        "Scannez le code QR avec votre téléphone, ou tapez le code dans "
        "« Rejoindre une évaluation »."
    ),
    _l("Appuyez sur « Commencer ». Prenez votre temps."),
)


def render_poster(content: PosterContent) -> bytes:
    """One A4 portrait page; fonts embedded so every accent prints."""
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_lang(str(get_locale().language))
    pdf.set_title(_("Affiche — %(name)s", name=content.campaign_name))
    pdf.set_author(content.organisation_name)
    pdf.set_subject(_("Code de la campagne : %(code)s", code=content.code))
    pdf.set_creator("Jalon")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=10)
    pdf.set_margins(18, 16, 18)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin

    pdf.set_font("DejaVu", "", 16)
    offers = _("%(organisation)s vous propose", organisation=content.organisation_name)
    pdf.multi_cell(width, 8, offers, align="C")
    long_name = len(content.campaign_name) > LONG_NAME
    pdf.set_font("DejaVu", "B", 18 if long_name else 26)
    pdf.multi_cell(width, 9 if long_name else 12, content.campaign_name, align="C")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 18)
    pdf.multi_cell(width, 9, _("Votre code"), align="C")
    pdf.set_font("DejaVu", "B", 60)
    pdf.multi_cell(width, 26, content.code, align="C")
    pdf.ln(2)
    size = 90
    pdf.image(io.BytesIO(content.qr_png), x=(pdf.w - size) / 2, w=size, h=size)
    pdf.ln(2)
    pdf.set_font("DejaVu", "", 13)
    pdf.multi_cell(width, 7, _("ou ouvrez cette adresse :"), align="C")
    pdf.set_font("DejaVu", "B", 13)
    pdf.multi_cell(width, 7, content.link, align="C")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 15)
    for number, step in enumerate(STEPS, start=1):
        pdf.multi_cell(width, 8, f"{number}. {step}")
        pdf.ln(1)
    if content.closes_on:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 15)
        pdf.multi_cell(width, 8, _("Ouvert jusqu'au %(date)s.", date=content.closes_on), align="C")
    return bytes(pdf.output())
