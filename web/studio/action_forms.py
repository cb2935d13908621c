"""Forms of the association's actions pages: an action, an enrolment, an exit, a situation, a
CSV import, and the archive button. They read what was typed into the domain's specs; the
domain checks the rules and its problems come back on their fields (:func:`show`)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from learners import communes, target_jobs
from learners.action_problems import InvalidEntry
from learners.actions import ActionSpec
from learners.enrolments import EnrolmentSpec, ExitSpec
from learners.models import ExitReason, OutcomeMoment, PublicStatus, Referrer, Sex, Situation
from web.studio.action_labels import (
    EXIT_REASONS,
    MOMENTS,
    PUBLIC_STATUSES,
    REFERRERS,
    SEXES,
    SITUATIONS,
    TYPOLOGIES,
    sentence,
)


class CheckboxesField(SelectMultipleField):
    """Several choices shown as checkboxes (rendered in a fieldset by the template)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _choices(labels) -> list[SelectChoice]:
    return [SelectChoice(key.value, label) for key, label in labels.items()]


def _with_blank(labels) -> list[SelectChoice]:
    return [SelectChoice("", _l("Choisissez")), *_choices(labels)]


def _rate(label) -> IntegerField:
    return IntegerField(
        label,
        validators=[
            Optional(),
            NumberRange(0, 100, _l("Un taux est un pourcentage entre 0 et 100.")),
        ],
        description=_l("En pourcentage, de 0 à 100. Laissez vide s'il n'est pas prévu."),
    )


def show(form: FlaskForm, error: InvalidEntry) -> None:
    """Put each of the domain's problems on its field (or above the form)."""
    for problem in error.problems:
        target = getattr(form, problem.field, None)
        if target is None:
            form.form_errors.append(sentence(problem))
        else:
            target.errors = [*target.errors, sentence(problem)]


class ActionForm(FlaskForm):
    title = StringField(
        _l("Intitulé de l'action"),
        validators=[
            Length(max=200, message=_l("Cet intitulé est trop long : 200 caractères au plus."))
        ],
        render_kw={"autocomplete": "off"},
    )
    typologies = CheckboxesField(_l("Typologies de l'appel à projets"), validate_choice=False)
    target_jobs = CheckboxesField(_l("Métiers visés"), validate_choice=False)
    first_year = IntegerField(_l("Première année"), validators=[Optional()])
    last_year = IntegerField(_l("Dernière année"), validators=[Optional()])
    communes = SelectMultipleField(
        _l("Communes où l'action se déroule"),
        validate_choice=False,
        description=_l("Maintenez Ctrl (ou Cmd) pour en choisir plusieurs."),
        render_kw={"size": 10},
    )
    planned_beneficiaries = IntegerField(
        _l("Bénéficiaires prévus"),
        validators=[Optional()],
        description=_l("Au moins 10."),
    )
    planned_completion_rate = _rate(_l("Taux de parcours complets prévu"))
    planned_success_rate = _rate(_l("Taux de réussite aux certifications ou badges prévu"))
    planned_employment_rate = _rate(_l("Taux d'accès à l'emploi ou à la formation prévu"))
    submit = SubmitField(_l("Enregistrer l'action"))

    def offer(self) -> None:
        self.typologies.choices = _choices(TYPOLOGIES)
        self.target_jobs.choices = [
            SelectChoice(c, n) for c, n in target_jobs.target_jobs().items()
        ]
        self.communes.choices = [
            SelectChoice(c.code, f"{c.name} ({c.code})") for c in communes.all_communes()
        ]

    def spec(self) -> ActionSpec:
        return ActionSpec(
            title=self.title.data or "",
            typologies=tuple(self.typologies.data or ()),
            first_year=self.first_year.data,
            last_year=self.last_year.data,
            planned_beneficiaries=self.planned_beneficiaries.data,
            target_jobs=tuple(self.target_jobs.data or ()),
            communes=tuple(self.communes.data or ()),
            planned_completion_rate=self.planned_completion_rate.data,
            planned_success_rate=self.planned_success_rate.data,
            planned_employment_rate=self.planned_employment_rate.data,
        )


