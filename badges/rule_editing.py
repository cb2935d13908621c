"""Editing an achievement's award rule from the studio: which rule a trainer may see or change,
against which frameworks, and saving it.

An organisation edits the rules of its own issuer's achievements. The achievements of the
platform's issuer (shipped with Jalon) are shown to every association read-only, so they can
read and try the rule; another association's achievement is not found at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from assessments import frameworks as framework_store
from assessments.campaign_creation import frameworks_for
from assessments.models import Framework
from badges import achievements, award_rules
from badges.achievements import AchievementNotFound
from badges.models import Achievement
from learners.models import OrganisationKind


@dataclass(frozen=True)
class RuleTarget:
    """The achievement whose rule is shown; ``read_only`` for a shipped (platform) one."""

    achievement: Achievement
    read_only: bool


@dataclass(frozen=True)
class FrameworkChoice:
    """A framework a rule may speak of, with its competences (code, title) in order."""

    slug: str
    title: str
    competences: tuple[tuple[str, str], ...]

    @property
    def codes(self) -> set[str]:
        return {code for code, _ in self.competences}


def target(db: Session, organisation_id: int, public_id: str) -> RuleTarget:
    """The achievement ``public_id`` as ``organisation_id`` sees it; ``AchievementNotFound``
    for another association's (its existence is not revealed)."""
    achievement = achievements.get(db, public_id)
    owner = achievement.issuer.organisation
    if owner.id == organisation_id:
        return RuleTarget(achievement, read_only=False)
    if owner.kind == OrganisationKind.PLATFORM:
        return RuleTarget(achievement, read_only=True)
    raise AchievementNotFound(public_id)


def _choice(db: Session, framework: Framework) -> FrameworkChoice:
    return FrameworkChoice(
        slug=framework.slug,
        title=framework.title_fr,
        competences=tuple((c.code, c.title_fr) for c in framework_store.competences(db, framework)),
    )


def framework_choices(db: Session, organisation_id: int) -> list[FrameworkChoice]:
    """The frameworks the organisation may build rules on (shipped and its own), by title."""
    return [_choice(db, framework) for framework in frameworks_for(db, organisation_id)]


def errors(rule: Mapping[str, Any], choices: list[FrameworkChoice]) -> list[str]:
    """What is wrong with ``rule`` for an organisation offered ``choices``, in French."""
    if award_rules.is_manual(rule):
        return award_rules.validate(rule)
    chosen = next((c for c in choices if c.slug == rule.get("framework")), None)
    if chosen is None:
        others = [e for e in award_rules.validate(rule) if "« framework »" not in e]
        return ["Choisissez un référentiel dans la liste.", *others]
    return award_rules.validate(rule, chosen.codes)


class RuleReadOnly(PermissionError):
    """A shipped achievement's rule cannot be changed by an association."""


def save(
    db: Session, rule_target: RuleTarget, rule: Mapping[str, Any], choices: list[FrameworkChoice]
) -> Achievement:
    """Store ``rule`` on the achievement (flushed, not committed); ``award_rules.InvalidRule``
    lists what to fix, ``RuleReadOnly`` refuses a shipped achievement."""
    if rule_target.read_only:
        raise RuleReadOnly(rule_target.achievement.public_id)
    found = errors(rule, choices)
    if found:
        raise award_rules.InvalidRule(found)
    rule_target.achievement.award_rules = dict(rule)
    db.flush()
    return rule_target.achievement
