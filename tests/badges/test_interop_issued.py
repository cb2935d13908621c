"""A badge issued through the database, as `jalon badges issue` writes it, passes the Digital
Bazaar verifier too; a one-character edit fails both verifiers."""

from __future__ import annotations

import copy
import json

import pytest

from badges import issuance, issuers, verification
from badges.ob3 import schema
from badges.ob3.verify import Verdict
from tests.badges.factories import BASE_URL, KEK, make_achievement, tiny_png
from tests.learners.factories import make_learner

pytestmark = pytest.mark.interop


def _job(db, signed: dict) -> dict:
    """What the JS verifier needs: the issuer's published key for the proof's method."""
    method = signed["proof"][0]["verificationMethod"]
    document = issuers.document_source(db, BASE_URL)(method.split("#")[0])
    key = next(vm for vm in document["verificationMethod"] if vm["id"] == method)
    return {
        "credential": signed,
        "verificationMethod": method,
        "controller": key["controller"],
        "publicKeyMultibase": key["publicKeyMultibase"],
        "skipStatus": True,
    }


def test_issued_badge_passes_both_verifiers_and_an_edit_fails_both(dbsession, js_stack):
    """The light credential: its image by URL, and only the level it reports of its rubric."""
    rubric = make_achievement(dbsession).result_descriptions[0]
    unreported = {**rubric, "id": "urn:jalon:rd:autre", "name": "Autre"}
    achievement = make_achievement(
        dbsession,
        name="Interagir en ligne — niveau 2 ✉️",
        image_data=tiny_png(),
        image_media_type="image/png",
        image_alt="Une enveloppe",
        result_descriptions=[rubric, unreported],
    )
    learner = make_learner(dbsession, name="Aïcha Ben Saïd")
    credential = issuance.issue(
        dbsession,
        achievement=achievement,
        learner=learner,
        award_key="session:7:badge:1",
        base_url=BASE_URL,
        kek=KEK,
        results=[
            {
                "resultDescription": "urn:jalon:rd:interagir",
                "achievedLevel": "urn:jalon:rd:interagir:2",
            }
        ],
    ).credential
    dbsession.commit()
    signed = json.loads(credential.signed_json)
    carried = signed["credentialSubject"]["achievement"]
    assert carried["image"]["id"].startswith(f"{BASE_URL}/achievements/")
    assert [d["id"] for d in carried["resultDescription"]] == ["urn:jalon:rd:interagir"]
    levels = carried["resultDescription"][0]["rubricCriterionLevel"]
    assert [level["id"] for level in levels] == ["urn:jalon:rd:interagir:2"]
    assert schema.validate(signed) == []

    edited = copy.deepcopy(signed)
    edited["credentialSubject"]["achievement"]["name"] = signed["credentialSubject"]["achievement"][
        "name"
    ].replace("2", "3")
    assert edited != signed

    js = js_stack.run("verify.mjs", [_job(dbsession, signed), _job(dbsession, edited)])
    assert js[0] == {"verified": True, "error": None}
    assert js[1]["verified"] is False

    ours = verification.verify_credential(dbsession, signed, base_url=BASE_URL)
    assert ours.verdict is Verdict.VALID
    tampered = verification.verify_credential(dbsession, edited, base_url=BASE_URL)
    assert tampered.verdict is Verdict.INVALID_SIGNATURE
