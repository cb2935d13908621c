"""While the database does not answer (restarting, stopped), pages and the API answer a French
503 with ``Retry-After``, never a 500, and serve again by themselves once it is back."""

from __future__ import annotations

import sqlite3

import psycopg
import pytest

from tests.learners.factories import make_learner, make_organisation
from tests.web.forms import login_as, text


@pytest.fixture
def database_down(app, monkeypatch):
    """Every new connection refused by the driver itself, as when the server is down; undo()
    brings it back. The pool is emptied first, as a restart closes the open connections."""
    from web.database import db

    with app.app_context():
        engine = db.engine
    driver_error = (
        sqlite3.OperationalError if engine.dialect.name == "sqlite" else psycopg.OperationalError
    )

    def refuse(*_args, **_kwargs):
        raise driver_error("connection refused: the server is restarting")

    engine.dispose()
    monkeypatch.setattr(engine.dialect, "connect", refuse)
    return monkeypatch


@pytest.fixture
def learner_client(app):
    from web.database import db

    with app.app_context():
        user = make_learner(db.session, make_organisation(db.session, "Asso Panne")).user
        db.session.commit()
    client = app.test_client()
    login_as(client, user)
    return client


def test_signed_in_page_answers_french_503_while_database_down(learner_client, database_down):
    response = learner_client.get("/apprenant/")
    assert response.status_code == 503
    assert response.headers["Retry-After"].isdigit()
    page = text(response)
    assert "Service momentanément indisponible" in page
    assert "ce qui était déjà enregistré est conservé" in page


def test_api_answers_problem_json_503_while_database_down(client, database_down):
    response = client.get(
        "/c/3f1f8bd1-7b9e-4c43-9d1e-2b7f5a0c1d22", headers={"Accept": "application/json"}
    )
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["title"] == "Service momentanément indisponible"


def test_pages_serve_again_once_database_is_back(learner_client, database_down):
    assert learner_client.get("/apprenant/").status_code == 503
    database_down.undo()
    assert learner_client.get("/apprenant/").status_code == 200


def test_connection_lost_inside_a_transaction_answers_503(app):
    """PostgreSQL restarting under a request that had begun its transaction: the error was
    caught on the way (a verification step reports its own failures), and the session is used
    again; a 503 as for any outage, not a 500."""
    from sqlalchemy import text as sql

    from web.authz import public
    from web.database import db

    @public
    def lost_mid_transaction():
        db.session.execute(sql("SELECT 1"))
        db.session.connection().invalidate()  # what a restart does to the open connection
        db.session.execute(sql("SELECT 1"))
        return "unreachable"

    app.add_url_rule("/essai/connexion-perdue", view_func=lost_mid_transaction)
    response = app.test_client().get("/essai/connexion-perdue")
    assert response.status_code == 503
    assert "Service momentanément indisponible" in text(response)


def test_connection_lost_once_the_view_is_done_keeps_its_answer(app, monkeypatch):
    """PostgreSQL stopped between the view's last query and the end of the request: the
    rollback ending the request's transaction fails (« terminating connection due to
    administrator command »). The answer stands, not a 500, and the next request is served."""
    from sqlalchemy import text as sql

    from web.authz import public
    from web.database import db

    with app.app_context():
        engine = db.engine
    driver_error = (
        sqlite3.OperationalError if engine.dialect.name == "sqlite" else psycopg.OperationalError
    )

    def lost(_connection):
        raise driver_error("terminating connection due to administrator command")

    @public
    def read_then_lost():
        db.session.execute(sql("SELECT 1"))
        monkeypatch.setattr(engine.dialect, "do_rollback", lost)
        return "lu"

    app.add_url_rule("/essai/perdue-ensuite", view_func=read_then_lost)
    client = app.test_client()
    response = client.get("/essai/perdue-ensuite")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "lu")
    monkeypatch.undo()
    assert engine.pool.checkedout() == 0  # the lost connection was thrown away, not leaked
    assert client.get("/healthz").status_code == 200


def _drop_the_pooled_connection(app) -> None:
    """The server drops the one connection the pool holds, while it waits there."""
    from web.database import db

    with app.app_context():
        engine = db.engine
    engine.dispose()
    with engine.connect() as connection:
        pooled = connection.connection.dbapi_connection
    assert engine.pool.checkedin() == 1
    pooled.close()


def test_a_connection_dropped_while_long_idle_is_replaced_unseen(learner_client, app, monkeypatch):
    from learners import database

    monkeypatch.setattr(database, "PING_IDLE_SECONDS", 0.0)  # every pooled one idled too long
    _drop_the_pooled_connection(app)
    assert learner_client.get("/apprenant/").status_code == 200


def test_a_connection_dropped_while_in_use_fails_one_request_then_the_pool_renews(
    learner_client, app
):
    """Connections in use are not checked before each request (``ping_when_idle``): the one
    request that finds its connection dropped answers the outage's 503, never a 500."""
    _drop_the_pooled_connection(app)
    assert learner_client.get("/apprenant/").status_code == 503
    assert learner_client.get("/apprenant/").status_code == 200
