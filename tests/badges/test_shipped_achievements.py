"""The achievements Jalon ships (badges/content/achievements.json) can be awarded as written: each
rule is valid and names its framework's competences, each badge draws with a known icon, and a
badge whose criteria list competences requires every one of them (issue 12: a trade badge must
not claim a competence its rule leaves optional)."""

from __future__ import annotations

import json
import re
from functools import partial
from pathlib import Path

import pytest

from assessments.content_io import CONTENT_DIR
from badges import award_rules
from badges.images import ICONS

ACHIEVEMENTS = Path(award_rules.__file__).parent / "content" / "achievements.json"
COMPETENCE_CODE = re.compile(r"(?<![\d.])\d\.\d(?![\d.])")
# The CRCN's own names for its levels (décret 2019-919): levels 1–2 « Novice », 3–4
# « Indépendant », 5–6 « Avancé », 7–8 « Expert ».
CRCN_MASTERY = {1: "Novice", 2: "Novice", 3: "Indépendant", 4: "Indépendant",
                5: "Avancé", 6: "Avancé", 7: "Expert", 8: "Expert"}  # fmt: skip


# Digital-skills frameworks with no certification of their own, whose badges CléA could be
# mistaken for.
DIGITAL_SKILLS = ("crcn", "premiers-pas")


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


def test_names_are_unique_and_no_badge_replaces_a_current_one():
    """An install archives the achievements named in ``replaces`` (former names)."""
    names = [a["name"] for a in shipped()]
    assert len(names) == len(set(names))
    replaced = {name for a in shipped() for name in a.get("replaces", [])}
    assert not replaced & set(names)


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


def english_reading_badge(slug: str) -> dict:
    """The English badge of ``slug``, checked for what the four claim alike: both reading
    competences (domain 1) at degree 2 (CEFR A2), all required, and nothing else."""
    (entry,) = [a for a in shipped() if a["framework"] == slug]
    rule = entry["rule"]
    levels = {c["competence"]: c["min_level"] for c in rule["conditions"]}
    assert rule.get("require", "all") == "all" and levels == {"1.1": 2, "1.2": 2}
    reading = next(d for d in framework(slug)["domains"] if d["code"] == "1")
    assert {c["code"] for c in reading["competences"]} == {"1.1", "1.2"}
    return entry


def english_met(slug: str, rule: dict, c1_1: int, c1_2: int, c2_1: int, c2_2: int) -> bool:
    """Whether a completed session of ``slug`` reaching these degrees meets ``rule``."""
    reached = {"1.1": c1_1, "1.2": c1_2, "2.1": c2_1, "2.2": c2_2}
    outcome = award_rules.Outcome(framework=slug, completed=True, levels=reached)
    return award_rules.is_met(rule, outcome)


def test_the_english_badge_asks_for_a2_in_both_reading_competences():
    """« Anglais du numérique — A2 »: degree 2 of anglais-numerique is CEFR A2, and the badge
    says reading, so it requires both reading competences (1.1 messages, 1.2 e-mails and
    tickets) at degree 2 at least, and nothing of the vocabulary or reply ones."""
    entry = english_reading_badge("anglais-numerique")
    assert entry["name"] == "Anglais du numérique — A2"
    rule = entry["rule"]

    met = partial(english_met, "anglais-numerique", rule)

    assert met(c1_1=2, c1_2=2, c2_1=0, c2_2=0)  # vocabulary and replies are not asked for
    assert met(c1_1=3, c1_2=2, c2_1=3, c2_2=3)
    assert not met(c1_1=3, c1_2=1, c2_1=3, c2_2=3)  # A1 in e-mails and tickets
    assert not met(c1_1=1, c1_2=3, c2_1=3, c2_2=3)


def test_the_dev_data_english_badge_is_a2_in_both_reading_competences():
    """« Anglais du développement et des données — A2 »: CEFR A2 (degree 2) in reading tool
    messages (1.1) and tickets, reviews and team messages (1.2); vocabulary (2.1) and
    replies (2.2) are not asked for, and the rule asks for the same evidence as the other
    English badge."""
    entry = english_reading_badge("anglais-dev-data")
    assert entry["name"] == "Anglais du développement et des données — A2"
    assert "pas une certification de langue" in entry["description"]
    rule = entry["rule"]
    assert rule["evidence"] == {"min_answers": 4, "confidence": 0.85}

    met = partial(english_met, "anglais-dev-data", rule)

    assert met(c1_1=2, c1_2=2, c2_1=0, c2_2=0)
    assert met(c1_1=3, c1_2=3, c2_1=1, c2_2=1)
    assert not met(c1_1=2, c1_2=1, c2_1=3, c2_2=3)  # A1 in tickets and reviews
    assert not met(c1_1=1, c1_2=2, c2_1=3, c2_2=3)  # A1 in tool messages


