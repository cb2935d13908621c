"""Forms of the campaigns pages: creating a campaign, changing it, and the buttons that open,
close or archive one (CSRF only).

The creation form reads what the trainer chose into an ``assessments.campaign_creation``
spec; the domain checks it all, and its problems come back here on their fields, translated.
Dates are days in the platform's time zone: a campaign opens at 00:00 on its first day and
closes at 23:59 on its last.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session
from wtforms import (
    BooleanField,
    DateField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
)
from wtforms.validators import InputRequired, Length, Optional, ValidationError

from assessments import campaign_creation, campaign_editing
from assessments.campaign_creation import AssessmentSpec, CampaignSpec, InvalidCampaign
from assessments.campaign_editing import CampaignChanges
from assessments.models import AssessmentMode, Campaign, Competence, Framework
from learners import actions

NEW, EXISTING = "new", "existing"
LEVEL_CHOICES = [SelectChoice(n, str(n)) for n in range(1, 9)]

# The domain's problem codes (``campaign_creation.MESSAGES``) in the visitor's language.
PROBLEM_MESSAGES = {
    "name_empty": _l("Écrivez le nom de la campagne."),
    "name_long": _l("Ce nom est trop long : 200 caractères au plus."),
    "name_taken": _l("Une campagne de votre structure porte déjà ce nom. Choisissez-en un autre."),
    "dates_order": _l("La date de fin doit être après la date de début."),
    "closes_past": _l("La date de fin est déjà passée."),
    "assessment_missing": _l("Choisissez une évaluation."),
    "unknown_assessment": _l("Cette évaluation n'existe pas ou n'est pas disponible."),
    "unknown_framework": _l("Ce référentiel n'existe pas ou n'est pas disponible."),
    "unknown_competence": _l("Compétence inconnue dans ce référentiel : %(codes)s."),
    "length_range": _l("Le nombre de questions doit être entre 1 et 120."),
    "lengths_order": _l("Le minimum ne peut pas dépasser le maximum."),
    "target_se_range": _l("La précision doit être entre 0,1 et 1,5."),
    "time_limit_range": _l("La durée doit être entre 1 et 600 minutes."),
    "levels_order": _l("Le niveau le plus bas ne peut pas dépasser le niveau le plus haut."),
    "levels_range": _l("Les niveaux vont de 1 à 8."),
    "no_items": _l("Aucune question validée ne correspond à ces choix."),
    "assessment_locked": _l(
        "Des personnes ont déjà commencé cette campagne : son évaluation ne peut plus changer. "
        "Créez une nouvelle campagne pour d'autres réglages."
    ),
    "unknown_action": _l("Cette action n'existe pas ou n'est pas celle de votre structure."),
}
# The domain's field names that differ from the form's.
FORM_FIELDS = {"closes_at": "closes_on"}


class NewCampaignForm(FlaskForm):
    name = StringField(
        _l("Nom de la campagne"),
        validators=[
            InputRequired(_l("Écrivez le nom de la campagne.")),
            Length(max=200, message=_l("Ce nom est trop long : 200 caractères au plus.")),
        ],
        description=_l("Par exemple : Atelier numérique de mars. Les apprenants le voient."),
        render_kw={"autocomplete": "off"},
    )
    source = RadioField(
        _l("Évaluation"),
        choices=[
            SelectChoice(NEW, _l("Composer une évaluation")),
            SelectChoice(EXISTING, _l("Reprendre une évaluation existante")),
        ],
        default=NEW,
    )
    assessment = SelectField(_l("Évaluation existante"), validate_choice=False)
    framework = SelectField(_l("Référentiel"), validate_choice=False)
    competences = SelectMultipleField(_l("Compétences évaluées"), validate_choice=False)
    mode = RadioField(
        _l("Choix des questions"),
        choices=[
            SelectChoice(
                AssessmentMode.ADAPTIVE.value,
                _l("Adaptatif : les questions s'ajustent aux réponses"),
            ),
            SelectChoice(
                AssessmentMode.FIXED.value, _l("Liste fixe : les mêmes questions pour tous")
            ),
        ],
        default=AssessmentMode.ADAPTIVE.value,
    )
    lowest_level = SelectField(_l("Du niveau"), choices=LEVEL_CHOICES, coerce=int, default=1)
    highest_level = SelectField(_l("Au niveau"), choices=LEVEL_CHOICES, coerce=int, default=3)
    min_items = IntegerField(_l("Nombre minimum de questions"), validators=[Optional()], default=10)
    max_items = IntegerField(
        _l("Nombre maximum de questions"),
        validators=[Optional()],
        default=24,
        description=_l("Pour une liste fixe : le nombre de questions de la liste."),
    )
    target_se = SelectField(
        _l("Arrêt anticipé"),
        choices=[
            SelectChoice("", _l("Non : poser le nombre maximum de questions")),
            SelectChoice("0.5", _l("Dès que la mesure est assez précise (erreur type 0,5)")),
            SelectChoice("0.4", _l("Dès que la mesure est très précise (erreur type 0,4)")),
        ],
        default="",
        description=_l("Seulement en adaptatif, après le nombre minimum de questions."),
    )
    time_limit_minutes = IntegerField(
        _l("Durée limite, en minutes"),
        validators=[Optional()],
        description=_l("Laissez vide : pas de limite de temps (conseillé)."),
    )
    accessible_only = BooleanField(
        _l("Aménagement : seulement des questions adaptées aux personnes aveugles ou daltoniennes")
    )
    opens_on = DateField(
        _l("Date d'ouverture"),
        validators=[Optional()],
        description=_l("Laissez vide pour ouvrir tout de suite."),
    )
    closes_on = DateField(
        _l("Date de fermeture"),
        validators=[Optional()],
        description=_l("La campagne ferme ce jour-là à 23 h 59. Laissez vide : vous la fermerez."),
    )
    action = SelectField(
        _l("Action financée"),
        validate_choice=False,
        description=_l(
            "Facultatif : les passages et les badges de la campagne compteront pour cette action."
        ),
    )
    submit = SubmitField(_l("Créer la campagne"))

    def offer(self, db: Session, organisation_id: int, locale: str = "fr") -> None:
        """Fill the choices with what this organisation may build on (titles in English when
        the interface is and the content has them)."""
        self.english = locale.startswith("en")
        self.frameworks: list[Framework] = campaign_creation.frameworks_for(db, organisation_id)
        self.competences_of: dict[int, list[Competence]] = (
            campaign_creation.competences_by_framework(db, self.frameworks)
        )
        self.framework.choices = [SelectChoice(str(f.id), self.title(f)) for f in self.frameworks]
        own, shipped = _l("Évaluations de votre structure"), _l("Évaluations livrées avec Jalon")
        self.assessment.choices = [SelectChoice("", _l("Choisissez une évaluation"))] + [
            SelectChoice(str(a.id), a.title, optgroup=str(own if a.organisation_id else shipped))
            for a in campaign_creation.assessments_for(db, organisation_id)
        ]
        self.action.choices = [SelectChoice("", _l("Aucune"))] + [
            SelectChoice(str(a.id), a.title) for a in actions.open_actions(db, organisation_id)
        ]
        self.competences.choices = [
            SelectChoice(f"{framework_id}:{c.code}", c.code)
            for framework_id, competences in self.competences_of.items()
            for c in competences
        ]

    def title(self, entry: Framework | Competence) -> str:
        return (self.english and entry.title_en) or entry.title_fr

    def _chosen(self) -> list[tuple[str, str]]:
        """The ticked competences as (framework id, code)."""
        chosen = []
        for value in self.competences.data or []:
            framework, colon, code = value.partition(":")
            chosen.append((framework, code) if colon else ("", value))
        return chosen

    def validate_competences(self, field: SelectMultipleField) -> None:
        if self.source.data != NEW:
            return
        elsewhere = [code for framework, code in self._chosen() if framework != self.framework.data]
        if elsewhere:
            raise ValidationError(
                _(
                    "Ces compétences ne sont pas dans le référentiel choisi : %(codes)s.",
                    codes=", ".join(elsewhere),
                )
            )

    def spec(self, timezone: str) -> CampaignSpec:
        """What the trainer asked for, dates in UTC."""
        zone = ZoneInfo(timezone)
        opens_at = _at(self.opens_on.data, time(0, 0), zone)
        closes_at = _at(self.closes_on.data, time(23, 59), zone)
        action_id = _int(self.action.data)
        if self.source.data == EXISTING:
            return CampaignSpec(
                self.name.data or "",
                _int(self.assessment.data),
                None,
                opens_at,
                closes_at,
                action_id,
            )
        return CampaignSpec(
            self.name.data or "", None, self._assessment(), opens_at, closes_at, action_id
        )

    def _assessment(self) -> AssessmentSpec:
        mode = AssessmentMode(self.mode.data)
        return AssessmentSpec(
            framework_id=_int(self.framework.data) or 0,
            competence_codes=tuple(code for _, code in self._chosen()),
            mode=mode,
            min_items=_or(self.min_items.data, 10),
            max_items=_or(self.max_items.data, 24),
            target_se=float(self.target_se.data) if self.target_se.data else None,
            time_limit_minutes=self.time_limit_minutes.data,
            accessible_only=bool(self.accessible_only.data),
            lowest_level=self.lowest_level.data,
            highest_level=self.highest_level.data,
        )

    def show(self, error: InvalidCampaign) -> None:
        """Put each of the domain's problems on its field, in the visitor's language."""
        for problem in error.problems:
            message = str(PROBLEM_MESSAGES[problem.code])
            if problem.params:
                message = message % problem.params
            field = getattr(self, FORM_FIELDS.get(problem.field, problem.field))
            field.errors = [*field.errors, message]


def _at(day: date | None, moment: time, zone: ZoneInfo) -> datetime | None:
    return None if day is None else datetime.combine(day, moment, zone).astimezone(ZoneInfo("UTC"))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _or(value: int | None, default: int) -> int:
    return default if value is None else value


class EditCampaignForm(FlaskForm):
    """The campaign's name, dates and its assessment's settings (the same fields as at
    creation); a date left as it was keeps the exact moment stored."""

    name = NewCampaignForm.name
    min_items = NewCampaignForm.min_items
    max_items = NewCampaignForm.max_items
    target_se = NewCampaignForm.target_se
    time_limit_minutes = NewCampaignForm.time_limit_minutes
    accessible_only = NewCampaignForm.accessible_only
    opens_on = NewCampaignForm.opens_on
    closes_on = NewCampaignForm.closes_on
    submit = SubmitField(_l("Enregistrer les changements"))
    show = NewCampaignForm.show

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        kept = (kwargs.get("data") or {}).get("target_se")
        if kept and kept not in {c.value for c in self.target_se.choices}:
            label = _("Dès que l'erreur type est sous %(se)s", se=kept.replace(".", ","))
            self.target_se.choices = [*self.target_se.choices, SelectChoice(kept, label)]

    @staticmethod
    def initial(campaign: Campaign, timezone: str) -> dict[str, Any]:
        now = campaign_editing.current(campaign)
        zone = ZoneInfo(timezone)
        return {
            "name": now.name,
            "min_items": now.min_items,
            "max_items": now.max_items,
            "target_se": "" if now.target_se is None else str(now.target_se),
            "time_limit_minutes": now.time_limit_minutes,
            "accessible_only": now.accessible_only,
            "opens_on": now.opens_at.astimezone(zone).date(),
            "closes_on": now.closes_at.astimezone(zone).date() if now.closes_at else None,
        }

    def changes(self, campaign: Campaign, timezone: str) -> CampaignChanges:
        zone = ZoneInfo(timezone)
        was = self.initial(campaign, timezone)
        opens_at = None
        if self.opens_on.data != was["opens_on"]:
            opens_at = _at(self.opens_on.data, time(0, 0), zone)
        closes_at = campaign.closes_at
        if self.closes_on.data != was["closes_on"]:
            closes_at = _at(self.closes_on.data, time(23, 59), zone)
        return CampaignChanges(
            name=self.name.data or "",
            opens_at=opens_at,
            closes_at=closes_at,
            time_limit_minutes=self.time_limit_minutes.data,
            accessible_only=bool(self.accessible_only.data),
            min_items=_or(self.min_items.data, campaign.assessment.min_items),
            max_items=_or(self.max_items.data, campaign.assessment.max_items),
            target_se=float(self.target_se.data) if self.target_se.data else None,
        )


class CampaignActionForm(FlaskForm):
    """Open now, close now, archive: a button whose form carries the CSRF token."""
