"""Benchmark: issuing (build, two proofs, status index, store), verifying and revoking with the
database, on each engine. A quick smoke run in the normal suite; ``JALON_BENCH_ISSUES=500 make
bench`` for steadier figures. Figures are printed, never asserted (the machine may be busy)."""

from __future__ import annotations

import os
import time

import pytest

from badges import issuance, revocation, verification
from tests.badges.factories import BASE_URL, KEK, make_achievement
from tests.learners.factories import make_learner


@pytest.mark.bench
def test_issue_verify_revoke_speed(dbsession, database_url):
    count = int(os.environ.get("JALON_BENCH_ISSUES", "10"))
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    dbsession.commit()

    started = time.perf_counter()
    credentials = []
    for n in range(count):
        outcome = issuance.issue(
            dbsession,
            achievement=achievement,
            learner=learner,
            award_key=f"bench:{n}",
            base_url=BASE_URL,
            kek=KEK,
        )
        dbsession.commit()
        credentials.append(outcome.credential)
    issue_ms = (time.perf_counter() - started) * 1000 / count

    started = time.perf_counter()
    results = [verification.verify_stored(dbsession, c, base_url=BASE_URL) for c in credentials]
    verify_ms = (time.perf_counter() - started) * 1000 / count

    started = time.perf_counter()
    for credential in credentials:
        revocation.revoke(dbsession, credential, "bench", base_url=BASE_URL, kek=KEK)
        dbsession.commit()
    revoke_ms = (time.perf_counter() - started) * 1000 / count

    engine = database_url.split(":", 1)[0]
    print(
        f"\n[{engine}] {count} badges: issue {issue_ms:.1f} ms, verify {verify_ms:.1f} ms, "
        f"revoke + re-sign list {revoke_ms:.1f} ms (per badge)"
    )
    assert all(result.valid for result in results)
    assert len({c.status_index for c in credentials}) == count
