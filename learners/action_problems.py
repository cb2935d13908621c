"""What can be wrong with an action, an enrolment, an exit or an outcome: one code per problem,
with its French sentence, tied to the field to fix.

The domain reports every problem at once (:class:`InvalidEntry`), so a form shows them all on
their fields and an import reports them line by line; the web layer translates by code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MESSAGES = {
    # Actions
    "title_empty": "Écrivez l'intitulé de l'action.",
    "title_long": "Cet intitulé est trop long : 200 caractères au plus.",
    "typologies_empty": "Cochez au moins une typologie de l'appel à projets.",
    "unknown_typology": "Typologie inconnue : {values}.",
    "unknown_job": "Métier inconnu dans la liste de l'appel : {values}.",
    "year_missing": "Écrivez l'année.",
    "year_range": "L'année doit être entre {min} et {max}.",
    "years_order": "La dernière année ne peut pas être avant la première.",
    "communes_empty": "Choisissez au moins une commune.",
    "unknown_commune": "Commune inconnue dans le département : {values}.",
    "beneficiaries_missing": "Écrivez le nombre de bénéficiaires prévus.",
    "beneficiaries_min": "Une action accueille au moins 10 bénéficiaires.",
    "beneficiaries_max": "C'est trop : {max} bénéficiaires au plus.",
    "rate_range": "Un taux est un pourcentage entre 0 et 100.",
    "inclusion_has_others": "L'action ne peut pas devenir une action d'inclusion numérique : "
    "{count} personne(s) inscrite(s) ne sont pas au RSA.",
    # Enrolments
    "action_archived": "Cette action est archivée : on n'y inscrit plus personne.",
    "unknown_learner": "Aucun apprenant n'a cet identifiant.",
    "learner_not_member": "Cet apprenant n'est pas suivi par votre structure.",
    "already_enrolled": "Cet apprenant est déjà inscrit à cette action.",
    "duplicate_in_file": "Cet apprenant apparaît déjà plus haut dans le fichier.",
    "referrer_missing": "Choisissez le service orienteur.",
    "entry_missing": "Écrivez la date d'entrée, par exemple : 15/03/2026.",
    "bad_date": "Date illisible : écrivez-la ainsi : 15/03/2026.",
    "entry_future": "La date d'entrée ne peut pas être dans le futur.",
    "entry_outside_years": "L'action se déroule de {first} à {last} : la date d'entrée doit "
    "tomber dans ces années.",
    "sessions_range": "Le nombre de séances doit être entre 1 et {max}.",
    "status_missing": "Choisissez le statut du public.",
    "unknown_value": "Valeur inconnue : {value}. Valeurs possibles : {allowed}.",
    "birth_year_range": "L'année de naissance doit être entre {min} et {max}.",
    "inclusion_rsa_only": "Une action d'inclusion numérique est réservée aux bénéficiaires du "
    "RSA : cette personne ne peut pas y être inscrite.",
    # Exits and outcomes
    "exit_missing": "Écrivez la date de sortie, par exemple : 30/06/2026.",
    "exit_before_entry": "La date de sortie ne peut pas être avant la date d'entrée ({entry}).",
    "exit_future": "La date de sortie ne peut pas être dans le futur.",
    "reason_missing": "Choisissez le motif de sortie.",
    "attended_range": "Le nombre de séances suivies doit être entre 0 et {max}.",
    "attended_over_planned": "Plus de séances suivies ({attended}) que prévues ({planned}) : "
    "écrivez pourquoi dans la justification.",
    "not_exited": "Enregistrez d'abord la sortie de l'action.",
    "situation_missing": "Choisissez la situation.",
    "six_months_not_reached": "La situation à 6 mois se saisit à partir du {due}, six mois "
    "après la sortie.",
    "observed_before_exit": "La situation ne peut pas être constatée avant la sortie.",
}


@dataclass(frozen=True)
class Problem:
    """What is wrong (``code``, see :data:`MESSAGES`) and which field to fix."""

    field: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def message(self) -> str:
        return MESSAGES[self.code].format(**self.params)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready, for a job's report."""
        return {"field": self.field, "code": self.code, "params": dict(self.params)}


class InvalidEntry(ValueError):
    """The change cannot be made as asked; nothing was written."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(" ".join(p.message for p in problems))
        self.problems = problems
