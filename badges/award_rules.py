"""Award rules: when does a finished assessment earn an achievement?

A rule is plain JSON stored on the achievement, so trainers can read and edit it:

```json
{"framework": "crcn", "require": "all",
 "conditions": [
   {"type": "completion"},
   {"type": "competence_level", "competence": "4.1", "min_level": 2},
   {"type": "competences_at_level", "min_level": 2, "count": 3},
   {"type": "score", "min": 64},
   {"type": "referral", "in": ["autonome"]}
 ]}
```
``require`` is ``all`` (default) or ``any``. ``competences_at_level`` may name the set of
competences it counts (``"competences": ["1.1", "1.2", "2.1"]``); without it, every competence
counts. A session whose every answer was « Je ne sais pas » meets no condition, not even
``completion``. A badge given only by hand has the rule ``{"kind": "manual"}``: no session ever
earns it automatically.

A rule may ask for **enough evidence** (``"evidence"``): a level claimed for a competence counts
only when that competence got at least ``min_answers`` answers, the standard error of the
ability its own answers give (``scoring.own_estimates``, not the reported level, which borrows
from the general level) is at most ``max_se``, and that ability reaches the level asked with at
least ``confidence`` probability (the posterior taken as normal). ``practice`` lists
practice-task types (``task_webmail``, ``task_form``, ``task_phishing``, ``task_procedure``) of
which the session must hold at least one right answer each:

```json
"evidence": {"min_answers": 5, "max_se": 0.6, "confidence": 0.8,
             "practice": ["task_webmail", "task_form"]}
```
Why: an adaptive session over a whole framework asks one or two questions per competence, and a
per-competence level resting on them is mostly the general level shrunk in; a badge naming a
competence or a practical skill must rest on answers about it.

The evaluation is pure: it reads an ``Outcome`` built from the session's results, so it is
tested without a database.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

AUTOMATIC = "automatic"
MANUAL = "manual"
CONDITION_TYPES = ("completion", "competence_level", "competences_at_level", "score", "referral")
REFERRALS = ("autonome", "a_accompagner", "atelier_initiation")
PRACTICE_TYPES = ("task_webmail", "task_form", "task_phishing", "task_procedure")
PRACTICE_LABELS = {
    "task_webmail": "un courriel",
    "task_form": "un formulaire en ligne",
    "task_phishing": "repérer une arnaque",
    "task_procedure": "une démarche en ligne de bout en bout",
}
MAX_MIN_ANSWERS = 50
REFERRAL_LABELS = {
    "autonome": "autonome",
    "a_accompagner": "à accompagner",
    "atelier_initiation": "atelier d'initiation",
}


class InvalidRule(ValueError):
    """The rule cannot be evaluated; ``errors`` lists what to fix, in French."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Outcome:
    """What a finished session proved, in the terms rules speak."""

    framework: str
    completed: bool
    levels: Mapping[str, int] = field(default_factory=dict)
    score: int = 0
    referral: str | None = None
    # Questions really answered (right or wrong); None when not counted (rules read alone).
    answered: int | None = None
    # The evidence behind the levels: answers per competence, the ability and standard error
    # each competence's own answers give (``scoring.own_estimates``: not the reported level,
    # which borrows from the general level), the framework's cut points, and the practice-task
    # types answered right. None: not known (a rule read alone, or a true profile in a
    # simulation), so a rule's evidence requirements are not checked.
    answers: Mapping[str, int] | None = None
    theta: Mapping[str, float] | None = None
    se: Mapping[str, float] | None = None
    cut_points: tuple[float, ...] = ()
    practice: frozenset[str] | None = None


def is_manual(rule: Mapping[str, Any] | None) -> bool:
    """A rule that awards nothing by itself: the badge is given by hand only."""
    return isinstance(rule, Mapping) and rule.get("kind") == MANUAL


