"""The words the association's pages use for the call's categories (typologies, referring
services, public status, sex, exit reasons, situations) and for the domain's problem codes, in
the visitor's language. The domain keeps the French sentences; pages translate by code."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from learners.action_problems import Problem
from learners.models import (
    ExitReason,
    OutcomeMoment,
    PublicStatus,
    Referrer,
    Sex,
    Situation,
    Typology,
)

TYPOLOGIES = {
    Typology.DIAGNOSTIC: _l("Diagnostic"),
    Typology.PEER_DISCOVERY: _l("Découverte des métiers par les pairs"),
    Typology.QUALIFYING_TRAINING: _l("Formation qualifiante, certifiante ou diplômante"),
    Typology.FEMINISATION: _l("Féminisation des métiers du numérique"),
    Typology.DIGITAL_INCLUSION: _l("Inclusion numérique (réservée aux bénéficiaires du RSA)"),
    Typology.INNOVATIVE_RECRUITMENT: _l("Recrutement innovant"),
    Typology.BADGE_VALIDATION: _l("Validation par certifications et open badges"),
    Typology.PROFESSIONAL_ENGLISH: _l("Anglais professionnel"),
}
REFERRERS = {
    Referrer.ALI: _l("Agence locale d'insertion (ALI)"),
    Referrer.FRANCE_TRAVAIL: _l("France Travail"),
    Referrer.SSD: _l("Service social départemental (SSD)"),
    Referrer.PIE: _l("Projet insertion emploi (PIE)"),
    Referrer.OTHER: _l("Autre service"),
}
PUBLIC_STATUSES = {
    PublicStatus.RSA_CER: _l("RSA avec un contrat d'engagement réciproque (CER)"),
    PublicStatus.RSA_PPAE: _l("RSA avec un projet personnalisé d'accès à l'emploi (PPAE)"),
    PublicStatus.JOB_SEEKER: _l("Demandeur ou demandeuse d'emploi"),
    PublicStatus.OTHER: _l("Autre public"),
}
SEXES = {
    Sex.FEMALE: _l("Femme"),
    Sex.MALE: _l("Homme"),
    Sex.NOT_STATED: _l("Non renseigné"),
}
EXIT_REASONS = {
    ExitReason.COMPLETED: _l("Parcours terminé"),
    ExitReason.DROPPED_OUT: _l("Abandon"),
    ExitReason.REORIENTED: _l("Réorientation"),
    ExitReason.FOUND_JOB: _l("Accès à l'emploi"),
    ExitReason.MOVED: _l("Déménagement"),
    ExitReason.OTHER: _l("Autre motif"),
}
MOMENTS = {
    OutcomeMoment.EXIT: _l("À la sortie"),
    OutcomeMoment.SIX_MONTHS: _l("Six mois après la sortie"),
}
SITUATIONS = {
    Situation.CDI: _l("CDI"),
    Situation.CDD_6_MONTHS_OR_MORE: _l("CDD de 6 mois ou plus"),
    Situation.CDD_UNDER_6_MONTHS: _l("CDD de moins de 6 mois"),
    Situation.INTERIM: _l("Intérim"),
    Situation.WORK_STUDY: _l("Alternance"),
    Situation.BUSINESS_CREATION: _l("Création d'entreprise"),
    Situation.QUALIFYING_TRAINING: _l("Formation qualifiante"),
    Situation.OTHER_TRAINING: _l("Autre formation"),
    Situation.NO_SOLUTION: _l("Sans solution"),
    Situation.UNKNOWN: _l("Situation inconnue"),
}

# learners.action_problems.MESSAGES, code by code, in the visitor's language.
PROBLEMS = {
    "title_empty": _l("Écrivez l'intitulé de l'action."),
    "title_long": _l("Cet intitulé est trop long : 200 caractères au plus."),
    "typologies_empty": _l("Cochez au moins une typologie de l'appel à projets."),
    "unknown_typology": _l("Typologie inconnue : %(values)s."),
    "unknown_job": _l("Métier inconnu dans la liste de l'appel : %(values)s."),
    "year_missing": _l("Écrivez l'année."),
    "year_range": _l("L'année doit être entre %(min)s et %(max)s."),
    "years_order": _l("La dernière année ne peut pas être avant la première."),
    "communes_empty": _l("Choisissez au moins une commune."),
    "unknown_commune": _l("Commune inconnue dans le département : %(values)s."),
    "beneficiaries_missing": _l("Écrivez le nombre de bénéficiaires prévus."),
    "beneficiaries_min": _l("Une action accueille au moins 10 bénéficiaires."),
    "beneficiaries_max": _l("C'est trop : %(max)s bénéficiaires au plus."),
    "rate_range": _l("Un taux est un pourcentage entre 0 et 100."),
    "inclusion_has_others": _l(
        "L'action ne peut pas devenir une action d'inclusion numérique : %(count)s personne(s) "
        "inscrite(s) ne sont pas au RSA."
    ),
    "action_archived": _l("Cette action est archivée : on n'y inscrit plus personne."),
    "unknown_learner": _l("Aucun apprenant n'a cet identifiant."),
    "learner_not_member": _l("Cet apprenant n'est pas suivi par votre structure."),
    "already_enrolled": _l("Cet apprenant est déjà inscrit à cette action."),
    "duplicate_in_file": _l("Cet apprenant apparaît déjà plus haut dans le fichier."),
    "referrer_missing": _l("Choisissez le service orienteur."),
    "entry_missing": _l("Écrivez la date d'entrée, par exemple : 15/03/2026."),
    "bad_date": _l("Date illisible : écrivez-la ainsi : 15/03/2026."),
    "entry_future": _l("La date d'entrée ne peut pas être dans le futur."),
    "entry_outside_years": _l(
        "L'action se déroule de %(first)s à %(last)s : la date d'entrée doit tomber dans ces "
        "années."
    ),
    "sessions_range": _l("Le nombre de séances doit être entre 1 et %(max)s."),
    "status_missing": _l("Choisissez le statut du public."),
    "unknown_value": _l("Valeur inconnue : %(value)s. Valeurs possibles : %(allowed)s."),
    "birth_year_range": _l("L'année de naissance doit être entre %(min)s et %(max)s."),
    "inclusion_rsa_only": _l(
        "Une action d'inclusion numérique est réservée aux bénéficiaires du RSA : cette "
        "personne ne peut pas y être inscrite."
    ),
    "exit_missing": _l("Écrivez la date de sortie, par exemple : 30/06/2026."),
    "exit_before_entry": _l(
        "La date de sortie ne peut pas être avant la date d'entrée (%(entry)s)."
    ),
    "exit_future": _l("La date de sortie ne peut pas être dans le futur."),
    "reason_missing": _l("Choisissez le motif de sortie."),
    "attended_range": _l("Le nombre de séances suivies doit être entre 0 et %(max)s."),
    "attended_over_planned": _l(
        "Plus de séances suivies (%(attended)s) que prévues (%(planned)s) : écrivez pourquoi "
        "dans la justification."
    ),
    "not_exited": _l("Enregistrez d'abord la sortie de l'action."),
    "situation_missing": _l("Choisissez la situation."),
    "six_months_not_reached": _l(
        "La situation à 6 mois se saisit à partir du %(due)s, six mois après la sortie."
    ),
    "observed_before_exit": _l("La situation ne peut pas être constatée avant la sortie."),
}
FILE_PROBLEMS = {
    "too_big": _l("Le fichier est trop gros : %(limit)s octets au plus."),
    "not_utf8": _l("Le fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 »."),
    "empty": _l("Le fichier est vide."),
    "missing_columns": _l("Colonnes manquantes dans la première ligne : %(columns)s."),
    "too_many_rows": _l("Trop de lignes : %(max)s au plus par fichier."),
}


def problem_text(code: str, params: dict[str, Any] | None = None) -> str:
    """A domain problem (by code) in the visitor's language."""
    text = str(PROBLEMS[code])
    return text % params if params else text


def sentence(problem: Problem) -> str:
    return problem_text(problem.code, problem.params)


# learners.enrolment_import.COLUMNS, what each column of the import file holds.
COLUMN_HELP = {
    "identifiant": _l("identifiant de connexion de l'apprenant (obligatoire)"),
    "orienteur": _l("service orienteur : ali, france_travail, ssd, pie ou autre (obligatoire)"),
    "date_entree": _l("date d'entrée, JJ/MM/AAAA ou AAAA-MM-JJ (obligatoire)"),
    "statut": _l("statut du public : rsa_cer, rsa_ppae, demandeur_emploi ou autre (obligatoire)"),
    "sexe": _l("f, m ou nd (non renseigné) ; vide : nd"),
    "annee_naissance": _l("année de naissance, par exemple 1985 ; peut rester vide"),
    "commune": _l("commune de résidence : code INSEE ou nom exact ; peut rester vide"),
    "seances_prevues": _l("nombre de séances prévues ; peut rester vide"),
}
