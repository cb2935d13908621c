"""Badge precision, measured: simulated learners through the campaign logic and the award
rules (``badges.badge_simulation``, ``jalon assess simulate-badges``). Small runs on a tiny
bank: the figures are deterministic with the seed."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from badges import badge_simulation as sim
from web.cli.assess import assess

LEVELS = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5]
COMPLETION = {
    "name": "Terminé",
    "rule": {"framework": "mini", "conditions": [{"type": "completion"}]},
}
SAFE = {
    "framework": "mini",
    "conditions": [{"type": "competence_level", "competence": "2.1", "min_level": 3}],
}


def badge(name, rule, **evidence):
    return {"name": name, "rule": {**rule, "evidence": evidence} if evidence else rule}


@pytest.fixture(scope="module")
def content(tmp_path_factory):
    """A framework « mini » of three competences, eight items each over levels 1–4, one of
    them a practice task (a webmail task in 1.1)."""
    root = tmp_path_factory.mktemp("content")
    (root / "frameworks").mkdir()
    (root / "items" / "mini").mkdir(parents=True)
    codes = ["1.1", "1.2", "2.1"]
    framework = {
        "slug": "mini",
        "kind": "levels",
        "cut_points": LEVELS,
        "domains": [{"code": "1", "competences": [{"code": c} for c in codes]}],
    }
    (root / "frameworks" / "mini.json").write_text(json.dumps(framework))
    for code in codes:
        items = [
            {
                "id": f"mini-{code}-{n:03d}",
                "competence": code,
                "level": 1 + n % 4,
                "type": "task_webmail" if code == "1.1" and n == 0 else "qcu",
                "status": "validated" if n < 8 else "draft",
            }
            for n in range(9)
        ]
        (root / "items" / "mini" / f"{code}.json").write_text(json.dumps({"items": items}))
    return root


def run(content, rules, population="default", learners=40, seed=5, **campaign):
    framework = sim.load_framework("mini", content_dir=content)
    chosen = sim.campaign_for(framework, **campaign)
    return sim.simulate_badges(chosen, sim.Population(population), learners, seed, rules=rules)


def test_a_seed_gives_the_same_figures_and_they_hold_together(content):
    rules = [COMPLETION, badge("Sûr", SAFE)]
    first = run(content, rules, length=9).as_dict()
    assert first == run(content, rules, length=9).as_dict()
    assert first != run(content, rules, length=9, seed=6).as_dict()
    done, safe = first["achievements"]
    assert done == {
        "name": "Terminé",
        "awarded_share": 1.0,
        "true_share": 1.0,
        "precision": 1.0,
        "recall": 1.0,
    }
    assert 0 < safe["awarded_share"] < 1 and 0 < safe["precision"] <= 1
    assert first["mean_length"] == 9 and first["competences"] == ["1.1", "1.2", "2.1"]
    for figures in first["level_accuracy"].values():
        assert 0 <= figures["exact"] <= figures["within_one"] <= 1


def test_evidence_the_campaign_cannot_give_awards_nothing_and_a_targeted_one_does(content):
    strict = badge("Sûr", SAFE, min_answers=5)
    whole = run(content, [strict], length=9).achievements[0]
    assert whole.awarded_share == 0 and whole.precision is None and whole.recall == 0
    targeted = run(content, [strict], length=9, competences=["2.1"]).achievements[0]
    assert targeted.awarded_share > 0 and targeted.recall > 0


def test_a_confidence_raises_precision_on_uneven_profiles(content):
    loose, sure = badge("Lâche", SAFE), badge("Sûr", SAFE, confidence=0.9)
    figures = run(content, [loose, sure], population="uneven", learners=150, length=9)
    assert figures.achievements[1].precision > figures.achievements[0].precision


def test_a_practice_task_is_asked_for(content):
    rule = {"framework": "mini", "conditions": [{"type": "completion"}]}
    figures = run(content, [badge("Courriel", rule, practice=["task_webmail"])], length=9)
    assert 0 < figures.achievements[0].awarded_share < 1


def test_a_population_file_gives_its_profiles():
    population = sim.parse_population([{"weight": 1, "theta": {"2.1": -3.0, "*": 2.0}}])
    drawn = population.draw(["1.1", "2.1"], np.random.default_rng(0))
    assert drawn == {"1.1": 2.0, "2.1": -3.0}


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"theta": {}}, "une liste JSON de profils"),
        ([{"weight": 1}], "un objet {weight, theta} est attendu"),
        ([{"weight": 0, "theta": {}}], "« weight » doit être un nombre positif"),
        ([{"theta": {"4.1": "fort"}}], "« 4.1 » doit être un nombre entre -9 et 9"),
    ],
)
def test_a_bad_population_is_explained_in_french(data, message):
    with pytest.raises(sim.SimulationInputError, match=message):
        sim.parse_population(data)


def test_the_command_runs_a_shipped_framework_and_refuses_bad_input(tmp_path):
    runner = CliRunner()
    args = ["simulate-badges", "--framework", "premiers-pas", "--learners", "4", "--seed", "2"]
    result = runner.invoke(assess, [*args, "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert {"achievements", "level_accuracy", "mean_length"} <= set(figures)
    assert {"awarded_share", "precision", "recall"} <= set(figures["achievements"][0])
    text = runner.invoke(assess, [*args, "--competences", "3.1"])
    assert text.exit_code == 0 and "précision" in text.output
    unknown = runner.invoke(assess, ["simulate-badges", "--framework", "cuisine"])
    assert unknown.exit_code == 2 and "référentiel inconnu : cuisine" in unknown.output
    bad = tmp_path / "population.json"
    bad.write_text('[{"weight": -1, "theta": {}}]')
    refused = runner.invoke(assess, [*args, "--population", str(bad)])
    assert refused.exit_code == 2 and "« weight » doit être un nombre positif" in refused.output


def test_the_beginner_diagnostic_says_autonome_on_each_competence_as_its_truth_does():
    """Shipped « premiers-pas »: the truth is « autonome » only with every competence at the
    diagnostic's top level (one weak competence is enough to lose it), and a simulated session
    oriented « autonome » holds four answers per competence and a right practice task of
    each kind."""
    framework = sim.load_framework("premiers-pas")
    campaign = sim.campaign_for(framework, length=24)
    everywhere = dict.fromkeys(framework.competences, 1.0)
    assert sim.truth(campaign, everywhere).referral == "autonome"
    assert sim.truth(campaign, {**everywhere, "1.2": -1.0}).referral == "a_accompagner"
    rng = np.random.default_rng(3)
    oriented = []
    for _ in range(12):
        outcome, _length = sim.take(campaign, dict.fromkeys(framework.competences, 3.0), rng)
        oriented.append(outcome.referral)
        if outcome.referral == "autonome":
            assert min(outcome.answers.values()) >= 4
            assert {"task_webmail", "task_form", "task_phishing"} <= outcome.practice
    assert "autonome" in oriented
    weak, _length = sim.take(
        campaign, {**dict.fromkeys(framework.competences, 3.0), "2.2": -3.0}, rng
    )
    assert weak.referral == "a_accompagner"
