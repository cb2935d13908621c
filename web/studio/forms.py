"""Forms of the organisation space (trainers and organisation admins)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length


class NewLearnerForm(FlaskForm):
    display_name = StringField(
        _l("Prénom et nom de l'apprenant"),
        validators=[
            InputRequired(_l("Écrivez le prénom et le nom, par exemple : Sophie Dupont.")),
            Length(max=120, message=_l("C'est trop long : 120 caractères au plus.")),
        ],
        description=_l("L'identifiant de connexion est créé à partir de ce nom."),
        render_kw={"autocomplete": "off"},
    )
    submit = SubmitField(_l("Créer le compte et imprimer la fiche"))


class RenewCodeForm(FlaskForm):
    submit = SubmitField(_l("Nouveau code d'accès"))


class EndSessionsForm(FlaskForm):
    submit = SubmitField(_l("Déconnecter partout"))


class StaffErasureForm(FlaskForm):
    """An organisation admin erases a learner who asked for it and can no longer log in."""

    reason = TextAreaField(
        _l("Demande de la personne"),
        validators=[
            DataRequired(_l("Écrivez comment la personne l'a demandé, et quand.")),
            Length(max=500, message=_l("C'est trop long : 500 caractères au plus.")),
        ],
        description=_l("Par exemple : courrier reçu le 3 mars, la personne a perdu son code."),
    )
    confirm = BooleanField(
        _l("Je confirme : ce compte et ses données seront effacés, ses badges révoqués."),
        validators=[DataRequired(_l("Cochez la case pour confirmer l'effacement."))],
    )