def validate(rule: Mapping[str, Any], competences: Collection[str] | None = None) -> list[str]:
    """French messages for every problem in ``rule``; empty when it is usable.

    ``competences``, when given, are the codes of the rule's framework: a condition naming
    another code is refused (the rule could never be met)."""
    errors: list[str] = []
    if not isinstance(rule, Mapping):
        return ["La règle doit être un objet JSON."]
    if rule.get("kind", AUTOMATIC) not in (AUTOMATIC, MANUAL):
        return ["« kind » : écrivez « automatic » (conditions) ou « manual » (à la main)."]
    if is_manual(rule):
        return []
    if not isinstance(rule.get("framework"), str) or not rule.get("framework"):
        errors.append("« framework » : indiquez le référentiel (par exemple « crcn »).")
    if rule.get("require", "all") not in ("all", "any"):
        errors.append("« require » : écrivez « all » (toutes) ou « any » (au moins une).")
    errors.extend(_evidence_errors(rule.get("evidence")))
    conditions = rule.get("conditions")
    if not isinstance(conditions, list) or not conditions:
        errors.append("« conditions » : donnez au moins une condition.")
        return errors
    for position, condition in enumerate(conditions, start=1):
        errors.extend(
            f"Condition {position} : {message}"
            for message in _condition_errors(condition, competences)
        )
    return errors


def _condition_errors(condition: Any, known: Collection[str] | None = None) -> list[str]:
    if not isinstance(condition, Mapping) or condition.get("type") not in CONDITION_TYPES:
        return [f"le type doit être l'un de : {', '.join(CONDITION_TYPES)}."]
    kind = condition["type"]
    errors: list[str] = []
    if kind == "competence_level":
        code = condition.get("competence")
        if not isinstance(code, str) or not code:
            errors.append("indiquez le code de la compétence (par exemple « 1.1 »).")
        elif known is not None and code not in known:
            errors.append(f"la compétence « {code} » n'est pas dans ce référentiel.")
        errors.extend(_level_errors(condition.get("min_level")))
    elif kind == "competences_at_level":
        errors.extend(_level_errors(condition.get("min_level")))
        count = condition.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            errors.append("« count » doit être un nombre entier supérieur ou égal à 1.")
        errors.extend(_set_errors(condition.get("competences"), count, known))
    elif kind == "score":
        minimum = condition.get("min")
        if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 0:
            errors.append("« min » doit être un nombre entier positif.")
    elif kind == "referral":
        wanted = condition.get("in")
        if not isinstance(wanted, list) or not wanted or any(w not in REFERRALS for w in wanted):
            errors.append(f"« in » doit lister des orientations parmi : {', '.join(REFERRALS)}.")
    return errors


def _set_errors(listed: Any, count: Any, known: Collection[str] | None) -> list[str]:
    """The optional set of competences counted: distinct codes, at least ``count`` of them."""
    if listed is None:
        return []
    if not isinstance(listed, list) or not all(isinstance(c, str) and c for c in listed):
        return ["« competences » doit être une liste de codes."]
    if not listed:
        return ["choisissez au moins une compétence."]
    if len(set(listed)) != len(listed):
        return ["une compétence est choisie deux fois."]
    errors = []
    if known is not None:
        errors.extend(
            f"la compétence « {code} » n'est pas dans ce référentiel."
            for code in listed
            if code not in known
        )
    if isinstance(count, int) and not isinstance(count, bool) and count > len(listed):
        errors.append(f"on ne peut pas demander {count} compétences parmi {len(listed)} choisies.")
    return errors


def _evidence_errors(evidence: Any) -> list[str]:
    """The optional evidence requirements: answers and standard error per competence, practice."""
    if evidence is None:
        return []
    if not isinstance(evidence, Mapping):
        return ["« evidence » doit être un objet (min_answers, max_se, practice)."]
    errors = []
    unknown = sorted(set(evidence) - {"min_answers", "max_se", "confidence", "practice"})
    if unknown:
        errors.append(f"« evidence » : champ inconnu « {unknown[0]} ».")
    count = evidence.get("min_answers")
    if count is not None and (
        not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_MIN_ANSWERS
    ):
        errors.append(f"« min_answers » doit être un nombre entier entre 1 et {MAX_MIN_ANSWERS}.")
    se = evidence.get("max_se")
    if se is not None and (
        not isinstance(se, int | float) or isinstance(se, bool) or not 0 < se <= 2
    ):
        errors.append("« max_se » doit être un nombre supérieur à 0 et au plus 2.")
    confidence = evidence.get("confidence")
    if confidence is not None and (
        not isinstance(confidence, int | float)
        or isinstance(confidence, bool)
        or not 0.5 <= confidence < 1
    ):
        errors.append("« confidence » doit être un nombre entre 0,5 et 0,99.")
    practice = evidence.get("practice")
    if practice is not None and (
        not isinstance(practice, list)
        or any(p not in PRACTICE_TYPES for p in practice)
        or len(set(practice)) != len(practice)
    ):
        errors.append(f"« practice » doit lister sans doublon : {', '.join(PRACTICE_TYPES)}.")
    return errors


