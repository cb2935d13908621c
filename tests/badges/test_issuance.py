"""Issuing is transactional and idempotent, and the credentials it stores verify."""

import json

import pytest
from sqlalchemy import event, func, select

from badges import issuance, issuers, keys_store, status_lists
from badges.models import Credential, KeyAlgorithm, StatusList
from badges.ob3 import build, data_integrity, jwt, schema
from badges.ob3.resolver import Resolver
from tests.badges.factories import BASE_URL, KEK, make_achievement
from tests.learners.factories import make_learner

RESULT = {
    "resultDescription": "urn:jalon:rd:interagir",
    "achievedLevel": "urn:jalon:rd:interagir:3",
}


def issue(db, achievement, learner, award_key="session:1:badge:1", **kwargs):
    return issuance.issue(
        db,
        achievement=achievement,
        learner=learner,
        award_key=award_key,
        base_url=BASE_URL,
        kek=KEK,
        **kwargs,
    )


def proof_verifies(db, signed: dict) -> bool:
    resolver = Resolver(local=issuers.document_source(db, BASE_URL))
    resolved = resolver.resolve(signed["proof"][0]["verificationMethod"])
    assert resolved.controller == signed["issuer"]["id"]
    return data_integrity.verify(signed, resolved.public_key).ok


def test_issued_credential_is_signed_valid_and_names_nobody_in_clear(dbsession):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession, name="Samira Dupont")
    outcome = issue(dbsession, achievement, learner, results=[RESULT])
    dbsession.commit()
    assert outcome.created
    signed = json.loads(outcome.credential.signed_json)
    assert signed["id"] == f"{BASE_URL}/c/{outcome.credential.public_id}"
    assert signed["issuer"]["id"] == f"{BASE_URL}/issuers/{achievement.issuer.public_id}"
    assert schema.validate(signed) == []
    assert proof_verifies(dbsession, signed)
    text = outcome.credential.signed_json
    assert "Samira" not in text and learner.pseudonym not in text
    identity = signed["credentialSubject"]["identifier"][0]
    assert build.identity_matches(identity, learner.pseudonym, "systemId")
    status = signed["credentialStatus"]
    assert status["statusListCredential"] == status_lists.list_url(
        outcome.credential.status_list, BASE_URL
    )
    assert int(status["statusListIndex"]) == outcome.credential.status_index


def test_vc_jwt_is_rs256_with_a_key_the_issuer_publishes(dbsession):
    outcome = issue(dbsession, make_achievement(dbsession), make_learner(dbsession))
    decoded = jwt.decode_vc_jwt(outcome.credential.jws)
    assert decoded.header["alg"] == "RS256"
    resolver = Resolver(local=issuers.document_source(dbsession, BASE_URL))
    key = resolver.resolve(decoded.header["kid"]).public_key
    assert jwt.verify_signature(decoded, key)
    assert decoded.payload["jti"] == json.loads(outcome.credential.signed_json)["id"]


def test_email_recipient_is_hashed_with_a_fresh_salt(dbsession):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    one = issue(dbsession, achievement, learner, "a", recipient_email="Samira@Example.org")
    two = issue(dbsession, achievement, learner, "b", recipient_email="samira@example.org")
    ids = [
        json.loads(o.credential.signed_json)["credentialSubject"]["identifier"][0]
        for o in (one, two)
    ]
    assert ids[0]["identityHash"] != ids[1]["identityHash"]
    assert all(build.identity_matches(i, "samira@example.org", "emailAddress") for i in ids)
    assert "example.org" not in one.credential.signed_json


def test_same_award_event_twice_gives_one_credential(dbsession):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    first = issue(dbsession, achievement, learner, "session:7:badge:3")
    dbsession.commit()
    second = issue(dbsession, achievement, learner, "session:7:badge:3")
    dbsession.commit()
    assert first.created and not second.created
    assert second.credential.id == first.credential.id
    assert dbsession.scalar(select(func.count(Credential.id))) == 1
    assert first.credential.status_list.allocated == 1


