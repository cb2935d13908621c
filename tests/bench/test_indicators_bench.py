"""Benchmark: every dashboard query of the département's indicators — each indicator's
headline figure, its breakdown by action and its monthly trend — over ``jalon demo --scale``'s
fictitious data, on each engine.

``make bench`` generates ``JALON_BENCH_SCALE`` beneficiaries (10,000 by default; the issue's
target is 100,000, which takes several minutes to generate per engine); the normal suite runs
a smoke version on 200. Each query runs once to warm up, then its best of three is printed in
milliseconds. Figures are printed, never asserted (the machine may be busy).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import date

import pytest
from sqlalchemy.orm import Session

from assessments import content_io
from indicators import catalogue, synthetic
from indicators.filters import Filters
from tests.badges.factories import BASE_URL, KEK

BREAKDOWN = "action"
TODAY = date(2026, 12, 4)


def scale(config: pytest.Config) -> int:
    if os.environ.get("JALON_BENCH_SCALE"):
        return int(os.environ["JALON_BENCH_SCALE"])
    return 10_000 if "bench" in (config.option.markexpr or "") else 200


def best_ms(call: Callable[[], object], runs: int = 3) -> float:
    call()  # warm-up: statements compiled, pages cached
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return min(times)


def dashboard_queries(db: Session, filters: Filters | None = None) -> list[tuple[str, str, float]]:
    """(indicator, query, best time in ms) for every query the dashboard makes."""
    filters = filters or Filters()
    timings = []
    for key in catalogue.INDICATORS:
        shapes = {
            "chiffre": lambda key=key: catalogue.compute(db, key, filters),
            f"par {BREAKDOWN}": lambda key=key: catalogue.breakdown(db, key, filters, BREAKDOWN),
            "tendance": lambda key=key: catalogue.monthly_trend(db, key, filters),
        }
        timings += [(key, shape, best_ms(call)) for shape, call in shapes.items()]
    return timings


def print_timings(title: str, timings: list[tuple[str, str, float]]) -> None:
    print(f"\n{title}")
    for key, shape, ms in timings:
        print(f"  {key:<28} {shape:<12} {ms:9.1f} ms")
    slowest = max(timings, key=lambda t: t[2])
    print(f"  slowest: {slowest[0]} {slowest[1]} {slowest[2]:.1f} ms")


def generate(db: Session, beneficiaries: int) -> tuple[dict[str, int], float]:
    root = content_io.CONTENT_DIR
    content_io.import_paths(
        db, [root / "frameworks" / "premiers-pas.json", root / "items" / "premiers-pas"]
    )
    db.commit()
    started = time.perf_counter()
    counts = synthetic.generate(
        db, beneficiaries, context=synthetic.Context(BASE_URL, KEK), seed=11, today=TODAY
    )
    db.commit()
    return counts, time.perf_counter() - started


@pytest.mark.bench
def test_dashboard_query_times(dbsession, database_url, request):
    beneficiaries = scale(request.config)
    counts, seconds = generate(dbsession, beneficiaries)
    engine = database_url.split(":", 1)[0]
    print(
        f"\n[{engine}] {beneficiaries:,} beneficiaries generated in {seconds:.0f} s: "
        f"{counts['responses']:,} responses, {counts['credentials']:,} badges, "
        f"{counts['verification_events']:,} verifications"
    )
    timings = dashboard_queries(dbsession)
    print_timings(f"[{engine}] dashboard queries, no filter", timings)
    filtered = Filters(sexes=("f",), period_start=date(2026, 1, 1))
    print_timings(
        f"[{engine}] dashboard queries, women who entered in 2026",
        dashboard_queries(dbsession, filtered),
    )
    assert len(timings) == 3 * len(catalogue.INDICATORS)
