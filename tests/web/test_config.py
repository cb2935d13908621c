"""Configuration comes from the environment, with the defaults the README documents."""

from pathlib import Path

import pytest

from web import config


def test_defaults_suit_a_laptop(tmp_path: Path):
    settings = config.load(tmp_path, {})
    assert settings["DATABASE_URL"] == f"sqlite:///{tmp_path / 'jalon.sqlite3'}"
    assert settings["JALON_BASE_URL"] == "http://127.0.0.1:5000"
    assert settings["SESSION_COOKIE_SECURE"] is False
    assert settings["JALON_ISSUER_DID_WEB"] is False
    assert settings["JALON_VERIFIER_RATE_LIMIT"] == "20 per minute"
    assert settings["JALON_VERIFIER_FETCH_TIMEOUT"] == 3.0
    # The secret key is generated once into the instance folder, private to its owner.
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert config.load(tmp_path, {})["SECRET_KEY"] == settings["SECRET_KEY"]


def test_environment_overrides_each_setting(tmp_path: Path):
    settings = config.load(
        tmp_path,
        {
            "DATABASE_URL": "postgresql+psycopg://jalon@db/jalon",
            "SECRET_KEY": "s3cret",
            "JALON_BASE_URL": "https://jalon.example.org/",
            "JALON_ISSUER_DID_WEB": "1",
            "JALON_VERIFIER_RATE_LIMIT": "5 per minute",
            "JALON_VERIFIER_FETCH_TIMEOUT": "1.5",
        },
    )
    assert settings["DATABASE_URL"] == "postgresql+psycopg://jalon@db/jalon"
    assert settings["SECRET_KEY"] == "s3cret"
    assert settings["JALON_KEY_ENCRYPTION_KEY"] == "s3cret"
    assert settings["JALON_BASE_URL"] == "https://jalon.example.org"
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["JALON_ISSUER_DID_WEB"] is True
    assert settings["JALON_VERIFIER_RATE_LIMIT"] == "5 per minute"
    assert settings["JALON_VERIFIER_FETCH_TIMEOUT"] == 1.5
    assert not (tmp_path / "secret_key").exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, False), (False, False), (True, True), ("false", False), ("0", False), ("on", True)],
)
def test_the_did_web_switch_reads_the_same_for_pages_and_cli(value, expected):
    from web.config import did_web_enabled

    assert did_web_enabled({"JALON_ISSUER_DID_WEB": value}) is expected


@pytest.mark.parametrize(
    ("settings", "compiled"),
    [({}, True), ({"TESTING": True}, False), ({"JALON_COMPILE_TEMPLATES": False}, False)],
)
def test_a_served_app_compiles_its_templates_at_start(tmp_path: Path, settings, compiled):
    """Not on each template's first request; tests and the command line (web/cli) compile
    as they go."""
    from web import create_app

    app = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'jalon.sqlite3'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "test-secret-key-not-for-production",
            **settings,
        }
    )
    cached = {name for _loader, name in app.jinja_env.cache}
    assert ("learner/item.html" in cached) is compiled
    assert (cached == set(app.jinja_env.list_templates())) is compiled
