"""Forms for signing in and managing one's password."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField, SubmitField
from wtforms.validators import EqualTo, InputRequired, Length

from learners.passwords import MIN_PASSWORD_LENGTH


class LoginForm(FlaskForm):
    login = StringField(
        _l("Adresse e-mail ou identifiant"),
        validators=[
            InputRequired(
                _l("Écrivez votre adresse e-mail ou votre identifiant, par exemple : sdupont.")
            ),
            Length(max=254, message=_l("C'est trop long : 254 caractères au plus.")),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    password = PasswordField(
        _l("Mot de passe ou code d'accès"),
        validators=[
            InputRequired(_l("Écrivez votre mot de passe, ou le code reçu de votre formateur.")),
            Length(max=256, message=_l("C'est trop long : 256 caractères au plus.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    submit = SubmitField(_l("Se connecter"))


def _new_password_fields():
    new = PasswordField(
        _l("Nouveau mot de passe"),
        validators=[
            InputRequired(_l("Choisissez un nouveau mot de passe.")),
            Length(
                min=MIN_PASSWORD_LENGTH,
                max=256,
                message=_l(
                    "Le mot de passe doit compter au moins %(n)s caractères.", n=MIN_PASSWORD_LENGTH
                ),
            ),
        ],
        description=_l(
            "Au moins %(n)s caractères. Une phrase facile à retenir convient bien.",
            n=MIN_PASSWORD_LENGTH,
        ),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Nouveau mot de passe, encore une fois"),
        validators=[
            InputRequired(_l("Écrivez encore une fois le nouveau mot de passe.")),
            EqualTo("new_password", message=_l("Les deux mots de passe ne sont pas identiques.")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return new, confirm


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(
        _l("Mot de passe actuel (ou code d'accès reçu)"),
        validators=[InputRequired(_l("Écrivez votre mot de passe actuel."))],
        render_kw={"autocomplete": "current-password"},
    )
    new_password, confirm = _new_password_fields()
    submit = SubmitField(_l("Changer mon mot de passe"))


class ResetRequestForm(FlaskForm):
    login = StringField(
        _l("Adresse e-mail ou identifiant"),
        validators=[
            InputRequired(_l("Écrivez votre adresse e-mail ou votre identifiant.")),
            Length(max=254, message=_l("C'est trop long : 254 caractères au plus.")),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"},
    )
    submit = SubmitField(_l("Recevoir un lien par e-mail"))


class ResetPasswordForm(FlaskForm):
    new_password, confirm = _new_password_fields()
    submit = SubmitField(_l("Enregistrer le nouveau mot de passe"))


class LogoutForm(FlaskForm):
    submit = SubmitField(_l("Se déconnecter"))
