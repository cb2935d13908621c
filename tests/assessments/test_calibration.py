"""Calibration recovers known item parameters and flags items that do not fit the 2PL model."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assessments.calibration import calibrate

PERSONS, ITEMS = 3000, 30


@pytest.fixture(scope="module")
def simulated():
    """3,000 persons × 30 items, 10 % missing at random; item 0 follows a 3PL with guessing."""
    rng = np.random.default_rng(2024)
    theta = rng.normal(size=PERSONS)
    a = rng.uniform(0.7, 2.0, ITEMS)
    b = rng.uniform(-2.0, 2.0, ITEMS)
    correct = rng.random((PERSONS, ITEMS)) < 1 / (1 + np.exp(-a * (theta[:, None] - b)))
    guessing = 0.4 + 0.6 / (1 + np.exp(-2.5 * (theta - 1.0)))
    correct[:, 0] = rng.random(PERSONS) < guessing
    missing = rng.random((PERSONS, ITEMS)) < 0.1
    answers = [
        (f"p{p}", f"item-{i:02d}", bool(correct[p, i]))
        for p in range(PERSONS)
        for i in range(ITEMS)
        if not missing[p, i]
    ]
    calls = []
    report = calibrate(answers, min_answers=200, progress=lambda k, n: calls.append((k, n)))
    return a, b, report, calls


def test_recovers_known_parameters_within_tolerance(simulated):
    a, b, report, _ = simulated
    assert report.converged and report.persons == PERSONS
    fitted = {item.item_id: item for item in report.items}
    good = [f"item-{i:02d}" for i in range(1, ITEMS)]
    error_a = np.array([fitted[k].a - a[int(k[-2:])] for k in good])
    error_b = np.array([fitted[k].b - b[int(k[-2:])] for k in good])
    # Measured with this seed: RMSE(a) ≈ 0.09, RMSE(b) ≈ 0.07.
    assert np.sqrt(np.mean(error_a**2)) < 0.2
    assert np.sqrt(np.mean(error_b**2)) < 0.15
    assert abs(error_b.mean()) < 0.08  # the scale is anchored by the N(0, 1) population


def test_standard_errors_are_of_the_right_size(simulated):
    _a, b, report, _ = simulated
    within = [
        abs(item.b - b[int(item.item_id[-2:])]) < 3 * item.se_b
        for item in report.items
        if item.item_id != "item-00"
    ]
    assert sum(within) >= 26
    assert all(0 < item.se_a < 0.2 and 0 < item.se_b < 0.3 for item in report.items)


def test_flags_the_misfitting_item_and_few_others(simulated):
    _, _, report, _ = simulated
    flagged = {item.item_id for item in report.misfitting}
    assert "item-00" in flagged
    assert len(flagged - {"item-00"}) <= 2
    assert all(item.fit_df == 8 for item in report.items)


def test_progress_is_reported_each_iteration(simulated):
    _, _, report, calls = simulated
    assert [k for k, _ in calls] == list(range(1, report.iterations + 1))


def test_items_with_too_few_answers_are_skipped_and_anchors_inform_abilities():
    rng = np.random.default_rng(1)
    theta = rng.normal(size=400)
    answers = []
    for p, t in enumerate(theta):
        for i, (a, b) in enumerate([(1.0, -1.0), (1.5, 0.0), (1.2, 1.0)]):
            answers.append((p, f"i{i}", bool(rng.random() < 1 / (1 + np.exp(-a * (t - b))))))
        if p < 50:
            answers.append((p, "rare", bool(rng.random() < 0.5)))
    report = calibrate(answers, min_answers=100, anchors={"rare": (1.0, 0.0)})
    assert report.skipped == {"rare": 50}
    assert sorted(item.item_id for item in report.items) == ["i0", "i1", "i2"]
    assert calibrate(answers, min_answers=1000).items == []


def test_a_repeated_answer_counts_once_the_last_one():
    answers = [("p", "i", False), ("p", "i", True)]
    report = calibrate(answers * 1, min_answers=1, max_iterations=3)
    assert report.items[0].answers == 1
    assert report.items[0].proportion_correct == 1.0


def test_calibrate_command_reads_the_database_and_applies_fitting_items(app):
    from sqlalchemy import select

    from assessments.models import AnswerStatus, AssessmentSession, Item, Response, SessionStatus
    from tests.assessments.factories import make_campaign
    from tests.learners.factories import make_learner
    from web.database import db

    rng = np.random.default_rng(8)
    with app.app_context():
        campaign = make_campaign(db.session)
        learner = make_learner(db.session)
        items = db.session.scalars(select(Item).order_by(Item.uid)).all()
        truth = {
            item.uid: (1.0, float(b))
            for item, b in zip(items, np.linspace(-1.5, 1.5, len(items)), strict=True)
        }
        for _ in range(120):
            theta = rng.normal()
            session = AssessmentSession(
                campaign_id=campaign.id,
                learner_id=learner.id,
                status=SessionStatus.FINISHED,
                seed=0,
            )
            db.session.add(session)
            db.session.flush()
            for position, item in enumerate(items, start=1):
                a, b = truth[item.uid]
                right = rng.random() < 1 / (1 + np.exp(-a * (theta - b)))
                db.session.add(
                    Response(
                        session_id=session.id,
                        item_id=item.id,
                        item_version=item.version,
                        position=position,
                        status=AnswerStatus.OK if right else AnswerStatus.SKIPPED,
                    )
                )
        db.session.commit()
        uids = [item.uid for item in items]

    from web.cli import main

    result = app.test_cli_runner().invoke(
        main,
        args=[
            "assess",
            "calibrate",
            "--framework",
            "essai",
            "--min-answers",
            "100",
            "--apply",
            "--json",
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["persons"] == 120
    assert {item["item_id"] for item in report["items"]} == set(uids)
    fitting = [item for item in report["items"] if not item["misfit"]]
    assert report["updated"] == len(fitting) >= len(uids) - 2
    with app.app_context():
        stored = {item.uid: item for item in db.session.scalars(select(Item))}
        for item in fitting:
            assert stored[item["item_id"]].calibrated_at is not None
            assert stored[item["item_id"]].b == pytest.approx(item["b"], abs=1e-3)
        estimated = [stored[uid].b for uid in uids]
        assert np.corrcoef(estimated, [truth[uid][1] for uid in uids])[0, 1] > 0.8


def test_anchor_items_keep_the_scale_when_a_beginner_group_calibrates():
    """A group of mean ability −1.5: on its own it re-centres every b (+1.5); four anchor items
    held at their parameters keep the others on the original scale."""
    rng = np.random.default_rng(12)
    a, b = rng.uniform(0.8, 1.8, 16), rng.uniform(-2.5, 1.5, 16)
    theta = rng.normal(-1.5, 1.0, 800)
    correct = rng.random((800, 16)) < 1 / (1 + np.exp(-a * (theta[:, None] - b)))
    answers = [(p, f"i{i:02d}", bool(correct[p, i])) for p in range(800) for i in range(16)]
    truth = {f"i{i:02d}": (a[i], b[i]) for i in range(16)}
    anchors = ["i00", "i04", "i08", "i12"]

    def bias(report):
        return np.mean([item.b - truth[item.item_id][1] for item in report.calibrated])

    alone = calibrate(answers, min_answers=200)
    anchored = calibrate(answers, min_answers=200, anchors=truth, fixed=anchors)
    assert alone.scale == "group" and bias(alone) > 1.2
    assert anchored.scale == "anchors" and abs(bias(anchored)) < 0.15
    assert anchored.population_mean == pytest.approx(-1.5, abs=0.2)
    assert {i.item_id for i in anchored.items if i.anchor} == set(anchors)
    assert all(truth[i.item_id] == (i.a, i.b) for i in anchored.items if i.anchor)
    with pytest.raises(ValueError):
        calibrate(answers, anchors={}, fixed=["i00"])
