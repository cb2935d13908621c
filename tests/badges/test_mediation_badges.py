"""The digital-mediation badges say what the person can do and deliver exactly that (issue 12):
each competence the criteria list is required by the rule, no « niveau N » reads like a
qualification level, and the description says the badge is not the professional title."""

from __future__ import annotations

import json
import re

import pytest

from assessments.content_io import CONTENT_DIR
from badges import award_rules
from badges.images import ICONS
from badges.shipped import shipped_achievements

SLUG = "mediation-numerique"
CODE = re.compile(r"(?<![\d.])\d\.\d(?![\d.])")


def framework() -> dict:
    return json.loads((CONTENT_DIR / "frameworks" / f"{SLUG}.json").read_text(encoding="utf-8"))


def competence_codes() -> set[str]:
    return {c["code"] for d in framework()["domains"] for c in d["competences"]}


BADGES = [a for a in shipped_achievements() if a["framework"] == SLUG]


def test_the_framework_has_an_evaluation_badge_and_competency_badges_covering_it():
    kinds = [a["achievement_type"] for a in BADGES]
    assert kinds.count("Assessment") == 1 and kinds.count("Competency") >= 2
    conditions = [c for a in BADGES for c in a["rule"]["conditions"]]
    covered = {c["competence"] for c in conditions if "competence" in c}
    assert covered == competence_codes()


@pytest.mark.parametrize("entry", BADGES, ids=lambda a: a["slug"])
def test_rule_requires_every_competence_its_criteria_list(entry):
    rule = entry["rule"]
    assert award_rules.validate(rule) == []
    assert entry["design"]["icon"] in ICONS and entry["alt"].strip()
    listed = set(CODE.findall(entry["criteria"]))
    assert listed <= competence_codes()
    required = {c["competence"]: c["min_level"] for c in rule["conditions"] if "competence" in c}
    assert set(required) == listed and rule.get("require", "all") == "all"
    if required:
        reached = dict.fromkeys(competence_codes(), 8) | required
        met = award_rules.Outcome(framework=SLUG, completed=True, levels=reached)
        assert award_rules.is_met(rule, met)
        for code in required:
            short = award_rules.Outcome(
                framework=SLUG, completed=True, levels=reached | {code: required[code] - 1}
            )
            assert not award_rules.is_met(rule, short), f"{code} below its level still awards"


@pytest.mark.parametrize("entry", BADGES, ids=lambda a: a["slug"])
def test_wording_names_no_level_and_says_what_the_badge_is_not(entry):
    shown = " ".join([entry["name"], entry["design"]["label"], entry["design"]["sublabel"]])
    assert not re.search(r"niveau\s*\d", shown, re.IGNORECASE), shown
    assert "n'est pas le titre professionnel Médiateur numérique" in entry["description"]
    assert "Médiateur numérique" in framework()["certification"]["title"]
