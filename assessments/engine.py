"""The adaptive testing engine: 2PL model, EAP ability, item selection, stopping, levels.

Pure functions and small state objects over numpy arrays; no database, no Flask. The session
layer (``assessments/sessions.py``) rebuilds an :class:`AdaptiveTest` from the stored responses
with :meth:`AdaptiveTest.replay` and asks it for the next item; the simulator drives the same
object thousands of times, so every step is O(grid + bank) numpy work.

Choices, and why:

* **Ability** is the expected a posteriori (EAP) on a fixed grid of 80 points on [-9, 9].
* **Moving prior** (PIX "flash"): after each answer the posterior is the likelihood of the *whole*
  response vector times a Gaussian prior of variance 1.5 centred on the *previous* estimate.
  The prior therefore only damps each step and keeps all-right or all-wrong patterns finite; it
  does not accumulate (the same data are never counted twice), and once the estimate settles it
  tends to the maximum-likelihood value rather than being pulled towards the population mean.
  :class:`AbilityTracker` keeps the log-likelihood on the grid between steps (O(grid) per answer)
  and gives exactly what chaining :func:`expected_a_posteriori` calls would give.
* **Standard error** is the posterior standard deviation.
* **Selection**: maximum Fisher information ``a² p (1 - p)`` with content balancing across the
  targeted competences, never the same item twice, never the same competence twice in a row when
  another one can be asked. Randomness comes only from the ``numpy.random.Generator`` passed in.
* **Exposure control** (campaigns, :data:`CAMPAIGN_RULES`): the progressive-restricted method
  (Revuelta & Ponsoda, 1998). *Restricted*: an item that would go above the target rate among
  the campaign's test-takers (``max_exposure``, 25 %) is not eligible while another one is.
  *Progressive*: the score is ``(1 - s/L)·U·max(info) + (s/L)·info`` with ``U`` uniform, ``s``
  items answered and ``L`` the test length, so the first items are spread at random and the
  last ones, which decide the result, are the most informative. Chosen over Sympson–Hetter
  because it needs no exposure parameters computed beforehand by simulation for each pool
  (a campaign's pool depends on its competences and accessibility filter, and the parameters go
  stale whenever items are added or recalibrated): it reads the observed rates, so it holds
  for any pool and population. Without exposure control (``max_exposure=None``) the draw is
  randomesque among the 5 best with halving probabilities (50, 25, 12.5, 6.25, 6.25 %).
* **Every status but "ok" is a wrong answer** for estimation ("je ne sais pas", timed out).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
from scipy.special import expit

from assessments.models import AnswerStatus

GRID_POINTS = 80
GRID_BOUND = 9.0
GRID: np.ndarray = np.linspace(-GRID_BOUND, GRID_BOUND, GRID_POINTS)
PRIOR_VARIANCE = 1.5
DEFAULT_A = 1.0
PIX_PER_LEVEL = 8
MAX_LEVEL = 8
# Randomesque draw among the best items: each rank half as likely as the one before.
RANDOMESQUE_WEIGHTS: tuple[float, ...] = (0.5, 0.25, 0.125, 0.0625, 0.0625)
# Exposure control: target rate, and the number of test-takers below which rates are counted
# as if there were that many (the first learners of a campaign do not lock items out).
DEFAULT_MAX_EXPOSURE = 0.25
EXPOSURE_WARMUP = 20
# Progressive weight for a test without a maximum length (stopped on precision only).
PROGRESSIVE_LENGTH = 30


def is_correct(status: AnswerStatus | str | bool) -> bool:
    """Right or wrong for estimation: a skip or a time-out is a wrong answer."""
    if isinstance(status, bool | np.bool_):
        return bool(status)
    return AnswerStatus(status) is AnswerStatus.OK


def default_parameters(level: int) -> tuple[float, float]:
    """IRT parameters of an item not yet calibrated: ``a = 1``, ``b = level - 3`` (FORMAT.md)."""
    return DEFAULT_A, float(level) - 3.0


# ---------------------------------------------------------------------------------------------
# Model and estimation


def probability(theta: float | np.ndarray, a: np.ndarray | float, b: np.ndarray | float):
    """2PL probability of a right answer."""
    return expit(np.multiply(a, np.subtract(theta, b)))


def fisher_information(theta: float, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Item information at ``theta``: ``a² p (1 - p)``."""
    z = a * (theta - b)
    return a * a * expit(z) * expit(-z)


