"""The words the indicator pages use, in the visitor's language: indicators, dimensions and the
values of the call's categories. Names that are data (actions, porteurs, communes, target jobs)
come from ``indicators.names``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

INDICATORS = {
    "beneficiaires_entree": _l("Bénéficiaires entrés"),
    "beneficiaires_sortie": _l("Bénéficiaires sortis"),
    "taux_participation": _l("Taux de participation"),
    "taux_suite_parcours": _l("Suite de parcours"),
    "taux_parcours_complets": _l("Parcours complets"),
    "acces_six_mois": _l("Accès à l'emploi ou à la formation à six mois"),
    "situations_connues_six_mois": _l("Situations à six mois connues"),
    "competences_acquises": _l("Compétences acquises"),
    "taux_reussite_badges": _l("Réussite certification / badge"),
    "retour_emploi": _l("Retour à l'emploi"),
    "taux_verification_badges": _l("Badges vérifiés par un tiers"),
}
DIMENSIONS = {
    "action": _l("Action"),
    "porteur": _l("Porteur"),
    "typologie": _l("Typologie"),
    "metier": _l("Métier visé"),
    "periode": _l("Année"),
    "sexe": _l("Sexe"),
    "tranche_age": _l("Tranche d'âge"),
    "statut": _l("Statut"),
    "commune": _l("Commune de résidence"),
}
VALUES = {
    "typologie": {
        "diagnostic": _l("Diagnostic"),
        "decouverte_pairs": _l("Découverte des métiers par les pairs"),
        "formation_qualifiante": _l("Formation qualifiante, certifiante ou diplômante"),
        "feminisation": _l("Féminisation des métiers du numérique"),
        "inclusion_numerique": _l("Inclusion numérique (réservée aux bénéficiaires du RSA)"),
        "recrutement_innovant": _l("Recrutement innovant"),
        "validation_badges": _l("Validation par certifications et open badges"),
        "anglais_professionnel": _l("Anglais professionnel"),
    },
    "sexe": {"f": _l("Femme"), "m": _l("Homme"), "nd": _l("Non renseigné")},
    "tranche_age": {
        "moins_26": _l("Moins de 26 ans"),
        "26_49": _l("26 à 49 ans"),
        "50_plus": _l("50 ans et plus"),
    },
    "statut": {
        "rsa_cer": _l("RSA avec un contrat d'engagement réciproque (CER)"),
        "rsa_ppae": _l("RSA avec un projet personnalisé d'accès à l'emploi (PPAE)"),
        "demandeur_emploi": _l("Demandeur ou demandeuse d'emploi"),
        "autre": _l("Autre public"),
    },
}
NOT_STATED = _l("Non renseigné")
MASKED = _l("masqué")
