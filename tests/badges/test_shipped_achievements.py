"""The achievements Jalon ships (badges/content/achievements.json) can be awarded as written: each
rule is valid and names its framework's competences, each badge draws with a known icon, and a
badge whose criteria list competences requires every one of them (issue 12: a trade badge must
not claim a competence its rule leaves optional)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assessments.content_io import CONTENT_DIR
from badges import award_rules
from badges.images import ICONS

ACHIEVEMENTS = Path(award_rules.__file__).parent / "content" / "achievements.json"
COMPETENCE_CODE = re.compile(r"(?<![\d.])\d\.\d(?![\d.])")
# Frameworks whose badges follow issue 12's wording: no « niveau N » that reads like a qualification
# level, and the description says the badge is not the certification. Others join when reworded.
REWORDED = ("systemes-reseaux", "assistant-digital", "datacenter-cloud")


def shipped() -> list[dict]:
    return json.loads(ACHIEVEMENTS.read_text(encoding="utf-8"))["achievements"]


def framework(slug: str) -> dict:
    return json.loads((CONTENT_DIR / "frameworks" / f"{slug}.json").read_text(encoding="utf-8"))


def competence_codes(slug: str) -> set[str]:
    return {c["code"] for d in framework(slug)["domains"] for c in d["competences"]}


def required_competences(rule: dict) -> set[str]:
    if rule.get("require", "all") != "all":
        return set()
    return {
        c["competence"]
        for c in rule["conditions"]
        if c["type"] == "competence_level" and c["min_level"] >= 1
    }


def test_slugs_are_unique():
    slugs = [a["slug"] for a in shipped()]
    assert len(slugs) == len(set(slugs))


@pytest.mark.parametrize("entry", shipped(), ids=lambda a: a["slug"])
def test_rule_is_valid_and_names_competences_of_its_framework(entry):
    rule = entry["rule"]
    assert award_rules.validate(rule) == []
    assert rule["framework"] == entry["framework"]
    assert (CONTENT_DIR / "frameworks" / f"{entry['framework']}.json").is_file()
    codes = competence_codes(entry["framework"])
    named = {c["competence"] for c in rule["conditions"] if "competence" in c}
    named |= {code for c in rule["conditions"] for code in c.get("competences", [])}
    assert named <= codes, f"unknown competences: {sorted(named - codes)}"
    assert entry["design"]["icon"] in ICONS
    assert entry["alt"].strip()


@pytest.mark.parametrize("entry", shipped(), ids=lambda a: a["slug"])
def test_every_competence_named_in_the_criteria_is_required_by_the_rule(entry):
    listed = set(COMPETENCE_CODE.findall(entry["criteria"]))
    missing = listed - required_competences(entry["rule"])
    assert not missing, f"criteria list {sorted(missing)}, the rule does not require them"


@pytest.mark.parametrize(
    "entry", [a for a in shipped() if a["framework"] in REWORDED], ids=lambda a: a["slug"]
)
def test_reworded_badges_name_no_level_and_say_they_are_not_the_certification(entry):
    shown = " ".join([entry["name"], entry["design"]["label"], entry["design"].get("sublabel", "")])
    assert not re.search(r"niveau\s*\d", shown, re.IGNORECASE), shown
    code = framework(entry["framework"])["certification"]["code"]
    assert code in entry["description"] and "n'est pas" in entry["description"]
