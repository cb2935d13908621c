"""The verdict people read, decided once: the signed document's verdict plus our own records
(a suspension), the same for the employer's pages, the API and the learner's wallet."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from badges import issuance, issuers, revocation, verification, verification_sandbox
from badges.models import Credential, VerificationChannel, VerificationEvent
from badges.ob3.verify import Check, CheckStatus, Verdict, VerificationResult
from badges.verification_cache import StampedCache
from learners.database import utcnow
from tests.badges.factories import BASE_URL, KEK, make_achievement
from tests.learners.factories import make_learner

STANDING = (Verdict.VALID, Verdict.EXPIRED, Verdict.NOT_YET_VALID)


@pytest.mark.parametrize("verdict", list(Verdict))
def test_a_suspension_outranks_only_the_standing_of_an_authentic_badge(verdict):
    suspended, active = Credential(suspended=True), Credential(suspended=False)
    expected = Verdict.SUSPENDED if verdict in STANDING else verdict
    assert verification.shown_verdict(verdict, suspended) is expected
    assert verification.shown_verdict(verdict, active) is verdict
    assert verification.shown_verdict(verdict, None) is verdict  # not ours: nothing to add


def test_recorded_verdict_shows_the_gravest_state():
    now = utcnow()
    past, future = now - timedelta(days=1), now + timedelta(days=30)

    def credential(**fields) -> Credential:
        return Credential(suspended=fields.pop("suspended", False), **fields)

    assert verification.recorded_verdict(credential(valid_until=future), now) is Verdict.VALID
    assert verification.recorded_verdict(credential(valid_until=past), now) is Verdict.EXPIRED
    assert verification.recorded_verdict(credential(), now) is Verdict.VALID  # no end date
    suspended_and_expired = credential(valid_until=past, suspended=True)
    assert verification.recorded_verdict(suspended_and_expired, now) is Verdict.SUSPENDED
    revoked = credential(revoked_at=now, valid_until=past, suspended=True)
    assert verification.recorded_verdict(revoked, now) is Verdict.REVOKED


def _result(verdict: Verdict, *statuses: tuple[str, CheckStatus]) -> VerificationResult:
    return VerificationResult(
        verdict, [Check(code, status, "fr", "en") for code, status in statuses]
    )


def test_signature_held_only_when_key_and_proof_passed():
    passed = (("key", CheckStatus.PASSED), ("proof", CheckStatus.PASSED))
    assert verification.signature_held(_result(Verdict.EXPIRED, *passed))
    assert verification.signature_held(_result(Verdict.INTERNAL_ERROR, *passed))
    assert not verification.signature_held(
        _result(Verdict.INTERNAL_ERROR, ("proof", CheckStatus.ERROR))
    )
    assert not verification.signature_held(_result(Verdict.INTERNAL_ERROR))  # never checked
    assert not verification.signature_held(_result(Verdict.INVALID_SIGNATURE, *passed))
    assert not verification.signature_held(_result(Verdict.MALFORMED, *passed))


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


def _events(db) -> list[tuple[str, str, int | None]]:
    rows = db.scalars(select(VerificationEvent).order_by(VerificationEvent.id))
    return [(e.channel.value, e.result, e.credential_id) for e in rows]


def test_a_suspended_credential_of_ours_is_shown_suspended_wherever_it_is_checked(
    dbsession, credential
):
    revocation.set_suspended(dbsession, credential, True)
    dbsession.commit()
    page = verification.check_stored(dbsession, credential, base_url=BASE_URL)
    sent = verification.check_sent(
        dbsession,
        credential.signed_json.encode(),
        base_url=BASE_URL,
        channel=VerificationChannel.UPLOAD,
    )
    for checked in (page, sent):
        assert checked.result.verdict is Verdict.VALID  # the signed document itself is fine
        assert checked.verdict is Verdict.SUSPENDED
        assert checked.credential is credential
    # Counted once (the upload; the page was not asked to count), with the document's verdict.
    assert _events(dbsession) == [("upload", "valid", credential.id)]


def test_check_stored_counts_only_when_given_a_channel(dbsession, credential):
    verification.check_stored(
        dbsession, credential, base_url=BASE_URL, channel=VerificationChannel.QR
    )
    verification.check_stored(dbsession, credential, base_url=BASE_URL)
    assert _events(dbsession) == [("qr", "valid", credential.id)]


def test_a_forged_copy_of_our_badge_is_counted_but_not_tied_to_it(dbsession, credential):
    forged = dict(json.loads(credential.signed_json), validFrom="2020-01-01T00:00:00Z")
    checked = verification.check_sent(
        dbsession,
        json.dumps(forged).encode(),
        base_url=BASE_URL,
        channel=VerificationChannel.API,
    )
    assert checked.verdict is Verdict.INVALID_SIGNATURE and checked.credential is None
    assert _events(dbsession) == [("api", "invalid_signature", None)]


@pytest.mark.parametrize("in_child", [False, True], ids=["in the worker", "in a child"])
def test_our_issuer_document_is_read_once_per_verification(
    dbsession, credential, monkeypatch, in_child
):
    """The badge's key and its status list's key sit in the same issuer document: one
    database read, and in the sandbox one question over the child's pipe, not one per key."""
    read: list[str] = []
    asked: list[tuple] = []
    profile_document, answer = issuers.profile_document, verification_sandbox._answer
    monkeypatch.setattr(
        issuers, "profile_document", lambda *a: read.append("read") or profile_document(*a)
    )
    monkeypatch.setattr(
        verification_sandbox,
        "_answer",
        lambda call, args: asked.append((call, args)) or answer(call, args),
    )
    limits = verification_sandbox.Limits(children=1)
    pool = verification_sandbox.VerifierPool(limits) if in_child else None
    try:
        checked = verification.check_sent(
            dbsession,
            credential.signed_json.encode(),
            base_url=BASE_URL,
            channel=VerificationChannel.API,
            sandbox=pool,
        )
    finally:
        if pool is not None:
            pool.close()
    assert checked.verdict is Verdict.VALID
    assert checked.result.check("status").status is CheckStatus.PASSED  # its list's key too
    assert read == ["read"]
    # In the child: the issuer document, the status list, whether the issuer is ours.
    assert len(asked) == len(set(asked)) == (3 if in_child else 0)


