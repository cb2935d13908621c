"""Simulated test-takers through the adaptive engine: accuracy, length, exposure, speed.

Used by ``jalon assess simulate`` and the benchmark against catsim. Abilities are drawn from
N(0, 1), answers from the 2PL model with the bank's own parameters, so the figures say how well
the engine recovers ability when the parameters are right. By default the selection is the
campaigns' own (:data:`assessments.engine.CAMPAIGN_RULES`, exposure control included): the
simulated learners are one campaign's test-takers, in order, and each sees the exposure the
earlier ones left.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numpy as np

from assessments.engine import (
    CAMPAIGN_RULES,
    AdaptiveTest,
    ExposureCounts,
    ItemBank,
    SelectionRules,
    StoppingRule,
    probability,
)


@dataclass(frozen=True)
class SimulationReport:
    """Figures of one simulation run (times in milliseconds per step)."""

    learners: int
    rmse: float
    bias: float
    mean_length: float
    max_exposure: float
    step_ms_median: float
    step_ms_p99: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True)
class SimulationRun:
    """The report plus the raw outcome per learner, for tests and comparisons."""

    report: SimulationReport
    true_theta: np.ndarray
    estimated_theta: np.ndarray
    lengths: np.ndarray
    exposure: np.ndarray


def simulate(
    bank: ItemBank,
    learners: int,
    stopping: StoppingRule,
    seed: int,
    rules: SelectionRules | None = None,
    abilities: np.ndarray | None = None,
    progress: Callable[[int], None] | None = None,
) -> SimulationRun:
    """Run ``learners`` adaptive tests; ``progress(done)`` is called after each learner.

    One seeded generator drives abilities, answers and the randomesque draws, so a seed gives
    the same figures (timings aside). A step is one item selection plus one ability update.
    ``rules`` defaults to the campaigns' selection (:data:`CAMPAIGN_RULES`).
    """
    rules = CAMPAIGN_RULES if rules is None else rules
    if learners < 1:
        raise ValueError("at least one learner is needed")
    rng = np.random.default_rng(seed)
    truth = (
        np.asarray(abilities, dtype=float)
        if abilities is not None
        else rng.normal(0.0, 1.0, size=learners)
    )
    if truth.shape != (learners,):
        raise ValueError("one ability per learner is needed")
    estimates = np.empty(learners)
    lengths = np.empty(learners, dtype=np.intp)
    uses = np.zeros(len(bank), dtype=np.intp)
    step_ns: list[int] = []
    clock = time.perf_counter_ns
    for person, theta in enumerate(truth):
        exposure = ExposureCounts(uses=uses, takers=person + 1)
        test = AdaptiveTest(bank, stopping, rules=rules, exposure=exposure)
        while True:
            started = clock()
            index = test.next_item(rng)
            selected = clock()
            if index is None:
                break
            right = bool(rng.random() < probability(theta, bank.a[index], bank.b[index]))
            answered = clock()
            test.record(index, right)
            step_ns.append((selected - started) + (clock() - answered))
            uses[index] += 1
        estimates[person] = test.estimate.theta
        lengths[person] = len(test.items)
        if progress is not None:
            progress(person + 1)
    errors = estimates - truth
    steps_ms = np.asarray(step_ns, dtype=float) / 1e6 if step_ns else np.zeros(1)
    report = SimulationReport(
        learners=learners,
        rmse=float(np.sqrt(np.mean(errors**2))),
        bias=float(np.mean(errors)),
        mean_length=float(lengths.mean()),
        max_exposure=float(uses.max() / learners),
        step_ms_median=float(np.median(steps_ms)),
        step_ms_p99=float(np.percentile(steps_ms, 99)),
    )
    return SimulationRun(report, truth, estimates, lengths, uses / learners)
