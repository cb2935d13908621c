"""The preview's answer check in words: each reason code of the item types
(:meth:`assessments.item_types.base.ItemTypeDefinition.explain`) and its sentence."""

from __future__ import annotations

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l

from assessments.item_types.base import Reason

REASONS = {
    "right": _l("La réponse est acceptée."),
    "wrong": _l("La réponse est refusée."),
    "skipped": _l("« Je ne sais pas » compte comme une réponse fausse, sans message d'erreur."),
    "choice_right": _l("C'est le bon choix : « %(choice)s »."),
    "choice_wrong": _l("Choix « %(choice)s » : le bon choix est « %(expected)s »."),
    "choices_right": _l("Ce sont exactement les bons choix : %(choices)s."),
    "choices_missing": _l("Il manque ces choix : %(choices)s."),
    "choices_extra": _l("Ces choix ne sont pas attendus : %(choices)s."),
    "text_quantity": _l(
        "« %(answer)s » est le même nombre que la réponse acceptée « %(variant)s »."
    ),
    "text_exact": _l("« %(answer)s » est exactement la réponse acceptée « %(variant)s »."),
    "text_t1": _l(
        "« %(answer)s » correspond à « %(variant)s » grâce à la tolérance T1 "
        "(majuscules, accents et espaces ignorés)."
    ),
    "text_t2": _l(
        "« %(answer)s » correspond à « %(variant)s » grâce à la tolérance T2 (ponctuation ignorée)."
    ),
    "text_t3": _l(
        "« %(answer)s » correspond à « %(variant)s » grâce à la tolérance T3 (fautes de frappe) : "
        "%(distance)s lettre(s) de différence, %(allowed)s au plus."
    ),
    "text_no_match": _l(
        "« %(answer)s » ne correspond à aucune réponse acceptée (%(accepted)s), "
        "même avec les tolérances %(rules)s."
    ),
    "groups_found": _l("%(found)s réponse(s) différente(s) trouvée(s), %(required)s demandée(s)."),
    "number_within": _l("%(value)s est dans la marge : %(expected)s, à %(tolerance)s près."),
    "number_outside": _l(
        "%(value)s est hors de la marge : la réponse attendue est %(expected)s, "
        "à %(tolerance)s près."
    ),
    "order_right": _l("Les étapes sont dans le bon ordre."),
    "step_misplaced": _l("« %(step)s » est à la place %(given)s ; sa place est %(expected)s."),
    "pairs_right": _l("Chaque élément est relié à la bonne réponse."),
    "pair_wrong": _l("relié à « %(given)s » ; la bonne réponse est « %(expected)s »."),
    "field_right": _l("la valeur attendue est bien là."),
    "field_wrong": _l("« %(given)s » au lieu de « %(expected)s »."),
    "scams_right": _l("Exactement les bons messages sont signalés (%(count)s)."),
    "scams_missed": _l("Ces arnaques ne sont pas signalées : %(samples)s."),
    "scams_extra": _l("Ces messages sont signalés à tort : %(samples)s."),
    "mail_right": _l("L'action demandée est faite (%(action)s)."),
    "mail_action_wrong": _l("Action faite : %(given)s ; action attendue : %(expected)s."),
    "mail_message_wrong": _l("Message « %(given)s » ; le message attendu est « %(expected)s »."),
    "mail_to_wrong": _l("Destinataire « %(given)s » ; destinataire attendu : « %(expected)s »."),
    "mail_attachments_wrong": _l(
        "Pièces jointes « %(given)s » ; pièces jointes attendues : « %(expected)s »."
    ),
    "mail_words_missing": _l("Le message ne contient pas ces mots : %(words)s."),
    "step_not_reached": _l("cet écran n'a pas été atteint : un choix d'avant a mené ailleurs."),
}

MAIL_ACTIONS = {
    "open": _l("ouvrir le message"),
    "reply": _l("répondre"),
    "forward": _l("transférer"),
    "delete": _l("supprimer"),
    "send": _l("écrire un nouveau message"),
}


PART = _l("« %(part)s » : %(text)s")


def _shown(code: str, value):
    if isinstance(value, float):
        return format_decimal(value, format="#,##0.######")
    if code.startswith("mail_") and value in MAIL_ACTIONS:
        return str(MAIL_ACTIONS[value])
    return value


def sentence(reason: Reason) -> str:
    """The reason in the interface's language, prefixed with the part it is about."""
    template = str(REASONS.get(reason.code, reason.code))
    params = {name: _shown(reason.code, value) for name, value in reason.params.items()}
    text = template % params if params else template
    return str(PART) % {"part": reason.part, "text": text} if reason.part else text