@dataclass(frozen=True, eq=False)
class Estimate:
    """An ability estimate: posterior mean, posterior SD, and the posterior on the grid."""

    theta: float
    se: float
    posterior: np.ndarray = field(repr=False)
    grid: np.ndarray = field(default_factory=lambda: GRID, repr=False)


def _log_likelihood(correct: np.ndarray, a: np.ndarray, b: np.ndarray, grid: np.ndarray):
    """Log-likelihood of a response vector at every grid point (summed over items)."""
    sign = np.where(np.asarray(correct, dtype=bool), 1.0, -1.0)
    z = (sign * np.asarray(a, dtype=float))[:, None] * (grid[None, :] - np.asarray(b)[:, None])
    return -np.logaddexp(0.0, -z).sum(axis=0)


def _posterior(log_likelihood: np.ndarray, grid: np.ndarray, mean: float, var: float) -> Estimate:
    weights, theta = _posterior_mean(log_likelihood, grid, mean, var)
    variance = float(weights @ (grid - theta) ** 2)
    return Estimate(theta=theta, se=math.sqrt(max(variance, 0.0)), posterior=weights, grid=grid)


def _posterior_mean(
    log_likelihood: np.ndarray, grid: np.ndarray, mean: float, var: float
) -> tuple[np.ndarray, float]:
    """The posterior on the grid and its mean: all a replayed answer's update needs."""
    log_post = log_likelihood - (grid - mean) ** 2 / (2.0 * var)
    weights = np.exp(log_post - log_post.max())
    weights /= weights.sum()
    return weights, float(weights @ grid)


def expected_a_posteriori(
    responses: np.ndarray | Sequence[bool],
    a: np.ndarray | Sequence[float],
    b: np.ndarray | Sequence[float],
    prior_mean: float = 0.0,
    prior_var: float = PRIOR_VARIANCE,
    grid: np.ndarray = GRID,
) -> Estimate:
    """Ability estimate on a fixed grid with a Gaussian prior; the SE is the posterior SD.

    ``responses`` are 1/0 (right/wrong). With no response the estimate is the prior itself.
    """
    correct = np.asarray(responses, dtype=bool)
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    if not (correct.shape == a.shape == b.shape) or correct.ndim != 1:
        raise ValueError("responses, a and b must be 1-D arrays of the same length")
    if prior_var <= 0:
        raise ValueError("prior_var must be positive")
    loglik = _log_likelihood(correct, a, b, grid) if correct.size else np.zeros_like(grid)
    return _posterior(loglik, grid, prior_mean, prior_var)


class AbilityTracker:
    """Incremental EAP with a prior that follows the previous estimate.

    Keeps the log-likelihood of the answers so far on the grid, so one answer costs O(grid).
    After ``update`` the estimate equals ``expected_a_posteriori(all answers, prior_mean=the
    estimate before this answer)``.
    """

    def __init__(
        self, start: float = 0.0, prior_var: float = PRIOR_VARIANCE, grid: np.ndarray = GRID
    ) -> None:
        if prior_var <= 0:
            raise ValueError("prior_var must be positive")
        self.grid = np.asarray(grid, dtype=float)
        self.prior_var = float(prior_var)
        self.log_likelihood = np.zeros_like(self.grid)
        self.count = 0
        self.estimate = _posterior(self.log_likelihood, self.grid, float(start), self.prior_var)
        self._prior_mean = float(start)

    def update(self, correct: bool, a: float, b: float) -> Estimate:
        """Add one answer and return the new estimate."""
        z = a * (self.grid - b)
        self.log_likelihood -= np.logaddexp(0.0, -z if correct else z)
        self.count += 1
        self._prior_mean = self.estimate.theta
        self.estimate = _posterior(self.log_likelihood, self.grid, self._prior_mean, self.prior_var)
        return self.estimate

    def replay(self, correct: Sequence[bool], a: np.ndarray, b: np.ndarray) -> Estimate:
        """:meth:`update` with each answer in turn, to the same bits (the same operations on the
        same numbers): the answers' log-likelihood terms in one array operation, and the
        posterior's spread only for the last. A session's answers are replayed on every
        answer, so this runs far more often than ``update``."""
        if len(correct) == 0:
            return self.estimate
        right = np.asarray(correct, dtype=bool)[:, None]
        z = np.asarray(a, dtype=float)[:, None] * (self.grid - np.asarray(b, dtype=float)[:, None])
        terms = np.logaddexp(0.0, np.where(right, -z, z))
        theta = self.estimate.theta
        for term in terms[:-1]:
            self.log_likelihood -= term
            self._prior_mean = theta
            theta = _posterior_mean(self.log_likelihood, self.grid, theta, self.prior_var)[1]
        self.log_likelihood -= terms[-1]
        self.count += len(terms)
        self._prior_mean = theta
        self.estimate = _posterior(self.log_likelihood, self.grid, theta, self.prior_var)
        return self.estimate


