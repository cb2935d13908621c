"""Signing in and out, changing a password, resetting it by e-mail, first-login code change."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from learners import accounts
from web import mail
from web.auth import session_clock
from web.auth.forms import (
    ChangePasswordForm,
    LoginForm,
    LogoutForm,
    ResetPasswordForm,
    ResetRequestForm,
)
from web.authz import public, signed_in
from web.database import db
from web.extensions import rate_limited
from web.navigation import home_url, safe_next

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["JALON_LOGIN_RATE_LIMIT"]


def _account_limit() -> str:
    return current_app.config["JALON_LOGIN_ACCOUNT_RATE_LIMIT"]


def _attempted_account() -> str:
    """The account a login attempt names: guessing one account stays slow from any number of
    addresses, while a training room behind one address can all log in."""
    login = (request.form.get("login") or "").strip().lower()[:254]
    return f"account:{login}" if login else f"address:{request.remote_addr}"


def weak_password_message(reason: accounts.WeakPasswordReason) -> str:
    return {
        accounts.WeakPasswordReason.TOO_SHORT: _("Ce mot de passe est trop court."),
        accounts.WeakPasswordReason.SAME_AS_LOGIN: _(
            "Le mot de passe ne doit pas être votre identifiant ou votre adresse e-mail."
        ),
        accounts.WeakPasswordReason.SAME_AS_CURRENT: _(
            "Choisissez un mot de passe différent de l'actuel."
        ),
    }[reason]


@bp.get("/")
@public
def index():
    """The front door: the login page, or the person's own home page."""
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    return redirect(url_for("auth.login"))


def _authenticate(form: LoginForm):
    """The user the form's credentials open, or None with the reason added to the form."""
    try:
        user = accounts.authenticate(
            db.session,
            form.login.data,
            form.password.data,
            access_code_days=current_app.config["JALON_ACCESS_CODE_DAYS"],
        )
    except accounts.AccessCodeExpired:
        form.form_errors.append(
            _("Ce code d'accès a expiré. Demandez un nouveau code à votre formateur ou formatrice.")
        )
        return None
    if user is None:
        form.form_errors.append(
            _("Identifiant ou mot de passe incorrect. Vérifiez ce que vous avez écrit.")
        )
    return user


@bp.route("/connexion", methods=["GET", "POST"])
@public
@rate_limited(_login_limit, methods=["POST"])
@rate_limited(_account_limit, key_func=_attempted_account, methods=["POST"])
def login():
    if current_user.is_authenticated:
        return redirect(home_url(current_user))
    form = LoginForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/login.html", form=form), status
    user = _authenticate(form)
    if user is None:
        return render_template("auth/login.html", form=form), 422
    db.session.commit()  # a rehashed password, if argon2's parameters changed
    session.clear()  # nothing from before the login is carried into the signed-in session
    login_user(user)
    session_clock.start()
    target = safe_next(request.args.get("next"), "") or None
    if user.must_change_password:  # then on to ``next`` (a campaign's link, say)
        _code_notice(user)
        return redirect(url_for("auth.change_password", next=target))
    return redirect(target or home_url(user))


def _code_notice(user) -> None:
    """Signing in with a one-time code: say so, and whether staff renewed it (and when)."""
    renewed = accounts.code_renewed_at(db.session, user)
    if renewed is not None:
        when = format_date(renewed, "long")
        notice = _("Votre code a été renouvelé par votre formatrice ou formateur le %(when)s.")
        flash(notice % {"when": when}, "info")
    flash(_("Bienvenue ! Choisissez maintenant votre propre mot de passe."), "info")


@bp.post("/deconnexion")
@signed_in
def logout():
    form = LogoutForm()
    if form.validate_on_submit():
        accounts.end_sessions(current_user._get_current_object())
        db.session.commit()
        logout_user()
        flash(_("Vous êtes déconnecté. À bientôt !"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/compte/mot-de-passe", methods=["GET", "POST"])
@signed_in
def change_password():
    form = ChangePasswordForm()
    first_time = current_user.must_change_password
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data, form.new_password.data
            )
        except accounts.WrongPassword:
            form.current_password.errors.append(
                _("Ce n'est pas votre mot de passe actuel. Vérifiez ce que vous avez écrit.")
            )
        except accounts.WeakPassword as exc:
            form.new_password.errors.append(weak_password_message(exc.reason))
        else:
            db.session.commit()
            login_user(current_user._get_current_object())  # the session follows the new hash
            flash(_("Votre mot de passe est changé."), "success")
            return redirect(safe_next(request.args.get("next"), home_url(current_user)))
        db.session.rollback()
    status = 422 if request.method == "POST" else 200
    return render_template("auth/change_password.html", form=form, first_time=first_time), status


@bp.route("/mot-de-passe-oublie", methods=["GET", "POST"])
@public
@rate_limited(_login_limit, methods=["POST"])
def reset_request():
    form = ResetRequestForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/reset_request.html", form=form), status
    user = accounts.find_by_login(db.session, form.login.data)
    if user is not None and user.email and user.is_active:
        token = accounts.make_reset_token(current_app.config["SECRET_KEY"], user)
        link = current_app.config["JALON_BASE_URL"] + url_for("auth.reset_password", token=token)
        mail.send(
            user.email,
            _("Jalon : choisir un nouveau mot de passe"),
            render_template("auth/reset_mail.txt", user=user, link=link),
        )
    # The same answer whether or not the account exists: no user enumeration.
    return render_template("auth/reset_sent.html")


@bp.route("/mot-de-passe/nouveau/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    secret = current_app.config["SECRET_KEY"]
    try:
        accounts.user_for_reset_token(db.session, secret, token)
    except accounts.ExpiredResetToken:
        return _bad_link(_("Ce lien a expiré. Demandez un nouveau lien, il sera valable 2 heures."))
    except accounts.InvalidResetToken:
        return _bad_link(_("Ce lien n'est pas valide ou a déjà servi. Demandez un nouveau lien."))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            accounts.reset_password(db.session, secret, token, form.new_password.data)
        except accounts.WeakPassword as exc:
            db.session.rollback()
            form.new_password.errors.append(weak_password_message(exc.reason))
        else:
            db.session.commit()
            logout_user()
            flash(_("Votre mot de passe est changé. Connectez-vous avec le nouveau."), "success")
            return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/reset_password.html", form=form), status


def _bad_link(message: str):
    return render_template("auth/reset_invalid.html", message=message), 400


@bp.get("/compte/sans-role")
@signed_in
def no_role():
    """A signed-in person with no membership left: nothing to show but a way out."""
    return render_template("auth/no_role.html")
