"""The verdict an employer reads first, in words, icon and colour, and each check in plain words.

``badges.ob3.verify`` gives the verdict and the checks (with French and English sentences); here
they become what the page says in the visitor's language: a headline (« Badge valide »), one
sentence saying what it means for them, the reason when it is not valid, and a plain title per
check. Colour is never the only signal: every tone has its icon and its words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from badges.ob3.verify import Check, CheckStatus, Verdict, VerificationResult

# ok: green, warn: amber, bad: red (web/static/css/verify.css).
TONES = {
    Verdict.VALID: "ok",
    Verdict.REVOKED: "bad",
    Verdict.SUSPENDED: "warn",
    Verdict.EXPIRED: "warn",
    Verdict.NOT_YET_VALID: "warn",
    Verdict.INVALID_SIGNATURE: "bad",
    Verdict.STATUS_UNKNOWN: "warn",
    Verdict.MALFORMED: "bad",
    Verdict.INTERNAL_ERROR: "warn",  # says nothing about the badge: never red
}
ICONS = {
    Verdict.VALID: "✓",
    Verdict.REVOKED: "✗",
    Verdict.SUSPENDED: "⏸",
    Verdict.EXPIRED: "⌛",
    Verdict.NOT_YET_VALID: "⏳",
    Verdict.INVALID_SIGNATURE: "✗",
    Verdict.STATUS_UNKNOWN: "?",
    Verdict.MALFORMED: "⚠",
    Verdict.INTERNAL_ERROR: "⚙",
}
CHECK_ICONS = {
    CheckStatus.PASSED: "✓",
    CheckStatus.FAILED: "✗",
    CheckStatus.UNKNOWN: "?",
    CheckStatus.ERROR: "⚙",
}


@dataclass(frozen=True)
class Outcome:
    """Everything the verdict block shows."""

    verdict: Verdict
    tone: str
    icon: str
    headline: str
    sentence: str
    reason: str | None
    issuer_known: bool | None


@dataclass(frozen=True)
class CheckLine:
    icon: str
    status: str  # passed | failed | unknown (CSS class)
    title: str
    status_words: str
    sentence: str


def _english() -> bool:
    return str(get_locale() or "fr").startswith("en")


def message(check: Check) -> str:
    """The check's sentence in the visitor's language."""
    return check.message_en if _english() else check.message_fr


def _date(value: datetime | None) -> str:
    return format_date(value, "long") if value else ""


def _unreadable(result: VerificationResult) -> bool:
    found = result.check("format")
    return found is None or found.status is CheckStatus.FAILED


def _headline(verdict: Verdict, result: VerificationResult) -> str:
    if verdict is Verdict.MALFORMED:
        return _("Format non reconnu") if _unreadable(result) else _("Badge mal formé")
    return {
        Verdict.VALID: _("Badge valide"),
        Verdict.REVOKED: _("Badge révoqué"),
        Verdict.SUSPENDED: _("Badge suspendu"),
        Verdict.EXPIRED: _("Badge expiré"),
        Verdict.NOT_YET_VALID: _("Badge pas encore valide"),
        Verdict.INVALID_SIGNATURE: _("Signature invalide"),
        Verdict.STATUS_UNKNOWN: _("Statut inconnu"),
        Verdict.INTERNAL_ERROR: _("Vérification impossible (erreur interne)"),
    }[verdict]


def _sentence(verdict: Verdict, valid_from: datetime | None, valid_until: datetime | None) -> str:
    if verdict is Verdict.EXPIRED and valid_until:
        return _(
            "Ce badge était authentique, mais il n'est plus valable depuis le %(date)s.",
            date=_date(valid_until),
        )
    if verdict is Verdict.NOT_YET_VALID and valid_from:
        return _(
            "Ce badge est authentique, mais il ne sera valable qu'à partir du %(date)s.",
            date=_date(valid_from),
        )
    return {
        Verdict.VALID: _("Ce badge est authentique et il est toujours en cours de validité."),
        Verdict.REVOKED: _(
            "L'organisme qui a délivré ce badge l'a retiré. Il ne prouve plus rien."
        ),
        Verdict.SUSPENDED: _(
            "L'organisme qui a délivré ce badge l'a mis en pause. Il ne prouve rien pour le moment."
        ),
        Verdict.EXPIRED: _("Ce badge n'est plus valable."),
        Verdict.NOT_YET_VALID: _("Ce badge n'est pas encore valable."),
        Verdict.INVALID_SIGNATURE: _(
            "Ce badge a été modifié, ou sa signature ne peut pas être vérifiée. Ne vous y fiez pas."
        ),
        Verdict.STATUS_UNKNOWN: _(
            "La signature est bonne, mais nous n'avons pas pu savoir si le badge a été retiré. "
            "Réessayez plus tard ou contactez l'organisme qui l'a délivré."
        ),
        Verdict.MALFORMED: _(
            "Nous n'avons pas trouvé de badge Open Badges 3.0 lisible dans ce que vous avez envoyé."
        ),
        Verdict.INTERNAL_ERROR: _(
            "Une erreur s'est produite de notre côté pendant la vérification. Cela ne dit rien "
            "sur le badge : réessayez dans quelques minutes."
        ),
    }[verdict]


def _reason(
    verdict: Verdict,
    result: VerificationResult,
    revocation_reason: str | None,
    suspension_reason: str | None = None,
) -> str:
    if verdict is Verdict.REVOKED:
        return revocation_reason or _("L'organisme n'a pas donné de raison.")
    if verdict is Verdict.SUSPENDED and suspension_reason:
        return suspension_reason
    if verdict is Verdict.INTERNAL_ERROR:
        return _internal_error_reason(result)
    for wanted in (CheckStatus.FAILED, CheckStatus.UNKNOWN):
        for check in result.checks:
            if check.status is wanted and check.code != "issuer_known":
                return message(check)
    return ""


def _internal_error_reason(result: VerificationResult) -> str:
    for check in result.checks:
        if check.status is CheckStatus.ERROR and check.code != "issuer_known":
            return _(
                "L'étape « %(step)s » n'a pas pu être menée à bien.", step=_check_title(check.code)
            )
    return ""


def outcome(
    result: VerificationResult,
    *,
    verdict: Verdict | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    revocation_reason: str | None = None,
    suspension_reason: str | None = None,
) -> Outcome:
    """The verdict block of ``result`` (``verdict`` overrides it, e.g. a platform suspension)."""
    shown = verdict or result.verdict
    reason = (
        None
        if shown is Verdict.VALID
        else _reason(shown, result, revocation_reason, suspension_reason)
    )
    return Outcome(
        verdict=shown,
        tone=TONES[shown],
        icon=ICONS[shown],
        headline=_headline(shown, result),
        sentence=_sentence(shown, valid_from, valid_until),
        reason=reason or None,
        issuer_known=result.issuer_known,
    )


# Built once (lazy strings, translated when read): a page reads one title per check.
CHECK_TITLES = {
    "format": _l("Lecture du badge"),
    "context": _l("Vocabulaire du badge"),
    "type": _l("Type de badge"),
    "jsonld": _l("Données bien définies"),
    "schema": _l("Format Open Badges 3.0"),
    "key": _l("Clé de l'émetteur"),
    "proof": _l("Signature"),
    "status": _l("Révocation"),
    "valid_from": _l("Date de début de validité"),
    "valid_until": _l("Date de fin de validité"),
    "issuer_known": _l("Émetteur connu de Jalon"),
    "recipient": _l("Personne qui a obtenu le badge"),
    "dates": _l("Dates de validité"),
    "verify": _l("Vérification du badge"),
}
STATUS_WORDS = {
    CheckStatus.PASSED: _l("vérifié"),
    CheckStatus.FAILED: _l("problème"),
    CheckStatus.UNKNOWN: _l("pas pu être vérifié"),
    CheckStatus.ERROR: _l("erreur interne"),
}


def _check_title(code: str) -> str:
    title = CHECK_TITLES.get(code)
    return code if title is None else str(title)


def _status_words(status: CheckStatus) -> str:
    return str(STATUS_WORDS[status])


def check_lines(result: VerificationResult) -> list[CheckLine]:
    return [
        CheckLine(
            icon=CHECK_ICONS[check.status],
            status=check.status.value,
            title=_check_title(check.code),
            status_words=_status_words(check.status),
            sentence=message(check),
        )
        for check in result.checks
    ]
