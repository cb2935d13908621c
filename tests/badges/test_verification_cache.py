"""The verification cache: bounded, short-lived, and never stale about what we record — a
revocation, a suspension, a reinstatement or a key withdrawal is seen by the next check."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from badges import issuance, keys_store, revocation, verification
from badges.ob3.verify import Verdict
from badges.verification_cache import StampedCache
from learners.database import utcnow
from tests.badges.factories import BASE_URL, KEK, make_achievement
from tests.learners.factories import make_learner


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ------------------------------------------------------------------------------ the cache


def test_a_value_is_kept_for_its_stamp_only():
    cache: StampedCache[str] = StampedCache(8, 60)
    cache.put("badge", ("valid",), "result")
    assert cache.get("badge", ("valid",)) == "result"
    assert cache.get("badge", ("revoked",)) is None
    assert cache.get("badge", ("valid",)) is None  # a new stamp replaced the old one


def test_a_value_expires_after_its_time_to_live():
    clock = Clock()
    cache: StampedCache[str] = StampedCache(8, 60, clock=clock)
    cache.put("badge", 1, "result")
    clock.now += 59
    assert cache.get("badge", 1) == "result"
    clock.now += 2
    assert cache.get("badge", 1) is None
    assert len(cache) == 0


def test_a_sooner_boundary_shortens_the_time_to_live():
    clock = Clock()
    cache: StampedCache[str] = StampedCache(8, 300, clock=clock)
    cache.put("badge", 1, "result", at_most=10)
    clock.now += 11
    assert cache.get("badge", 1) is None
    cache.put("badge", 1, "result", at_most=0)  # the boundary is now: not kept at all
    assert cache.get("badge", 1) is None


def test_the_least_recently_used_entry_leaves_first_when_full():
    cache: StampedCache[int] = StampedCache(3, 60)
    for n in range(3):
        cache.put(n, 0, n)
    assert cache.get(0, 0) == 0  # 0 is now the most recently used
    cache.put(3, 0, 3)
    assert len(cache) == 3
    assert cache.get(1, 0) is None
    assert [cache.get(n, 0) for n in (0, 2, 3)] == [0, 2, 3]


@pytest.mark.parametrize(("size", "ttl"), [(0, 300), (2048, 0)])
def test_a_cache_of_size_or_lifetime_zero_keeps_nothing(size, ttl):
    cache: StampedCache[str] = StampedCache(size, ttl)
    cache.put("badge", 1, "result")
    assert not cache.enabled and cache.get("badge", 1) is None


# ----------------------------------------------------------------- verifying through it


@pytest.fixture
def counted(monkeypatch) -> list[str]:
    """Each real verification of a stored credential, by public id."""
    calls: list[str] = []
    real = verification.verify_stored

    def counting(db, credential, *, base_url):
        calls.append(credential.public_id)
        return real(db, credential, base_url=base_url)

    monkeypatch.setattr(verification, "verify_stored", counting)
    return calls


def _issue(db, award_key: str = "session:1:badge:1", **kwargs):
    outcome = issuance.issue(
        db,
        achievement=make_achievement(db),
        learner=make_learner(db),
        award_key=award_key,
        base_url=BASE_URL,
        kek=KEK,
        **kwargs,
    )
    db.commit()
    return outcome.credential


def _check(db, credential, cache) -> Verdict:
    return verification.check_stored(db, credential, base_url=BASE_URL, cache=cache).verdict


def test_a_second_check_is_answered_from_the_cache(dbsession, counted):
    credential = _issue(dbsession)
    cache = StampedCache()
    assert _check(dbsession, credential, cache) is Verdict.VALID
    assert _check(dbsession, credential, cache) is Verdict.VALID
    assert counted == [credential.public_id]
    assert (cache.hits, cache.misses) == (1, 1)


def test_revocation_is_seen_at_once(dbsession, counted):
    credential = _issue(dbsession)
    cache = StampedCache()
    assert _check(dbsession, credential, cache) is Verdict.VALID
    revocation.revoke(dbsession, credential, "Attribué par erreur", base_url=BASE_URL, kek=KEK)
    dbsession.commit()
    assert _check(dbsession, credential, cache) is Verdict.REVOKED
    assert len(counted) == 2


def test_suspension_and_reinstatement_are_seen_at_once(dbsession, counted):
    credential = _issue(dbsession)
    cache = StampedCache()
    assert _check(dbsession, credential, cache) is Verdict.VALID
    revocation.set_suspended(dbsession, credential, True)
    dbsession.commit()
    assert _check(dbsession, credential, cache) is Verdict.SUSPENDED
    revocation.set_suspended(dbsession, credential, False)
    dbsession.commit()
    assert _check(dbsession, credential, cache) is Verdict.VALID


def test_a_retired_key_still_verifies_after_a_fresh_check(dbsession, counted):
    credential = _issue(dbsession)
    cache = StampedCache()
    assert _check(dbsession, credential, cache) is Verdict.VALID
    keys_store.rotate(dbsession, credential.issuer, KEK)  # retired keys stay published
    dbsession.commit()
    assert _check(dbsession, credential, cache) is Verdict.VALID
    assert len(counted) == 2  # the keys changed: verified again


def test_a_withdrawn_key_is_seen_at_once(dbsession, counted):
    credential = _issue(dbsession)
    cache = StampedCache()
    assert _check(dbsession, credential, cache) is Verdict.VALID
    keys_store.rotate(dbsession, credential.issuer, KEK, compromised=True)
    dbsession.commit()
    withdrawn = _check(dbsession, credential, cache)
    assert withdrawn is not Verdict.VALID
    assert withdrawn is verification.verify_stored(dbsession, credential, base_url=BASE_URL).verdict


def test_a_status_list_that_can_no_longer_be_read_is_seen_at_once(dbsession, counted):
    credential = _issue(dbsession)
    cache = StampedCache()
    assert _check(dbsession, credential, cache) is Verdict.VALID
    credential.status_list.signed_credential = None
    dbsession.commit()
    assert _check(dbsession, credential, cache) is Verdict.STATUS_UNKNOWN


def test_a_changed_document_is_verified_again(dbsession, counted):
    credential = _issue(dbsession)
    cache = StampedCache()
    assert _check(dbsession, credential, cache) is Verdict.VALID
    document = json.loads(credential.signed_json)
    document["credentialSubject"]["achievement"]["name"] = "Expert en cybersécurité"
    credential.signed_json = json.dumps(document, ensure_ascii=False)
    dbsession.commit()
    assert _check(dbsession, credential, cache) is Verdict.INVALID_SIGNATURE


def test_a_result_does_not_outlive_the_badge_expiry(dbsession, counted):
    clock = Clock()
    credential = _issue(dbsession, valid_until=utcnow() + timedelta(seconds=100))
    cache = StampedCache(ttl_seconds=3600, clock=clock)
    assert _check(dbsession, credential, cache) is Verdict.VALID
    clock.now += 90
    _check(dbsession, credential, cache)
    assert len(counted) == 1
    clock.now += 20  # past the expiry date: the result is not reused
    _check(dbsession, credential, cache)
    assert len(counted) == 2


def test_an_internal_error_is_not_kept(dbsession, counted, monkeypatch):
    from badges.ob3 import verify

    credential = _issue(dbsession)
    cache = StampedCache()

    def broken(*_args, **_kwargs):
        raise RuntimeError("a passing fault")

    with monkeypatch.context() as patch:
        patch.setattr(verify, "check_proof", broken)
        assert _check(dbsession, credential, cache) is Verdict.INTERNAL_ERROR
    assert _check(dbsession, credential, cache) is Verdict.VALID