# ---------------------------------------------------------------------------------------------
# Item bank


class BankError(ValueError):
    """An item bank that cannot be used; the message is in French, for the user."""


@dataclass(frozen=True, eq=False)
class ItemBank:
    """Items as parallel arrays; ``competence`` holds indexes into ``competences``."""

    ids: tuple[str, ...]
    a: np.ndarray
    b: np.ndarray
    competence: np.ndarray
    competences: tuple[str, ...]

    def __post_init__(self) -> None:
        n = len(self.ids)
        if n == 0:
            raise BankError("La banque d'items est vide.")
        if not (self.a.shape == self.b.shape == self.competence.shape == (n,)):
            raise BankError("Les paramètres des items n'ont pas tous la même longueur.")
        if len(set(self.ids)) != n:
            raise BankError("Deux items ont le même identifiant.")
        if not np.all(np.isfinite(self.a)) or np.any(self.a <= 0):
            raise BankError("Le paramètre « a » de chaque item doit être un nombre positif.")
        if not np.all(np.isfinite(self.b)):
            raise BankError("Le paramètre « b » de chaque item doit être un nombre.")

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def from_items(
        cls,
        ids: Sequence[str],
        a: Sequence[float],
        b: Sequence[float],
        competences: Sequence[str],
    ) -> ItemBank:
        """Build a bank from parallel lists (competence labels in order of first appearance)."""
        labels: dict[str, int] = {}
        codes = [labels.setdefault(str(c), len(labels)) for c in competences]
        return cls(
            ids=tuple(str(i) for i in ids),
            a=np.asarray(a, dtype=float),
            b=np.asarray(b, dtype=float),
            competence=np.asarray(codes, dtype=np.intp),
            competences=tuple(labels),
        )

    @classmethod
    def from_records(cls, records: Any) -> ItemBank:
        """Build a bank from ``[{"id", "a", "b", "competence"}, ...]``; French errors."""
        if not isinstance(records, list):
            raise BankError("La banque doit être une liste JSON d'items.")
        if not records:
            raise BankError("La banque d'items est vide.")
        ids, a_values, b_values, comps = [], [], [], []
        seen: set[str] = set()
        for position, record in enumerate(records, start=1):
            where = f"Item n° {position}"
            if not isinstance(record, dict):
                raise BankError(f"{where} : un objet {{id, a, b, competence}} est attendu.")
            missing = [key for key in ("id", "a", "b", "competence") if key not in record]
            if missing:
                raise BankError(f"{where} : champ manquant « {missing[0]} ».")
            item_id, comp = record["id"], record["competence"]
            if not isinstance(item_id, str | int) or isinstance(item_id, bool) or item_id == "":
                raise BankError(f"{where} : « id » doit être un texte non vide.")
            if str(item_id) in seen:
                raise BankError(f"{where} : l'identifiant « {item_id} » est déjà utilisé.")
            seen.add(str(item_id))
            a_value, b_value = record["a"], record["b"]
            if not _is_number(a_value) or not a_value > 0:
                raise BankError(f"{where} ({item_id}) : « a » doit être un nombre positif.")
            if not _is_number(b_value):
                raise BankError(f"{where} ({item_id}) : « b » doit être un nombre.")
            if not isinstance(comp, str | int) or isinstance(comp, bool) or comp == "":
                raise BankError(f"{where} ({item_id}) : « competence » doit être un texte.")
            ids.append(str(item_id))
            a_values.append(float(a_value))
            b_values.append(float(b_value))
            comps.append(str(comp))
        return cls.from_items(ids, a_values, b_values, comps)

    def to_records(self) -> list[dict[str, Any]]:
        """The bank in its JSON file shape."""
        return [
            {
                "id": item_id,
                "a": round(float(a), 4),
                "b": round(float(b), 4),
                "competence": self.competences[c],
            }
            for item_id, a, b, c in zip(self.ids, self.a, self.b, self.competence, strict=True)
        ]


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def generate_bank(
    n_items: int, n_competences: int, rng: np.random.Generator, prefix: str = "item"
) -> ItemBank:
    """A synthetic bank for simulations: ``a`` log-normal around 1.1, ``b`` normal(0, 1.3)."""
    if n_items < 1 or n_competences < 1:
        raise BankError("Il faut au moins un item et une compétence.")
    a = np.clip(rng.lognormal(mean=0.1, sigma=0.3, size=n_items), 0.3, 3.0)
    b = np.clip(rng.normal(0.0, 1.3, size=n_items), -4.5, 4.5)
    width = len(str(n_items))
    labels = [f"c{k + 1:02d}" for k in range(n_competences)]
    comps = [labels[k % n_competences] for k in range(n_items)]
    ids = [f"{prefix}-{k + 1:0{width}d}" for k in range(n_items)]
    return ItemBank.from_items(ids, a, b, comps)


