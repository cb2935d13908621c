"""The words the indicator pages use, in the visitor's language: indicators, dimensions and the
values of the call's categories. Names that are data (actions, porteurs, communes, target jobs)
come from ``indicators.names``."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from web.studio import action_labels

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
# The monthly counts the trend shows besides entries and exits (``catalogue.MONTHLY_COUNTS``).
MONTHLY_COUNTS = {
    "parcours_termines": _l("Parcours terminés"),
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
# The call's categories are named once, with the association's pages (keys are the enums' values).
VALUES = {
    "typologie": action_labels.TYPOLOGIES,
    "sexe": action_labels.SEXES,
    "tranche_age": {
        "moins_26": _l("Moins de 26 ans"),
        "26_49": _l("26 à 49 ans"),
        "50_plus": _l("50 ans et plus"),
    },
    "statut": action_labels.PUBLIC_STATUSES,
}
NOT_STATED = _l("Non renseigné")
MASKED = _l("masqué")