def _level_errors(level: Any) -> list[str]:
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 8:
        return ["« min_level » doit être un niveau entre 1 et 8."]
    return []


def is_met(rule: Mapping[str, Any], outcome: Outcome) -> bool:
    """True when ``outcome`` satisfies ``rule``; an invalid rule raises ``InvalidRule``."""
    results = check(rule, outcome)
    if results is None or missing_practice(rule, outcome):
        return False
    return any(results) if rule.get("require", "all") == "any" else all(results)


def evidence_of(rule: Mapping[str, Any]) -> Mapping[str, Any]:
    """The rule's evidence requirements (empty when it asks for none)."""
    evidence = rule.get("evidence") if isinstance(rule, Mapping) else None
    return evidence if isinstance(evidence, Mapping) else {}


def enough_evidence(
    evidence: Mapping[str, Any], code: str, outcome: Outcome, min_level: int | None = None
) -> bool:
    """True when competence ``code``'s level (``min_level`` asked) rests on enough answers
    (always, when the evidence is not known)."""
    if outcome.answers is None:
        return True
    if outcome.answers.get(code, 0) < evidence.get("min_answers", 0):
        return False
    se = (outcome.se or {}).get(code)
    max_se = evidence.get("max_se")
    if max_se is not None and (se is None or se > max_se):
        return False
    confidence = evidence.get("confidence")
    if confidence is None or min_level is None:
        return True
    return level_probability(outcome, code, min_level) >= confidence


def level_probability(outcome: Outcome, code: str, min_level: int) -> float:
    """Posterior probability that ``code``'s ability reaches ``min_level`` (normal posterior
    with the estimate and its standard error); 0 when either is unknown."""
    theta = (outcome.theta or {}).get(code)
    se = (outcome.se or {}).get(code)
    cuts = outcome.cut_points
    if theta is None or se is None or not cuts or min_level > len(cuts):
        return 0.0
    gap = theta - cuts[min_level - 1]
    if se <= 0:
        return 1.0 if gap >= 0 else 0.0
    return 0.5 * (1.0 + math.erf(gap / (se * math.sqrt(2.0))))


def missing_practice(rule: Mapping[str, Any], outcome: Outcome) -> list[str]:
    """Practice-task types the rule asks for and the session holds no right answer to."""
    if outcome.practice is None:
        return []
    return [p for p in evidence_of(rule).get("practice") or () if p not in outcome.practice]


def named_competences(rule: Mapping[str, Any], outcome: Outcome) -> dict[str, int]:
    """Competences whose levels the rule's conditions read (in order of first mention), each
    with the lowest level asked of it."""
    codes: dict[str, int] = {}
    for condition in rule.get("conditions") or ():
        kind, level = condition.get("type"), condition.get("min_level")
        named = []
        if kind == "competence_level":
            named = [condition["competence"]]
        elif kind == "competences_at_level":
            named = list(condition.get("competences") or outcome.levels)
        for code in named:
            codes[code] = min(codes.get(code, level), level)
    return codes


@dataclass(frozen=True)
class Shortfall:
    """Why a rule met on the levels alone is not met: competences with too few answers (or too
    wide an error) and practice-task types without a right answer."""

    competences: tuple[str, ...]
    practice: tuple[str, ...]


def evidence_shortfall(rule: Mapping[str, Any], outcome: Outcome) -> Shortfall | None:
    """What evidence is missing when the levels alone would meet ``rule`` and the evidence does
    not; None otherwise (met, or not met whatever the evidence)."""
    if is_met(rule, outcome) or not is_met(rule, _without_evidence(outcome)):
        return None
    evidence = evidence_of(rule)
    thin = [
        code
        for code, level in named_competences(rule, outcome).items()
        if outcome.levels.get(code, 0) >= level
        and not enough_evidence(evidence, code, outcome, level)
    ]
    return Shortfall(tuple(thin), tuple(missing_practice(rule, outcome)))


