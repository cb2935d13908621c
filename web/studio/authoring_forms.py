"""Forms of the framework pages: create, copy, edit a framework, its domains and competences,
and upload a content file. The content rules themselves are checked by the domain
(``assessments.authoring``): :func:`show_problems` puts its located refusals on these fields."""

from __future__ import annotations

from typing import ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, Optional, Regexp

from assessments.authoring import (
    AlignmentFields,
    CompetenceFields,
    FrameworkFields,
    Problem,
)

REQUIRED_TITLE = _l("Écrivez le titre en français.")
TOO_LONG = _l("C'est trop long.")
SLUG_HINT = _l(
    "Minuscules, chiffres et tirets, par exemple : agent-accueil. "
    "Il sert dans les identifiants des questions et ne change plus."
)
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$"
CODE_MESSAGE = _l("Lettres, chiffres, points ou tirets, sans espace, par exemple : 1.2")


def _text(label, max_length: int, required: bool = False, **kwargs) -> StringField:
    validators = [InputRequired(REQUIRED_TITLE)] if required else [Optional()]
    validators.append(Length(max=max_length, message=TOO_LONG))
    return StringField(label, validators=validators, **kwargs)


class FrameworkForm(FlaskForm):
    title_fr = _text(_l("Titre (français)"), 200, required=True)
    title_en = _text(_l("Titre (anglais, facultatif)"), 200)
    colour = _text(
        _l("Couleur des badges et graphiques (facultatif)"),
        7,
        description=_l("Au format #rrggbb, par exemple #1f5fa8."),
    )
    source_url = _text(_l("Adresse de la source (facultatif)"), 500)
    occupation_esco_uri = _text(
        _l("Métier ESCO : adresse (URI) (facultatif)"),
        300,
        description=_l("Par exemple : http://data.europa.eu/esco/occupation/…"),
    )
    occupation_name = _text(_l("Métier ESCO : nom"), 200)
    certification_register = SelectField(
        _l("Certification : répertoire"),
        choices=[("", _l("Aucune")), ("RNCP", "RNCP"), ("RS", "RS")],
        default="",
    )
    certification_code = _text(
        _l("Certification : code"), 32, description=_l("Par exemple : RNCP37674 ou RS5678.")
    )
    certification_title = _text(_l("Certification : intitulé"), 300)
    certification_url = _text(_l("Certification : adresse de la fiche"), 500)
    certification_valid_until = DateField(
        _l("Certification : fin de validité"),
        validators=[Optional()],
        format="%Y-%m-%d",
    )
    submit = SubmitField(_l("Enregistrer le référentiel"))

    PATHS: ClassVar[dict[str, str]] = {
        "title": "title_fr",
        "title.fr": "title_fr",
        "title.en": "title_en",
        "colour": "colour",
        "source_url": "source_url",
        "occupation": "occupation_esco_uri",
        "occupation.esco_uri": "occupation_esco_uri",
        "occupation.name": "occupation_name",
        "certification": "certification_register",
        "certification.register": "certification_register",
        "certification.code": "certification_code",
        "certification.title": "certification_title",
        "certification.url": "certification_url",
        "certification.valid_until": "certification_valid_until",
    }

    def fields(self) -> FrameworkFields:
        return FrameworkFields(
            title_fr=self.title_fr.data.strip(),
            title_en=(self.title_en.data or "").strip() or None,
            colour=self.colour.data or None,
            source_url=self.source_url.data or None,
            occupation_esco_uri=self.occupation_esco_uri.data or None,
            occupation_name=self.occupation_name.data or None,
            certification_register=self.certification_register.data or None,
            certification_code=self.certification_code.data or None,
            certification_title=self.certification_title.data or None,
            certification_url=self.certification_url.data or None,
            certification_valid_until=self.certification_valid_until.data,
        )


class NewFrameworkForm(FrameworkForm):
    slug = StringField(
        _l("Code court du référentiel"),
        validators=[InputRequired(_l("Écrivez un code court, par exemple : agent-accueil."))],
        description=SLUG_HINT,
    )
    PATHS: ClassVar[dict[str, str]] = {**FrameworkForm.PATHS, "slug": "slug"}


class CopyFrameworkForm(FlaskForm):
    slug = StringField(
        _l("Code court de la copie"),
        validators=[InputRequired(_l("Écrivez un code court, par exemple : crcn-mon-asso."))],
        description=SLUG_HINT,
    )
    title_fr = _text(_l("Titre de la copie"), 200, required=True)
    submit = SubmitField(_l("Copier dans ma structure"))
    PATHS: ClassVar[dict[str, str]] = {"slug": "slug", "title": "title_fr", "title.fr": "title_fr"}


class DomainForm(FlaskForm):
    code = StringField(
        _l("Code du domaine"),
        validators=[
            InputRequired(_l("Écrivez un code, par exemple : 1")),
            Regexp(CODE_PATTERN, message=CODE_MESSAGE),
        ],
    )
    title_fr = _text(_l("Titre du domaine (français)"), 300, required=True)
    title_en = _text(_l("Titre du domaine (anglais, facultatif)"), 300)
    submit = SubmitField(_l("Enregistrer le domaine"))
    PATHS: ClassVar[dict[str, str]] = {"code": "code", "title": "title_fr", "title.fr": "title_fr"}


