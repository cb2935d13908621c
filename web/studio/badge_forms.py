"""The achievement form of the badge studio: every field an OB 3.0 Achievement carries, read
into ``badges.achievement_design.AchievementFields`` with each refusal on its field, in French.

The image is either drawn by Jalon (colour, icon, text) or uploaded (PNG or SVG, checked by
``badges.image_uploads``). An accepted upload rides along in a hidden field, so the preview,
or a mistake elsewhere in the form, never makes the trainer send the file again; what comes
back from the browser is checked again, like any upload.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from sqlalchemy.orm import Session
from wtforms import (
    DateField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional

from assessments.campaign_creation import frameworks_for
from badges import achievement_design, alignment_targets, awarding, image_uploads
from badges.achievement_design import AchievementFields, Medallion
from badges.alignment_targets import AlignmentRefused, Registration
from badges.image_uploads import BadgeImage, ImageRefused
from badges.models import Achievement
from web.studio.authoring_forms import TOO_LONG

ALIGNMENT_ROWS = 3

TYPE_LABELS = {
    "Achievement": _l("Réussite"),
    "ApprenticeshipCertificate": _l("Certificat d'apprentissage"),
    "Assessment": _l("Évaluation"),
    "Assignment": _l("Travail rendu"),
    "AssociateDegree": _l("Diplôme de premier cycle court"),
    "Award": _l("Prix, distinction"),
    "Badge": _l("Badge"),
    "BachelorDegree": _l("Licence (bachelor)"),
    "Certificate": _l("Certificat"),
    "CertificateOfCompletion": _l("Attestation de fin de formation"),
    "Certification": _l("Certification"),
    "CommunityService": _l("Engagement bénévole"),
    "Competency": _l("Compétence"),
    "Course": _l("Module de formation"),
    "CoCurricular": _l("Activité hors programme"),
    "Degree": _l("Diplôme universitaire"),
    "Diploma": _l("Diplôme"),
    "DoctoralDegree": _l("Doctorat"),
    "Fieldwork": _l("Mise en situation professionnelle"),
    "GeneralEducationDevelopment": _l("Équivalence du secondaire"),
    "JourneymanCertificate": _l("Certificat de compagnon"),
    "LearningProgram": _l("Parcours de formation"),
    "License": _l("Habilitation professionnelle"),
    "Membership": _l("Adhésion"),
    "ProfessionalDoctorate": _l("Doctorat professionnel"),
    "QualityAssuranceCredential": _l("Label qualité"),
    "MasterCertificate": _l("Certificat de maîtrise"),
    "MasterDegree": _l("Master"),
    "MicroCredential": _l("Microcertification"),
    "ResearchDoctorate": _l("Doctorat de recherche"),
    "SecondarySchoolDiploma": _l("Diplôme de fin d'études secondaires"),
}
ICON_LABELS = {
    "cursor": _l("Curseur de souris"),
    "keyboard": _l("Clavier"),
    "mail": _l("Enveloppe (courriel)"),
    "shield": _l("Bouclier"),
    "code": _l("Code informatique"),
    "fibre": _l("Fibre optique"),
    "chart": _l("Graphique"),
    "network": _l("Réseau"),
    "people": _l("Personnes"),
    "star": _l("Étoile"),
    "compass": _l("Boussole"),
    "briefcase": _l("Mallette"),
    "rack": _l("Baie de serveurs"),
}
IMAGE_REFUSALS = {
    "empty": _l("Le fichier est vide."),
    "too_large": _l("L'image dépasse 512 Ko : réduisez-la puis envoyez-la de nouveau."),
    "not_an_image": _l("Ce fichier n'est pas une image PNG ou SVG."),
    "bad_dimensions": _l("L'image doit mesurer entre 16 et 2048 pixels de côté."),
    "unreadable_png": _l("Cette image PNG est abîmée ou illisible."),
    "svg_doctype": _l("Image SVG refusée : elle contient une déclaration DOCTYPE ou des entités."),
    "svg_unreadable": _l("Image SVG refusée : le fichier n'est pas un XML lisible."),
    "svg_not_svg": _l("Image SVG refusée : le fichier n'est pas un dessin SVG."),
    "svg_script": _l("Image SVG refusée : elle contient un script."),
    "svg_event_handler": _l(
        "Image SVG refusée : elle contient du code lancé par un événement (onload, onclick…)."
    ),
    "svg_external_reference": _l(
        "Image SVG refusée : elle fait appel à un fichier ou à un site extérieur."
    ),
    "svg_foreign_object": _l("Image SVG refusée : elle contient du HTML (foreignObject)."),
    "svg_forbidden_element": _l("Image SVG refusée : elle contient un élément non autorisé."),
    "svg_too_complex": _l("Image SVG refusée : le dessin est trop complexe."),
}
ALIGNMENT_REFUSALS = {
    "esco_uri": _l(
        "Adresse ESCO attendue, par exemple : "
        "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"
    ),
    "register_code": _l("Code attendu : RNCP suivi de 3 à 6 chiffres, ou RS suivi de 3 à 5."),
    "name": _l("Écrivez l'intitulé de la compétence ou de la certification."),
    "dates_missing": _l("Indiquez les dates de début et de fin d'enregistrement."),
    "dates_order": _l("La date de fin vient avant la date de début."),
    "competence": _l("Choisissez une compétence dans la liste."),
}
MEDALLION_REFUSALS = {
    "colour": ("colour", _l("Couleur attendue au format #1f5fa8.")),
    "icon": ("icon", _l("Choisissez un dessin dans la liste.")),
    "label": ("label", _l("Écrivez un texte court (18 caractères au plus).")),
    "sublabel": ("sublabel", _l("28 caractères au plus pour la deuxième ligne.")),
}


class AlignmentForm(Form):
    """One alignment row; an empty kind means « no alignment here »."""

    kind = SelectField(
        _l("Type d'alignement"),
        choices=[
            ("", _l("Aucun")),
            ("competence", _l("Compétence d'un référentiel")),
            ("esco", _l("Compétence ou métier ESCO")),
            ("rncp", _l("Certification RNCP")),
            ("rs", _l("Certification RS (répertoire spécifique)")),
        ],
        default="",
    )
    competence = SelectField(_l("Compétence"), choices=[], validate_choice=False, default="")
    target = StringField(
        _l("Adresse ESCO ou code RNCP/RS"),
        validators=[Optional(), Length(max=300, message=TOO_LONG)],
        description=_l("Par exemple RNCP37674, RS5866 ou http://data.europa.eu/esco/skill/…"),
    )
    name = StringField(_l("Intitulé"), validators=[Optional(), Length(max=300, message=TOO_LONG)])
    valid_from = DateField(_l("Enregistrée depuis le"), validators=[Optional()])
    valid_until = DateField(_l("Enregistrée jusqu'au"), validators=[Optional()])


class AchievementForm(FlaskForm):
    name = StringField(
        _l("Nom du badge"),
        validators=[
            InputRequired(_l("Donnez un nom au badge.")),
            Length(max=200, message=TOO_LONG),
        ],
    )
    description = TextAreaField(
        _l("Ce que le badge atteste"),
        validators=[
            InputRequired(_l("Décrivez ce que le badge atteste.")),
            Length(max=4000, message=TOO_LONG),
        ],
    )
    criteria = TextAreaField(
        _l("Critères d'obtention"),
        validators=[
            InputRequired(_l("Écrivez les critères d'obtention du badge.")),
            Length(max=10_000, message=TOO_LONG),
        ],
        description=_l("Markdown accepté : **gras**, listes avec « - », liens [texte](https://…)."),
    )
    achievement_type = SelectField(
        _l("Type de réussite (Open Badges)"),
        choices=list(TYPE_LABELS.items()),
        default="Badge",
    )
    alignments = FieldList(
        FormField(AlignmentForm), min_entries=ALIGNMENT_ROWS, max_entries=ALIGNMENT_ROWS
    )
    tags = StringField(
        _l("Mots-clés"),
        validators=[Optional(), Length(max=500, message=TOO_LONG)],
        description=_l("Séparés par des virgules, par exemple : numérique, bureautique."),
    )
    validity_months = IntegerField(
        _l("Durée de validité du badge (en mois)"),
        validators=[
            Optional(),
            NumberRange(1, 120, _l("Entre 1 et 120 mois, ou laissez vide : sans limite.")),
        ],
        description=_l("Laissez vide pour un badge sans date de fin."),
    )
    results_framework = SelectField(
        _l("Résultats détaillés dans le badge"),
        choices=[],
        validate_choice=False,
        default="",
        description=_l("Le badge indique le niveau atteint à chaque compétence de ce référentiel."),
    )
    image_source = RadioField(
        _l("Image du badge"),
        choices=[
            ("medallion", _l("Dessinée par Jalon")),
            ("upload", _l("Mon image (PNG ou SVG, 512 Ko au plus)")),
            ("keep", _l("Garder l'image actuelle")),
        ],
        default="medallion",
    )
    colour = StringField(_l("Couleur"), default="#1f5fa8", render_kw={"type": "color"})
    icon = SelectField(_l("Dessin"), choices=list(ICON_LABELS.items()), default="star")
    label = StringField(_l("Texte du bandeau"), validators=[Length(max=18, message=TOO_LONG)])
    sublabel = StringField(
        _l("Deuxième ligne (facultative)"), validators=[Length(max=28, message=TOO_LONG)]
    )
    image_file = FileField(_l("Fichier image"), render_kw={"accept": "image/png,image/svg+xml"})
    kept_image = HiddenField()
    kept_media_type = HiddenField()
    image_alt = StringField(
        _l("Description de l'image (texte alternatif)"),
        validators=[
            InputRequired(_l("Décrivez l'image en quelques mots.")),
            Length(max=300, message=TOO_LONG),
        ],
        description=_l(
            "Lue par les lecteurs d'écran, par exemple : médaille bleue avec une étoile."
        ),
    )
    preview = SubmitField(_l("Voir l'aperçu"))
    submit = SubmitField(_l("Enregistrer"))

    # --------------------------------------------------------------- choices and filling

    def offer(self, db: Session, organisation_id: int, *, editing: bool) -> None:
        competences = achievement_design.competences_for(db, organisation_id)
        options = [("", _l("— Choisir —"))] + [
            (str(c.id), f"{c.framework.title_fr} — {c.code} {c.title_fr}") for c in competences
        ]
        for row in self.alignments:
            row.form.competence.choices = options
        self.results_framework.choices = [("", _l("Aucun"))] + [
            (str(f.id), f.title_fr) for f in frameworks_for(db, organisation_id)
        ]
        if not editing:
            self.image_source.choices = self.image_source.choices[:2]

    def fill(self, db: Session, organisation_id: int, achievement: Achievement) -> None:
        """The form as the saved achievement is (GET of the edit page)."""
        self.name.data = achievement.name
        self.description.data = achievement.description
        self.criteria.data = achievement.criteria_narrative
        self.achievement_type.data = achievement.achievement_type
        self.tags.data = ", ".join(achievement.tags or [])
        self.validity_months.data = achievement.validity_months
        self.image_alt.data = achievement.image_alt
        self.image_source.data = "keep"
        for key, value in (achievement.design or {}).items():
            getattr(self, key).data = value
        for row, alignment in zip(self.alignments, achievement.alignments or [], strict=False):
            _fill_alignment(row.form, alignment)
        self.results_framework.data = _results_framework(db, organisation_id, achievement)

    # --------------------------------------------------------------- reading

    def read(
        self, db: Session, organisation_id: int, current: Achievement | None
    ) -> AchievementFields | None:
        """The fields, or None with the refusals on their fields (nothing is written)."""
        image, medallion = self._image(current)
        alignments = self._alignments(db, organisation_id)
        results = self._results(db, organisation_id)
        if image is None or alignments is None or results is None:
            return None
        return AchievementFields(
            name=(self.name.data or "").strip(),
            description=(self.description.data or "").strip(),
            criteria_narrative=(self.criteria.data or "").strip(),
            achievement_type=self.achievement_type.data or "Badge",
            image=image,
            image_alt=(self.image_alt.data or "").strip(),
            medallion=medallion,
            alignments=alignments,
            tags=[t.strip() for t in (self.tags.data or "").split(",") if t.strip()][:20],
            validity_months=self.validity_months.data,
            result_descriptions=results,
        )

    def _image(self, current: Achievement | None) -> tuple[BadgeImage | None, Medallion | None]:
        source = self.image_source.data
        if source == "keep" and current is not None and current.image_data:
            design = current.design
            return BadgeImage(current.image_data, current.image_media_type), (
                Medallion(**design) if design else None
            )
        if source == "upload":
            return self._uploaded(), None
        medallion = Medallion(
            colour=(self.colour.data or "").strip(),
            icon=self.icon.data or "",
            label=(self.label.data or "").strip(),
            sublabel=(self.sublabel.data or "").strip(),
        )
        for problem in medallion.problems():
            name, message = MEDALLION_REFUSALS[problem]
            getattr(self, name).errors = [*getattr(self, name).errors, message]
        return (None, None) if medallion.problems() else (medallion.render(), medallion)

    def _uploaded(self) -> BadgeImage | None:
        sent = self.image_file.data
        try:
            if sent and getattr(sent, "filename", ""):
                image = image_uploads.check(sent.read(image_uploads.MAX_BYTES + 1))
            elif self.kept_image.data:
                image = image_uploads.check_stored(
                    base64.b64decode(self.kept_image.data, validate=True),
                    self.kept_media_type.data or "",
                )
            else:
                self.image_file.errors = [_l("Choisissez le fichier de l'image.")]
                return None
        except ImageRefused as refused:
            self.image_file.errors = [
                IMAGE_REFUSALS.get(refused.code, IMAGE_REFUSALS["not_an_image"])
            ]
            self.kept_image.data = self.kept_media_type.data = ""
            return None
        except (binascii.Error, ValueError):
            self.image_file.errors = [IMAGE_REFUSALS["not_an_image"]]
            return None
        self.kept_image.data = base64.b64encode(image.data).decode("ascii")
        self.kept_media_type.data = image.media_type
        return image

    def _alignments(self, db: Session, organisation_id: int) -> list[dict] | None:
        found, refused = [], False
        for row in self.alignments:
            try:
                alignment = _alignment(db, organisation_id, row.form)
            except AlignmentRefused as problem:
                row.form.target.errors = [*row.form.target.errors, ALIGNMENT_REFUSALS[problem.code]]
                refused = True
                continue
            if alignment is not None:
                found.append(alignment)
        return None if refused else found

    def _results(self, db: Session, organisation_id: int) -> list[dict] | None:
        if not self.results_framework.data:
            return []
        try:
            return achievement_design.result_descriptions_of(
                db, organisation_id, int(self.results_framework.data)
            )
        except (LookupError, ValueError):
            self.results_framework.errors = [_l("Choisissez un référentiel de la liste.")]
            return None


def _alignment(db: Session, organisation_id: int, row: AlignmentForm) -> dict | None:
    kind = row.kind.data
    if not kind:
        return None
    if kind == "competence":
        try:
            competence = achievement_design.competence_for(
                db, organisation_id, int(row.competence.data or 0)
            )
        except (LookupError, ValueError):
            raise AlignmentRefused("competence") from None
        return alignment_targets.from_competence(competence)
    if kind == "esco":
        return alignment_targets.from_esco(row.target.data or "", row.name.data or "")
    return alignment_targets.from_register(
        Registration(
            register=kind.upper(),
            code=row.target.data or "",
            name=row.name.data or "",
            valid_from=row.valid_from.data,
            valid_until=row.valid_until.data,
        )
    )


def _fill_alignment(row: AlignmentForm, alignment: dict) -> None:
    kind = alignment_targets.kind_of(alignment)
    row.kind.data = "" if kind == "other" else kind
    if kind == "competence":
        row.competence.data = str(alignment["jalonCompetenceId"])
        return
    row.target.data = alignment.get("targetUrl") if kind == "esco" else alignment.get("targetCode")
    row.name.data = alignment.get("targetName")
    for name in ("valid_from", "valid_until"):
        stored = alignment.get("validFrom" if name == "valid_from" else "validUntil")
        getattr(row, name).data = date.fromisoformat(stored) if stored else None


def _results_framework(db: Session, organisation_id: int, achievement: Achievement) -> str:
    ids = {d.get("id", "") for d in achievement.result_descriptions or []}
    for framework in frameworks_for(db, organisation_id):
        prefix = awarding.competence_result_id(framework, "")
        if any(i.startswith(prefix) for i in ids):
            return str(framework.id)
    return ""


class PublishForm(FlaskForm):
    submit = SubmitField(_l("Publier le badge"))
