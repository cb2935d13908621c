"""Badge precision, measured: simulated learners through the real campaign logic.

A badge says "this person can do X". This module checks how often that is true: simulated
learners with a known ability per competence take an adaptive campaign on a shipped framework
(the engine's selection and stopping, ``scoring.score``, the award rules of the shipped
achievements), and each badge awarded is compared with what their *true* profile meets through
the same rule and the same cut points. Per achievement it reports the share awarded, the
precision (share of those awarded who truly meet the rule) and the recall (share of those who
truly meet it who got it); per competence, how often the level reported is exactly right or
within one.

The campaign is built as ``assessments.sessions`` builds it (targets in framework order, the
hardest level per competence as the cap, referral bands over the pool); answers follow the 2PL
model with each item's own parameters and the learner's ability *in that item's competence*.
A true profile meets a rule with its levels, score and orientation (the share of the whole
pool it would get right, as FORMAT.md defines it); evidence requirements do not apply to it.
One seeded generator drives everything, so a seed gives the same figures.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assessments import engine, scoring
from assessments.content_parsing import CONTENT_DIR
from assessments.models import AnswerStatus, Framework, FrameworkKind, Referral
from badges import award_rules
from badges.shipped import shipped_achievements

DEFAULT_LENGTH = 24  # an assessment's default max_items (campaign_creation.CampaignSpec)
DEFAULT_MIN_ITEMS = 10
DEFAULT_SPREAD = 0.5  # per-competence spread around the general ability
UNEVEN_OFFSET = 1.0  # "uneven": each competence one level above or below the general ability
UNEVEN_SPREAD = 0.3


class SimulationInputError(ValueError):
    """A framework, a population or an option that cannot be used; the message is in French."""


@dataclass(frozen=True)
class SimItem:
    uid: str
    competence: str
    level: int
    type: str
    a: float
    b: float


@dataclass(frozen=True)
class SimFramework:
    """A shipped framework as a campaign sees it: cut points, kind, competences, items."""

    slug: str
    kind: str
    cut_points: tuple[float, ...]
    referral: Mapping[str, Any] | None
    competences: tuple[str, ...]  # framework order
    items: tuple[SimItem, ...]

    def model(self) -> Framework:
        """A transient ``Framework`` for ``scoring.score`` (never added to a database)."""
        return Framework(
            slug=self.slug,
            kind=FrameworkKind(self.kind),
            cut_points=list(self.cut_points),
            referral=dict(self.referral) if self.referral else None,
        )


def load_framework(slug: str, content_dir: Path = CONTENT_DIR) -> SimFramework:
    """A shipped framework and its validated items, read from the content files."""
    path = content_dir / "frameworks" / f"{slug}.json"
    if not path.is_file():
        known = sorted(p.stem for p in (content_dir / "frameworks").glob("*.json"))
        raise SimulationInputError(
            f"référentiel inconnu : {slug} (livrés : {', '.join(known) or 'aucun'})."
        )
    data = json.loads(path.read_text(encoding="utf-8"))
    codes = tuple(c["code"] for d in data["domains"] for c in d["competences"])
    items = []
    for item_file in sorted((content_dir / "items" / slug).glob("*.json")):
        for item in json.loads(item_file.read_text(encoding="utf-8"))["items"]:
            if item.get("status") != "validated":
                continue
            a, b = engine.default_parameters(int(item["level"]))
            items.append(
                SimItem(
                    uid=item["id"],
                    competence=item["competence"],
                    level=int(item["level"]),
                    type=item["type"],
                    a=float(item.get("a", a)),
                    b=float(item.get("b", b)),
                )
            )
    order = {code: k for k, code in enumerate(codes)}
    items.sort(key=lambda i: (order.get(i.competence, len(order)), i.uid))
    return SimFramework(
        slug=data["slug"],
        kind=data.get("kind", "levels"),
        cut_points=tuple(float(c) for c in data["cut_points"]),
        referral=data.get("referral"),
        competences=codes,
        items=tuple(items),
    )


def framework_slugs(content_dir: Path = CONTENT_DIR) -> list[str]:
    return sorted(p.stem for p in (content_dir / "frameworks").glob("*.json"))


# ---------------------------------------------------------------------------------------------
# Populations


@dataclass(frozen=True)
class Profile:
    """A kind of learner: an ability per competence (``"*"`` for every other one), drawn with
    a normal ``spread`` around it, chosen with probability proportional to ``weight``."""

    weight: float
    theta: Mapping[str, float]
    spread: float = 0.0


@dataclass(frozen=True)
class Population:
    """``profiles`` from a file, or a built-in: ``default`` (general ability N(0, 1), each
    competence N(general, 0.5)) or ``uneven`` (each competence one level above or below the
    general ability, at random: strong in some, weak in others)."""

    name: str
    profiles: tuple[Profile, ...] = ()

    def draw(self, competences: Sequence[str], rng: np.random.Generator) -> dict[str, float]:
        n = len(competences)
        if self.name == "uneven":
            general = rng.normal(0.0, 1.0)
            signs = rng.choice((-1.0, 1.0), size=n)
            values = general + UNEVEN_OFFSET * signs + rng.normal(0.0, UNEVEN_SPREAD, size=n)
        elif not self.profiles:
            values = rng.normal(0.0, 1.0) + rng.normal(0.0, DEFAULT_SPREAD, size=n)
        else:
            weights = np.array([p.weight for p in self.profiles])
            profile = self.profiles[int(rng.choice(len(weights), p=weights / weights.sum()))]
            centres = np.array(
                [profile.theta.get(c, profile.theta.get("*", 0.0)) for c in competences]
            )
            values = centres + rng.normal(0.0, 1.0, size=n) * profile.spread
        return dict(zip(competences, (float(v) for v in values), strict=True))


BUILT_IN = ("default", "uneven")


def parse_population(data: Any, name: str = "fichier") -> Population:
    """A population file: a JSON list of ``{"weight": w, "theta": {"4.1": -2.0, "*": 0.0}}``
    (optional ``"spread"``); French errors."""
    if not isinstance(data, list) or not data:
        raise SimulationInputError("la population doit être une liste JSON de profils.")
    profiles = []
    for position, entry in enumerate(data, start=1):
        where = f"profil n° {position}"
        if not isinstance(entry, dict) or not isinstance(entry.get("theta"), dict):
            raise SimulationInputError(f"{where} : un objet {{weight, theta}} est attendu.")
        weight = entry.get("weight", 1)
        spread = entry.get("spread", 0)
        if not _number(weight) or weight <= 0:
            raise SimulationInputError(f"{where} : « weight » doit être un nombre positif.")
        if not _number(spread) or spread < 0:
            raise SimulationInputError(f"{where} : « spread » doit être un nombre positif ou nul.")
        theta = entry["theta"]
        bad = next((k for k, v in theta.items() if not _number(v) or abs(v) > 9), None)
        if bad is not None:
            raise SimulationInputError(f"{where} : « {bad} » doit être un nombre entre -9 et 9.")
        profiles.append(Profile(float(weight), {k: float(v) for k, v in theta.items()}, spread))
    return Population(name, tuple(profiles))


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# ---------------------------------------------------------------------------------------------
# The campaign


@dataclass(frozen=True)
class Campaign:
    """What the simulated learners take: a framework (or some competences), a length."""

    framework: SimFramework
    targets: tuple[str, ...]
    length: int = DEFAULT_LENGTH
    min_items: int = DEFAULT_MIN_ITEMS
    min_per_competence: int = 0
    bank: engine.ItemBank = field(init=False, repr=False)
    items: tuple[SimItem, ...] = field(init=False, repr=False)
    max_level: Mapping[str, int] = field(init=False, repr=False)
    bands: engine.Bands | None = field(init=False, repr=False)
    required: tuple[np.ndarray, ...] = field(init=False, repr=False)
    evidence: scoring.OrientationEvidence = field(init=False, repr=False)

    def __post_init__(self) -> None:
        items = tuple(i for i in self.framework.items if i.competence in self.targets)
        max_level: dict[str, int] = {}
        for item in items:
            max_level[item.competence] = max(max_level.get(item.competence, 0), item.level)
        bank = engine.ItemBank.from_items(
            [i.uid for i in items], [i.a for i in items], [i.b for i in items],
            [i.competence for i in items],
        )  # fmt: skip
        thresholds = (self.framework.referral or {}).get("thresholds")
        bands, required = None, ()
        if self.framework.kind == FrameworkKind.REFERRAL.value and thresholds:
            bands = engine.referral_bands(
                thresholds, bank.a, bank.b, lowest=Referral.ATELIER_INITIATION.value
            )
            required = scoring.required_groups(self.framework.model(), [i.type for i in items])
        evidence = scoring.orientation_evidence(self.framework.model())
        object.__setattr__(self, "evidence", evidence)
        object.__setattr__(self, "required", required)
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "bank", bank)
        object.__setattr__(self, "max_level", max_level)
        object.__setattr__(self, "bands", bands)

    @property
    def stopping(self) -> engine.StoppingRule:
        return engine.StoppingRule(
            max_items=self.length,
            min_items=min(self.min_items, self.length),
            bands=self.bands,
            min_per_competence=self.min_per_competence or self.evidence.min_per_competence,
            evidence_from=self.evidence.evidence_from,
        )


def campaign_for(
    framework: SimFramework,
    competences: Sequence[str] | None = None,
    length: int = DEFAULT_LENGTH,
    min_per_competence: int = 0,
) -> Campaign:
    """The campaign on ``competences`` (all by default), in framework order; French errors."""
    present = {i.competence for i in framework.items}
    chosen = list(competences or framework.competences)
    unknown = [c for c in chosen if c not in framework.competences]
    if unknown:
        raise SimulationInputError(
            f"la compétence « {unknown[0]} » n'est pas dans le référentiel {framework.slug}."
        )
    targets = tuple(c for c in framework.competences if c in chosen and c in present)
    if not targets:
        raise SimulationInputError("aucune compétence choisie n'a d'item validé.")
    return Campaign(framework, targets, length, min_per_competence=min_per_competence)


# ---------------------------------------------------------------------------------------------
# One learner, and the whole run


def take(campaign: Campaign, theta: Mapping[str, float], rng: np.random.Generator):
    """One simulated session: the outcome award rules read, and the levels reported."""
    bank, items = campaign.bank, campaign.items
    test = engine.AdaptiveTest(
        bank, campaign.stopping, targets=campaign.targets, required=campaign.required
    )
    while (index := test.next_item(rng)) is not None:
        item = items[index]
        chance = engine.probability(theta[item.competence], item.a, item.b)
        test.record(index, bool(rng.random() < chance))
    asked = [items[k] for k in test.items]
    framework = campaign.framework
    answers = [
        scoring.Answered(
            i.competence, i.a, i.b, AnswerStatus.OK if r else AnswerStatus.KO, kind=i.type
        )
        for i, r in zip(asked, test.responses, strict=True)
    ]
    estimates = scoring.competence_estimates(answers, test.estimate, campaign.targets)
    referral = None
    if campaign.bands is not None and asked:
        referral = scoring.orientation(
            framework.model(), answers, test.estimate, campaign.bands, campaign.targets, estimates
        )
    results = scoring.score(
        framework.model(),
        answers,
        assessed=campaign.targets,
        max_level=campaign.max_level,
        estimate=test.estimate,
        referral=referral,
        estimates=estimates,
    )
    own = scoring.own_estimates(answers)
    outcome = award_rules.Outcome(
        framework=framework.slug,
        completed=True,
        levels={c.competence: c.level for c in results.competences},
        score=results.total_score,
        referral=results.referral.value if results.referral else None,
        answered=len(asked),
        answers={c.competence: c.answered for c in results.competences},
        theta={code: found.theta for code, found in own.items()},
        se={code: found.se for code, found in own.items()},
        cut_points=framework.cut_points,
        practice=frozenset(
            i.type
            for i, r in zip(asked, test.responses, strict=True)
            if r and i.type in award_rules.PRACTICE_TYPES
        ),
    )
    return outcome, len(asked)


def truth(campaign: Campaign, theta: Mapping[str, float]) -> award_rules.Outcome:
    """What the true profile meets: its levels and score through the framework's cut points,
    and the orientation its share right on the whole pool gives, « autonome » only when every
    competence reaches the level the sessions ask (no evidence to check)."""
    framework = campaign.framework
    cuts = framework.cut_points
    levels = {c: engine.level_for(theta[c], cuts) for c in campaign.targets}
    score = sum(engine.competence_score(theta[c], cuts) for c in campaign.targets)
    referral = None
    thresholds = (framework.referral or {}).get("thresholds")
    if framework.kind == FrameworkKind.REFERRAL.value and thresholds:
        abilities = np.array([theta[i.competence] for i in campaign.items])
        share = float(np.mean(engine.probability(abilities, campaign.bank.a, campaign.bank.b)))
        found = scoring.referral_for_proportion(share, thresholds)
        rule = scoring.AutonomeRule.of(framework.referral)
        if rule is not None:
            # The sessions' rule on the true abilities: every competence at the rule's level.
            if all(theta[c] >= rule.cut(cuts) for c in campaign.targets):
                found = Referral.AUTONOME
            elif found == Referral.AUTONOME:
                found = Referral.A_ACCOMPAGNER
        referral = found.value
    return award_rules.Outcome(
        framework=framework.slug, completed=True, levels=levels, score=score, referral=referral
    )


@dataclass(frozen=True)
class BadgeFigures:
    name: str
    awarded_share: float
    true_share: float
    precision: float | None  # None: nobody got it
    recall: float | None  # None: nobody truly meets it


@dataclass(frozen=True)
class BadgeSimulation:
    framework: str
    competences: tuple[str, ...]
    length: int
    population: str
    learners: int
    seed: int
    mean_length: float
    achievements: tuple[BadgeFigures, ...]
    level_accuracy: Mapping[str, Mapping[str, float]]  # competence → exact, within_one

    def as_dict(self) -> dict[str, Any]:
        return {
            "framework": self.framework,
            "competences": list(self.competences),
            "length": self.length,
            "population": self.population,
            "learners": self.learners,
            "seed": self.seed,
            "mean_length": round(self.mean_length, 2),
            "achievements": [
                {
                    "name": b.name,
                    "awarded_share": _round(b.awarded_share),
                    "true_share": _round(b.true_share),
                    "precision": _round(b.precision),
                    "recall": _round(b.recall),
                }
                for b in self.achievements
            ],
            "level_accuracy": {
                code: {k: _round(v) for k, v in figures.items()}
                for code, figures in self.level_accuracy.items()
            },
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def simulate_badges(
    campaign: Campaign,
    population: Population,
    learners: int,
    seed: int,
    rules: Sequence[Mapping[str, Any]] | None = None,
    progress: Callable[[int], None] | None = None,
) -> BadgeSimulation:
    """Run ``learners`` simulated sessions; ``rules`` are the shipped achievements of the
    framework by default (``{"name", "rule"}``), those given by hand left out."""
    if learners < 1:
        raise SimulationInputError("il faut au moins un apprenant.")
    slug = campaign.framework.slug
    if rules is None:
        rules = [a for a in shipped_achievements() if a["framework"] == slug]
    rules = [r for r in rules if not award_rules.is_manual(r["rule"])]
    rng = np.random.default_rng(seed)
    awarded = np.zeros((len(rules), learners), dtype=bool)
    meets = np.zeros((len(rules), learners), dtype=bool)
    exact = dict.fromkeys(campaign.targets, 0)
    near = dict.fromkeys(campaign.targets, 0)
    lengths = np.zeros(learners)
    for person in range(learners):
        theta = population.draw(campaign.framework.competences, rng)
        outcome, lengths[person] = take(campaign, theta, rng)
        true = truth(campaign, theta)
        for k, entry in enumerate(rules):
            awarded[k, person] = award_rules.is_met(entry["rule"], outcome)
            meets[k, person] = award_rules.is_met(entry["rule"], true)
        for code in campaign.targets:
            gap = abs(outcome.levels[code] - true.levels[code])
            exact[code] += gap == 0
            near[code] += gap <= 1
        if progress is not None:
            progress(person + 1)
    figures = []
    for k, entry in enumerate(rules):
        given, real = awarded[k].sum(), meets[k].sum()
        right = (awarded[k] & meets[k]).sum()
        figures.append(
            BadgeFigures(
                name=entry["name"],
                awarded_share=float(given / learners),
                true_share=float(real / learners),
                precision=float(right / given) if given else None,
                recall=float(right / real) if real else None,
            )
        )
    return BadgeSimulation(
        framework=slug,
        competences=campaign.targets,
        length=campaign.length,
        population=population.name,
        learners=learners,
        seed=seed,
        mean_length=float(lengths.mean()),
        achievements=tuple(figures),
        level_accuracy={
            code: {"exact": exact[code] / learners, "within_one": near[code] / learners}
            for code in campaign.targets
        },
    )
