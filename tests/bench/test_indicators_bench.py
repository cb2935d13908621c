"""Benchmark: every dashboard query of the département's indicators — each indicator's
headline figure, its breakdown by action and its monthly trend, « compétences acquises » per
competence and the trend's completed paths per month — over ``jalon demo --scale``'s
fictitious data, on each engine.

``make bench`` generates ``JALON_BENCH_SCALE`` beneficiaries (10,000 by default; the issue's
target is 100,000, which takes several minutes to generate per engine); the normal suite runs
a smoke version on 200. Each query runs once to warm up, then its best of three is printed in
milliseconds (``JALON_BENCH_RUNS`` runs, 3 by default; ``JALON_BENCH_VERBOSE=1`` prints each
as it comes). Figures are printed, never asserted (the machine may be busy).
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


def best_ms(call: Callable[[], object], runs: int | None = None) -> tuple[float, float]:
    """Best wall time and best CPU time of this process (on SQLite the query's whole cost,
    a fairer figure than wall time on a busy machine; on PostgreSQL only the client's)."""
    call()  # warm-up: statements compiled, pages cached
    runs = runs or int(os.environ.get("JALON_BENCH_RUNS", "3"))
    walls, cpus = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - started_cpu) * 1000)
    return min(walls), min(cpus)


Timing = tuple[str, str, float, float, float]  # indicator, query, wall ms, CPU ms, load


def dashboard_queries(db: Session, filters: Filters | None = None) -> list[Timing]:
    """(indicator, query, best wall ms, best CPU ms, load average) for every query the
    dashboard makes; the machine's one-minute load average says how busy it was."""
    filters = filters or Filters()
    timings = []
    for key in catalogue.INDICATORS:
        shapes = {
            "chiffre": lambda key=key: catalogue.compute(db, key, filters),
            f"par {BREAKDOWN}": lambda key=key: catalogue.breakdown(db, key, filters, BREAKDOWN),
            "tendance": lambda key=key: catalogue.monthly_trend(db, key, filters),
        }
        if key == "competences_acquises":  # the page's table per competence
            shapes["par compétence"] = lambda: catalogue.competence_progress(db, filters)
        for shape, call in shapes.items():
            timings.append((key, shape, *best_ms(call), os.getloadavg()[0]))
            if os.environ.get("JALON_BENCH_VERBOSE"):
                print(_line(*timings[-1]), flush=True)
    # The trend's other column: completed paths per month.
    monthly = best_ms(lambda: catalogue.monthly_counts(db, filters))
    timings.append(("comptes_mensuels", "tendance", *monthly, os.getloadavg()[0]))
    return timings


def _line(key: str, shape: str, wall: float, cpu: float, load: float) -> str:
    return f"  {key:<28} {shape:<12} {wall:9.1f} ms  (cpu {cpu:8.1f} ms, load {load:5.2f})"


def print_timings(title: str, timings: list[Timing]) -> None:
    print(f"\n{title}: best wall time (CPU time of this process, one-minute load average)")
    for timing in timings:
        print(_line(*timing))
    slowest = max(timings, key=lambda t: t[2])
    print(f"  slowest:{_line(*slowest)[1:]}")


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
    assert len(timings) == 3 * len(catalogue.INDICATORS) + 2
