"""Forms of awarding: by hand with evidence, from a CSV file, and a credential's status changes;
and the French (and English) words for what the domain refuses."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, HiddenField, SelectField, SubmitField, TextAreaField, URLField
from wtforms.validators import InputRequired, Length, Optional

from badges import bulk_awards, evidence_files, manual_awards, revocation
from badges.bulk_awards import RowStatus

FILE_REFUSALS = {
    evidence_files.Refusal.EMPTY: _l("Le fichier est vide."),
    evidence_files.Refusal.TOO_LARGE: _l("Le fichier est trop lourd : 5 Mo au plus."),
    evidence_files.Refusal.NOT_ALLOWED: _l(
        "Ce type de fichier n'est pas accepté : joignez un PDF ou une image (PNG, JPEG)."
    ),
    evidence_files.Refusal.BROKEN_IMAGE: _l("L'image est illisible ou trop grande."),
    evidence_files.Refusal.BROKEN_PDF: _l(
        "Le PDF est illisible, vide ou protégé par un mot de passe."
    ),
    evidence_files.Refusal.ACTIVE_PDF: _l(
        "Ce PDF contient un script ou un fichier joint : enregistrez-le à nouveau en PDF simple."
    ),
}
CSV_REFUSALS = {
    bulk_awards.CsvRefusal.TOO_LARGE: _l("Le fichier est trop lourd : 512 Ko au plus."),
    bulk_awards.CsvRefusal.NOT_UTF8: _l(
        "Le fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 » et réessayez."
    ),
    bulk_awards.CsvRefusal.TOO_MANY_ROWS: _l("Trop de lignes : 2 000 au plus par fichier."),
    bulk_awards.CsvRefusal.NO_ROWS: _l("Le fichier ne contient aucun identifiant."),
}
ROW_STATUSES = {
    RowStatus.READY: _l("Prêt : le badge sera attribué"),
    RowStatus.EMPTY: _l("Ligne vide : ignorée"),
    RowStatus.UNKNOWN: _l("Identifiant inconnu"),
    RowStatus.OTHER_ORGANISATION: _l("Pas un apprenant de votre structure"),
    RowStatus.ALREADY_HOLDS: _l("A déjà ce badge"),
    RowStatus.DUPLICATE: _l("Doublon : cette personne figure plus haut dans le fichier"),
    RowStatus.AWARDED: _l("Badge attribué"),
    RowStatus.FAILED: _l("Échec : relancez le fichier plus tard"),
}
AWARD_REFUSALS = {
    manual_awards.AlreadyHolds: _l("Cette personne a déjà ce badge (révoquez-le d'abord)."),
    manual_awards.InvalidEvidenceUrl: _l("Donnez une adresse qui commence par https://."),
    manual_awards.NothingToRestOn: _l(
        "Décrivez ce qui a été constaté, ou joignez un fichier ou un lien."
    ),
}
STATUS_REFUSALS = {
    revocation.AlreadyRevoked: _l("Ce badge est révoqué : la révocation est définitive."),
    revocation.AlreadySuspended: _l("Ce badge est déjà suspendu."),
    revocation.NotSuspended: _l("Ce badge n'est pas suspendu : il n'y a rien à rétablir."),
}
# URL word → domain action, and the words on the page.
ACTIONS = {"revoquer": "revoke", "suspendre": "suspend", "retablir": "reinstate"}


class ManualAwardForm(FlaskForm):
    learner = SelectField(
        _l("Apprenant"),
        coerce=int,
        validators=[InputRequired(_l("Choisissez la personne qui reçoit le badge."))],
    )
    narrative = TextAreaField(
        _l("Ce qui a été constaté"),
        validators=[
            Length(max=manual_awards.MAX_NARRATIVE, message=_l("4 000 caractères au plus."))
        ],
        description=_l(
            "Par exemple : soudure réalisée seul au plateau technique le 3 mars. Ce texte est "
            "écrit dans le badge : un employeur qui le vérifie le lira."
        ),
    )
    url = URLField(
        _l("Lien vers la réalisation (facultatif)"),
        validators=[Optional(), Length(max=manual_awards.MAX_URL)],
    )
    file = FileField(
        _l("Pièce justificative (facultatif)"),
        description=_l(
            "PDF ou image, 5 Mo au plus. Seuls la personne et votre structure pourront l'ouvrir."
        ),
    )
    consent = BooleanField(
        _l("La personne a accepté que ce fichier soit joint à son badge"),
    )
    submit = SubmitField(_l("Attribuer le badge"))


class BulkUploadForm(FlaskForm):
    file = FileField(
        _l("Fichier CSV"),
        description=_l(
            "Une ligne par personne : identifiant ou e-mail, puis (facultatif) ce qui a été "
            "constaté ; séparateur « ; » ou « , »."
        ),
    )
    submit = SubmitField(_l("Vérifier le fichier (rien n'est attribué)"))


class BulkConfirmForm(FlaskForm):
    rows = HiddenField()
    submit = SubmitField(_l("Attribuer le badge aux lignes prêtes"))


class StatusForm(FlaskForm):
    reason = TextAreaField(
        _l("Raison"),
        validators=[
            InputRequired(_l("Indiquez la raison : la personne la lira.")),
            Length(max=1000, message=_l("1 000 caractères au plus.")),
        ],
    )
    submit = SubmitField(_l("Confirmer"))
