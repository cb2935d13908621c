"""Forms of « Mes badges »."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import AnyOf, InputRequired

PUBLIC = "public"
PRIVATE = "private"


class VisibilityForm(FlaskForm):
    """Show or hide the badge's public page. The wanted state is sent, not a toggle, so a
    double click or a resubmitted form cannot flip it back."""

    visibility = HiddenField(validators=[InputRequired(), AnyOf([PUBLIC, PRIVATE])])

    @property
    def wants_public(self) -> bool:
        return self.visibility.data == PUBLIC
