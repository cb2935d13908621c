"""The organisation's journal page (org admins): who changed what, when and why.

Each action code recorded with ``learners.audit.record`` gets its sentence here; a code without a
sentence is shown as the code itself (and ``tests/web/test_journal.py`` fails until it has one).
"""

from __future__ import annotations

from flask import g, render_template, request
from flask_babel import lazy_gettext as _l

from learners import audit
from learners.models import Role
from web.authz import requires
from web.database import db
from web.studio import bp

# Action code → what happened, in words (the target's name comes from ``detail``).
ACTION_LABELS = {
    "learner.created": _l("Compte apprenant créé"),
    "learner.code_renewed": _l("Nouveau code d'accès donné à un apprenant"),
    "items.calibration_started": _l("Calibration des items lancée"),
    "items.calibrated": _l("Items calibrés à partir des réponses"),
    "learner.sessions_ended": _l("Apprenant déconnecté sur tous ses appareils"),
    "learner.record_viewed": _l("Fiche de résultats d'un apprenant consultée"),
    "learner.report_downloaded": _l("Bilan individuel d'un apprenant téléchargé (PDF)"),
    "learner.erased": _l("Compte d'un apprenant effacé à sa demande (badges révoqués)"),
    "learner.erased_by_staff": _l(
        "Compte d'un apprenant effacé par la structure, à la demande de la personne "
        "(badges révoqués)"
    ),
    "campaign.results_exported": _l("Résultats nominatifs d'une campagne exportés (CSV ou Excel)"),
    "assessment.created": _l("Évaluation composée"),
    "campaign.created": _l("Campagne créée"),
    "campaign.opened": _l("Campagne ouverte"),
    "campaign.closed": _l("Campagne fermée"),
    "campaign.archived": _l("Campagne archivée"),
    "campaign.edited": _l("Campagne modifiée"),
    "framework.created": _l("Référentiel créé"),
    "framework.copied": _l("Référentiel copié dans la structure"),
    "framework.updated": _l("Référentiel modifié (titre ou alignements)"),
    "framework.domain_saved": _l("Domaine ajouté à un référentiel"),
    "framework.competence_saved": _l("Compétence enregistrée (niveaux, alignements)"),
    "framework.drafts_validated": _l("Brouillons d'un référentiel validés"),
    "framework.imported": _l("Fichier de référentiel importé"),
    "item.created": _l("Question créée (brouillon)"),
    "item.updated": _l("Question modifiée"),
    "item.new_version": _l("Nouvelle version d'une question"),
    "item.status_changed": _l("Statut d'une question changé"),
    "achievement.created": _l("Badge créé (brouillon)"),
    "achievement.updated": _l("Badge modifié"),
    "achievement.new_version": _l("Nouvelle version d'un badge publiée"),
    "achievement.published": _l("Badge publié"),
    "achievement.rule_saved": _l("Règle d'obtention d'un badge enregistrée"),
    "member.admin_created": _l("Compte d'administrateur créé par la plateforme"),
    "endorsement.created": _l("Badge d'une association reconnu"),
    "endorsement.withdrawn": _l("Reconnaissance d'un badge retirée"),
    "endorsement.created_for_us": _l("Un badge de la structure a été reconnu par un partenaire"),
    "endorsement.withdrawn_for_us": _l("Un partenaire a retiré sa reconnaissance d'un badge"),
    "credential.awarded": _l("Badge attribué à la main (ou par fichier)"),
    "credential.revoked": _l("Badge révoqué"),
    "credential.suspended": _l("Badge suspendu"),
    "credential.reinstated": _l("Badge rétabli"),
    "evidence.viewed": _l("Pièce justificative d'un badge consultée"),
    "action.created": _l("Action financée créée"),
    "action.updated": _l("Action financée modifiée"),
    "action.archived": _l("Action financée archivée"),
    "enrolment.created": _l("Apprenant inscrit à une action"),
    "enrolment.exited": _l("Sortie d'une action enregistrée"),
    "outcome.recorded": _l("Situation d'un bénéficiaire enregistrée (sortie ou 6 mois)"),
    "enrolments.imported": _l("Inscriptions importées d'un fichier CSV"),
    "api_token.created": _l("Jeton d'API créé"),
    "api_token.revoked": _l("Jeton d'API révoqué"),
}


def label(action: str) -> str:
    return str(ACTION_LABELS.get(action, action))


@bp.get("/<int:org_id>/journal")
@requires(Role.ORG_ADMIN, Role.PLATFORM_ADMIN, org_arg="org_id")
def journal(org_id: int):
    family = request.args.get("action", "")[:64] or None
    page = audit.journal(
        db.session, org_id, page=request.args.get("page", 1, type=int), action_prefix=family
    )
    return render_template(
        "studio/journal.html",
        organisation=g.organisation,
        page=page,
        family=family,
        actions=audit.actions_of(db.session, org_id),
        label=label,
    )
