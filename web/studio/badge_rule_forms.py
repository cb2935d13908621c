"""The award rule builder's form: a mode, a framework and condition rows, read and written
through ``badges.rule_drafts`` (the form never writes JSON itself).

It works without JavaScript: the rows are plain fieldsets, « Ajouter une condition » and
« Retirer » are submit buttons that re-render the page with one row more or less.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.fields.choices import SelectChoice

from badges import award_rules, rule_drafts
from badges.rule_drafts import ConditionDraft, EvidenceDraft, RuleDraft
from badges.rule_editing import FrameworkChoice
from web.studio.item_forms import MultiCheckboxField

MAX_CONDITIONS = 12
CONDITION_TYPES = [
    SelectChoice("", _l("— choisir une condition —")),
    SelectChoice("competence_level", _l("Une compétence à un niveau minimal")),
    SelectChoice("competences_at_level", _l("Au moins N compétences à un niveau")),
    SelectChoice("score", _l("Un score minimal")),
    SelectChoice("completion", _l("Avoir terminé l'évaluation")),
    SelectChoice("referral", _l("Une orientation (diagnostic Premiers pas)")),
]
REFERRAL_CHOICES = [
    SelectChoice("autonome", _l("Autonome")),
    SelectChoice("a_accompagner", _l("À accompagner")),
    SelectChoice("atelier_initiation", _l("Atelier d'initiation")),
]
PRACTICE_CHOICES = [
    SelectChoice("task_webmail", _l("Un courriel (messagerie simulée)")),
    SelectChoice("task_form", _l("Un formulaire en ligne (démarche simulée)")),
    SelectChoice("task_phishing", _l("Repérer une arnaque")),
    SelectChoice("task_procedure", _l("Une démarche en ligne de bout en bout (écran par écran)")),
]
LEVELS = [SelectChoice("", "—")] + [SelectChoice(str(n), str(n)) for n in range(1, 9)]
COUNTS = [SelectChoice("", "—")] + [SelectChoice(str(n), str(n)) for n in range(1, 17)]


def optional_number(value: Any) -> float | None:
    """A decimal number typed with a comma or a point, None when empty or not a number."""
    text = str(value).strip().replace(",", ".") if value is not None else ""
    try:
        number = float(text) if text and len(text) <= 8 else None
    except ValueError:
        return None
    return number if number is not None and 0 < number < 100 else None


def optional_int(value: Any) -> int | None:
    """A number typed or chosen, None when empty or not a whole number (validation says so)."""
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() and len(text) <= 6 else None


class ConditionRow(Form):
    type = SelectField(_l("Condition"), choices=CONDITION_TYPES, default="", validate_choice=False)
    competence = SelectField(_l("Compétence"), validate_choice=False)
    min_level = SelectField(_l("Niveau minimal"), choices=LEVELS, validate_choice=False)
    count = SelectField(_l("Nombre de compétences"), choices=COUNTS, validate_choice=False)
    competences = MultiCheckboxField(
        _l("Parmi ces compétences"),
        validate_choice=False,
        description=_l("Aucune cochée : toutes les compétences du référentiel comptent."),
    )
    min_score = StringField(
        _l("Score minimal (points)"), render_kw={"inputmode": "numeric", "autocomplete": "off"}
    )
    referrals = MultiCheckboxField(
        _l("Orientations acceptées"), choices=REFERRAL_CHOICES, validate_choice=False
    )
    remove = SubmitField(_l("Retirer cette condition"))

    def draft(self) -> ConditionDraft:
        return ConditionDraft(
            type=self.type.data or "",
            competence=self.competence.data or "",
            competences=tuple(self.competences.data or ()),
            min_level=optional_int(self.min_level.data),
            count=optional_int(self.count.data),
            min_score=optional_int(self.min_score.data),
            referrals=tuple(self.referrals.data or ()),
        )


class RuleForm(FlaskForm):
    mode = RadioField(
        _l("Comment le badge est obtenu"),
        choices=[
            SelectChoice("all", _l("Automatiquement, quand toutes les conditions sont remplies")),
            SelectChoice("any", _l("Automatiquement, quand au moins une condition est remplie")),
            SelectChoice(award_rules.MANUAL, _l("À la main seulement (stage, plateau technique…)")),
        ],
        default=award_rules.MANUAL,
        validate_choice=False,
    )
    framework = SelectField(_l("Référentiel de l'évaluation"), validate_choice=False)
    show_framework = SubmitField(_l("Afficher les compétences de ce référentiel"))
    conditions = FieldList(FormField(ConditionRow), min_entries=1, max_entries=MAX_CONDITIONS)
    add = SubmitField(_l("Ajouter une condition"))
    min_answers = StringField(
        _l("Réponses au moins, par compétence demandée"),
        description=_l("Vide : pas de minimum. Une évaluation sur tout un référentiel pose une ou "
                       "deux questions par compétence ; 5 ou plus demande une évaluation ciblée."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )  # fmt: skip
    max_se = StringField(
        _l("Erreur de mesure au plus, par compétence demandée"),
        description=_l("Vide : pas de limite. Par exemple 0,6."),
        render_kw={"inputmode": "decimal", "autocomplete": "off"},
    )
    confidence = StringField(
        _l("Certitude du niveau demandé, en %"),
        description=_l("Vide : le niveau estimé suffit. Par exemple 90 : le badge n'est donné "
                       "que si le niveau demandé est atteint avec 9 chances sur 10."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )  # fmt: skip
    practice = MultiCheckboxField(
        _l("Mises en situation à réussir (une de chaque sorte cochée)"),
        choices=PRACTICE_CHOICES,
        validate_choice=False,
    )
    preview = SubmitField(_l("Mettre à jour la règle en clair"))
    campaign = SelectField(_l("Campagne"), validate_choice=False)
    try_rule = SubmitField(_l("Qui l'obtiendrait ?"))
    save = SubmitField(_l("Enregistrer la règle"))

    @classmethod
    def of(cls, draft: RuleDraft, campaign: str = "") -> RuleForm:
        """A form showing ``draft`` (nothing read from the request)."""
        rows = [_row_data(c) for c in draft.conditions] or [{}]
        ev = draft.evidence
        return cls(
            formdata=None,
            data={
                "mode": draft.mode,
                "framework": draft.framework,
                "conditions": rows,
                "campaign": campaign,
                "min_answers": "" if ev.min_answers is None else str(ev.min_answers),
                "max_se": "" if ev.max_se is None else str(ev.max_se).replace(".", ","),
                "confidence": "" if ev.confidence is None else f"{ev.confidence * 100:g}",
                "practice": list(ev.practice),
            },
        )

    def offer(self, choices: Sequence[FrameworkChoice], campaigns: Sequence[Any]) -> None:
        """Fill the lists: frameworks, the chosen framework's competences, the campaigns."""
        self.framework.choices = [SelectChoice("", _l("— choisir —"))] + [
            SelectChoice(c.slug, c.title) for c in choices
        ]
        chosen = next((c for c in choices if c.slug == self.framework.data), None)
        competences = (
            [SelectChoice(code, f"{code} {title}") for code, title in chosen.competences]
            if chosen
            else []
        )
        for entry in self.conditions:
            row = entry.form
            row.competence.choices = [SelectChoice("", _l("— choisir —")), *competences]
            row.competences.choices = competences
        self.campaign.choices = [SelectChoice("", _l("— choisir une campagne —"))] + [
            SelectChoice(str(c.id), c.name) for c in campaigns
        ]

    def draft(self) -> RuleDraft:
        """The rule as filled in (its rows kept even in manual mode: ``to_rule`` drops them)."""
        mode = self.mode.data if self.mode.data in ("all", "any", award_rules.MANUAL) else "all"
        return RuleDraft(
            mode=mode,
            framework=self.framework.data or "",
            conditions=tuple(entry.form.draft() for entry in self.conditions),
            evidence=EvidenceDraft(
                min_answers=optional_int(self.min_answers.data),
                max_se=optional_number(self.max_se.data),
                confidence=_share(self.confidence.data),
                practice=tuple(p for p in self.practice.data or () if isinstance(p, str)),
            ),
        )

    def change_rows(self) -> bool:
        """Add a blank row or remove one when those buttons were pressed; True if done."""
        rows = self.conditions
        removed = next((i for i, e in enumerate(rows) if e.form.remove.data), None)
        if removed is not None:
            rows.entries.pop(removed)
            if not rows.entries:
                rows.append_entry()
            return True
        if self.add.data and len(rows.entries) < MAX_CONDITIONS:
            rows.append_entry()
            return True
        return bool(self.add.data)

    def check_rows(self) -> bool:
        """Put a French message on each row field its condition needs and lacks."""
        if self.mode.data == award_rules.MANUAL:
            return True
        fine = True
        if self.mode.data not in rule_drafts.MODES:
            self.mode.errors = [_l("Choisissez comment le badge est obtenu.")]
            fine = False
        if not self.framework.data:
            self.framework.errors = [_l("Choisissez le référentiel de l'évaluation.")]
            fine = False
        if all(entry.form.draft().is_blank for entry in self.conditions):
            self.form_errors.append(
                _l("Ajoutez au moins une condition, ou choisissez « À la main seulement ».")
            )
            fine = False
        fine = self._check_evidence() and fine
        for entry in self.conditions:
            for field, message in _missing(entry.form):
                field.errors = [*field.errors, message]
                fine = False
        return fine

    def _check_evidence(self) -> bool:
        """A French message on an evidence field typed but not a usable number."""
        fine = True
        count = optional_int(self.min_answers.data)
        if (self.min_answers.data or "").strip() and not (
            count is not None and 1 <= count <= award_rules.MAX_MIN_ANSWERS
        ):
            self.min_answers.errors = [_l("Écrivez un nombre entier entre 1 et 50, ou rien.")]
            fine = False
        se = optional_number(self.max_se.data)
        if (self.max_se.data or "").strip() and not (se is not None and se <= 2):
            self.max_se.errors = [_l("Écrivez un nombre entre 0,1 et 2, par exemple 0,6, ou rien.")]
            fine = False
        if (self.confidence.data or "").strip() and _share(self.confidence.data) is None:
            self.confidence.errors = [_l("Écrivez un pourcentage entre 50 et 99, ou rien.")]
            fine = False
        return fine


