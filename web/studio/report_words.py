"""The individual report's sentences in the language of the person downloading it: the report
itself is drawn by ``badges.learner_report`` (no Flask there), with these words."""

from __future__ import annotations

from datetime import datetime

from flask_babel import format_date, get_locale, ngettext
from flask_babel import gettext as _

from assessments.campaign_results import ParticipationStatus
from badges.learner_report import ReportWords
from badges.wallet import WalletStatus


def _date(moment: datetime) -> str:
    return format_date(moment, "d MMMM y")


def _trend(change: int) -> str:
    if change > 0:
        return ngettext("progrès de %(num)d niveau", "progrès de %(num)d niveaux", change)
    if change < 0:
        return ngettext("baisse de %(num)d niveau", "baisse de %(num)d niveaux", -change)
    return _("niveau stable")


def report_words() -> ReportWords:
    """Placeholders in braces are filled by the report (``str.format``), not by gettext."""
    return ReportWords(
        lang=str(get_locale().language),
        date=_date,
        trend=_trend,
        title=_("Bilan individuel"),
        dated=_("{organisation} — le {date}"),
        can_do_heading=_("Ce que la personne sait faire"),
        nothing_finished=_("Aucune évaluation terminée pour l'instant."),
        competence=_("{code} {title} — niveau {level}"),
        beginner=_("Découvre cette compétence (aucun niveau atteint)."),
        progress=_("Progression : {words}"),
        assessed_once=_("Niveau {level} le {date} (une seule évaluation)."),
        assessed_twice=_(
            "Niveau {first} le {first_date}, niveau {latest} le {latest_date} : {trend}."
        ),
        sessions_heading=_("Évaluations passées"),
        session=_("• {campaign} ({assessment}), commencée le {date} : {status}"),
        score=_(", score {score}"),
        referral=_(", orientation : {label}"),
        badges_heading=_("Badges obtenus"),
        no_badges=_("Aucun badge pour l'instant."),
        scan=_("Scannez un code QR : la page dit si le badge est valide aujourd'hui."),
        issued=_("Délivré le {date} — état : {status}"),
        private=_("Privé : la page n'affiche ce badge que lorsque la personne le rend visible."),
        statuses={
            WalletStatus.VALID: _("actif"),
            WalletStatus.SUSPENDED: _("suspendu"),
            WalletStatus.REVOKED: _("révoqué"),
            WalletStatus.EXPIRED: _("expiré"),
        },
        session_statuses={
            ParticipationStatus.IN_PROGRESS: _("en cours"),
            ParticipationStatus.FINISHED: _("terminée"),
            ParticipationStatus.TIMED_OUT: _("terminée (temps écoulé)"),
            ParticipationStatus.ABANDONED: _("abandonnée"),
        },
    )