# ---------------------------------------------------------------------------------------------
# Selection and stopping


@dataclass(frozen=True)
class SelectionRules:
    """How the next item is chosen.

    ``balance="even"`` asks the least-covered targeted competence first, so the counts per
    competence never differ by more than one (good for per-competence levels);
    ``balance="cover"`` is free maximum information that still covers every targeted competence
    before ``max_items`` (it forces an uncovered one when the remaining budget requires it).
    """

    top: int = 5
    weights: tuple[float, ...] = RANDOMESQUE_WEIGHTS
    balance: Literal["even", "cover"] = "even"
    avoid_repeat_competence: bool = True
    max_exposure: float | None = None
    exposure_warmup: int = EXPOSURE_WARMUP

    def __post_init__(self) -> None:
        if self.top < 1:
            raise ValueError("top must be at least 1")
        if self.max_exposure is not None and not 0.0 < self.max_exposure <= 1.0:
            raise ValueError("max_exposure must be in (0, 1]")
        if self.exposure_warmup < 1:
            raise ValueError("exposure_warmup must be at least 1")
        if len(self.weights) < self.top or any(w <= 0 for w in self.weights[: self.top]):
            raise ValueError("one positive weight is needed per rank")
        if self.balance not in ("even", "cover"):
            raise ValueError("balance must be 'even' or 'cover'")


# What campaigns use: progressive-restricted selection with a 25 % exposure target.
CAMPAIGN_RULES = SelectionRules(max_exposure=DEFAULT_MAX_EXPOSURE)


@dataclass(frozen=True, eq=False)
class ExposureCounts:
    """How many times each bank item was asked (``uses``, bank order) to ``takers`` test-takers
    of the same campaign, the current one included: the restriction's observed rates."""

    uses: np.ndarray
    takers: int


@dataclass(frozen=True)
class Bands:
    """Ability bands, lowest first: ``names[i]`` covers ``[cuts[i-1], cuts[i])``."""

    names: tuple[str, ...]
    cuts: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.names) != len(self.cuts) + 1:
            raise ValueError("one more band name than cut points is needed")
        if any(y <= x for x, y in zip(self.cuts, self.cuts[1:], strict=False)):
            raise ValueError("cut points must increase")


