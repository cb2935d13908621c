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
earns it automatically. The evaluation is pure: it reads an ``Outcome`` built from the session's
results, so it is tested without a database.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

AUTOMATIC = "automatic"
MANUAL = "manual"
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
    # Questions really answered (right or wrong); None when not counted (rules read alone).
    answered: int | None = None


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


def _level_errors(level: Any) -> list[str]:
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 8:
        return ["« min_level » doit être un niveau entre 1 et 8."]
    return []


def is_met(rule: Mapping[str, Any], outcome: Outcome) -> bool:
    """True when ``outcome`` satisfies ``rule``; an invalid rule raises ``InvalidRule``."""
    results = check(rule, outcome)
    if results is None:
        return False
    return any(results) if rule.get("require", "all") == "any" else all(results)


def check(rule: Mapping[str, Any], outcome: Outcome) -> list[bool] | None:
    """Whether ``outcome`` meets each condition of ``rule``, in order; None when the rule
    cannot apply at all (given by hand only, or about another framework). An invalid rule
    raises ``InvalidRule``."""
    errors = validate(rule)
    if errors:
        raise InvalidRule(errors)
    if is_manual(rule) or rule["framework"] != outcome.framework:
        return None
    return [_condition_met(condition, outcome) for condition in rule["conditions"]]


def _condition_met(condition: Mapping[str, Any], outcome: Outcome) -> bool:
    """Every condition, completion included, needs at least one real answer: a session where
    every question got « Je ne sais pas » proves nothing a badge could say."""
    if not outcome.completed or outcome.answered == 0:
        return False
    kind = condition["type"]
    if kind == "completion":
        return True
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
    if is_manual(rule):
        return ["Attribué à la main par un formateur : aucune évaluation ne le donne seule."]
    return [describe_condition(condition) for condition in rule.get("conditions", [])]


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
