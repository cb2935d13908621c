"""Forms of the département's API tokens page."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, SubmitField, ValidationError
from wtforms.validators import InputRequired, Length, Optional


class NewTokenForm(FlaskForm):
    name = StringField(
        _l("Nom du jeton"),
        validators=[
            InputRequired(_l("Donnez un nom au jeton, pour le reconnaître plus tard.")),
            Length(max=120, message=_l("Ce nom est trop long : 120 caractères au plus.")),
        ],
        description=_l("Par exemple : tableau de bord du service insertion."),
        render_kw={"autocomplete": "off"},
    )
    expires_on = DateField(
        _l("Dernier jour de validité (facultatif)"),
        validators=[Optional()],
        description=_l(
            "Le jeton ne marche plus le lendemain. Laissez vide : il dure jusqu'à sa révocation."
        ),
    )
    submit = SubmitField(_l("Créer le jeton"))

    def validate_expires_on(self, field: DateField) -> None:
        if field.data is not None and field.data < date.today():
            raise ValidationError(_l("Choisissez une date à venir."))

    def expires_at(self, timezone: str) -> datetime | None:
        """The end of the last valid day, in the département's time zone, as UTC."""
        if self.expires_on.data is None:
            return None
        next_day = datetime.combine(
            self.expires_on.data + timedelta(days=1), time(0), ZoneInfo(timezone)
        )
        return next_day.astimezone(ZoneInfo("UTC"))


class RevokeTokenForm(FlaskForm):
    submit = SubmitField(_l("Révoquer"))
