"""Endorsements embedded in a credential are verified one by one, offline, beside the verdict.

The endorser here is identified by a ``did:key`` (resolved without any network); the badge's
issuer by the core tests' local key document.
"""

from __future__ import annotations

import copy
from dataclasses import replace
from datetime import timedelta
from typing import Any

from badges.ob3 import data_integrity, keys
from badges.ob3.build import (
    IssuerProfile,
    Recipient,
    ResultDef,
    build_achievement_credential,
    build_endorsement_credential,
)
from badges.ob3.verification_result import EndorsementState
from badges.ob3.verify import Verdict, verify_credential
from badges.ob3.verify_endorsements import MAX_ENDORSEMENTS

from .credentials import ACHIEVEMENT, ISSUER, LEVELS, NOW, SIGNING_KEY, VM_ID, local_resolver

ENDORSER_KEY = keys.ed25519_from_seed(bytes(range(1, 33)))
ENDORSER_DID = keys.did_key_for(ENDORSER_KEY)
ENDORSER_VM = f"{ENDORSER_DID}#{ENDORSER_DID.removeprefix('did:key:')}"


def endorsement(
    subject_id: str = ACHIEVEMENT.id,
    *,
    key=ENDORSER_KEY,
    issuer_id: str = ENDORSER_DID,
    vm: str = ENDORSER_VM,
    valid_until=None,
) -> dict[str, Any]:
    unsigned = build_endorsement_credential(
        credential_id="urn:uuid:7d4c4a3e-6b39-4a53-9d5e-2d6f3c1a0b11",
        issuer=IssuerProfile(id=issuer_id, name="Département de l'Exemple"),
        subject_id=subject_id,
        comment="Badge utile pour l'insertion.",
        name="Reconnaissance",
        valid_from=NOW - timedelta(days=40),
        valid_until=valid_until,
    )
    signed = data_integrity.sign(unsigned, key, vm, created="2026-01-20T10:00:00Z")
    signed["proof"] = [signed["proof"]]
    return signed


def badge_with(*endorsements: dict[str, Any]) -> dict[str, Any]:
    achievement = replace(ACHIEVEMENT, endorsements=endorsements)
    unsigned = build_achievement_credential(
        credential_id="urn:uuid:0f3e5b1c-8a5d-4c3e-9a41-6f1d2c3b4a59",
        issuer=ISSUER,
        achievement=achievement,
        recipient=Recipient(identity="camille@example.org", salt="sel"),
        valid_from=NOW - timedelta(days=30),
        results=[ResultDef(result_description=achievement.result_descriptions[0].id,
                           achieved_level=LEVELS[1].id)],
    )  # fmt: skip
    return data_integrity.sign(unsigned, SIGNING_KEY, VM_ID, created="2026-01-31T12:00:00Z")


def verify(credential: dict[str, Any], **options: Any):
    return verify_credential(credential, resolver=local_resolver(), now=NOW, **options)


def test_valid_endorsement_is_reported_with_its_endorser_and_comment():
    result = verify(badge_with(endorsement()))
    assert result.verdict is Verdict.VALID
    [check] = result.endorsements
    assert check.state is EndorsementState.VALID
    assert check.target == "achievement"
    assert check.endorser_id == ENDORSER_DID
    assert check.endorser_name == "Département de l'Exemple"
    assert check.comment == "Badge utile pour l'insertion."
    assert result.to_dict()["endorsements"][0]["state"] == "valid"


def test_tampered_endorsement_is_invalid_while_the_badge_stays_valid():
    tampered = endorsement()
    tampered["credentialSubject"]["endorsementComment"] = "Le meilleur badge du monde"
    result = verify(badge_with(tampered))  # the badge's issuer signed the tampered copy
    assert result.verdict is Verdict.VALID
    [check] = result.endorsements
    assert check.state is EndorsementState.INVALID
    assert check.verdict is Verdict.INVALID_SIGNATURE


def test_endorsement_of_another_achievement_is_invalid():
    result = verify(badge_with(endorsement("https://jalon.example/achievements/autre")))
    [check] = result.endorsements
    assert check.state is EndorsementState.INVALID
    assert check.verdict is Verdict.VALID  # authentic, but about something else
    assert "autre chose" in check.reason_fr


def test_endorsement_signed_with_a_key_that_is_not_its_issuers_is_invalid():
    impostor = keys.ed25519_from_seed(bytes(range(2, 34)))
    impostor_did = keys.did_key_for(impostor)
    forged = endorsement(key=impostor, vm=f"{impostor_did}#{impostor_did[8:]}")
    [check] = verify(badge_with(forged)).endorsements
    assert check.state is EndorsementState.INVALID
    assert check.verdict is Verdict.INVALID_SIGNATURE


def test_expired_endorsement_is_invalid():
    expired = endorsement(valid_until=NOW - timedelta(days=1))
    [check] = verify(badge_with(expired)).endorsements
    assert (check.state, check.verdict) == (EndorsementState.INVALID, Verdict.EXPIRED)


def test_endorser_key_behind_a_url_is_never_fetched_and_reads_unverified():
    fetched: list[str] = []

    def fetch(url: str) -> dict:
        fetched.append(url)
        raise AssertionError("no fetch while verifying an endorsement")

    remote = endorsement(
        issuer_id="https://employeur.example/issuer", vm="https://employeur.example/issuer#k1"
    )
    web_resolver = replace(local_resolver(), fetch=fetch)
    result = verify_credential(badge_with(remote), resolver=web_resolver, now=NOW)
    assert result.verdict is Verdict.VALID
    [check] = result.endorsements
    assert check.state is EndorsementState.UNVERIFIED
    assert fetched == []


def test_credential_level_and_issuer_level_endorsements_are_checked_against_their_holder():
    credential = badge_with()
    del credential["proof"]
    credential["endorsement"] = [endorsement(credential["id"])]
    credential["issuer"]["endorsement"] = [endorsement(ISSUER.id)]
    signed = data_integrity.sign(credential, SIGNING_KEY, VM_ID, created="2026-01-31T12:00:00Z")
    result = verify(signed)
    assert result.verdict is Verdict.VALID, result.to_dict()
    assert [(c.target, c.state) for c in result.endorsements] == [
        ("credential", EndorsementState.VALID),
        ("issuer", EndorsementState.VALID),
    ]


def test_endorsements_past_the_bound_are_not_checked():
    many = [copy.deepcopy(endorsement()) for _ in range(MAX_ENDORSEMENTS + 2)]
    result = verify(badge_with(*many))
    states = [c.state for c in result.endorsements]
    assert states[:MAX_ENDORSEMENTS] == [EndorsementState.VALID] * MAX_ENDORSEMENTS
    assert states[MAX_ENDORSEMENTS:] == [EndorsementState.UNVERIFIED] * 2
    assert result.endorsements[-1].verdict is None


def test_a_malformed_badge_has_its_endorsements_left_unchecked():
    credential = badge_with(endorsement())
    credential["type"] = ["VerifiableCredential"]
    result = verify(credential)
    assert result.verdict is Verdict.MALFORMED
    assert result.endorsements == []


def test_an_endorsement_with_a_single_proof_object_is_well_formed():
    single = endorsement()
    single["proof"] = single["proof"][0]  # VCDM allows one proof object
    result = verify(badge_with(single))
    assert result.verdict is Verdict.VALID, result.to_dict()
    assert [c.state for c in result.endorsements] == [EndorsementState.VALID]
    assert isinstance(single["proof"], dict)  # the schema check worked on a copy