@dataclass(frozen=True)
class StoppingRule:
    """When a test ends; configurable per assessment.

    The test stops at ``max_items``, or once ``min_items`` are answered and either the standard
    error is at most ``se_threshold`` or (beginner diagnostic) the posterior puts at least
    ``band_confidence`` of its mass in one of ``bands``. It also stops when no item is left.

    ``min_per_competence`` is the per-competence stopping rule: before ``max_items``, the test
    does not stop until every targeted competence that still has items got that many answers,
    so a campaign targeted at a badge's competences gathers the evidence its award rule asks.
    With ``evidence_from`` (an ability), that rule and the test's required groups hold only
    while the ability may still be at least that high (more than ``1 - band_confidence`` of
    the posterior above it): the beginner diagnostic gathers the evidence « autonome » needs
    from those who may be autonome, and lets a beginner stop early.
    """

    max_items: int | None = 30
    min_items: int = 0
    se_threshold: float | None = None
    bands: Bands | None = None
    band_confidence: float = 0.9
    min_per_competence: int = 0
    evidence_from: float | None = None

    def __post_init__(self) -> None:
        if self.max_items is None and self.se_threshold is None and self.bands is None:
            raise ValueError("a stopping rule needs max_items, se_threshold or bands")
        if self.max_items is not None and self.max_items < 1:
            raise ValueError("max_items must be at least 1")
        if self.min_items < 0 or (self.max_items is not None and self.min_items > self.max_items):
            raise ValueError("min_items must be between 0 and max_items")
        if self.se_threshold is not None and self.se_threshold <= 0:
            raise ValueError("se_threshold must be positive")
        if not 0.5 < self.band_confidence <= 1.0:
            raise ValueError("band_confidence must be in (0.5, 1]")
        if self.min_per_competence < 0:
            raise ValueError("min_per_competence must not be negative")
        if self.evidence_from is not None and not math.isfinite(self.evidence_from):
            raise ValueError("evidence_from must be a number")

    def wants_evidence(self, estimate: Estimate) -> bool:
        """Whether the per-competence minimum and the required groups still apply."""
        if self.evidence_from is None:
            return True
        above = float(estimate.posterior[estimate.grid >= self.evidence_from].sum())
        return above > 1.0 - self.band_confidence

    def is_met(self, answered: int, estimate: Estimate) -> bool:
        """True when the test may end after ``answered`` items with this estimate."""
        if self.max_items is not None and answered >= self.max_items:
            return True
        if answered < self.min_items or answered == 0:
            return False
        if self.se_threshold is not None and estimate.se <= self.se_threshold:
            return True
        return self.bands is not None and band_masses(estimate, self.bands).max() >= (
            self.band_confidence
        )


BEGINNER_DIAGNOSTIC_SIZE = (8, 15)


def beginner_stopping_rule(bands: Bands, confidence: float = 0.9) -> StoppingRule:
    """The short beginner diagnostic: 8 to 15 items, stop once the referral is 90 % sure."""
    low, high = BEGINNER_DIAGNOSTIC_SIZE
    return StoppingRule(max_items=high, min_items=low, bands=bands, band_confidence=confidence)


