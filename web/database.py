"""The request-scoped SQLAlchemy session the views use (``db.session``)."""

from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from learners.database import make_engine, make_session_factory


class Database:
    """One engine per app; one session per application context, closed at teardown."""

    def init_app(self, app: Flask) -> None:
        engine = make_engine(app.config["DATABASE_URL"], pool_pre_ping=True)
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
        if session is not None:
            session.close()


db = Database()
