"""From answers to results: ability, standard error, level and score per competence, the
total score, and the beginner diagnostic's referral.

Levels come from the framework's cut points (``engine.level_for``); a competence's score is
8 points per level reached plus the progress towards the next (``engine.competence_score``),
the total is their sum. A level is never higher than the hardest item the assessment could
ask in that competence: we do not certify what we could not observe.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
) -> Results:
    """Results of a finished session. ``assessed`` lists the competence codes the assessment
    covers (each gets a result, answered or not); ``max_level`` the hardest item level the
    assessment could ask per competence; ``estimate`` the session's global ability."""
    estimates = engine.per_competence_estimates(
        [a.correct for a in answers],
        [a.a for a in answers],
        [a.b for a in answers],
        [a.competence for a in answers],
        global_theta=estimate.theta,
        targets=assessed,
    )
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
