"""Forms of the learner's journey: joining a campaign, answering an item.

An item's fields depend on its type, so the answer form carries only what every item shares
(the CSRF token, the item asked, the button pressed); the item's type reads the rest
(``assessments.checking.read_form``, defined in ``assessments/item_types/``).
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

SKIP = "skip"


class JoinForm(FlaskForm):
    code = StringField(
        _l("Code de l'évaluation"),
        description=_l("Le code est sur la feuille de votre formateur, par exemple : CRCN-PA33."),
        validators=[
            DataRequired(_l("Écrivez le code de l'évaluation, par exemple : CRCN-PA33.")),
            Length(max=32, message=_l("Ce code est trop long : il a 8 lettres ou chiffres.")),
        ],
        render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"},
    )


class StartForm(FlaskForm):
    """The "Commencer" button of a campaign link: only the CSRF token."""


class AdjustmentForm(FlaskForm):
    """Toggle "plus de temps / pause" (an accessibility adjustment)."""
