"""The simulator and the ``jalon assess`` commands (simulate, make-bank, calibrate from a file)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from click.testing import CliRunner

from assessments.engine import StoppingRule, generate_bank
from assessments.simulation import simulate
from web.cli.assess import assess

KEYS = {"rmse", "bias", "mean_length", "max_exposure", "step_ms_median", "step_ms_p99"}


@pytest.fixture(scope="module")
def bank_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("bank") / "bank.json"
    result = CliRunner().invoke(
        assess,
        ["make-bank", "--items", "1500", "--competences", "16", "--seed", "3", "--out", str(path)],
    )
    assert result.exit_code == 0, result.output
    return path


def test_make_bank_writes_the_documented_shape(bank_file):
    records = json.loads(bank_file.read_text())
    assert len(records) == 1500
    assert set(records[0]) == {"id", "a", "b", "competence"}
    assert len({r["competence"] for r in records}) == 16
    assert len({r["id"] for r in records}) == 1500


def test_simulate_json_has_the_keys_and_sane_figures(bank_file):
    result = CliRunner().invoke(
        assess,
        [
            "simulate",
            "--bank",
            str(bank_file),
            "--learners",
            "150",
            "--length",
            "30",
            "--seed",
            "1",
            "--max-exposure",
            "0.2",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert set(figures) == KEYS
    assert figures["rmse"] < 0.5
    assert abs(figures["bias"]) < 0.2
    assert figures["mean_length"] == 30
    assert 0 < figures["max_exposure"] <= 0.2
    assert 0 < figures["step_ms_median"] <= figures["step_ms_p99"]


def test_simulate_prints_french_figures_and_stops_early_with_se(bank_file):
    result = CliRunner().invoke(
        assess,
        [
            "simulate",
            "--bank",
            str(bank_file),
            "--learners",
            "40",
            "--length",
            "40",
            "--se",
            "0.45",
            "--seed",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "RMSE" in result.stdout and "Longueur moyenne" in result.stdout
    length = float(result.stdout.split("Longueur moyenne")[1].split(":")[1].split()[0])
    assert length < 40


def test_any_bank_of_the_right_shape_works(tmp_path):
    path = tmp_path / "tiny.json"
    path.write_text(
        json.dumps(
            [{"id": f"q{k}", "a": 1.0, "b": k / 10 - 1, "competence": "seule"} for k in range(20)]
        )
    )
    result = CliRunner().invoke(
        assess, ["simulate", "--bank", str(path), "--learners", "5", "--length", "25", "--json"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["mean_length"] == 20  # the bank runs out first


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "n'existe pas"),
        ("{ pas du json", "pas du JSON valide"),
        ('{"id": "x"}', "liste"),
        ('[{"id": "x", "a": 0, "b": 0, "competence": "c"}]', "positif"),
        ('[{"id": "x", "a": 1, "b": 0}]', "competence"),
        ("[]", "vide"),
    ],
)
def test_bad_bank_file_gives_a_french_error_and_exit_2(tmp_path, content, message):
    path = tmp_path / "bank.json"
    if content is not None:
        path.write_text(content)
    result = CliRunner().invoke(assess, ["simulate", "--bank", str(path), "--json"])
    assert result.exit_code == 2
    assert "Erreur" in result.stderr and message in result.stderr
    assert result.stdout == ""


def test_simulation_is_reproducible_and_reports_progress():
    bank = generate_bank(800, 8, np.random.default_rng(0))
    seen = []
    first = simulate(bank, 20, StoppingRule(max_items=15), seed=9, progress=seen.append)
    second = simulate(bank, 20, StoppingRule(max_items=15), seed=9)
    assert seen == list(range(1, 21))
    assert np.array_equal(first.estimated_theta, second.estimated_theta)
    assert first.report.rmse == second.report.rmse
    assert first.exposure.sum() == pytest.approx(15)  # items per learner


def test_calibrate_from_a_csv_export(tmp_path):
    rng = np.random.default_rng(5)
    lines = ["person;item;status"]
    for p, theta in enumerate(rng.normal(size=600)):
        for i, b in enumerate([-1.0, 0.0, 1.0]):
            right = rng.random() < 1 / (1 + np.exp(-(theta - b)))
            lines.append(f"p{p};it{i};{'ok' if right else rng.choice(['ko', 'skipped'])}")
    path = tmp_path / "answers.csv"
    path.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(
        assess, ["calibrate", "--from", str(path), "--min-answers", "100", "--json"]
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["persons"] == 600 and report["updated"] == 0
    difficulties = [item["b"] for item in sorted(report["items"], key=lambda x: x["item_id"])]
    assert difficulties == sorted(difficulties)
    assert difficulties[0] == pytest.approx(-1.0, abs=0.35)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.json", "[1, 2]", "person"),
        ("a.csv", "person;item;status\np;i;peut-être\n", "status"),
        ("a.csv", "person,item,correct\np,i,2\n", "correct"),
    ],
)
def test_calibrate_rejects_bad_exports_in_french(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_text(content)
    result = CliRunner().invoke(assess, ["calibrate", "--from", str(path)])
    assert result.exit_code == 2
    assert message in result.stderr


def test_calibrate_from_a_file_with_anchors_keeps_their_scale(tmp_path):
    rng = np.random.default_rng(6)
    difficulty = [-2.0, -1.0, 0.0, 1.0]
    lines = ["person,item,correct"]
    for p, theta in enumerate(rng.normal(-1.5, 1.0, size=500)):
        for i, b in enumerate(difficulty):
            lines.append(f"p{p},it{i},{int(rng.random() < 1 / (1 + np.exp(-(theta - b))))}")
    answers, anchors = tmp_path / "answers.csv", tmp_path / "anchors.json"
    answers.write_text("\n".join(lines) + "\n")
    anchors.write_text(json.dumps([{"id": f"it{i}", "a": 1, "b": difficulty[i]} for i in (0, 2)]))
    args = ["calibrate", "--from", str(answers), "--min-answers", "100"]
    result = CliRunner().invoke(assess, [*args, "--anchors", str(anchors), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["scale"] == "anchors" and report["population_mean"] < -1.2
    free = {item["item_id"]: item["b"] for item in report["items"] if not item["anchor"]}
    assert free["it1"] == pytest.approx(-1.0, abs=0.35)  # alone, the group puts it near +0.6
    shown = CliRunner().invoke(assess, [*args, "--anchors", str(anchors)]).stdout
    assert "Échelle fixée par les items d'ancrage" in shown and "ancre" in shown
    unknown = CliRunner().invoke(assess, [*args, "--anchor", "nope"])
    assert unknown.exit_code == 2 and "item d'ancrage inconnu" in unknown.stderr