class EnrolmentForm(FlaskForm):
    learner = SelectField(_l("Apprenant"), validate_choice=False)
    referrer = SelectField(_l("Service orienteur"), choices=_with_blank(REFERRERS))
    entry_date = DateField(_l("Date d'entrée"), validators=[Optional()], format="%Y-%m-%d")
    sessions_planned = IntegerField(
        _l("Séances prévues"), validators=[Optional()], description=_l("Peut rester vide.")
    )
    public_status = SelectField(_l("Statut du public"), choices=_with_blank(PUBLIC_STATUSES))
    sex = RadioField(_l("Sexe"), choices=_choices(SEXES), default=Sex.NOT_STATED.value)
    birth_year = IntegerField(
        _l("Année de naissance"), validators=[Optional()], description=_l("Par exemple : 1985.")
    )
    commune_code = SelectField(_l("Commune de résidence"), validate_choice=False)
    submit = SubmitField(_l("Inscrire à l'action"))

    def offer(self, learners) -> None:
        self.learner.choices = [SelectChoice("", _l("Choisissez un apprenant"))] + [
            SelectChoice(str(u.id), f"{u.display_name} ({u.login})") for u in learners
        ]
        self.commune_code.choices = [SelectChoice("", _l("Non renseignée"))] + [
            SelectChoice(c.code, f"{c.name} ({c.code})") for c in communes.all_communes()
        ]

    def spec(self) -> EnrolmentSpec:
        return EnrolmentSpec(
            referrer=Referrer(self.referrer.data) if self.referrer.data else None,
            entry_date=self.entry_date.data,
            public_status=PublicStatus(self.public_status.data)
            if self.public_status.data
            else None,
            sex=Sex(self.sex.data) if self.sex.data else Sex.NOT_STATED,
            birth_year=self.birth_year.data,
            commune_code=self.commune_code.data or None,
            sessions_planned=self.sessions_planned.data,
        )


class ExitForm(FlaskForm):
    exit_date = DateField(_l("Date de sortie"), validators=[Optional()], format="%Y-%m-%d")
    reason = SelectField(_l("Motif de sortie"), choices=_with_blank(EXIT_REASONS))
    sessions_attended = IntegerField(_l("Séances suivies"), validators=[Optional()])
    justification = TextAreaField(
        _l("Justification"),
        validators=[Length(max=500, message=_l("C'est trop long : 500 caractères au plus."))],
        description=_l("Seulement si plus de séances ont été suivies que prévues."),
    )
    submit = SubmitField(_l("Enregistrer la sortie"))

    def spec(self) -> ExitSpec:
        return ExitSpec(
            exit_date=self.exit_date.data,
            reason=ExitReason(self.reason.data) if self.reason.data else None,
            sessions_attended=self.sessions_attended.data,
            justification=self.justification.data or "",
        )


class OutcomeForm(FlaskForm):
    moment = RadioField(_l("Moment"), choices=_choices(MOMENTS), default=OutcomeMoment.EXIT.value)
    situation = SelectField(_l("Situation"), choices=_with_blank(SITUATIONS))
    observed_on = DateField(
        _l("Constatée le"),
        validators=[Optional()],
        format="%Y-%m-%d",
        description=_l("Laissez vide : aujourd'hui."),
    )
    submit = SubmitField(_l("Enregistrer la situation"))

    def chosen(self) -> tuple[OutcomeMoment, Situation | None]:
        moment = OutcomeMoment(self.moment.data or OutcomeMoment.EXIT.value)
        return moment, Situation(self.situation.data) if self.situation.data else None


class ImportForm(FlaskForm):
    file = FileField(
        _l("Fichier CSV des inscriptions"),
        description=_l(
            "Séparateur « ; » ou « , », encodage UTF-8. "
            "Rien n'est inscrit avant que vous confirmiez."
        ),
    )
    submit = SubmitField(_l("Vérifier le fichier"))


class ConfirmImportForm(FlaskForm):
    token = HiddenField()
    submit = SubmitField(_l("Inscrire les lignes acceptées"))


class ArchiveForm(FlaskForm):
    submit = SubmitField(_l("Archiver l'action"))