def test_the_telecoms_english_badge_asks_for_a2_in_both_reading_competences():
    """« Anglais de la fibre et du data center — A2 »: the same claim for anglais-telecoms —
    reading at A2 (1.1 labels, instrument screens and alarms; 1.2 work orders, tickets and
    e-mails), with the per-competence evidence, and not the vocabulary or reply competences."""
    entry = english_reading_badge("anglais-telecoms")
    assert entry["name"] == "Anglais de la fibre et du data center — A2"
    rule = entry["rule"]
    assert rule["evidence"]["min_answers"] >= 4

    met = partial(english_met, "anglais-telecoms", rule)

    assert met(c1_1=2, c1_2=2, c2_1=0, c2_2=0)
    assert met(c1_1=3, c1_2=3, c2_1=1, c2_2=3)
    assert not met(c1_1=2, c1_2=1, c2_1=3, c2_2=3)  # A1 in work orders, tickets and e-mails
    assert not met(c1_1=1, c1_2=2, c2_1=3, c2_2=3)  # A1 in labels, screens and alarms

    # A2 reached, but on too few answers in 1.2 or with too little confidence: not awarded.
    def evidenced(answers: dict[str, int], theta: float) -> bool:
        outcome = award_rules.Outcome(
            framework="anglais-telecoms", completed=True, levels={"1.1": 2, "1.2": 2},
            answers=answers, theta=dict.fromkeys(answers, theta), se=dict.fromkeys(answers, 0.4),
            cut_points=tuple(framework("anglais-telecoms")["cut_points"]),
        )  # fmt: skip
        return award_rules.is_met(rule, outcome)

    assert evidenced({"1.1": 4, "1.2": 4}, theta=-0.5)
    assert not evidenced({"1.1": 4, "1.2": 3}, theta=-0.5)
    assert not evidenced({"1.1": 4, "1.2": 4}, theta=-1.4)


def test_the_mediation_english_badge_asks_for_a2_in_both_reading_competences():
    """« Anglais de la médiation et de l'assistanat — A2 »: A2 (degree 2) in reading app
    screens (1.1) and reading messages from visitors, customers and suppliers (1.2), with the
    evidence the simulation tuned; vocabulary and replies are not asked for."""
    entry = english_reading_badge("anglais-mediation")
    rule = entry["rule"]
    assert rule["evidence"]["min_answers"] >= 4

    met = partial(english_met, "anglais-mediation", rule)

    assert met(2, 2, 0, 0)
    assert met(3, 3, 1, 1)
    assert not met(2, 1, 3, 3)  # A1 in the messages of visitors and customers
    assert not met(1, 3, 3, 3)


@pytest.mark.parametrize("entry", shipped(), ids=lambda a: a["slug"])
def test_badges_name_no_level_and_say_they_are_not_the_certification(entry):
    """Issue 12: « Socle — niveau 1 » read as CléA Numérique, « niveau 2 » beside an RNCP code
    as a qualification level."""
    shown = " ".join([entry["name"], entry["design"]["label"], entry["design"].get("sublabel", "")])
    assert not re.search(r"niveau\s*\d", shown, re.IGNORECASE), shown
    assert "socle" not in shown.lower(), shown
    description = entry["description"]
    assert "n'est pas" in description
    certification = framework(entry["framework"]).get("certification")
    if certification is None and entry["framework"] in DIGITAL_SKILLS:  # say it is not CléA
        assert "CléA Numérique" in description and "certification" in description
    elif certification is None:  # professional English: not a language certification
        assert "certification de langue" in description
    elif certification.get("code"):
        assert certification["code"] in description
    else:  # a certification whose number could not be confirmed is named by its register
        assert certification["register"] in description


@pytest.mark.parametrize(
    "entry",
    [a for a in shipped() if a["framework"] == "crcn" and a["achievement_type"] == "Competency"],
    ids=lambda a: a["slug"],
)
def test_crcn_badges_name_their_level_the_crcn_way(entry):
    levels = {c["min_level"] for c in entry["rule"]["conditions"] if "min_level" in c}
    assert len(levels) == 1
    mastery = CRCN_MASTERY[levels.pop()]
    assert entry["design"]["sublabel"] == mastery
    assert mastery in entry["name"] and mastery in entry["description"]


@pytest.mark.parametrize(
    "entry",
    [a for a in shipped() if "occupation" in framework(a["framework"])
     and a["achievement_type"] == "Competency"],
    ids=lambda a: a["slug"],
)  # fmt: skip
def test_trade_badges_require_exactly_the_competences_their_criteria_list(entry):
    """A trade badge lists what it certifies: « at least 4 of 6 » left the fibre badge's safety
    optional although its description claimed it (issue 12)."""
    rule = entry["rule"]
    assert rule.get("require", "all") == "all"
    assert {c["type"] for c in rule["conditions"]} == {"competence_level"}
    assert required_competences(rule) == set(COMPETENCE_CODE.findall(entry["criteria"]))


def test_the_fibre_badge_requires_safety():
    fibre = next(a for a in shipped() if a["slug"] == "fibre-optique-bases")
    assert "1.1" in required_competences(fibre["rule"])
    assert "sécurité" in fibre["description"]
