"""Error pages in the visitor's language (French by default), or problem+json for API clients.

API clients are requests under ``/api/`` or whose ``Accept`` prefers JSON to HTML; they get
RFC 9457 ``application/problem+json`` (``web.api.problems``, the API's own errors use it too)
with the same French sentence in ``detail``.
"""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, Response, current_app, g, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, PendingRollbackError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from web.api.problems import problem
from web.database import db

log = logging.getLogger(__name__)
# Seconds a client is asked to wait when the database does not answer (a restart takes a few).
DATABASE_RETRY_AFTER = 30


def _upload_limit() -> str:
    """The body size limit of this request in words (« 8 Mo »; smaller on a learner's pages)."""
    limit = request.max_content_length or current_app.config.get("MAX_CONTENT_LENGTH") or 0
    if limit >= 1024 * 1024:
        return _("%(count)d Mo", count=limit // (1024 * 1024))
    return _("%(count)d Ko", count=max(1, limit // 1024))


def _titles() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Demande incorrecte"), _("La demande n'a pas pu être comprise.")),
        401: (_("Connexion nécessaire"), _("Connectez-vous pour continuer.")),
        403: (
            _("Accès refusé"),
            _("Vous n'avez pas le droit d'ouvrir cette page avec votre compte."),
        ),
        404: (
            _("Page introuvable"),
            _("Cette page n'existe pas ou n'existe plus. Vérifiez l'adresse."),
        ),
        405: (_("Action impossible"), _("Cette action n'est pas possible sur cette page.")),
        413: (
            _("Envoi trop volumineux"),
            _(
                "Ce que vous avez envoyé dépasse %(size)s : rien n'a été enregistré. Revenez "
                "au formulaire, choisissez un fichier plus petit, puis envoyez de nouveau.",
                size=_upload_limit(),
            ),
        ),
        422: (_("Données refusées"), _("Les informations envoyées ne sont pas valides.")),
        429: (
            _("Trop de tentatives"),
            _("Vous avez fait trop d'essais. Attendez une minute, puis réessayez."),
        ),
        500: (
            _("Erreur du service"),
            _("Une erreur s'est produite de notre côté. Réessayez dans quelques minutes."),
        ),
        503: (
            _("Service momentanément indisponible"),
            _(
                "Jalon ne peut pas joindre sa base de données pour le moment. Attendez une "
                "minute, puis réessayez : ce qui était déjà enregistré est conservé."
            ),
        ),
    }


def wants_json() -> bool:
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(
        ["text/html", "application/json", "application/problem+json"]
    )
    return best in {"application/json", "application/problem+json"} and (
        request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]
    )


def error_response(status: int, detail: str | None = None) -> tuple[Response | str, int]:
    titles = _titles()
    title, default_detail = titles.get(status, titles[500 if status >= 500 else 400])
    detail = detail or default_detail
    if wants_json():
        return problem(status, title, detail), status
    # A form sent too large: the way back to it (its page answers GET at the same address).
    back = request.path if status == 413 and request.method == "POST" else None
    page = render_template(
        "errors/error.html", status=status, title=title, detail=detail, back_url=back
    )
    return page, status


def _custom_description(error: HTTPException) -> str | None:
    """A description a view passed to ``abort`` (Werkzeug's English defaults are not shown)."""
    default = type(error).description
    description = error.description
    return description if description and description != default else None


def handle_http_error(error: HTTPException):
    status = error.code or 500
    if status == 429:
        response, code = error_response(429)
        if isinstance(response, str):
            response = Response(response, status=code, mimetype="text/html")
        retry = getattr(error, "retry_after", None)
        response.headers["Retry-After"] = str(retry or 60)
        return response, code
    return error_response(status, _custom_description(error))


def handle_csrf_error(_error: CSRFError):
    return error_response(
        400,
        _(
            "Le formulaire a expiré ou n'est pas valide. Rechargez la page, puis "
            "recommencez. Rien n'a été enregistré."
        ),
    )


# SQLAlchemy's code for "Can't reconnect until invalid transaction is rolled back": the
# connection was lost inside the request's transaction, and the error was caught on the way
# (a verification step reports its own failures) before the session was used again.
LOST_IN_TRANSACTION = "8s2b"


def _database_unreachable(error: SQLAlchemyError) -> bool:
    """A lost or refused connection (the server restarting, stopped, out of connections), not
    a query's own fault: psycopg's OperationalError, any error SQLAlchemy saw drop the
    connection, or a session used again after its connection was lost."""
    if isinstance(error, PendingRollbackError):
        return error.code == LOST_IN_TRANSACTION
    return isinstance(error, OperationalError) or bool(
        isinstance(error, DBAPIError) and error.connection_invalidated
    )


def handle_database_error(error: SQLAlchemyError):
    """The database is down or restarting: a French 503 with ``Retry-After`` instead of a 500.

    The page is drawn for an anonymous visitor: loading the signed-in user would need the
    database again. Nothing was committed by this request (the session is rolled back)."""
    if not _database_unreachable(error):
        raise error
    log.warning("database unreachable: %s", type(getattr(error, "orig", None) or error).__name__)
    # The connection may be gone: the session is discarded at the end of the request anyway.
    with contextlib.suppress(SQLAlchemyError):
        db.session.rollback()
    g._login_user = current_app.login_manager.anonymous_user()
    response, code = error_response(503)
    if isinstance(response, str):
        response = Response(response, status=code, mimetype="text/html")
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response, code


def register(app: Flask) -> None:
    app.register_error_handler(DBAPIError, handle_database_error)
    app.register_error_handler(PendingRollbackError, handle_database_error)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_http_error)
