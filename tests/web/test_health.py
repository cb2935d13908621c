from sqlalchemy.exc import OperationalError


def test_healthz_answers_200_when_database_reachable(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json()["database"] == "ok"


def test_healthz_answers_503_when_database_unreachable(app, monkeypatch):
    from web.database import db

    with app.app_context():
        engine = db.engine

    def refuse(*_args, **_kwargs):
        raise OperationalError("SELECT 1", {}, Exception("down"))

    monkeypatch.setattr(engine, "connect", refuse)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
