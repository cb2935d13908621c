"""The end-of-action « bilan quantitatif »: an action's figures against its plan, as A4 pages.

What the porteur sends the département at the end of the action, and what the département
prints: every indicator of the catalogue (planned and achieved), then who the beneficiaries
were by sex, age band and public status. Built from ``catalogue`` with the same threshold as the
dashboard, so a cell masked on screen is masked on paper; no beneficiary is ever named.
"""

from __future__ import annotations

from datetime import date

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlalchemy.orm import Session

from badges.attestation import FONTS, french_date
from indicators import catalogue
from indicators.figures import Figure
from indicators.filters import Filters
from learners.communes import name_of
from learners.models import Action

WORDS = {
    "sexe": {"f": "Femmes", "m": "Hommes", "nd": "Sexe non renseigné"},
    "tranche_age": {
        "moins_26": "Moins de 26 ans",
        "26_49": "26 à 49 ans",
        "50_plus": "50 ans et plus",
        "": "Âge non renseigné",
    },
    "statut": {
        "rsa_cer": "RSA avec CER",
        "rsa_ppae": "RSA avec PPAE",
        "demandeur_emploi": "Demandeurs d'emploi",
        "autre": "Autre public",
    },
}
PROFILE_TITLES = {"sexe": "Par sexe", "tranche_age": "Par tranche d'âge", "statut": "Par statut"}


def figure_words(figure: Figure, unit: str) -> str:
    """« 72,5 % », « 12 », « masqué » or « — » (nothing to compute yet)."""
    if figure.masked:
        return "masqué"
    return _value_words(figure.value, unit)


def _value_words(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == catalogue.COUNT:
        return str(int(value))
    return f"{value * 100:.1f}".replace(".", ",") + " %"


def _pdf(title: str) -> FPDF:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_lang("fr")
    pdf.set_title(title)
    pdf.set_creator("Jalon")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    return pdf


def _line(pdf: FPDF, height: float, text: str, **options) -> None:
    pdf.multi_cell(0, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, **options)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 13)
    _line(pdf, 8, text)


def _table(pdf: FPDF, header: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    pdf.set_font("DejaVu", "", 10)
    widths = (90, 30, 30, 30)[: len(header)]
    with pdf.table(col_widths=widths, text_align=("LEFT", "RIGHT", "RIGHT", "RIGHT")) as table:
        for row in (header, *rows):
            line = table.row()
            for text in row:
                line.cell(text)


def _description(pdf: FPDF, action: Action) -> None:
    pdf.set_font("DejaVu", "", 11)
    years = f"{action.first_year}" + (
        f" à {action.last_year}" if action.last_year != action.first_year else ""
    )
    communes = ", ".join(name_of(c) or c for c in action.communes or []) or "non précisées"
    _line(pdf, 6, f"Porteur : {action.organisation.name}")
    _line(pdf, 6, f"Année(s) : {years} — communes : {communes}")


def bilan_pdf(db: Session, action: Action, threshold: int, today: date | None = None) -> bytes:
    """The action's bilan quantitatif (fonts embedded, French), with every cell under
    ``threshold`` people masked."""
    filters = Filters(action_ids=(action.id,))
    pdf = _pdf(f"Bilan quantitatif — {action.title}")
    pdf.set_author(action.organisation.name)
    pdf.set_font("DejaVu", "B", 18)
    _line(pdf, 10, "Bilan quantitatif de l'action", align="C")
    pdf.set_font("DejaVu", "B", 14)
    _line(pdf, 8, action.title, align="C")
    _description(pdf, action)
    _line(pdf, 6, f"Établi le {french_date(today or date.today())}.")

    _heading(pdf, "Réalisé et prévu")
    rows = []
    for key, indicator in catalogue.INDICATORS.items():
        figure = catalogue.compute(db, key, filters, threshold)
        planned = "" if indicator.planned is None else _value_words(figure.planned, indicator.unit)
        rows.append((indicator.label_fr, figure_words(figure, indicator.unit), planned))
    _table(pdf, ("Indicateur", "Réalisé", "Prévu"), rows)

    _heading(pdf, "Bénéficiaires entrés")
    for dimension, title in PROFILE_TITLES.items():
        cells = catalogue.breakdown(db, "beneficiaires_entree", filters, dimension, threshold)
        pdf.set_font("DejaVu", "B", 11)
        _line(pdf, 7, title)
        words = WORDS[dimension]
        rows = [(words.get(k, k), figure_words(f, catalogue.COUNT)) for k, f in cells]
        _table(pdf, ("", "Personnes"), rows or [("Aucun bénéficiaire", "0")])
    pdf.ln(3)
    pdf.set_font("DejaVu", "", 9)
    _line(
        pdf,
        5,
        f"Un chiffre calculé sur moins de {threshold} personnes est masqué, pour qu'aucune "
        "personne ne puisse être reconnue. Définitions des indicateurs : voir le tableau de "
        "bord du département.",
    )
    return bytes(pdf.output())
