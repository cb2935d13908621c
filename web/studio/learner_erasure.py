"""Erasing a learner from the organisation space, for a person who can no longer log in.

A learner erases their own account from « Mes données »; one who lost their access code, or
never had an e-mail, asks their organisation instead (by letter, at the desk). The erasure is
the same (``badges.personal_data.erase``: badges revoked, personal rows removed, figures kept);
only the organisation's admins may do it (the organisation answers for its learners' data, as
for its journal), with the request written down and journalled. A person who also belongs to
another organisation is not erased from here: that is not this organisation's data alone.
"""

from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from badges import personal_data
from learners import accounts
from learners.models import Role, User
from web.authz import requires
from web.database import db
from web.studio import bp
from web.studio.forms import StaffErasureForm


def _learner_of(org_id: int, user_id: int) -> User:
    user = accounts.member_of(db.session, user_id, org_id, Role.LEARNER)
    if user is None or user.learner is None:
        abort(404)
    return user


def _page(user: User, form: StaffErasureForm, status: int = 200):
    return render_template(
        "studio/learner_erasure.html",
        organisation=g.organisation,
        learner=user,
        form=form,
        erasable=personal_data.erasable_by_organisation(db.session, user, g.organisation.id),
    ), status


@bp.route("/<int:org_id>/apprenants/<int:user_id>/effacement", methods=["GET", "POST"])
@requires(Role.ORG_ADMIN, org_arg="org_id")
def erase_learner(org_id: int, user_id: int):
    """Confirm, then erase a learner of this organisation on the request they made."""
    user = _learner_of(org_id, user_id)
    form = StaffErasureForm()
    erasable = personal_data.erasable_by_organisation(db.session, user, org_id)
    if not erasable or not form.validate_on_submit():
        return _page(user, form, 422 if form.is_submitted() else 200)
    personal_data.erase(
        db.session,
        user.learner,
        actor=current_user._get_current_object(),
        base_url=current_app.config["JALON_BASE_URL"],
        kek=current_app.config["JALON_KEY_ENCRYPTION_KEY"],
        reason=form.reason.data.strip(),
    )
    db.session.commit()
    flash(_("Le compte a été effacé et ses badges révoqués."), "info")
    return redirect(url_for("studio.organisation", org_id=org_id), 303)
