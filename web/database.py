"""The request-scoped SQLAlchemy session the views use (``db.session``)."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from learners.database import make_engine, make_session_factory, ping_when_idle

log = logging.getLogger(__name__)


class Database:
    """One engine per app; one session per application context, closed at teardown."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"])
        ping_when_idle(engine)
        app.extensions["jalon_db"] = (engine, make_session_factory(engine))
        app.teardown_appcontext(self._close)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["jalon_db"][0]

    @property
    def factory(self) -> sessionmaker:
        return current_app.extensions["jalon_db"][1]

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self.factory()
        return g.db_session

    @staticmethod
    def _close(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is None:
            return
        connection = None  # the transaction's, to throw away if ending the transaction fails
        with contextlib.suppress(SQLAlchemyError):
            connection = session.connection() if session.in_transaction() else None
        try:
            session.close()
        except DBAPIError as error:
            # The server dropped the connection once the view was done (PostgreSQL stopped or
            # restarting): the rollback ending the request's transaction fails. The answer is
            # made and nothing was left to commit: no 500; the connection is thrown away.
            log.warning("database connection lost at the end of the request: %s", error.orig)
            if connection is not None:
                with contextlib.suppress(SQLAlchemyError):
                    connection.invalidate()
                    connection.close()


db = Database()
