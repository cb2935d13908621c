"""``jalon badges``: issue → verify round trips, tampering, baking, revocation, key rotation."""

from __future__ import annotations

import json
import re

import pytest

from badges.ob3 import baking
from tests.badges.factories import make_achievement
from tests.learners.factories import make_learner
from web.cli.badges import badges


@pytest.fixture
def run(app):
    runner = app.test_cli_runner()

    def invoke(*args: str):
        return runner.invoke(badges, list(args), catch_exceptions=False)

    return invoke


@pytest.fixture
def demo(run, tmp_path):
    """The README smoke test's first half: a demo badge written to demo.json."""
    path = tmp_path / "demo.json"
    result = run("issue", "--demo", "--out", str(path))
    assert result.exit_code == 0, result.output
    return path


def test_demo_issue_then_verify_exits_zero(run, demo):
    result = run("verify", str(demo))
    assert result.exit_code == 0, result.output
    assert "Badge valide" in result.output
    assert "✓ La signature est valide" in result.output


def test_verify_json_prints_one_object_with_valid_and_checks(run, demo):
    result = run("verify", "--json", str(demo))
    assert result.exit_code == 0
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["valid"] is True and report["verdict"] == "valid"
    assert {c["code"] for c in report["checks"]} >= {"proof", "status", "schema"}


def test_one_character_edit_makes_verify_fail(run, demo, tmp_path):
    text = demo.read_text(encoding="utf-8")
    marker = re.search(r'"description":\s*"', text)  # compact or indented JSON
    assert marker is not None
    position = marker.end()
    tampered = tmp_path / "tampered.json"
    tampered.write_text(text[:position] + "X" + text[position + 1 :], encoding="utf-8")
    result = run("verify", "--json", str(tampered))
    assert result.exit_code != 0
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["valid"] is False and report["verdict"] == "invalid_signature"


def test_unreadable_file_is_reported_not_crashed(run, tmp_path):
    junk = tmp_path / "junk.json"
    junk.write_text("{not json", encoding="utf-8")
    result = run("verify", str(junk))
    assert result.exit_code == 1 and "Badge illisible" in result.output


def test_issuing_the_demo_twice_gives_the_same_badge(run, demo, tmp_path):
    again = tmp_path / "again.json"
    result = run("issue", "--demo", "--out", str(again))
    assert "déjà délivré" in result.output
    assert json.loads(again.read_text())["id"] == json.loads(demo.read_text())["id"]


def test_jwt_output_verifies(run, tmp_path):
    path = tmp_path / "demo.jwt"
    assert run("issue", "--demo", "--out", str(path)).exit_code == 0
    assert path.read_text().count(".") == 2
    assert run("verify", str(path)).exit_code == 0


def test_baked_png_unbakes_and_verifies(run, demo, tmp_path):
    credential_id = json.loads(demo.read_text())["id"].rsplit("/", 1)[1]
    baked = tmp_path / "badge.png"
    result = run("bake", "--credential", credential_id, "--out", str(baked))
    assert result.exit_code == 0, result.output
    assert json.loads(baking.unbake(baked.read_bytes())) == json.loads(demo.read_text())
    assert run("verify", str(baked)).exit_code == 0


def test_baked_svg_from_a_file_verifies(run, demo, tmp_path):
    image = tmp_path / "in.svg"
    image.write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><circle r="4"/></svg>'
    )
    baked = tmp_path / "badge.svg"
    result = run("bake", "--credential", str(demo), "--image", str(image), "--out", str(baked))
    assert result.exit_code == 0, result.output
    assert run("verify", str(baked)).exit_code == 0


def test_bake_refuses_a_mismatched_extension(run, demo, tmp_path):
    result = run("bake", "--credential", str(demo), "--out", str(tmp_path / "badge.svg"))
    assert result.exit_code == 1 and "PNG" in result.output


def test_revoked_badge_fails_verification(run, demo):
    credential_id = json.loads(demo.read_text())["id"].rsplit("/", 1)[1]
    result = run("revoke", credential_id, "--reason", "Attribué par erreur")
    assert result.exit_code == 0, result.output
    result = run("verify", "--json", str(demo))
    assert result.exit_code == 1
    assert json.loads(result.stdout.strip().splitlines()[-1])["verdict"] == "revoked"
    assert "déjà révoqué" in run("revoke", credential_id, "--reason", "x").output


def test_rotation_keeps_earlier_badges_verifying(run, demo, tmp_path):
    result = run("rotate-key", "platform")
    assert result.exit_code == 0, result.output
    assert "Nouvelle clé Ed25519" in result.output
    assert run("verify", str(demo)).exit_code == 0


def test_bulk_issue_from_a_file_writes_one_badge_each(run, app, tmp_path):
    from web.database import db

    with app.app_context():
        kek = app.config["JALON_KEY_ENCRYPTION_KEY"]
        from badges import issuers
        from tests.learners.factories import make_organisation

        issuer = issuers.create(db.session, make_organisation(db.session), kek)
        achievement = make_achievement(db.session, issuer)
        logins = []
        for name in ("Ana Lopes", "Bilal Haddad", "Chloé Petit"):
            learner = make_learner(db.session, name=name)
            logins.append(learner.user.username)
        db.session.commit()
        achievement_id = achievement.public_id
    listing = tmp_path / "learners.csv"
    listing.write_text("\n".join(f"{login};x" for login in logins), encoding="utf-8")
    out = tmp_path / "badges"
    result = run(
        "issue", "--achievement", achievement_id, "--recipients", str(listing), "--out", str(out)
    )
    assert result.exit_code == 0, result.output
    files = sorted(out.glob("badge-*.json"))
    assert len(files) == 3
    assert all(run("verify", str(f)).exit_code == 0 for f in files)
    again = run("issue", "--achievement", achievement_id, "--recipients", str(listing))
    assert again.output.count("déjà délivré") == 3


def test_unknown_achievement_and_recipient_are_clear_errors(run):
    result = run("issue", "--achievement", "999999", "--recipient", "nobody")
    assert result.exit_code == 1 and "introuvable" in result.output


def test_wrong_key_encryption_key_is_a_clear_error(run, app, demo, tmp_path):
    app.config["JALON_KEY_ENCRYPTION_KEY"] = "a-different-key-encryption-key"
    for args in (("issue", "--demo", "--award-key", "another-event"), ("rotate-key", "platform")):
        result = run(*args)
        assert result.exit_code == 1, args
        assert "JALON_KEY_ENCRYPTION_KEY" in result.output


def test_demo_issuer_takes_did_web_from_the_configuration(run, app, tmp_path):
    app.config["JALON_ISSUER_DID_WEB"] = True  # as web/config.py sets it from the environment
    path = tmp_path / "did.json"
    assert run("issue", "--demo", "--out", str(path)).exit_code == 0
    assert json.loads(path.read_text(encoding="utf-8"))["issuer"]["id"] == "did:web:jalon.test"
    assert run("verify", str(path)).exit_code == 0


def test_rotating_the_platform_key_needs_a_platform_issuer(run):
    result = run("rotate-key", "platform")
    assert result.exit_code == 1 and "pas encore d'émetteur" in result.output
