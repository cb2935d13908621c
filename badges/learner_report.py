"""The printable individual report of a learner (PDF): what they can do per competence, their
progress between a first and a later assessment, and their badges with QR codes.

Funded actions owe each person an individual qualitative report at the end of the action; the
QR code beside each badge opens its public verification page, so a printed report still tells
a reader whether the badge holds today. In French, like the attestation.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime

from fpdf import FPDF
from fpdf.enums import XPos, YPos
from sqlalchemy.orm import Session

from assessments.campaign_results import ParticipationStatus
from assessments.learner_record import CompetenceProgress, LearnerRecord, learner_record
from badges.attestation import FONTS, french_date
from badges.qr import qr_png
from badges.session_badges import BadgeLine, lines_of
from badges.wallet import WalletStatus
from learners.database import utcnow
from learners.models import Learner, Organisation

STATUS_WORDS = {
    WalletStatus.VALID: "actif",
    WalletStatus.SUSPENDED: "suspendu",
    WalletStatus.REVOKED: "révoqué",
    WalletStatus.EXPIRED: "expiré",
}
SESSION_WORDS = {
    ParticipationStatus.IN_PROGRESS: "en cours",
    ParticipationStatus.FINISHED: "terminée",
    ParticipationStatus.TIMED_OUT: "terminée (temps écoulé)",
    ParticipationStatus.ABANDONED: "abandonnée",
}
QR_SIZE = 32  # mm: scannable from a printed page


def progress_words(progress: CompetenceProgress) -> str:
    """The progress between the first and the latest assessment, in a sentence."""
    latest = progress.latest
    if not progress.assessed_twice:
        return f"Niveau {latest.level} le {french_date(latest.at)} (une seule évaluation)."
    first = progress.first
    change = progress.change
    if change > 0:
        trend = f"progrès de {change} niveau{'x' if change > 1 else ''}"
    elif change < 0:
        trend = f"baisse de {-change} niveau{'x' if change < -1 else ''}"
    else:
        trend = "niveau stable"
    return (
        f"Niveau {first.level} le {french_date(first.at)}, niveau {latest.level} le "
        f"{french_date(latest.at)} : {trend}."
    )


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


def _line(pdf: FPDF, height: float, text: str, width: float = 0, **options) -> None:
    """A paragraph; the next one starts at the left margin on the line below."""
    pdf.multi_cell(width, height, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT, **options)


def _heading(pdf: FPDF, text: str) -> None:
    pdf.ln(3)
    pdf.set_font("DejaVu", "B", 14)
    _line(pdf, 8, text)
    pdf.ln(1)


def _competences(pdf: FPDF, record: LearnerRecord) -> None:
    _heading(pdf, "Ce que la personne sait faire")
    if not record.progress:
        pdf.set_font("DejaVu", "", 11)
        _line(pdf, 6, "Aucune évaluation terminée pour l'instant.")
        return
    for progress in record.progress:
        pdf.set_font("DejaVu", "B", 11)
        _line(pdf, 6, f"{progress.code} {progress.title} — niveau {progress.latest.level}")
        pdf.set_font("DejaVu", "", 11)
        can_do = progress.can_do or "Découvre cette compétence (aucun niveau atteint)."
        _line(pdf, 6, can_do)
        _line(pdf, 6, f"Progression : {progress_words(progress)}")
        pdf.ln(2)


def _sessions(pdf: FPDF, record: LearnerRecord) -> None:
    _heading(pdf, "Évaluations passées")
    pdf.set_font("DejaVu", "", 11)
    for line in record.sessions:
        text = f"• {line.campaign_name} ({line.assessment_title}), commencée le "
        text += f"{french_date(line.started_at)} : {SESSION_WORDS[line.status]}"
        if line.score is not None:
            text += f", score {line.score}"
        if line.referral_label:
            text += f", orientation : {line.referral_label}"
        _line(pdf, 6, text + ".")


def _badges(pdf: FPDF, badges: Sequence[BadgeLine]) -> None:
    _heading(pdf, "Badges obtenus")
    pdf.set_font("DejaVu", "", 11)
    if not badges:
        _line(pdf, 6, "Aucun badge pour l'instant.")
        return
    _line(pdf, 6, "Scannez un code QR : la page dit si le badge est valide aujourd'hui.")
    pdf.ln(2)
    width = pdf.w - pdf.l_margin - pdf.r_margin - QR_SIZE - 5
    for badge in badges:
        if pdf.get_y() + QR_SIZE + 4 > pdf.h - pdf.b_margin:
            pdf.add_page()
        top = pdf.get_y()
        pdf.image(io.BytesIO(qr_png(badge.qr_url)), x=pdf.l_margin, y=top, w=QR_SIZE, h=QR_SIZE)
        pdf.set_xy(pdf.l_margin + QR_SIZE + 5, top)
        pdf.set_font("DejaVu", "B", 11)
        _line(pdf, 6, badge.name, width)
        pdf.set_x(pdf.l_margin + QR_SIZE + 5)
        pdf.set_font("DejaVu", "", 10)
        _line(
            pdf,
            5,
            f"Délivré le {french_date(badge.issued_at)} — état : {STATUS_WORDS[badge.status]}"
            f"\n{badge.url}",
            width,
        )
        pdf.set_y(max(pdf.get_y(), top + QR_SIZE) + 4)


def render_report(
    record: LearnerRecord,
    badges: Sequence[BadgeLine],
    organisation_name: str,
    now: datetime | None = None,
) -> bytes:
    """The report as A4 pages; fonts embedded so any name prints correctly."""
    pdf = _pdf(f"Bilan individuel — {record.display_name}")
    pdf.set_author(organisation_name)
    pdf.set_font("DejaVu", "B", 20)
    _line(pdf, 10, "Bilan individuel", align="C")
    pdf.set_font("DejaVu", "B", 16)
    _line(pdf, 9, record.display_name, align="C")
    pdf.set_font("DejaVu", "", 11)
    _line(pdf, 6, f"{organisation_name} — le {french_date(now or utcnow())}", align="C")
    _competences(pdf, record)
    _badges(pdf, badges)
    _sessions(pdf, record)
    return bytes(pdf.output())


def report_pdf(db: Session, learner: Learner, organisation: Organisation, base_url: str) -> bytes:
    """The report of ``learner`` in ``organisation``'s campaigns (framework texts in French)."""
    record = learner_record(db, learner, organisation.id, "fr")
    badges = lines_of(db, record.session_ids, base_url)
    return render_report(record, badges, organisation.name)