def test_indexes_are_distinct_and_scattered(dbsession):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    indexes = [
        issue(dbsession, achievement, learner, f"k{n}").credential.status_index for n in range(6)
    ]
    dbsession.commit()
    assert len(set(indexes)) == 6
    assert indexes != sorted(indexes) or indexes != list(range(indexes[0], indexes[0] + 6))
    status_list = dbsession.scalars(select(StatusList)).one()
    assert status_list.allocated == 6 and status_list.size >= 131_072


def test_failure_after_signing_before_commit_leaves_nothing(dbsession):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    issue(dbsession, achievement, learner, "first")
    dbsession.commit()
    status_list = dbsession.scalars(select(StatusList)).one()
    allocated_before = status_list.allocated

    def crash(_db):
        raise RuntimeError("power cut")

    outcome = issue(dbsession, achievement, learner, "second")
    assert outcome.created and outcome.credential.signed_json  # signed, flushed, not committed
    event.listen(dbsession, "before_commit", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        dbsession.commit()
    event.remove(dbsession, "before_commit", crash)
    dbsession.rollback()
    dbsession.expire_all()
    assert dbsession.scalar(select(func.count(Credential.id))) == 1
    assert issuance.by_award_key(dbsession, "second") is None
    assert dbsession.get(StatusList, status_list.id).allocated == allocated_before
    # The event can be retried and is issued normally.
    assert issue(dbsession, achievement, learner, "second").created


def test_failure_while_signing_leaves_nothing(dbsession, monkeypatch):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    dbsession.commit()

    def broken(*_args, **_kwargs):
        raise RuntimeError("signer down")

    monkeypatch.setattr(issuance.jwt, "sign_vc_jwt", broken)
    with pytest.raises(RuntimeError):
        issue(dbsession, achievement, learner, "x")
    dbsession.rollback()
    assert dbsession.scalar(select(func.count(Credential.id))) == 0
    assert all(sl.allocated == 0 for sl in dbsession.scalars(select(StatusList)))


def test_wrong_kek_fails_before_anything_is_written(dbsession):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    dbsession.commit()
    with pytest.raises(keys_store.KeyDecryptionError):
        issuance.issue(
            dbsession,
            achievement=achievement,
            learner=learner,
            award_key="k",
            base_url=BASE_URL,
            kek="wrong-key-encryption-key",
        )
    assert dbsession.scalar(select(func.count(Credential.id))) == 0


def test_rotation_keeps_earlier_badges_verifying(dbsession):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    before = issue(dbsession, achievement, learner, "before")
    keys_store.rotate(dbsession, achievement.issuer, KEK)
    after = issue(dbsession, achievement, learner, "after")
    dbsession.commit()
    old_signed = json.loads(before.credential.signed_json)
    new_signed = json.loads(after.credential.signed_json)
    assert (
        old_signed["proof"][0]["verificationMethod"] != new_signed["proof"][0]["verificationMethod"]
    )
    new_key = keys_store.active_key(dbsession, achievement.issuer, KeyAlgorithm.ED25519)
    assert new_signed["proof"][0]["verificationMethod"].endswith(new_key.public_key_multibase)
    assert proof_verifies(dbsession, old_signed)
    assert proof_verifies(dbsession, new_signed)


def test_tampered_credential_fails_its_proof(dbsession):
    outcome = issue(dbsession, make_achievement(dbsession), make_learner(dbsession))
    signed = json.loads(outcome.credential.signed_json)
    signed["credentialSubject"]["achievement"]["name"] = "Développeur senior"
    assert not proof_verifies(dbsession, signed)


def test_credential_without_recipient_is_refused(dbsession):
    with pytest.raises(issuance.RecipientMissing):
        issue(dbsession, make_achievement(dbsession), None)