def _share(value: Any) -> float | None:
    """A percentage typed (50 to 99) as a probability, None when empty or out of range."""
    number = optional_number(value)
    return round(number / 100, 4) if number is not None and 50 <= number < 100 else None


def _missing(row: ConditionRow) -> list[tuple[Any, Any]]:
    """(field, message) for what the row's condition needs and lacks."""
    kind, draft = row.type.data, row.draft()
    if kind and kind not in award_rules.CONDITION_TYPES:
        return [(row.type, _l("Choisissez une condition dans la liste."))]
    missing = []
    if kind == "competence_level" and not draft.competence:
        missing.append((row.competence, _l("Choisissez la compétence.")))
    if kind in ("competence_level", "competences_at_level") and draft.min_level is None:
        missing.append((row.min_level, _l("Choisissez le niveau minimal.")))
    if kind == "competences_at_level" and draft.count is None:
        missing.append((row.count, _l("Choisissez combien de compétences.")))
    if kind == "score" and draft.min_score is None:
        missing.append((row.min_score, _l("Écrivez un nombre entier de points, par exemple 40.")))
    if kind == "referral" and not draft.referrals:
        missing.append((row.referrals, _l("Cochez au moins une orientation.")))
    return missing


def _row_data(condition: ConditionDraft) -> dict[str, Any]:
    def text(value: int | None) -> str:
        return "" if value is None else str(value)

    return {
        "type": condition.type,
        "competence": condition.competence,
        "competences": list(condition.competences),
        "min_level": text(condition.min_level),
        "count": text(condition.count),
        "min_score": text(condition.min_score),
        "referrals": list(condition.referrals),
    }
