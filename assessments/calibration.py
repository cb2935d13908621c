"""Item calibration: re-estimate 2PL ``a`` and ``b`` from real answers, and flag misfitting items.

Marginal maximum likelihood by EM (Bock–Aitkin) on a fixed quadrature grid. Works on sparse
data: each person answers only some items, as in adaptive tests. Pure numpy/scipy;
``assessments/item_parameters.py`` reads and saves the parameters.

**The scale.** Abilities and difficulties are only defined up to a shift and a stretch;
something must fix them. Without anchors the group does: its abilities are taken as N(0, 1),
which is right only for a group like the one the bank was built for. A beginner group (mean
ability −1.5) would see every ``b`` re-centred on itself, 1.5 logits too high, and the levels
computed with the new parameters would shift. With anchor items (fixed-parameter calibration)
their ``a`` and ``b`` are held at their known values and the group's mean and standard deviation
are estimated instead (a normal distribution, updated at each EM cycle from the persons'
posteriors): the free items land on the anchors' scale, whoever answered. Held items (anchors,
and items with too few answers whose parameters are known) set the scale once they carry at
least ``min_answers`` answers together.

Item fit is a grouped residual statistic computed out of sample: for every answer, the expected
probability of success given the person's *other* answers (posterior over the grid without this
item); persons are sorted by that leave-one-out ability, cut into up to 10 equal groups, and
``X² = Σ_g (Σ y - Σ E)² / Σ E(1 - E)`` is compared with a χ² on ``groups - 2`` degrees of
freedom (Yen's Q1 idea, without the bias of grouping on an estimate that used the item itself).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.special import expit, logsumexp
from scipy.stats import chi2

QUADRATURE_POINTS = 49
QUADRATURE_BOUND = 6.0
A_BOUNDS = (0.05, 6.0)
B_BOUND = 9.0


@dataclass(frozen=True)
class ItemCalibration:
    """New parameters of one item, their approximate standard errors, and its fit."""

    item_id: str
    a: float
    b: float
    se_a: float
    se_b: float
    answers: int
    proportion_correct: float
    fit_statistic: float
    fit_df: int
    fit_p: float
    misfit: bool
    anchor: bool = False  # held at its known a and b (standard errors 0); fit still computed


@dataclass(frozen=True)
class CalibrationReport:
    """Outcome of a calibration run.

    ``scale`` says what fixed it: ``"anchors"`` (the group's ``population_mean`` and
    ``population_sd`` were estimated on the anchors' scale) or ``"group"`` (taken as N(0, 1)).
    """

    items: list[ItemCalibration]
    skipped: dict[str, int] = field(default_factory=dict)  # item id → answers (too few)
    persons: int = 0
    iterations: int = 0
    converged: bool = False
    log_likelihood: float = float("nan")
    scale: str = "group"
    population_mean: float = 0.0
    population_sd: float = 1.0

    @property
    def calibrated(self) -> list[ItemCalibration]:
        """The items whose parameters were estimated (anchors excluded)."""
        return [item for item in self.items if not item.anchor]

    @property
    def misfitting(self) -> list[ItemCalibration]:
        return [item for item in self.items if item.misfit]


def calibrate(
    responses: Iterable[tuple[Hashable, str, bool]],
    min_answers: int = 200,
    anchors: Mapping[str, tuple[float, float]] | None = None,
    max_iterations: int = 500,
    tolerance: float = 1e-4,
    misfit_alpha: float = 0.01,
    progress: Callable[[int, int], None] | None = None,
    fixed: Collection[str] = (),
) -> CalibrationReport:
    """Estimate ``a``/``b`` for every item with at least ``min_answers`` answers.

    ``responses`` are ``(person, item_id, correct)``; when a person answered an item more than
    once, the last answer counts. ``anchors`` gives the known parameters of items. Items in
    ``fixed`` (anchor items, parameters in ``anchors``) are never re-estimated and set the
    scale; other items with fewer answers are reported in ``skipped`` and, when their parameters
    are known, held too (they still inform the abilities). ``progress(iteration,
    max_iterations)`` is called after each EM cycle.
    """
    anchors = dict(anchors or {})
    unknown = sorted(set(fixed) - set(anchors))
    if unknown:
        raise ValueError(f"anchor item without parameters: {unknown[0]}")
    latest: dict[tuple[Hashable, str], bool] = {}
    for person, item_id, correct in responses:
        latest[(person, str(item_id))] = bool(correct)
    counts: dict[str, int] = {}
    for _, item_id in latest:
        counts[item_id] = counts.get(item_id, 0) + 1
    fixed = set(fixed)
    anchored = sorted(item for item in counts if item in fixed)
    free = sorted(item for item, n in counts.items() if n >= min_answers and item not in fixed)
    skipped = {
        item: n for item, n in sorted(counts.items()) if n < min_answers and item not in fixed
    }
    held = anchored + sorted(item for item in skipped if item in anchors)
    if not free and not anchored:
        return CalibrationReport(items=[], skipped=skipped)

    item_index = {item: k for k, item in enumerate(free + held)}
    person_index: dict[Hashable, int] = {}
    rows, cols, values = [], [], []
    for (person, item_id), correct in latest.items():
        if item_id not in item_index:
            continue
        rows.append(person_index.setdefault(person, len(person_index)))
        cols.append(item_index[item_id])
        values.append(correct)
    rows_a, cols_a = np.asarray(rows), np.asarray(cols)
    y = np.asarray(values, dtype=bool)
    shape = (len(person_index), len(item_index))
    ones = np.ones(int(y.sum()))
    right = sparse.csr_matrix((ones, (rows_a[y], cols_a[y])), shape=shape)
    wrong = sparse.csr_matrix((np.ones(int((~y).sum())), (rows_a[~y], cols_a[~y])), shape=shape)
    n_free = len(free)

    nodes = np.linspace(-QUADRATURE_BOUND, QUADRATURE_BOUND, QUADRATURE_POINTS)
    log_prior = -(nodes**2) / 2.0
    log_prior -= logsumexp(log_prior)

    answered = np.asarray((right + wrong).sum(axis=0)).ravel()
    share = np.asarray(right.sum(axis=0)).ravel() / answered
    a = np.ones(len(item_index))
    b = -np.log(np.clip(share, 0.02, 0.98) / (1 - np.clip(share, 0.02, 0.98))) * 1.7
    for item in held:
        a[item_index[item]], b[item_index[item]] = anchors[item]
    # The held items set the scale when they carry enough answers: the group's mean and SD are
    # then estimated; otherwise the group is N(0, 1).
    by_anchors = held and answered[n_free:].sum() >= min_answers
    mean, sd = 0.0, 1.0

    converged = False
    iteration = 0
    total_ll = float("nan")
    hessian = np.zeros((n_free, 2, 2))
    for iteration in range(1, max_iterations + 1):
        weights, total_ll = _posterior_weights(right, wrong, a, b, nodes, log_prior)
        expected_right = (right.T @ weights)[:n_free]
        expected_all = expected_right + (wrong.T @ weights)[:n_free]
        new_a, new_b, hessian = _maximise(
            expected_right, expected_all, nodes, a[:n_free], b[:n_free]
        )
        change = float(np.max(np.abs(new_a - a[:n_free]), initial=0.0))
        change = max(change, float(np.max(np.abs(new_b - b[:n_free]), initial=0.0)))
        a[:n_free], b[:n_free] = new_a, new_b
        if by_anchors:
            new_mean, new_sd = _population(weights, nodes)
            change = max(change, abs(new_mean - mean), abs(new_sd - sd))
            mean, sd = new_mean, new_sd
            log_prior = -((nodes - mean) ** 2) / (2.0 * sd * sd)
            log_prior -= logsumexp(log_prior)
        if progress is not None:
            progress(iteration, max_iterations)
        if change < tolerance:
            converged = True
            break

    se_a, se_b = _standard_errors(hessian, a[:n_free], b[:n_free])
    weights, total_ll = _posterior_weights(right, wrong, a, b, nodes, log_prior)
    reported = n_free + len(anchored)
    fits = _item_fit(right, wrong, weights, a, b, nodes, reported)
    se_a = np.concatenate([se_a, np.zeros(len(anchored))])
    se_b = np.concatenate([se_b, np.zeros(len(anchored))])
    items = [
        ItemCalibration(
            item_id=item,
            a=float(a[k]),
            b=float(b[k]),
            se_a=float(se_a[k]),
            se_b=float(se_b[k]),
            answers=int(answered[k]),
            proportion_correct=float(share[k]),
            fit_statistic=fits[k][0],
            fit_df=fits[k][1],
            fit_p=fits[k][2],
            misfit=fits[k][2] < misfit_alpha,
            anchor=k >= n_free,
        )
        for k, item in enumerate(free + anchored)
    ]
    return CalibrationReport(
        items=items,
        skipped=skipped,
        persons=shape[0],
        iterations=iteration,
        converged=converged,
        log_likelihood=total_ll,
        scale="anchors" if by_anchors else "group",
        population_mean=mean,
        population_sd=sd,
    )


def _population(weights: np.ndarray, nodes: np.ndarray) -> tuple[float, float]:
    """Mean and SD of the group's abilities from the persons' posteriors over the nodes."""
    mean = float((weights @ nodes).mean())
    variance = float((weights @ nodes**2).mean()) - mean * mean
    return mean, float(np.sqrt(max(variance, 0.05)))


def _log_p(a: np.ndarray, b: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    z = a[:, None] * (nodes[None, :] - b[:, None])
    return -np.logaddexp(0.0, -z), -np.logaddexp(0.0, z)


def _posterior_weights(right, wrong, a, b, nodes, log_prior) -> tuple[np.ndarray, float]:
    """Posterior of each person over the nodes, and the marginal log-likelihood."""
    log_right, log_wrong = _log_p(a, b, nodes)
    log_post = right @ log_right + wrong @ log_wrong + log_prior[None, :]
    norm = logsumexp(log_post, axis=1, keepdims=True)
    return np.exp(log_post - norm), float(norm.sum())


def _maximise(r: np.ndarray, n: np.ndarray, nodes: np.ndarray, a: np.ndarray, b: np.ndarray):
    """M-step: a few Newton steps per item on the slope–intercept form ``a·θ + c``."""
    slope, intercept = a.copy(), -a * b
    hessian = np.zeros((a.size, 2, 2))
    for _ in range(4):
        p = expit(slope[:, None] * nodes[None, :] + intercept[:, None])
        residual = r - n * p
        info = n * p * (1 - p)
        gradient = np.stack([(residual * nodes).sum(1), residual.sum(1)], axis=1)
        hessian = np.empty((a.size, 2, 2))
        hessian[:, 0, 0] = (info * nodes**2).sum(1)
        hessian[:, 0, 1] = hessian[:, 1, 0] = (info * nodes).sum(1)
        hessian[:, 1, 1] = info.sum(1)
        hessian[:, 0, 0] += 1e-9
        hessian[:, 1, 1] += 1e-9
        step = np.linalg.solve(hessian, gradient[:, :, None])[:, :, 0]
        step = np.clip(step, -1.0, 1.0)
        slope = np.clip(slope + step[:, 0], *A_BOUNDS)
        intercept = np.clip(intercept + step[:, 1], -B_BOUND * slope, B_BOUND * slope)
    return slope, -intercept / slope, hessian


def _standard_errors(hessian: np.ndarray, a: np.ndarray, b: np.ndarray):
    """Delta-method SEs of (a, b) from the complete-data information (slightly optimistic)."""
    covariance = np.linalg.inv(hessian)
    jacobian = np.zeros_like(covariance)
    jacobian[:, 0, 0] = 1.0
    jacobian[:, 1, 0] = -b / a  # b = -c / a, so ∂b/∂a = c / a² = -b / a
    jacobian[:, 1, 1] = -1.0 / a
    transformed = jacobian @ covariance @ np.transpose(jacobian, (0, 2, 1))
    return np.sqrt(transformed[:, 0, 0]), np.sqrt(transformed[:, 1, 1])


def _item_fit(right, wrong, weights, a, b, nodes, n_free):
    """Grouped out-of-sample residual χ² per reported item (the first ``n_free`` columns):
    (statistic, df, p-value)."""
    log_right, log_wrong = _log_p(a, b, nodes)
    p_nodes = np.exp(log_right)
    answered = (right + wrong).tocsc()
    right_csc = right.tocsc()
    results = []
    for k in range(n_free):
        persons = answered.indices[answered.indptr[k] : answered.indptr[k + 1]]
        outcome = np.zeros(answered.shape[0], dtype=bool)
        outcome[right_csc.indices[right_csc.indptr[k] : right_csc.indptr[k + 1]]] = True
        y = outcome[persons]
        # Remove this answer from each posterior: divide by its likelihood, renormalise.
        own = np.where(y[:, None], log_right[k][None, :], log_wrong[k][None, :])
        loo = np.log(np.maximum(weights[persons], 1e-300)) - own
        loo = np.exp(loo - logsumexp(loo, axis=1, keepdims=True))
        expected = loo @ p_nodes[k]
        ability = loo @ nodes
        groups = int(np.clip(len(persons) // 30, 3, 10))
        order = np.argsort(ability, kind="stable")
        statistic = 0.0
        for chunk in np.array_split(order, groups):
            variance = float(np.sum(expected[chunk] * (1 - expected[chunk])))
            deviation = float(np.sum(y[chunk]) - np.sum(expected[chunk]))
            statistic += deviation**2 / max(variance, 1e-9)
        df = groups - 2
        results.append((statistic, df, float(chi2.sf(statistic, df))))
    return results
