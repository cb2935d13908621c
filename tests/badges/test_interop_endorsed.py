"""An endorsed badge, as Jalon issues it, passes the Digital Bazaar verifier (the badge and the
endorsement it embeds, each with its own issuer's key) as well as Jalon's; an edit of the
embedded endorsement fails both verifiers."""

from __future__ import annotations

import copy
import json

import pytest

from badges import endorsements, issuance, issuers, verification
from badges.ob3.verification_result import EndorsementState
from badges.ob3.verify import Verdict
from learners.models import OrganisationKind
from tests.badges.factories import BASE_URL, KEK, make_achievement
from tests.learners.factories import make_learner, make_organisation

pytestmark = pytest.mark.interop


def _job(db, signed: dict) -> dict:
    """What the JS verifier needs: the signer's published key for the proof's method."""
    method = signed["proof"][0]["verificationMethod"]
    document = issuers.document_source(db, BASE_URL)(method.split("#")[0])
    key = next(vm for vm in document["verificationMethod"] if vm["id"] == method)
    return {
        "credential": signed,
        "verificationMethod": method,
        "controller": key["controller"],
        "publicKeyMultibase": key["publicKeyMultibase"],
        "skipStatus": True,  # Jalon checks the status lists itself (tests/badges)
    }


def test_endorsed_badge_and_its_endorsement_pass_both_verifiers(dbsession, js_stack):
    achievement = make_achievement(dbsession, name="Préparer une commande — niveau 2")
    employer = make_organisation(dbsession, "Logistique Durand", OrganisationKind.EMPLOYEUR)
    endorsements.endorse(
        dbsession, employer, achievement, "Compétence recherchée pour nos préparateurs.",
        actor=None, base_url=BASE_URL, kek=KEK,
    )  # fmt: skip
    credential = issuance.issue(
        dbsession,
        achievement=achievement,
        learner=make_learner(dbsession),
        award_key="session:9:badge:1",
        base_url=BASE_URL,
        kek=KEK,
    ).credential
    dbsession.commit()
    badge = json.loads(credential.signed_json)
    [embedded] = badge["credentialSubject"]["achievement"]["endorsement"]
    edited = copy.deepcopy(embedded)
    edited["credentialSubject"]["endorsementComment"] = "Compétence indispensable."

    js = js_stack.run(
        "verify.mjs", [_job(dbsession, badge), _job(dbsession, embedded), _job(dbsession, edited)]
    )
    assert js[0] == {"verified": True, "error": None}
    assert js[1] == {"verified": True, "error": None}
    assert js[2]["verified"] is False

    ours = verification.verify_credential(dbsession, badge, base_url=BASE_URL)
    assert ours.verdict is Verdict.VALID
    assert [e.state for e in ours.endorsements] == [EndorsementState.VALID]
    assert ours.endorsements[0].endorser_name == "Logistique Durand"
    alone = verification.verify_credential(dbsession, edited, base_url=BASE_URL)
    assert alone.verdict is Verdict.INVALID_SIGNATURE
