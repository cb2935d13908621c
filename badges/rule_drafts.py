"""An award rule as a trainer edits it, row by row, and its JSON form (the stored one).

The rule builder of the studio shows a rule as a mode (all conditions, at least one, or by hand
only), a framework and condition rows; this module turns such a draft into the JSON that
``badges.award_rules`` validates and evaluates, and back, so the page never writes JSON itself
and what is stored is exactly what the page showed. A draft may be incomplete (a level not yet
typed): its JSON then carries ``None`` and ``award_rules.validate`` says what is missing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from badges import award_rules

MODES = ("all", "any", award_rules.MANUAL)


@dataclass(frozen=True)
class ConditionDraft:
    """One condition row; ``type`` empty for a row left blank (ignored)."""

    type: str = ""
    competence: str = ""
    competences: tuple[str, ...] = ()
    min_level: int | None = None
    count: int | None = None
    min_score: int | None = None
    referrals: tuple[str, ...] = ()

    @property
    def is_blank(self) -> bool:
        return not self.type


@dataclass(frozen=True)
class EvidenceDraft:
    """The rule's evidence requirements (``award_rules`` « evidence »); all empty: none."""

    min_answers: int | None = None
    max_se: float | None = None
    confidence: float | None = None
    practice: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.min_answers is not None:
            found["min_answers"] = self.min_answers
        if self.max_se is not None:
            found["max_se"] = self.max_se
        if self.confidence is not None:
            found["confidence"] = self.confidence
        if self.practice:
            found["practice"] = list(self.practice)
        return found


@dataclass(frozen=True)
class RuleDraft:
    """``mode`` is ``all``, ``any`` or ``manual`` (given by hand only: no framework, no row)."""

    mode: str = award_rules.MANUAL
    framework: str = ""
    conditions: tuple[ConditionDraft, ...] = ()
    evidence: EvidenceDraft = EvidenceDraft()

    @property
    def is_manual(self) -> bool:
        return self.mode == award_rules.MANUAL


def condition_json(condition: ConditionDraft) -> dict[str, Any]:
    """The JSON of one row: only the fields its type reads."""
    kind = condition.type
    if kind == "competence_level":
        return {"type": kind, "competence": condition.competence, "min_level": condition.min_level}
    if kind == "competences_at_level":
        found: dict[str, Any] = {
            "type": kind,
            "min_level": condition.min_level,
            "count": condition.count,
        }
        if condition.competences:
            found["competences"] = list(condition.competences)
        return found
    if kind == "score":
        return {"type": kind, "min": condition.min_score}
    if kind == "referral":
        return {"type": kind, "in": list(condition.referrals)}
    return {"type": kind}


def to_rule(draft: RuleDraft) -> dict[str, Any]:
    """The JSON rule the draft stands for (blank rows left out)."""
    if draft.is_manual:
        return {"kind": award_rules.MANUAL}
    rule: dict[str, Any] = {
        "framework": draft.framework,
        "require": draft.mode,
        "conditions": [condition_json(c) for c in draft.conditions if not c.is_blank],
    }
    evidence = draft.evidence.to_json()
    if evidence:
        rule["evidence"] = evidence
    return rule


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _codes(value: Any) -> tuple[str, ...]:
    return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()


def evidence_draft(evidence: Any) -> EvidenceDraft:
    """The evidence fields of a stored rule (values of the wrong shape left empty)."""
    if not isinstance(evidence, Mapping):
        return EvidenceDraft()
    return EvidenceDraft(
        min_answers=_int(evidence.get("min_answers")),
        max_se=_float(evidence.get("max_se")),
        confidence=_float(evidence.get("confidence")),
        practice=_codes(evidence.get("practice")),
    )


def _float(value: Any) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


def condition_draft(condition: Mapping[str, Any]) -> ConditionDraft:
    """The row showing one JSON condition (values of the wrong shape left empty)."""
    kind = condition.get("type")
    if kind not in award_rules.CONDITION_TYPES:
        return ConditionDraft()
    competence = condition.get("competence")
    return ConditionDraft(
        type=kind,
        competence=competence if isinstance(competence, str) else "",
        competences=_codes(condition.get("competences")),
        min_level=_int(condition.get("min_level")),
        count=_int(condition.get("count")),
        min_score=_int(condition.get("min")),
        referrals=_codes(condition.get("in")),
    )


def from_rule(rule: Mapping[str, Any] | None) -> RuleDraft:
    """The draft showing a stored rule; no rule at all is a badge given by hand."""
    if not isinstance(rule, Mapping) or not rule or award_rules.is_manual(rule):
        return RuleDraft()
    require = rule.get("require", "all")
    framework = rule.get("framework")
    conditions = rule.get("conditions")
    return RuleDraft(
        mode=require if require in ("all", "any") else "all",
        framework=framework if isinstance(framework, str) else "",
        conditions=tuple(condition_draft(c) for c in conditions or [] if isinstance(c, Mapping))
        if isinstance(conditions, list)
        else (),
        evidence=evidence_draft(rule.get("evidence")),
    )