def _without_evidence(outcome: Outcome) -> Outcome:
    return Outcome(
        framework=outcome.framework,
        completed=outcome.completed,
        levels=outcome.levels,
        score=outcome.score,
        referral=outcome.referral,
        answered=outcome.answered,
    )


def check(rule: Mapping[str, Any], outcome: Outcome) -> list[bool] | None:
    """Whether ``outcome`` meets each condition of ``rule``, in order; None when the rule
    cannot apply at all (given by hand only, or about another framework). An invalid rule
    raises ``InvalidRule``."""
    errors = validate(rule)
    if errors:
        raise InvalidRule(errors)
    if is_manual(rule) or rule["framework"] != outcome.framework:
        return None
    evidence = evidence_of(rule)
    return [_condition_met(condition, outcome, evidence) for condition in rule["conditions"]]


def _condition_met(
    condition: Mapping[str, Any], outcome: Outcome, evidence: Mapping[str, Any]
) -> bool:
    """Every condition, completion included, needs at least one real answer: a session where
    every question got « Je ne sais pas » proves nothing a badge could say."""
    if not outcome.completed or outcome.answered == 0:
        return False
    kind = condition["type"]
    if kind == "completion":
        return True
    if kind == "competence_level":
        code = condition["competence"]
        level = condition["min_level"]
        return outcome.levels.get(code, 0) >= level and enough_evidence(
            evidence, code, outcome, level
        )
    if kind == "competences_at_level":
        codes = condition.get("competences") or list(outcome.levels)
        reached = sum(
            1
            for code in codes
            if outcome.levels.get(code, 0) >= condition["min_level"]
            and enough_evidence(evidence, code, outcome, condition["min_level"])
        )
        return reached >= condition["count"]
    if kind == "score":
        return outcome.score >= condition["min"]
    return outcome.referral in condition["in"]


def describe(rule: Mapping[str, Any]) -> list[str]:
    """The rule in plain French, one sentence per condition (for criteria and trainer pages)."""
    if is_manual(rule):
        return ["Attribué à la main par un formateur : aucune évaluation ne le donne seule."]
    sentences = [describe_condition(condition) for condition in rule.get("conditions", [])]
    return sentences + describe_evidence(evidence_of(rule))


def describe_evidence(evidence: Mapping[str, Any]) -> list[str]:
    """The evidence requirements in plain French (none when the rule asks for none)."""
    sentences = []
    count, se = evidence.get("min_answers"), evidence.get("max_se")
    parts = [f"au moins {count} réponses"] if count else []
    if se:
        parts.append(f"une erreur de mesure d'au plus {se}")
    if evidence.get("confidence"):
        parts.append(f"une certitude d'au moins {round(evidence['confidence'] * 100)} %")
    if parts:
        sentences.append(
            "Le niveau de chaque compétence demandée repose sur " + " et ".join(parts) + "."
        )
    practice = [PRACTICE_LABELS.get(p, str(p)) for p in evidence.get("practice") or ()]
    if practice:
        sentences.append(
            "Réussir une mise en situation de chaque sorte : " + ", ".join(practice) + "."
        )
    return sentences


def describe_condition(condition: Mapping[str, Any]) -> str:
    """One condition in plain French (what is asked, whatever is still missing shown as « ? »)."""
    condition = {k: ("?" if v is None or v == "" else v) for k, v in condition.items()}
    kind = condition.get("type")
    if kind == "completion":
        return "Terminer l'évaluation."
    if kind == "competence_level":
        return (
            f"Atteindre le niveau {condition.get('min_level', '?')} "
            f"dans la compétence {condition.get('competence', '?')}."
        )
    if kind == "competences_at_level":
        listed = condition.get("competences")
        among = f" parmi {', '.join(listed)}" if isinstance(listed, list) and listed else ""
        return (
            f"Atteindre le niveau {condition.get('min_level', '?')} "
            f"dans au moins {condition.get('count', '?')} compétences{among}."
        )
    if kind == "score":
        return f"Obtenir au moins {condition.get('min', '?')} points."
    if kind == "referral":
        wanted = condition.get("in")
        labels = [REFERRAL_LABELS.get(code, code) for code in wanted or [] if isinstance(code, str)]
        return "Être orienté vers : " + (" ou ".join(labels) or "?") + "."
    return "Condition inconnue."
