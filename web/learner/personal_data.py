"""« Mes données » : the learner downloads everything Jalon holds about them, or has it erased.

Erasure runs at once on the person's confirmed request rather than waiting for staff: it is their
right (RGPD art. 17), nothing in it needs a staff decision (the badges are revoked, the figures
kept), and a request left in a queue is personal data kept longer than needed. It is recorded in
the journal of each of their organisations.
"""

from __future__ import annotations

import json

from flask import current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from badges import personal_data
from learners.models import Role
from web.authz import requires
from web.database import db
from web.learner.views import bp
from web.learner.wallet import _file


class ErasureForm(FlaskForm):
    confirm = BooleanField(
        _l("Je veux effacer mon compte et mes données. Mes badges ne seront plus valables."),
        validators=[DataRequired(_l("Cochez la case pour confirmer l'effacement."))],
    )


def _page(form: ErasureForm, status_code: int = 200):
    return render_template("learner/my_data.html", form=form), status_code


@bp.get("/mes-donnees")
@requires(Role.LEARNER)
def my_data():
    return _page(ErasureForm())


@bp.get("/mes-donnees/jalon-mes-donnees.json")
@requires(Role.LEARNER)
def my_data_download():
    """Everything about the signed-in learner, as one JSON file (RGPD art. 15 and 20)."""
    data = personal_data.export(db.session, current_user.learner)
    body = json.dumps(data, ensure_ascii=False, indent=2)
    return _file(body, "application/json", "jalon-mes-donnees.json")


@bp.post("/mes-donnees/effacement")
@requires(Role.LEARNER)
def my_data_erase():
    form = ErasureForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    personal_data.erase(
        db.session,
        current_user.learner,
        actor=current_user._get_current_object(),
        base_url=current_app.config["JALON_BASE_URL"],
        kek=current_app.config["JALON_KEY_ENCRYPTION_KEY"],
    )
    db.session.commit()
    logout_user()
    flash(_("Vos données ont été effacées et vos badges révoqués. Au revoir."), "info")
    return redirect(url_for("auth.login"))
