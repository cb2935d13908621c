"""Revocation flips the credential's bit in a re-signed list, and verification reports it."""

import json

import pytest

from badges import issuance, revocation, status_lists, verification
from badges.models import VerificationChannel, VerificationEvent
from badges.ob3 import status_list
from badges.ob3.verify import Verdict
from tests.badges.factories import BASE_URL, KEK, make_achievement
from tests.learners.factories import make_learner


@pytest.fixture
def credential(dbsession):
    outcome = issuance.issue(
        dbsession,
        achievement=make_achievement(dbsession),
        learner=make_learner(dbsession),
        award_key="session:1:badge:1",
        base_url=BASE_URL,
        kek=KEK,
    )
    dbsession.commit()
    return outcome.credential


def test_fresh_credential_verifies_valid_with_local_keys_and_lists(dbsession, credential):
    result = verification.verify_stored(dbsession, credential, base_url=BASE_URL)
    assert result.verdict is Verdict.VALID, result.to_dict()
    assert result.check("status").status.value == "passed"
    assert result.issuer_known is True


def test_revocation_is_reported_by_verification(dbsession, credential):
    revocation.revoke(
        dbsession, credential, "Badge attribué par erreur", base_url=BASE_URL, kek=KEK
    )
    dbsession.commit()
    assert credential.is_revoked and credential.revocation_reason == "Badge attribué par erreur"
    result = verification.verify_stored(dbsession, credential, base_url=BASE_URL)
    assert result.verdict is Verdict.REVOKED


def test_revocation_resigns_the_list_with_only_that_bit_set(dbsession, credential):
    before = json.loads(credential.status_list.signed_credential)
    revocation.revoke(dbsession, credential, "Fraude", base_url=BASE_URL, kek=KEK)
    dbsession.commit()
    after = json.loads(credential.status_list.signed_credential)
    assert after["proof"]["proofValue"] != before["proof"]["proofValue"]
    bits = status_list.decode(after["credentialSubject"]["encodedList"])
    assert status_list.get_bit(bits, credential.status_index)
    assert sum(bin(b).count("1") for b in bits) == 1
    assert after["credentialSubject"]["statusPurpose"] == "revocation"


def test_revocation_needs_a_reason_and_happens_once(dbsession, credential):
    with pytest.raises(revocation.ReasonRequired):
        revocation.revoke(dbsession, credential, "  ", base_url=BASE_URL, kek=KEK)
    revocation.revoke(dbsession, credential, "Erreur", base_url=BASE_URL, kek=KEK)
    with pytest.raises(revocation.AlreadyRevoked):
        revocation.revoke(dbsession, credential, "Encore", base_url=BASE_URL, kek=KEK)


def test_revoking_one_credential_leaves_the_others_valid(dbsession, credential):
    other = issuance.issue(
        dbsession,
        achievement=credential.achievement,
        learner=credential.learner,
        award_key="session:2:badge:1",
        base_url=BASE_URL,
        kek=KEK,
    ).credential
    revocation.revoke(dbsession, credential, "Erreur", base_url=BASE_URL, kek=KEK)
    dbsession.commit()
    assert status_lists.is_set(credential.status_list, credential.status_index)
    assert not status_lists.is_set(other.status_list, other.status_index)
    assert verification.verify_stored(dbsession, other, base_url=BASE_URL).valid


def test_tampered_status_list_makes_status_unknown_not_valid(dbsession, credential):
    signed = json.loads(credential.status_list.signed_credential)
    signed["credentialSubject"]["encodedList"] = status_list.encode(status_list.bitstring())
    signed["validFrom"] = "2020-01-01T00:00:00Z"
    credential.status_list.signed_credential = json.dumps(signed)
    dbsession.commit()
    result = verification.verify_stored(dbsession, credential, base_url=BASE_URL)
    assert result.verdict is Verdict.STATUS_UNKNOWN


def test_verification_event_keeps_channel_and_verdict_only(dbsession, credential):
    result = verification.verify_stored(dbsession, credential, base_url=BASE_URL)
    event = verification.record(dbsession, credential, VerificationChannel.QR, result)
    dbsession.commit()
    stored = dbsession.get(VerificationEvent, event.id)
    assert (stored.channel, stored.result, stored.credential_id) == (
        VerificationChannel.QR,
        "valid",
        credential.id,
    )
    assert set(VerificationEvent.__table__.columns.keys()) == {
        "id",
        "credential_id",
        "occurred_at",
        "channel",
        "result",
    }


def test_suspension_is_recorded_and_reversible(dbsession, credential):
    revocation.set_suspended(dbsession, credential, True)
    assert credential.suspended
    revocation.set_suspended(dbsession, credential, False)
    assert not credential.suspended