class AdaptiveTest:
    """One test-taker's adaptive test: what was asked, the ability so far, what comes next.

    ``targets`` limits the test to some competences (labels); ``allowed`` is an optional boolean
    mask over the bank (e.g. accessible items only); ``exposure`` gives the observed use of
    each item for the restriction (see :data:`CAMPAIGN_RULES`). ``required`` lists groups of
    items (boolean masks over the bank, e.g. each kind of practice task) of which the test asks
    one each before it ends: when the test would stop, or when the items left only just cover
    the groups not yet asked, the next item comes from one of those groups. Item references are
    bank indexes.
    """

    def __init__(
        self,
        bank: ItemBank,
        stopping: StoppingRule,
        rules: SelectionRules | None = None,
        start: float = 0.0,
        prior_var: float = PRIOR_VARIANCE,
        targets: Iterable[str] | None = None,
        allowed: np.ndarray | None = None,
        exposure: ExposureCounts | None = None,
        required: Sequence[np.ndarray] = (),
    ) -> None:
        self.bank = bank
        self.exposure = exposure
        self.stopping = stopping
        self.rules = rules or SelectionRules()
        self.tracker = AbilityTracker(start=start, prior_var=prior_var)
        n_comp = len(bank.competences)
        if targets is None:
            self.targeted = np.ones(n_comp, dtype=bool)
        else:
            index = {label: k for k, label in enumerate(bank.competences)}
            unknown = [t for t in targets if t not in index]
            if unknown:
                raise BankError(f"Compétence inconnue dans la banque : « {unknown[0]} ».")
            self.targeted = np.zeros(n_comp, dtype=bool)
            self.targeted[[index[t] for t in targets]] = True
        open_items = self.targeted[bank.competence]
        if allowed is not None:
            open_items &= np.asarray(allowed, dtype=bool)
        self._open = open_items  # items that may still be asked
        self._required = [np.asarray(group, dtype=bool) for group in required]
        self._left = np.bincount(bank.competence[open_items], minlength=n_comp)
        self._asked_per_comp = np.zeros(n_comp, dtype=np.intp)
        self._last_comp = -1
        self._a2 = bank.a * bank.a
        self._asked = np.zeros(len(bank), dtype=bool)
        self.items: list[int] = []
        self.responses: list[bool] = []

    @classmethod
    def replay(
        cls,
        bank: ItemBank,
        history: Iterable[tuple[int, AnswerStatus | str | bool]],
        stopping: StoppingRule,
        **options: Any,
    ) -> AdaptiveTest:
        """Rebuild a test from its stored answers (bank index, status), in order."""
        test = cls(bank, stopping, **options)
        indexes: list[int] = []
        correct: list[bool] = []
        for index, status in history:
            indexes.append(test._note(index, status))
            correct.append(test.responses[-1])
        test.tracker.replay(correct, bank.a[indexes], bank.b[indexes])
        return test

    @property
    def estimate(self) -> Estimate:
        return self.tracker.estimate

    @property
    def finished(self) -> bool:
        """True when the stopping rule is met or nothing is left to ask."""
        if not self._left.any():
            return True
        answered = len(self.items)
        maximum = self.stopping.max_items
        if maximum is not None and answered >= maximum:
            return True
        if self._evidence_short() or self._groups_wanted():
            return False
        return self.stopping.is_met(answered, self.estimate)

    def _groups_missing(self) -> np.ndarray:
        """Open items of the required groups none of whose items was asked yet."""
        missing = np.zeros(len(self.bank), dtype=bool)
        for group in self._required:
            if not (group & self._asked).any():
                missing |= group & self._open
        return missing

    def _groups_wanted(self) -> bool:
        return (
            bool(self._required)
            and self._groups_missing().any()
            and self.stopping.wants_evidence(self.estimate)
        )

    def _unasked_groups(self) -> int:
        return sum(
            1 for g in self._required if not (g & self._asked).any() and (g & self._open).any()
        )

    def _evidence_short(self) -> bool:
        """A targeted competence with items left has fewer answers than the stopping rule's
        ``min_per_competence``."""
        wanted = self.stopping.min_per_competence
        if not wanted or not self.stopping.wants_evidence(self.estimate):
            return False
        short = self.targeted & (self._left > 0) & (self._asked_per_comp < wanted)
        return bool(short.any())

    def _short_of_evidence(self, active: np.ndarray) -> np.ndarray | None:
        """The competences still short of ``min_per_competence`` once the items left are no
        more than their shortfall: then only they may be asked, or the per-competence rule
        could not be met before ``max_items`` (a competence asked a fifth time while another
        stays at three)."""
        wanted, max_items = self.stopping.min_per_competence, self.stopping.max_items
        if not wanted or max_items is None or not self.stopping.wants_evidence(self.estimate):
            return None
        counts = self._asked_per_comp
        short = active & (counts < wanted)
        shortfall = int((wanted - counts[short]).sum())
        if not short.any() or max_items - len(self.items) > shortfall:
            return None
        return short

    def _allowed_competences(self) -> np.ndarray:
        active = self.targeted & (self._left > 0)
        counts = self._asked_per_comp
        if self.rules.balance == "even":
            allowed = active & (counts == counts[active].min())
        else:
            allowed = active.copy()
            uncovered = active & (counts == 0)
            max_items = self.stopping.max_items
            if (
                uncovered.any()
                and max_items is not None
                and max_items - len(self.items) <= uncovered.sum()
            ):
                allowed = uncovered
        last = self._last_comp
        if self.rules.avoid_repeat_competence and last >= 0 and allowed[last]:
            if allowed.sum() > 1:
                allowed[last] = False
            elif active.sum() > 1:
                allowed = active.copy()
                allowed[last] = False
        short = self._short_of_evidence(active)  # evidence comes before variety
        return allowed if short is None else short

    def next_item(self, rng: np.random.Generator) -> int | None:
        """The bank index of the next item, or None when the test is finished."""
        if self.finished:
            return None
        allowed = self._allowed_competences()
        eligible = self._open & allowed[self.bank.competence]
        if self._required and self._groups_wanted():
            # A required item as soon as its competence may be asked (it counts for that
            # competence's evidence too), and any required item once the test would stop
            # without it: left to the end, it would spend an answer another competence needs.
            missing = self._groups_missing()
            within = missing & eligible
            if within.any():
                eligible = within
            elif self._must_ask_group():
                eligible = missing
        z = self.bank.a * (self.estimate.theta - self.bank.b)
        p = expit(z)
        info = self._a2 * p * (1.0 - p)
        info[~eligible] = -1.0
        if self.rules.max_exposure is not None:
            return self._progressive_restricted(eligible, info, self.rules.max_exposure, rng)
        count = int(eligible.sum())
        top = min(self.rules.top, count)
        best = np.argpartition(-info, top - 1)[:top] if count > top else np.flatnonzero(eligible)
        best = best[np.argsort(-info[best], kind="stable")]
        weights = np.asarray(self.rules.weights[:top])
        cumulative = np.cumsum(weights)
        rank = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
        return int(best[min(rank, top - 1)])

    def _must_ask_group(self) -> bool:
        """A required group is still to ask and the test would stop without it, or the items
        left just cover the groups still to ask."""
        waiting = self._unasked_groups()
        if not waiting or not self.stopping.wants_evidence(self.estimate):
            return False
        answered = len(self.items)
        maximum = self.stopping.max_items
        if maximum is not None and maximum - answered <= waiting:
            return True
        return not self._evidence_short() and self.stopping.is_met(answered, self.estimate)

    def _progressive_restricted(
        self, eligible: np.ndarray, info: np.ndarray, cap: float, rng: np.random.Generator
    ) -> int:
        """Restrict to the items under the exposure target (unless none is), then pick the best
        mix of chance and information, chance weighing less as the test goes on."""
        if self.exposure is not None:
            takers = max(self.exposure.takers, self.rules.exposure_warmup)
            under = eligible & (np.asarray(self.exposure.uses) + 1 <= cap * takers)
            if under.any():
                eligible = under
        candidates = np.flatnonzero(eligible)
        gain = info[candidates]
        length = self.stopping.max_items or PROGRESSIVE_LENGTH
        progress = min(len(self.items) / length, 1.0)
        chance = rng.random(candidates.size) * gain.max()
        return int(candidates[np.argmax((1.0 - progress) * chance + progress * gain)])

    def record(self, index: int, status: AnswerStatus | str | bool) -> Estimate:
        """Record the answer to bank item ``index`` and update the ability."""
        index = self._note(index, status)
        correct = self.responses[-1]
        return self.tracker.update(correct, float(self.bank.a[index]), float(self.bank.b[index]))

    def _note(self, index: int, status: AnswerStatus | str | bool) -> int:
        """What was asked and answered, bar the ability; the bank index."""
        index = int(index)
        if not 0 <= index < len(self.bank):
            raise IndexError(f"item index {index} is outside the bank")
        if self._asked[index]:
            raise ValueError(f"item {self.bank.ids[index]} was already asked")
        correct = is_correct(status)
        comp = int(self.bank.competence[index])
        if self._open[index]:
            self._open[index] = False
            self._left[comp] -= 1
        self._asked_per_comp[comp] += 1
        self._last_comp = comp
        self._asked[index] = True
        self.items.append(index)
        self.responses.append(correct)
        return index