@pytest.fixture
def core_runs(monkeypatch) -> list[str]:
    """Each run of the OB 3.0 core on a stored credential."""
    from badges.ob3 import verify

    runs: list[str] = []
    original = verify.verify_credential

    def counting(credential, **options):
        runs.append("run")
        return original(credential, **options)

    monkeypatch.setattr(verify, "verify_credential", counting)
    return runs


def test_the_public_page_keeps_its_verification_until_what_it_depends_on_changes(
    dbsession, credential, core_runs
):
    from badges import keys_store

    cache = StampedCache()
    for _ in range(3):
        page = verification.check_stored(dbsession, credential, base_url=BASE_URL, cache=cache)
        assert page.verdict is Verdict.VALID
    assert len(core_runs) == 1
    keys_store.rotate(dbsession, credential.issuer, KEK, compromised=True)
    dbsession.commit()
    withdrawn = verification.check_stored(dbsession, credential, base_url=BASE_URL, cache=cache)
    assert len(core_runs) == 2
    assert withdrawn.verdict is Verdict.INVALID_SIGNATURE  # its key no longer published
    revocation.revoke(dbsession, credential, "Fraude", base_url=BASE_URL, kek=KEK)
    dbsession.commit()
    verification.check_stored(dbsession, credential, base_url=BASE_URL, cache=cache)
    assert len(core_runs) == 3


def test_a_cached_page_verification_still_counts_each_opening(dbsession, credential, core_runs):
    cache = StampedCache()
    for _ in range(2):
        verification.check_stored(
            dbsession, credential, base_url=BASE_URL, channel=VerificationChannel.LINK, cache=cache
        )
    assert len(core_runs) == 1
    assert _events(dbsession) == [("link", "valid", credential.id)] * 2
