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
``require`` is ``all`` (default) or ``any``. The evaluation is pure: it reads an
``Outcome`` built from the session's results, so it is tested without a database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

CONDITION_TYPES = ("completion", "competence_level", "competences_at_level", "score", "referral")
REFERRALS = ("autonome", "a_accompagner", "atelier_initiation")
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


def validate(rule: Mapping[str, Any]) -> list[str]:
    """French messages for every problem in ``rule``; empty when it is usable."""
    errors: list[str] = []
    if not isinstance(rule, Mapping):
        return ["La règle doit être un objet JSON."]
    if not isinstance(rule.get("framework"), str) or not rule.get("framework"):
        errors.append("« framework » : indiquez le référentiel (par exemple « crcn »).")
    if rule.get("require", "all") not in ("all", "any"):
        errors.append("« require » : écrivez « all » (toutes) ou « any » (au moins une).")
    conditions = rule.get("conditions")
    if not isinstance(conditions, list) or not conditions:
        errors.append("« conditions » : donnez au moins une condition.")
        return errors
    for position, condition in enumerate(conditions, start=1):
        errors.extend(
            f"Condition {position} : {message}" for message in _condition_errors(condition)
        )
    return errors


def _condition_errors(condition: Any) -> list[str]:
    if not isinstance(condition, Mapping) or condition.get("type") not in CONDITION_TYPES:
        return [f"le type doit être l'un de : {', '.join(CONDITION_TYPES)}."]
    kind = condition["type"]
    errors: list[str] = []
    if kind == "competence_level":
        if not isinstance(condition.get("competence"), str) or not condition.get("competence"):
            errors.append("indiquez le code de la compétence (par exemple « 1.1 »).")
        errors.extend(_level_errors(condition.get("min_level")))
    elif kind == "competences_at_level":
        errors.extend(_level_errors(condition.get("min_level")))
        count = condition.get("count")
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            errors.append("« count » doit être un nombre entier supérieur ou égal à 1.")
        listed = condition.get("competences")
        if listed is not None and not (
            isinstance(listed, list) and all(isinstance(c, str) for c in listed)
        ):
            errors.append("« competences » doit être une liste de codes.")
    elif kind == "score":
        minimum = condition.get("min")
        if not isinstance(minimum, int) or isinstance(minimum, bool) or minimum < 0:
            errors.append("« min » doit être un nombre entier positif.")
    elif kind == "referral":
        wanted = condition.get("in")
        if not isinstance(wanted, list) or not wanted or any(w not in REFERRALS for w in wanted):
            errors.append(f"« in » doit lister des orientations parmi : {', '.join(REFERRALS)}.")
    return errors


def _level_errors(level: Any) -> list[str]:
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 8:
        return ["« min_level » doit être un niveau entre 1 et 8."]
    return []


def is_met(rule: Mapping[str, Any], outcome: Outcome) -> bool:
    """True when ``outcome`` satisfies ``rule``; an invalid rule raises ``InvalidRule``."""
    errors = validate(rule)
    if errors:
        raise InvalidRule(errors)
    if rule["framework"] != outcome.framework:
        return False
    results = [_condition_met(condition, outcome) for condition in rule["conditions"]]
    return any(results) if rule.get("require", "all") == "any" else all(results)


def _condition_met(condition: Mapping[str, Any], outcome: Outcome) -> bool:
    kind = condition["type"]
    if kind == "completion":
        return outcome.completed
    if not outcome.completed:
        return False
    if kind == "competence_level":
        return outcome.levels.get(condition["competence"], 0) >= condition["min_level"]
    if kind == "competences_at_level":
        codes = condition.get("competences") or list(outcome.levels)
        reached = sum(1 for code in codes if outcome.levels.get(code, 0) >= condition["min_level"])
        return reached >= condition["count"]
    if kind == "score":
        return outcome.score >= condition["min"]
    return outcome.referral in condition["in"]


def describe(rule: Mapping[str, Any]) -> list[str]:
    """The rule in plain French, one sentence per condition (for criteria and trainer pages)."""
    sentences = []
    for condition in rule.get("conditions", []):
        kind = condition.get("type")
        if kind == "completion":
            sentences.append("Terminer l'évaluation.")
        elif kind == "competence_level":
            sentences.append(
                f"Atteindre le niveau {condition['min_level']} "
                f"dans la compétence {condition['competence']}."
            )
        elif kind == "competences_at_level":
            sentences.append(
                f"Atteindre le niveau {condition['min_level']} "
                f"dans au moins {condition['count']} compétences."
            )
        elif kind == "score":
            sentences.append(f"Obtenir au moins {condition['min']} points.")
        elif kind == "referral":
            labels = [REFERRAL_LABELS.get(code, code) for code in condition["in"]]
            sentences.append("Être orienté vers : " + " ou ".join(labels) + ".")
    return sentences
