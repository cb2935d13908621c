"""Forms of the item bank pages: the list's filters (a GET form), the preview's answer check
and the « Calibrer » action."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, SelectMultipleField
from wtforms.validators import InputRequired, NumberRange
from wtforms.widgets import CheckboxInput, ListWidget

from assessments.bank import BankFilters
from assessments.bank_calibration import DEFAULT_MIN_ANSWERS
from assessments.models import ItemStatus, ItemType

TYPE_LABELS = {
    ItemType.QCU: _l("Choix unique"),
    ItemType.QCM: _l("Choix multiples"),
    ItemType.QROC: _l("Réponse courte"),
    ItemType.QROCM_IND: _l("Plusieurs cases"),
    ItemType.QROCM_DEP: _l("Plusieurs cases (réponses au choix)"),
    ItemType.NUMBER: _l("Nombre"),
    ItemType.ORDERING: _l("Remettre dans l'ordre"),
    ItemType.MATCHING: _l("Relier"),
    ItemType.TASK_WEBMAIL: _l("Mise en situation : messagerie"),
    ItemType.TASK_FORM: _l("Mise en situation : formulaire"),
    ItemType.TASK_PHISHING: _l("Mise en situation : arnaques"),
    ItemType.TASK_PROCEDURE: _l("Mise en situation : démarche écran par écran"),
}
STATUS_LABELS = {
    ItemStatus.DRAFT: _l("Brouillon"),
    ItemStatus.VALIDATED: _l("Validé"),
    ItemStatus.ARCHIVED: _l("Archivé"),
}
ACCESS_LABELS = {
    "blind": _l("Personnes aveugles"),
    "colour_blind": _l("Personnes daltoniennes"),
    "deaf": _l("Personnes sourdes"),
}


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


class BankFilterForm(FlaskForm):
    """The list's filters, read from the query string (no CSRF: it only reads)."""

    class Meta:
        csrf = False

    framework = SelectField(_l("Référentiel"), coerce=_int_or_none, validate_choice=False)
    competence = SelectField(_l("Compétence"), coerce=_int_or_none, validate_choice=False)
    level = SelectField(
        _l("Niveau"),
        coerce=_int_or_none,
        choices=[("", _l("Tous"))] + [(n, str(n)) for n in range(1, 9)],
        validate_choice=False,
    )
    type = SelectField(
        _l("Type"),
        choices=[("", _l("Tous"))] + [(k.value, v) for k, v in TYPE_LABELS.items()],
        validate_choice=False,
    )
    status = SelectField(
        _l("Statut"),
        choices=[("", _l("Tous"))] + [(k.value, v) for k, v in STATUS_LABELS.items()],
        validate_choice=False,
    )
    access = SelectMultipleField(
        _l("Adapté aux"),
        choices=list(ACCESS_LABELS.items()),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,
    )

    def filters(self) -> BankFilters:
        """What was asked, anything unknown ignored (a hand-edited URL never fails)."""
        kind = self.type.data if self.type.data in set(ItemType) else None
        status = self.status.data if self.status.data in set(ItemStatus) else None
        level = self.level.data if self.level.data in range(1, 9) else None
        return BankFilters(
            framework_id=self.framework.data,
            competence_id=self.competence.data if self.framework.data else None,
            level=level,
            type=ItemType(kind) if kind else None,
            status=ItemStatus(status) if status else None,
            accessible_to=tuple(a for a in self.access.data or [] if a in ACCESS_LABELS),
        )


class CheckAnswerForm(FlaskForm):
    """The preview's answer form: the CSRF token; the item's fields are read by its type."""


class CalibrateForm(FlaskForm):
    min_answers = IntegerField(
        _l("Nombre minimum de réponses par item"),
        default=DEFAULT_MIN_ANSWERS,
        description=_l(
            "Un item est calibré s'il a au moins ce nombre de réponses "
            "(200 conseillé, 10 au moins)."
        ),
        validators=[
            InputRequired(_l("Écrivez un nombre, par exemple : 200.")),
            NumberRange(min=10, max=100000, message=_l("Écrivez un nombre entre 10 et 100 000.")),
        ],
    )
