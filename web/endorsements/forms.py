"""Forms of the endorsement pages: endorse a badge with a comment, withdraw with a reason."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.validators import InputRequired, Length

from badges.endorsements import MAX_COMMENT, MAX_REASON


class EndorseForm(FlaskForm):
    # Choices are the badges the organisation may endorse, set by the view; an unknown value
    # is answered by the domain (« Choisissez un badge dans la liste. »).
    achievement = SelectField(
        _l("Badge à reconnaître"),
        validators=[InputRequired(_l("Choisissez un badge dans la liste."))],
        validate_choice=False,
    )
    comment = TextAreaField(
        _l("Pourquoi reconnaissez-vous ce badge ?"),
        validators=[
            InputRequired(_l("Écrivez en quelques mots pourquoi vous reconnaissez ce badge.")),
            Length(
                max=MAX_COMMENT,
                message=_l("C'est trop long : %(max)d caractères au plus.", max=MAX_COMMENT),
            ),
        ],
        description=_l(
            "Ce texte sera lu par les employeurs qui vérifient le badge, par exemple : "
            "« Compétences recherchées pour nos postes d'agent logistique. »"
        ),
        render_kw={"rows": 4},
    )
    submit = SubmitField(_l("Reconnaître ce badge"))


class WithdrawForm(FlaskForm):
    reason = StringField(
        _l("Raison du retrait"),
        validators=[
            InputRequired(_l("Indiquez la raison du retrait.")),
            Length(
                max=MAX_REASON,
                message=_l("C'est trop long : %(max)d caractères au plus.", max=MAX_REASON),
            ),
        ],
    )
    submit = SubmitField(_l("Retirer la reconnaissance"))