# ---------------------------------------------------------------------------------------------
# Levels, scores, per-competence abilities, referral bands


def level_for(theta: float, cut_points: Sequence[float]) -> int:
    """Level 0–8: how many cut points ``theta`` reaches (``cut_points[i]`` opens level i+1)."""
    cuts = np.asarray(cut_points, dtype=float)
    if cuts.ndim != 1 or cuts.size == 0 or np.any(np.diff(cuts) <= 0):
        raise ValueError("cut_points must be a non-empty increasing list")
    return int(np.searchsorted(cuts, theta, side="right"))


def competence_score(theta: float, cut_points: Sequence[float]) -> int:
    """Points 0–64 for one competence: 8 per level reached plus the progress towards the next.

    Like PIX's pix (level = ⌊pix / 8⌋): within a level, the share of the way from its cut point
    to the next gives 0–7 extra points. Level 0 measures progress over one level width below the
    first cut point; the top level is worth the full 64.
    """
    level = level_for(theta, cut_points)
    cuts = [float(c) for c in cut_points]
    if level >= len(cuts):
        return PIX_PER_LEVEL * len(cuts)
    if level == 0:
        width = cuts[1] - cuts[0] if len(cuts) > 1 else 1.0
        low, high = cuts[0] - width, cuts[0]
    else:
        low, high = cuts[level - 1], cuts[level]
    progress = min(max((theta - low) / (high - low), 0.0), 1.0 - 1e-9)
    return PIX_PER_LEVEL * level + math.floor(PIX_PER_LEVEL * progress)


