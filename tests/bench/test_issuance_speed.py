"""Benchmark: issuing (build, two proofs, status index, store), verifying and revoking with the
database, on each engine; and bulk issuance in badges per second, before and after the light
credential, the keys opened once per batch and signing outside the issuer's lock.

A quick smoke run in the normal suite; ``JALON_BENCH_ISSUES=500 make bench`` for steadier
figures. Figures are printed, never asserted (the machine may be busy).

Bulk issuance issues the beginner diagnostic's first badge with its six results, committing
each badge as ``jalon badges award-csv`` does. "Before" reproduces what issuance did until then
(the image as a data: URI and the framework's whole rubric in every credential, the keys opened
for every badge); "2 workers" runs two processes issuing half each at once, as two queue
workers do with a file split in parts (wall-clock time). The SQL statements per badge of a batch
are counted apart, after the timed runs.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import select

from badges import achievements, issuance, revocation, verification
from badges.models import Achievement, Credential
from learners.database import make_engine, make_session_factory
from learners.models import Learner
from tests.badges.factories import BASE_URL, KEK, issue, make_achievement, make_issuer
from tests.learners.factories import make_learner
from tests.web.statements import count_statements


def issue_count() -> int:
    return int(os.environ.get("JALON_BENCH_ISSUES", "10"))


@pytest.mark.bench
def test_issue_verify_revoke_speed(dbsession, database_url):
    count = issue_count()
    achievement = make_achievement(dbsession)
    learner = make_learner(dbsession)
    dbsession.commit()

    started = time.perf_counter()
    credentials = []
    for n in range(count):
        outcome = issue(dbsession, achievement, learner, f"bench:{n}")
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


def typical_results(achievement: Achievement) -> list[dict]:
    """Level 3 (or the last level) in every competence the badge describes."""
    found = []
    for description in achievement.result_descriptions or []:
        levels = description["rubricCriterionLevel"]
        if ":competence:" in description["id"]:
            found.append(
                {
                    "resultDescription": description["id"],
                    "achievedLevel": levels[min(2, len(levels) - 1)]["id"],
                }
            )
    return found


def issue_committed(db, achievement, learner, keys, prefix: str, n: int) -> Iterator[Credential]:
    """Issue ``n`` badges with the typical results, committing each, as bulk issuance does."""
    results = typical_results(achievement)
    for index in range(n):
        issued = issue(db, achievement, learner, f"{prefix}:{index}", results=results, keys=keys)
        db.commit()
        yield issued.credential


def issue_batch(
    database_url: str, achievement_id: int, learner_id: int, keys_once: bool, prefix: str, n: int
) -> tuple[int, float]:
    """Issue ``n`` badges, committing each; returns the credentials' total size in bytes and
    the CPU seconds this process spent."""
    cpu = time.process_time()
    engine = make_engine(database_url)
    db = make_session_factory(engine)()
    achievement, learner = db.get(Achievement, achievement_id), db.get(Learner, learner_id)
    keys = issuance.signing_keys(db, achievement.issuer, KEK) if keys_once else None
    credentials = issue_committed(db, achievement, learner, keys, prefix, n)
    size = sum(len(credential.signed_json.encode("utf-8")) for credential in credentials)
    db.close()
    engine.dispose()
    return size, time.process_time() - cpu


def statements_per_badge(database_url: str, achievement_id: int, learner_id: int, n: int) -> float:
    """SQL statements per badge of a batch issued as "after" (counted apart from the timed
    runs; BEGIN and COMMIT are not statements here)."""
    engine = make_engine(database_url)
    with count_statements(engine) as statements:
        db = make_session_factory(engine)()
        achievement, learner = db.get(Achievement, achievement_id), db.get(Learner, learner_id)
        keys = issuance.signing_keys(db, achievement.issuer, KEK)
        db.commit()
        statements.clear()
        for _credential in issue_committed(db, achievement, learner, keys, "counted", n):
            pass
        db.close()
    engine.dispose()
    return len(statements) / n


def as_before(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Issue as before: the image inline and the whole rubric in every credential."""
    definition = achievements.definition

    def heavy(*args, **kwargs):
        return definition(*args, **{**kwargs, "reported": None, "inline_image": True})

    monkeypatch.setattr(issuance.achievements, "definition", heavy)
    return lambda: monkeypatch.setattr(issuance.achievements, "definition", definition)


@pytest.mark.bench
def test_bulk_issuance_badges_per_second(dbsession, database_url, monkeypatch):
    count = max(issue_count(), 4)
    issuer = make_issuer(dbsession, shipped=True)
    achievement = dbsession.scalars(
        select(Achievement).where(Achievement.issuer_id == issuer.id).order_by(Achievement.id)
    ).first()
    learner = make_learner(dbsession)
    dbsession.commit()
    ids = (achievement.id, learner.id)
    issue_batch(database_url, *ids, True, "warm-up", 1)  # the status list exists, caches warm

    figures: dict[str, tuple[float, tuple[int, float], int]] = {}
    restore = as_before(monkeypatch)
    started = time.perf_counter()
    measured = issue_batch(database_url, *ids, False, "before", count)
    figures["before (heavy, keys per badge)"] = (time.perf_counter() - started, measured, count)
    restore()
    started = time.perf_counter()
    measured = issue_batch(database_url, *ids, True, "after", count)
    figures["after, 1 process"] = (time.perf_counter() - started, measured, count)

    half = count // 2
    with multiprocessing.get_context("fork").Pool(2) as pool:
        started = time.perf_counter()
        parts = pool.starmap(
            issue_batch, [(database_url, *ids, True, f"worker{w}", half) for w in range(2)]
        )
        measured = (sum(p[0] for p in parts), sum(p[1] for p in parts))
        figures["after, 2 workers"] = (time.perf_counter() - started, measured, 2 * half)

    counted = min(count, 50)
    per_badge = statements_per_badge(database_url, *ids, counted)
    engine = database_url.split(":", 1)[0]
    lines = [
        f"\n[{engine}] bulk issuance, {count} badges each ({achievement.name}); badges/s by the "
        "clock, and CPU ms per badge in the issuing processes (database server not counted):"
    ]
    for name, (seconds, (size, cpu), issued) in figures.items():
        lines.append(
            f"  {name:<32}{issued / seconds:7.1f} badges/s {cpu * 1000 / issued:7.1f} ms CPU"
            f" {size / issued / 1024:6.1f} KB per credential"
        )
    lines.append(f"  SQL statements per badge (after, a batch of {counted}): {per_badge:.2f}")
    print("\n".join(lines))
    issued = dbsession.scalars(select(Credential.status_index)).all()
    assert len(issued) == len(set(issued)) == 1 + 2 * count + 2 * half + counted
