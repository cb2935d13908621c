"""From answers to results: ability, standard error, level and score per competence, the
total score, and the beginner diagnostic's referral.

Levels come from the framework's cut points (``engine.level_for``); a competence's score is
8 points per level reached plus the progress towards the next (``engine.competence_score``),
the total is their sum. A level is never higher than the hardest item the assessment could
ask in that competence: we do not certify what we could not observe.

The beginner diagnostic's orientation is the band of the general ability, except « autonome »
where the framework names an ``autonome_requires`` rule (:class:`AutonomeRule`): then every
competence must reach the diagnostic's top level with enough evidence and each practice task
kind must be answered right, since « autonome » says the person does each thing alone
(:func:`orientation`, adaptive sessions). A fixed set of questions is oriented on the proportion
right FORMAT.md defines, under the same rule for « autonome » (:func:`score`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from assessments import engine
from assessments.models import AnswerStatus, Framework, FrameworkKind, Referral

# The prior of a competence's "own" estimate: wide and centred on 0, so the estimate rests on
# that competence's answers and not on the general level (evidence for a badge's claim).
OWN_PRIOR_VAR = 9.0

REFERRAL_ORDER = (Referral.ATELIER_INITIATION, Referral.A_ACCOMPAGNER, Referral.AUTONOME)


@dataclass(frozen=True)
class Answered:
    """One answered item, as scoring needs it."""

    competence: str
    a: float
    b: float
    status: AnswerStatus
    kind: str | None = None  # the item type (practice tasks count for the orientation)

    @property
    def correct(self) -> bool:
        return self.status == AnswerStatus.OK


@dataclass(frozen=True)
class CompetenceScore:
    competence: str
    theta: float
    se: float
    level: int
    score: int
    answered: int
    correct: int


@dataclass(frozen=True)
class Results:
    theta: float
    se: float
    competences: list[CompetenceScore]
    total_score: int
    referral: Referral | None


def referral_for_proportion(proportion: float, thresholds: Mapping[str, float]) -> Referral:
    """The referral a share of right answers gives (FORMAT.md thresholds)."""
    if proportion >= thresholds["autonome"]:
        return Referral.AUTONOME
    if proportion >= thresholds["a_accompagner"]:
        return Referral.A_ACCOMPAGNER
    return Referral.ATELIER_INITIATION


@dataclass(frozen=True)
class AutonomeRule:
    """What the orientation « autonome » asks beyond the general ability (the framework's
    ``referral.autonome_requires``): on *every* competence assessed, at least ``min_answers``
    answers, and at least ``confidence`` probability that every competence reaches ``level``
    at once (the framework's cut points; the diagnostic's top level says "does it without
    help"); and a right answer to each ``practice`` task kind. « Autonome » claims the person
    does each thing alone: one general ability cannot say it."""

    level: int = 3
    confidence: float = 0.95
    min_answers: int = 4
    practice: tuple[str, ...] = ()

    def cut(self, cut_points: Sequence[float]) -> float:
        """The lowest ability at ``level`` on these cut points."""
        return float(cut_points[min(self.level, len(cut_points)) - 1])

    @classmethod
    def of(cls, referral: Mapping[str, Any] | None) -> AutonomeRule | None:
        data = (referral or {}).get("autonome_requires")
        if not isinstance(data, Mapping):
            return None
        return cls(
            level=int(data.get("level", cls.level)),
            confidence=float(data.get("confidence", cls.confidence)),
            min_answers=int(data.get("min_answers", cls.min_answers)),
            practice=tuple(data.get("practice", ())),
        )


def autonome_gaps(
    rule: AutonomeRule,
    estimates: Mapping[str, engine.CompetenceEstimate],
    right_kinds: Iterable[str],
    assessed: Sequence[str],
    cut_points: Sequence[float],
) -> list[str]:
    """What keeps a session from « autonome »: the ``assessed`` competences (codes, in that
    order) whose ``estimates`` (the session's per-competence estimates, as stored) do not show
    the rule's level, then the practice kinds missing from ``right_kinds`` (the types of the
    items answered right). Empty: autonome."""
    cut = rule.cut(cut_points)
    gaps, chances = [], []
    for code in assessed:
        found = estimates.get(code)
        if found is None or found.answered < rule.min_answers:
            gaps.append(code)
        else:
            chances.append((code, _above(found.theta, found.se, cut)))
    # Every competence must hold at once: the joint probability (the competences' posteriors
    # are independent given the general level) must reach the confidence; the least sure
    # competences are named until what is left would.
    chances.sort(key=lambda pair: pair[1])
    while chances and math.prod(p for _, p in chances) < rule.confidence:
        gaps.append(chances.pop(0)[0])
    gaps.sort(key=list(assessed).index)
    right = set(right_kinds)
    gaps.extend(kind for kind in rule.practice if kind not in right)
    return gaps


def _above(theta: float, se: float, cut: float) -> float:
    """Probability that the ability is at least ``cut`` (normal posterior)."""
    if se <= 0:
        return 1.0 if theta >= cut else 0.0
    return 0.5 * math.erfc((cut - theta) / (se * math.sqrt(2.0)))


def _autonome_shown(
    rule: AutonomeRule,
    framework: Framework,
    answers: Sequence[Answered],
    estimates: Mapping[str, engine.CompetenceEstimate],
    assessed: Sequence[str],
) -> bool:
    """Whether the session shows what ``rule`` asks of « autonome », whichever campaign gave it
    (adaptive or a fixed list): the badge an employer reads says the same thing."""
    right = {a.kind for a in answers if a.correct and a.kind}
    return not autonome_gaps(rule, estimates, right, assessed, framework.cut_points)


def competence_estimates(
    answers: Sequence[Answered], estimate: engine.Estimate, assessed: Sequence[str] = ()
) -> dict[str, engine.CompetenceEstimate]:
    """Per competence, the estimate ``score`` stores (the general ability as prior), for the
    answered competences and those ``assessed``: computed once, given to :func:`orientation`
    and :func:`score`."""
    return engine.per_competence_estimates(
        [a.correct for a in answers],
        [a.a for a in answers],
        [a.b for a in answers],
        [a.competence for a in answers],
        global_theta=estimate.theta,
        targets=assessed,
    )


def orientation(
    framework: Framework,
    answers: Sequence[Answered],
    estimate: engine.Estimate,
    bands: engine.Bands,
    assessed: Sequence[str],
    estimates: Mapping[str, engine.CompetenceEstimate] | None = None,
) -> Referral:
    """The beginner diagnostic's orientation: the band of the general ability, except that
    « autonome » needs what the framework's :class:`AutonomeRule` asks of each competence
    (without it, the session is « à accompagner » at best). ``estimates``: the session's
    :func:`competence_estimates`, when the caller has them already."""
    band = Referral(engine.band_of(estimate, bands))
    rule = AutonomeRule.of(framework.referral)
    if rule is None or not answers:
        return band
    if estimates is None:
        estimates = competence_estimates(answers, estimate)
    # Only the competences answered count as estimated (an assessed one without answers has
    # no estimate of its own, only the prior).
    answered = {code: found for code, found in estimates.items() if found.answered}
    if _autonome_shown(rule, framework, answers, answered, assessed):
        return Referral.AUTONOME
    return Referral.A_ACCOMPAGNER if band == Referral.AUTONOME else band


def required_groups(framework: Framework, kinds: Sequence[str]) -> tuple[Any, ...]:
    """The groups of items a referral campaign asks one of each (boolean masks over a pool
    whose item types are ``kinds``): the practice tasks « autonome » needs a right answer to."""
    rule = AutonomeRule.of(framework.referral)
    if framework.kind != FrameworkKind.REFERRAL or rule is None:
        return ()
    types = np.asarray([str(k) for k in kinds], dtype=object)
    return tuple(types == kind for kind in rule.practice if (types == kind).any())


@dataclass(frozen=True)
class OrientationEvidence:
    """What a referral campaign's stopping rule gathers for « autonome »: answers per
    competence, only while the ability may reach the rule's level (``evidence_from``)."""

    min_per_competence: int = 0
    evidence_from: float | None = None


def orientation_evidence(framework: Framework) -> OrientationEvidence:
    rule = AutonomeRule.of(framework.referral)
    if framework.kind != FrameworkKind.REFERRAL or rule is None:
        return OrientationEvidence()
    return OrientationEvidence(rule.min_answers, rule.cut(framework.cut_points))


def own_estimates(answers: Sequence[Answered]) -> dict[str, engine.CompetenceEstimate]:
    """Per competence, the ability its own answers alone give (a wide prior, never the general
    level): the reported level borrows from the general level when answers are few, a claim a
    badge makes about one competence must not."""
    if not answers:
        return {}
    return engine.per_competence_estimates(
        [a.correct for a in answers],
        [a.a for a in answers],
        [a.b for a in answers],
        [a.competence for a in answers],
        global_theta=0.0,
        prior_var=OWN_PRIOR_VAR,
    )


def score(
    framework: Framework,
    answers: Sequence[Answered],
    assessed: Sequence[str],
    max_level: Mapping[str, int],
    estimate: engine.Estimate,
    referral: Referral | None = None,
    estimates: Mapping[str, engine.CompetenceEstimate] | None = None,
) -> Results:
    """Results of a finished session. ``assessed`` lists the competence codes the assessment
    covers (each gets a result, answered or not); ``max_level`` the hardest item level the
    assessment could ask per competence; ``estimate`` the session's global ability;
    ``estimates`` its :func:`competence_estimates` for ``assessed``, if already computed."""
    if estimates is None:
        estimates = competence_estimates(answers, estimate, assessed)
    cuts = framework.cut_points
    scores: list[CompetenceScore] = []
    for code in assessed:
        found = estimates[code]
        cap = max_level.get(code, len(cuts))
        points = min(engine.competence_score(found.theta, cuts), engine.PIX_PER_LEVEL * cap)
        mine = [a for a in answers if a.competence == code]
        scores.append(
            CompetenceScore(
                competence=code,
                theta=found.theta,
                se=found.se,
                level=points // engine.PIX_PER_LEVEL,
                score=points,
                answered=len(mine),
                correct=sum(a.correct for a in mine),
            )
        )
    if framework.kind == FrameworkKind.REFERRAL and referral is None and answers:
        thresholds = (framework.referral or {})["thresholds"]
        share = sum(a.correct for a in answers) / len(answers)
        referral = referral_for_proportion(share, thresholds)
        rule = AutonomeRule.of(framework.referral)
        if (
            referral == Referral.AUTONOME
            and rule is not None
            and not _autonome_shown(rule, framework, answers, estimates, assessed)
        ):
            referral = Referral.A_ACCOMPAGNER  # a short tour cannot show every competence
    if framework.kind != FrameworkKind.REFERRAL:
        referral = None
    elif referral is None:
        referral = Referral.ATELIER_INITIATION
    return Results(
        theta=estimate.theta,
        se=estimate.se,
        competences=scores,
        total_score=sum(s.score for s in scores),
        referral=referral,
    )