class LevelRow(Form):
    text_fr = TextAreaField(_l("Ce que sait faire la personne (français)"), validators=[Optional()])
    text_en = TextAreaField(_l("En anglais (facultatif)"), validators=[Optional()])


class AlignmentRow(Form):
    framework = _text(_l("Référentiel externe (ESCO, RNCP, RS, DigComp…)"), 200)
    code = _text(_l("Code"), 100)
    name = _text(_l("Intitulé"), 300)
    url = _text(_l("Adresse (URI ESCO ou fiche)"), 500)


class CompetenceForm(FlaskForm):
    domain_id = SelectField(_l("Domaine"), coerce=int)
    code = StringField(
        _l("Code de la compétence"),
        validators=[
            InputRequired(_l("Écrivez un code, par exemple : 1.2")),
            Regexp(CODE_PATTERN, message=CODE_MESSAGE),
        ],
    )
    title_fr = _text(_l("Titre (français)"), 300, required=True)
    title_en = _text(_l("Titre (anglais, facultatif)"), 300)
    description_fr = TextAreaField(_l("Description (français, facultatif)"))
    description_en = TextAreaField(_l("Description (anglais, facultatif)"))
    levels = FieldList(FormField(LevelRow), min_entries=8, max_entries=8)
    alignments = FieldList(FormField(AlignmentRow), min_entries=3, max_entries=3)
    submit = SubmitField(_l("Enregistrer la compétence"))
    PATHS: ClassVar[dict[str, str]] = {
        "code": "code",
        "title": "title_fr",
        "title.fr": "title_fr",
        "description": "description_fr",
    }

    def field_for(self, path: str):
        """The field a domain problem (``levels.3``, ``alignments[1].url``) belongs to."""
        if path.startswith("levels."):
            level = path.split(".")[1]
            if level.isdigit() and 1 <= int(level) <= 8:
                return self.levels[int(level) - 1].form.text_fr
        if path.startswith("alignments["):
            index = int(path[len("alignments[") : path.index("]")])
            rest = path[path.index("]") + 1 :].lstrip(".") or "framework"
            row = self.alignments[index].form if index < len(self.alignments) else None
            if row is not None:
                return getattr(row, rest, row.framework)
        name = self.PATHS.get(path)
        return getattr(self, name) if name else None

    def fields(self) -> CompetenceFields:
        return CompetenceFields(
            domain_id=self.domain_id.data,
            code=self.code.data.strip(),
            title_fr=self.title_fr.data.strip(),
            title_en=(self.title_en.data or "").strip() or None,
            description_fr=(self.description_fr.data or "").strip() or None,
            description_en=(self.description_en.data or "").strip() or None,
            levels={
                n: (row.text_fr.data.strip(), (row.text_en.data or "").strip() or None)
                for n, row in enumerate((e.form for e in self.levels), start=1)
                if (row.text_fr.data or "").strip()
            },
            alignments=[
                AlignmentFields(
                    framework=(row.framework.data or "").strip(),
                    code=row.code.data or None,
                    name=row.name.data or None,
                    url=row.url.data or None,
                )
                for row in (e.form for e in self.alignments)
                if any((row[f].data or "").strip() for f in ("framework", "code", "name", "url"))
            ],
        )

    def load(self, fields: CompetenceFields) -> None:
        self.domain_id.data = fields.domain_id
        for name in ("code", "title_fr", "title_en", "description_fr", "description_en"):
            getattr(self, name).data = getattr(fields, name)
        for level, (fr, en) in fields.levels.items():
            row = self.levels[level - 1].form
            row.text_fr.data, row.text_en.data = fr, en
        for row, alignment in zip(self.alignments, fields.alignments, strict=False):
            for name in ("framework", "code", "name", "url"):
                row.form[name].data = getattr(alignment, name)


class ImportForm(FlaskForm):
    file = FileField(
        _l("Fichier du référentiel (JSON, ou zip avec les images)"),
        description=_l(
            "Le format d'export de Jalon : un référentiel et ses questions ; un zip y joint "
            "les images des questions (SVG ou PNG, 512 Ko au plus chacune)."
        ),
    )
    submit = SubmitField(_l("Vérifier le fichier (rien n'est importé)"))


class ConfirmImportForm(FlaskForm):
    token = HiddenField()
    submit = SubmitField(_l("Importer ce fichier"))


class ActionForm(FlaskForm):
    """A button that posts (status changes, validating drafts): CSRF only."""

    status = HiddenField()


def show_problems(form, problems: list[Problem]) -> None:
    """Put each located refusal on its field; one without a field goes on top of the form."""
    for path, message in problems:
        target = form.field_for(path) if hasattr(form, "field_for") else None
        if target is None and path in getattr(form, "PATHS", {}):
            target = getattr(form, form.PATHS[path])
        if target is None:
            form.form_errors.append(f"{path} : {message}" if path else message)
        else:
            target.errors = [*target.errors, message]
