"""The printable individual report of a learner (PDF): what they can do per competence, their
progress between a first and a later assessment, and their badges with QR codes.

Funded actions owe each person an individual qualitative report at the end of the action; the
QR code beside each badge opens its public verification page, so a printed report still tells
a reader whether the badge holds today. In French by default; the web layer passes the words of
the language of the person who downloads it (:class:`ReportWords`).
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
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

QR_SIZE = 32  # mm: scannable from a printed page


def french_trend(change: int) -> str:
    if change > 0:
        return f"progrès de {change} niveau{'x' if change > 1 else ''}"
    if change < 0:
        return f"baisse de {-change} niveau{'x' if change < -1 else ''}"
    return "niveau stable"


@dataclass(frozen=True)
class ReportWords:
    """Every sentence of the report, in one language (French here; the web layer builds the
    one of the person downloading it). Placeholders in braces are filled by :func:`str.format`."""

    lang: str = "fr"
    date: Callable[[datetime], str] = french_date
    trend: Callable[[int], str] = french_trend
    title: str = "Bilan individuel"
    dated: str = "{organisation} — le {date}"
    can_do_heading: str = "Ce que la personne sait faire"
    nothing_finished: str = "Aucune évaluation terminée pour l'instant."
    competence: str = "{code} {title} — niveau {level}"
    beginner: str = "Découvre cette compétence (aucun niveau atteint)."
    progress: str = "Progression : {words}"
    assessed_once: str = "Niveau {level} le {date} (une seule évaluation)."
    assessed_twice: str = (
        "Niveau {first} le {first_date}, niveau {latest} le {latest_date} : {trend}."
    )
    sessions_heading: str = "Évaluations passées"
    session: str = "• {campaign} ({assessment}), commencée le {date} : {status}"
    score: str = ", score {score}"
    referral: str = ", orientation : {label}"
    badges_heading: str = "Badges obtenus"
    no_badges: str = "Aucun badge pour l'instant."
    scan: str = "Scannez un code QR : la page dit si le badge est valide aujourd'hui."
    issued: str = "Délivré le {date} — état : {status}"
    private: str = "Privé : la page n'affiche ce badge que lorsque la personne le rend visible."
    statuses: Mapping[WalletStatus, str] = field(
        default_factory=lambda: {
            WalletStatus.VALID: "actif",
            WalletStatus.SUSPENDED: "suspendu",
            WalletStatus.REVOKED: "révoqué",
            WalletStatus.EXPIRED: "expiré",
        }
    )
    session_statuses: Mapping[ParticipationStatus, str] = field(
        default_factory=lambda: {
            ParticipationStatus.IN_PROGRESS: "en cours",
            ParticipationStatus.FINISHED: "terminée",
            ParticipationStatus.TIMED_OUT: "terminée (temps écoulé)",
            ParticipationStatus.ABANDONED: "abandonnée",
        }
    )


FRENCH = ReportWords()


def progress_words(progress: CompetenceProgress, words: ReportWords = FRENCH) -> str:
    """The progress between the first and the latest assessment, in a sentence."""
    latest = progress.latest
    if not progress.assessed_twice:
        return words.assessed_once.format(level=latest.level, date=words.date(latest.at))
    first = progress.first
    return words.assessed_twice.format(
        first=first.level,
        first_date=words.date(first.at),
        latest=latest.level,
        latest_date=words.date(latest.at),
        trend=words.trend(progress.change),
    )


def _pdf(title: str, lang: str) -> FPDF:
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_lang(lang)
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


def _competences(pdf: FPDF, record: LearnerRecord, words: ReportWords) -> None:
    _heading(pdf, words.can_do_heading)
    if not record.progress:
        pdf.set_font("DejaVu", "", 11)
        _line(pdf, 6, words.nothing_finished)
        return
    for progress in record.progress:
        pdf.set_font("DejaVu", "B", 11)
        line = words.competence.format(
            code=progress.code, title=progress.title, level=progress.latest.level
        )
        _line(pdf, 6, line)
        pdf.set_font("DejaVu", "", 11)
        _line(pdf, 6, progress.can_do or words.beginner)
        _line(pdf, 6, words.progress.format(words=progress_words(progress, words)))
        pdf.ln(2)


def _sessions(pdf: FPDF, record: LearnerRecord, words: ReportWords) -> None:
    _heading(pdf, words.sessions_heading)
    pdf.set_font("DejaVu", "", 11)
    for line in record.sessions:
        text = words.session.format(
            campaign=line.campaign_name,
            assessment=line.assessment_title,
            date=words.date(line.started_at),
            status=words.session_statuses[line.status],
        )
        if line.score is not None:
            text += words.score.format(score=line.score)
        if line.referral_label:
            text += words.referral.format(label=line.referral_label)
        _line(pdf, 6, text + ".")


def _badges(pdf: FPDF, badges: Sequence[BadgeLine], words: ReportWords) -> None:
    _heading(pdf, words.badges_heading)
    pdf.set_font("DejaVu", "", 11)
    if not badges:
        _line(pdf, 6, words.no_badges)
        return
    _line(pdf, 6, words.scan)
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
        issued = words.issued.format(
            date=words.date(badge.issued_at), status=words.statuses[badge.status]
        )
        shared = badge.url if badge.is_public else f"{badge.url}\n{words.private}"
        _line(pdf, 5, f"{issued}\n{shared}", width)
        pdf.set_y(max(pdf.get_y(), top + QR_SIZE) + 4)


def render_report(
    record: LearnerRecord,
    badges: Sequence[BadgeLine],
    organisation_name: str,
    now: datetime | None = None,
    words: ReportWords = FRENCH,
) -> bytes:
    """The report as A4 pages; fonts embedded so any name prints correctly."""
    pdf = _pdf(f"{words.title} — {record.display_name}", words.lang)
    pdf.set_author(organisation_name)
    pdf.set_font("DejaVu", "B", 20)
    _line(pdf, 10, words.title, align="C")
    pdf.set_font("DejaVu", "B", 16)
    _line(pdf, 9, record.display_name, align="C")
    pdf.set_font("DejaVu", "", 11)
    dated = words.dated.format(organisation=organisation_name, date=words.date(now or utcnow()))
    _line(pdf, 6, dated, align="C")
    _competences(pdf, record, words)
    _badges(pdf, badges, words)
    _sessions(pdf, record, words)
    return bytes(pdf.output())


def report_pdf(
    db: Session,
    learner: Learner,
    organisation: Organisation,
    base_url: str,
    words: ReportWords = FRENCH,
) -> bytes:
    """The report of ``learner`` in ``organisation``'s campaigns, framework texts in the
    language of ``words``."""
    record = learner_record(db, learner, organisation.id, words.lang)
    badges = lines_of(db, record.session_ids, base_url)
    return render_report(record, badges, organisation.name, words=words)