@dataclass(frozen=True)
class CompetenceEstimate:
    """Ability on one competence, with its standard error and how many answers it rests on."""

    theta: float
    se: float
    answered: int


def per_competence_estimates(
    correct: Sequence[bool] | np.ndarray,
    a: Sequence[float] | np.ndarray,
    b: Sequence[float] | np.ndarray,
    competences: Sequence[str],
    global_theta: float,
    prior_var: float = PRIOR_VARIANCE,
    targets: Iterable[str] = (),
) -> dict[str, CompetenceEstimate]:
    """EAP per competence on its own answers, with the global ability as prior mean.

    An adaptive test asks only a few items per competence; centring each prior on the global
    estimate (variance 1.5) lets a competence differ from the rest when its answers say so while
    a competence with one or two answers stays close to the overall level. Competences in
    ``targets`` without any answer get the prior (global ability, SE √1.5, answered 0).
    """
    correct = np.asarray(correct, dtype=bool)
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    labels = np.asarray([str(c) for c in competences], dtype=object)
    result: dict[str, CompetenceEstimate] = {}
    order = list(dict.fromkeys([*map(str, labels), *map(str, targets)]))
    for label in order:
        mask = labels == label
        estimate = expected_a_posteriori(
            correct[mask], a[mask], b[mask], prior_mean=global_theta, prior_var=prior_var
        )
        result[label] = CompetenceEstimate(estimate.theta, estimate.se, int(mask.sum()))
    return result


def expected_proportion_correct(theta: float, a: np.ndarray, b: np.ndarray) -> float:
    """Share of the whole item set a person of ability ``theta`` is expected to get right."""
    return float(np.mean(probability(theta, np.asarray(a), np.asarray(b))))


def referral_bands(
    thresholds: Mapping[str, float], a: np.ndarray, b: np.ndarray, lowest: str
) -> Bands:
    """Turn referral thresholds on the proportion right into ability bands.

    FORMAT.md decides the beginner referral on the proportion right "over the whole diagnostic".
    An adaptive test asks items near each person's level, so the raw proportion right drifts
    towards 50 % for everyone; we read the threshold as the proportion the person would get right
    on the *whole* item set (its domain score) and solve for the ability where that proportion
    equals each threshold. ``thresholds`` maps each upper band to its minimum proportion
    (``{"autonome": 0.8, "a_accompagner": 0.5}``), ``lowest`` names the band below them all.
    """
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    ordered = sorted(thresholds.items(), key=lambda kv: kv[1])
    cuts = []
    for name, share in ordered:
        if not 0.0 < share < 1.0:
            raise ValueError(f"threshold for {name} must be strictly between 0 and 1")
        low, high = -GRID_BOUND * 3, GRID_BOUND * 3
        for _ in range(80):  # bisection: the domain score increases with ability
            middle = (low + high) / 2
            if expected_proportion_correct(middle, a, b) < share:
                low = middle
            else:
                high = middle
        cuts.append((low + high) / 2)
    return Bands(names=(lowest, *(name for name, _ in ordered)), cuts=tuple(cuts))


def band_masses(estimate: Estimate, bands: Bands) -> np.ndarray:
    """Posterior probability of each band (lowest first)."""
    edges = np.searchsorted(estimate.grid, np.asarray(bands.cuts), side="left")
    cumulative = np.concatenate(([0.0], np.cumsum(estimate.posterior)))
    bounds = np.concatenate(([0], edges, [estimate.grid.size]))
    return cumulative[bounds[1:]] - cumulative[bounds[:-1]]


def band_of(estimate: Estimate, bands: Bands) -> str:
    """The band the ability estimate falls in (the referral for the beginner diagnostic)."""
    return bands.names[int(np.searchsorted(np.asarray(bands.cuts), estimate.theta, side="right"))]
