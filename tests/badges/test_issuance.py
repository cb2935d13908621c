"""Issuing is transactional and idempotent, and the credentials it stores verify."""

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import event, func, select

from badges import achievements, issuance, issuers, keys_store, status_lists, verification
from badges.models import Achievement, Credential, KeyAlgorithm, StatusList
from badges.ob3 import build, data_integrity, jwt, schema
from badges.ob3.resolver import Resolver
from learners.database import make_engine, make_session_factory
from learners.models import Learner
from tests.badges.factories import BASE_URL, KEK, issue, make_achievement, tiny_png
from tests.learners.factories import make_learner

RESULT = {
    "resultDescription": "urn:jalon:rd:interagir",
    "achievedLevel": "urn:jalon:rd:interagir:3",
}


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


def wasted(database_url: str) -> int:
    """Indexes a failed issue leaves taken: on PostgreSQL the index is committed before signing
    (no lock held while signing), so a failure after that wastes it; SQLite gives it back."""
    return 1 if database_url.startswith("postgresql") else 0


def test_failure_after_signing_before_commit_leaves_no_credential(dbsession, database_url):
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    first = issue(dbsession, achievement, learner, "first").credential
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
    allocated = dbsession.get(StatusList, status_list.id).allocated
    assert allocated == allocated_before + wasted(database_url)
    # The event can be retried and is issued normally, on an index of its own.
    retried = issue(dbsession, achievement, learner, "second")
    dbsession.commit()
    assert retried.created and retried.credential.status_index != first.status_index


def test_failure_while_signing_leaves_no_credential(dbsession, monkeypatch, database_url):
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
    allocated = sum(sl.allocated for sl in dbsession.scalars(select(StatusList)))
    assert allocated == wasted(database_url)


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


THREADS = 4


def issue_in_threads(
    database_url, monkeypatch, award_keys: list[str]
) -> tuple[list[Credential], list[Credential]]:
    """Issue one badge per award key, each from a thread with its own session, all at once. On
    PostgreSQL every thread must be signing at the same moment (a barrier in the signer): that
    only happens if no lock is held while signing. SQLite has one writer: they take turns."""
    engine = make_engine(database_url)
    factory = make_session_factory(engine)
    with factory() as db:
        achievement = make_achievement(db)
        people = [make_learner(db).id for _ in award_keys]
        issue(db, achievement, db.get(Learner, people[0]), "before")  # the list exists
        db.commit()
        achievement_id = achievement.id
    barrier = threading.Barrier(len(award_keys), timeout=30)
    sign = issuance.data_integrity.sign

    def signing_together(*args, **kwargs):
        if database_url.startswith("postgresql"):
            barrier.wait()
        return sign(*args, **kwargs)

    monkeypatch.setattr(issuance.data_integrity, "sign", signing_together)

    def work(n: int) -> int:
        with factory() as db:
            learner = db.get(Learner, people[n])
            outcome = issue(db, db.get(Achievement, achievement_id), learner, award_keys[n])
            db.commit()
            return outcome.credential.id

    with ThreadPoolExecutor(len(award_keys)) as pool:
        ids = list(pool.map(work, range(len(award_keys))))
    with factory() as db:
        found = [db.get(Credential, i) for i in ids]
        everything = list(db.scalars(select(Credential)))
        status_list = db.scalars(select(StatusList)).one()
        allocated = status_list.allocated
    engine.dispose()
    assert allocated >= len(everything)
    return found, everything


def test_concurrent_issues_sign_at_once_and_never_share_an_index(database_url, monkeypatch):
    keys = [f"parallel:{n}" for n in range(THREADS)]
    _found, everything = issue_in_threads(database_url, monkeypatch, keys)
    assert len(everything) == THREADS + 1
    assert len({c.status_index for c in everything}) == THREADS + 1


def test_one_award_event_issued_at_once_twice_gives_one_credential(database_url, monkeypatch):
    found, everything = issue_in_threads(database_url, monkeypatch, ["same", "same"])
    assert len(everything) == 2  # "before" and one "same"
    assert found[0].id == found[1].id


def test_credential_names_its_image_by_url_and_reports_only_its_results(dbsession):
    rubric = make_achievement(dbsession).result_descriptions[0]
    achievement = make_achievement(
        dbsession,
        image_data=tiny_png(),
        image_media_type="image/png",
        result_descriptions=[rubric, {**rubric, "id": "urn:jalon:rd:autre", "name": "Autre"}],
    )
    signed = json.loads(
        issue(
            dbsession, achievement, make_learner(dbsession), results=[RESULT]
        ).credential.signed_json
    )
    carried = signed["credentialSubject"]["achievement"]
    assert carried["image"]["id"] == achievements.image_url(achievement, BASE_URL)
    assert [d["id"] for d in carried["resultDescription"]] == [RESULT["resultDescription"]]
    levels = carried["resultDescription"][0]["rubricCriterionLevel"]
    assert [level["id"] for level in levels] == [RESULT["achievedLevel"]]
    assert schema.validate(signed) == [] and proof_verifies(dbsession, signed)


DIGCOMP = {
    "type": ["Alignment"],
    "targetName": "Netiquette",
    "targetUrl": "https://publications.jrc.ec.europa.eu/repository/handle/JRC128415",
    "targetCode": "2.5",
    "targetFramework": "DigComp 2.2",
}


def test_credential_leaves_the_competences_alignments_to_the_published_definition(dbsession):
    rubric = make_achievement(dbsession).result_descriptions[0]
    levels = [{**level, "alignment": [DIGCOMP]} for level in rubric["rubricCriterionLevel"]]
    achievement = make_achievement(
        dbsession,
        result_descriptions=[{**rubric, "alignment": [DIGCOMP], "rubricCriterionLevel": levels}],
    )
    signed = json.loads(
        issue(
            dbsession, achievement, make_learner(dbsession), results=[RESULT]
        ).credential.signed_json
    )
    (carried,) = signed["credentialSubject"]["achievement"]["resultDescription"]
    assert "alignment" not in carried
    assert [set(level) for level in carried["rubricCriterionLevel"]] == [
        {"id", "type", "name", "level"}
    ]
    assert signed["credentialSubject"]["achievement"]["alignment"]  # the badge's own: kept
    assert schema.validate(signed) == [] and proof_verifies(dbsession, signed)
    published = achievements.document(achievement, BASE_URL)["resultDescription"]
    assert published[0]["alignment"][0]["targetCode"] == "2.5"
    assert all(level["alignment"] for level in published[0]["rubricCriterionLevel"])
    assert len(published[0]["rubricCriterionLevel"]) == 8


def test_heavy_credential_issued_before_still_verifies(dbsession, monkeypatch):
    """Credentials issued before carried their image as a data: URI and the whole rubric."""
    achievement = make_achievement(dbsession, image_data=tiny_png(), image_media_type="image/png")
    definition = achievements.definition

    def as_before(*args, **kwargs):
        return definition(*args, **{**kwargs, "reported": None, "inline_image": True})

    monkeypatch.setattr(issuance.achievements, "definition", as_before)
    credential = issue(dbsession, achievement, make_learner(dbsession), results=[RESULT])
    dbsession.commit()
    signed = json.loads(credential.credential.signed_json)
    assert signed["image"]["id"].startswith("data:image/png;base64,")
    assert (
        len(
            signed["credentialSubject"]["achievement"]["resultDescription"][0][
                "rubricCriterionLevel"
            ]
        )
        == 8
    )
    result = verification.verify_stored(dbsession, credential.credential, base_url=BASE_URL)
    assert result.valid
