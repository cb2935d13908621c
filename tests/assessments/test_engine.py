"""The adaptive engine: estimation, selection, balancing, stopping, levels, referral bands."""

from __future__ import annotations

import itertools
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.integrate import quad

from assessments.engine import (
    GRID,
    RANDOMESQUE_WEIGHTS,
    AbilityTracker,
    AdaptiveTest,
    AnswerStatus,
    Bands,
    BankError,
    ExposureCounts,
    ItemBank,
    SelectionRules,
    StoppingRule,
    band_masses,
    band_of,
    beginner_stopping_rule,
    competence_score,
    default_parameters,
    expected_a_posteriori,
    expected_proportion_correct,
    fisher_information,
    generate_bank,
    is_correct,
    level_for,
    per_competence_estimates,
    probability,
    referral_bands,
)

CUTS = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5]


def _brute_force_eap(correct, a, b, mean, var):
    """Continuous posterior moments by adaptive quadrature, item by item (no grid)."""

    def density(theta):
        p = 1 / (1 + np.exp(-np.asarray(a) * (theta - np.asarray(b))))
        likelihood = np.prod(np.where(correct, p, 1 - p))
        return likelihood * np.exp(-((theta - mean) ** 2) / (2 * var))

    options = {"limit": 200, "points": [mean]}
    mass = quad(density, -9, 9, **options)[0]
    first = quad(lambda t: t * density(t), -9, 9, **options)[0] / mass
    second = quad(lambda t: (t - first) ** 2 * density(t), -9, 9, **options)[0] / mass
    return first, np.sqrt(second)


@pytest.fixture(scope="module")
def bank() -> ItemBank:
    return generate_bank(2000, 16, np.random.default_rng(11))


@pytest.mark.parametrize("seed", range(6))
def test_eap_matches_brute_force_integration(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 30))
    a = rng.uniform(0.5, 2.2, n)
    b = rng.normal(0, 1.5, n)
    correct = rng.random(n) < 0.5
    mean = float(rng.normal(0, 1))
    estimate = expected_a_posteriori(correct, a, b, prior_mean=mean, prior_var=1.5)
    theta, se = _brute_force_eap(correct, a, b, mean, 1.5)
    assert estimate.theta == pytest.approx(theta, abs=2e-3)
    assert estimate.se == pytest.approx(se, abs=2e-3)
    assert estimate.posterior.sum() == pytest.approx(1.0)


def test_eap_without_answers_is_the_prior():
    estimate = expected_a_posteriori([], [], [], prior_mean=0.7, prior_var=1.5)
    assert estimate.theta == pytest.approx(0.7, abs=1e-6)
    assert estimate.se == pytest.approx(np.sqrt(1.5), abs=1e-3)


def test_eap_moves_up_after_right_answers_and_stays_finite_when_all_right():
    a, b = np.ones(10), np.zeros(10)
    all_right = expected_a_posteriori(np.ones(10, bool), a, b, prior_mean=0.0)
    all_wrong = expected_a_posteriori(np.zeros(10, bool), a, b, prior_mean=0.0)
    assert 0 < all_right.theta < 9
    assert -9 < all_wrong.theta < 0
    assert all_right.theta == pytest.approx(-all_wrong.theta)


def test_tracker_equals_chained_eap_with_prior_on_previous_estimate():
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0.5, 2, 25), rng.normal(0, 1, 25)
    correct = rng.random(25) < 0.6
    tracker = AbilityTracker(start=-1.0)
    previous = tracker.estimate.theta
    assert previous == pytest.approx(-1.0, abs=1e-6)
    for k in range(25):
        incremental = tracker.update(bool(correct[k]), a[k], b[k])
        reference = expected_a_posteriori(
            correct[: k + 1], a[: k + 1], b[: k + 1], prior_mean=previous
        )
        assert incremental.theta == pytest.approx(reference.theta, abs=1e-10)
        assert incremental.se == pytest.approx(reference.se, abs=1e-10)
        previous = reference.theta
    assert tracker.count == 25


@settings(max_examples=150, deadline=None)
@given(
    answers=st.lists(
        st.tuples(st.floats(0.2, 3.0), st.floats(-6.0, 6.0), st.booleans()), max_size=40
    ),
    start=st.floats(-2.0, 2.0),
)
def test_replaying_answers_gives_the_bits_one_update_at_a_time_gives(answers, start):
    """AbilityTracker.replay (a session's answers, on every answer) against update."""
    one_by_one, replayed = AbilityTracker(start=start), AbilityTracker(start=start)
    for a, b, right in answers:
        one_by_one.update(right, a, b)
    a, b, right = (list(column) for column in zip(*answers, strict=True)) if answers else ([],) * 3
    replayed.replay(right, a, b)
    assert replayed.estimate.theta == one_by_one.estimate.theta
    assert replayed.estimate.se == one_by_one.estimate.se
    assert np.array_equal(replayed.estimate.posterior, one_by_one.estimate.posterior)
    assert np.array_equal(replayed.log_likelihood, one_by_one.log_likelihood)
    assert replayed.count == one_by_one.count == len(answers)


def test_a_replayed_test_is_the_test_recorded_one_answer_at_a_time(bank):
    rng = np.random.default_rng(11)
    live = AdaptiveTest(bank, StoppingRule(max_items=20))
    history = []
    while (index := live.next_item(rng)) is not None:
        status = [AnswerStatus.OK, AnswerStatus.KO, AnswerStatus.SKIPPED][int(rng.integers(3))]
        live.record(index, status)
        history.append((index, status))
    replayed = AdaptiveTest.replay(bank, history, StoppingRule(max_items=20))
    assert replayed.items == live.items and replayed.responses == live.responses
    assert replayed.estimate.theta == live.estimate.theta
    assert replayed.estimate.se == live.estimate.se
    assert replayed.finished and live.finished
    assert [replayed.next_item(np.random.default_rng(s)) for s in range(5)] == [None] * 5
    with pytest.raises(ValueError, match="already asked"):
        AdaptiveTest.replay(bank, history + history[:1], StoppingRule(max_items=40))


def test_standard_error_shrinks_as_answers_accumulate(bank):
    test = AdaptiveTest(bank, StoppingRule(max_items=30))
    rng = np.random.default_rng(0)
    errors = [test.estimate.se]
    while (index := test.next_item(rng)) is not None:
        test.record(index, bool(rng.random() < probability(0.3, bank.a[index], bank.b[index])))
        errors.append(test.estimate.se)
    assert errors[-1] < 0.45 < errors[0]
    assert errors[-1] < errors[10] < errors[1]


def test_statuses_other_than_ok_count_as_wrong():
    assert is_correct(AnswerStatus.OK) and is_correct("ok") and is_correct(True)
    for status in ("ko", "skipped", "timed_out", AnswerStatus.SKIPPED, False):
        assert not is_correct(status)
    with pytest.raises(ValueError):
        is_correct("maybe")
    bank = ItemBank.from_items(["x", "y"], [1, 1], [0, 0], ["c", "c"])
    skipped = AdaptiveTest(bank, StoppingRule(max_items=2))
    wrong = AdaptiveTest(bank, StoppingRule(max_items=2))
    skipped.record(0, "skipped")
    wrong.record(0, "ko")
    assert skipped.estimate.theta == wrong.estimate.theta < 0


def test_default_parameters_follow_the_level():
    assert default_parameters(1) == (1.0, -2.0)
    assert default_parameters(5) == (1.0, 2.0)


def test_fisher_information_peaks_at_item_difficulty():
    a, b = np.array([1.7]), np.array([0.4])
    thetas = np.linspace(-3, 3, 601)
    info = [fisher_information(t, a, b)[0] for t in thetas]
    assert thetas[int(np.argmax(info))] == pytest.approx(0.4, abs=0.01)
    assert max(info) == pytest.approx(1.7**2 / 4)


def test_without_randomness_the_most_informative_item_is_chosen(bank):
    rules = SelectionRules(top=1, weights=(1.0,), balance="cover")
    test = AdaptiveTest(bank, StoppingRule(max_items=50), rules=rules, start=0.8)
    index = test.next_item(np.random.default_rng(0))
    info = fisher_information(test.estimate.theta, bank.a, bank.b)
    assert index == int(np.argmax(info))


def test_randomesque_draws_among_the_five_best_with_decreasing_frequency(bank):
    picks = Counter()
    info = fisher_information(0.0, bank.a, bank.b)
    best = list(np.argsort(-info)[:5])
    rng = np.random.default_rng(5)
    draws = 4000
    for _ in range(draws):
        picks[AdaptiveTest(bank, StoppingRule(max_items=5)).next_item(rng)] += 1
    assert set(picks) <= set(best)
    frequencies = [picks[i] / draws for i in best]
    for observed, expected in zip(frequencies, RANDOMESQUE_WEIGHTS, strict=True):
        assert observed == pytest.approx(expected, abs=0.03)
    assert frequencies[0] > frequencies[1] > frequencies[2]


def test_restriction_keeps_items_over_the_exposure_target_out_while_others_remain(bank):
    rules = SelectionRules(max_exposure=0.25)
    best = int(np.argmax(fisher_information(0.0, bank.a, bank.b)))
    uses = np.zeros(len(bank), dtype=np.intp)
    uses[best] = 10  # 10 of 40 takers: one more use would pass 25 %
    stopping = StoppingRule(max_items=10)
    full = AdaptiveTest(bank, stopping, rules=rules, start=0.0)
    full.items.extend(range(10, 19))  # the progressive weight is then all information
    exposed = AdaptiveTest(
        bank, stopping, rules=rules, exposure=ExposureCounts(uses=uses, takers=40)
    )
    exposed.items.extend(range(10, 19))
    assert full.next_item(np.random.default_rng(0)) == best
    assert exposed.next_item(np.random.default_rng(0)) != best
    # Every item over the target: the restriction is lifted rather than the test stopped.
    everything = ExposureCounts(uses=np.full(len(bank), 10), takers=40)
    alone = AdaptiveTest(bank, stopping, rules=rules, exposure=everything)
    alone.items.extend(range(10, 19))
    assert alone.next_item(np.random.default_rng(0)) == best


def test_progressive_selection_spreads_first_items_and_is_seeded(bank):
    rules = SelectionRules(max_exposure=0.25)
    firsts = {
        AdaptiveTest(bank, StoppingRule(max_items=30), rules=rules).next_item(
            np.random.default_rng(seed)
        )
        for seed in range(50)
    }
    assert len(firsts) > 40  # randomesque would give at most 5
    again = AdaptiveTest(bank, StoppingRule(max_items=30), rules=rules)
    assert again.next_item(np.random.default_rng(3)) in firsts


def test_same_seed_same_test(bank):
    def run(seed):
        test = AdaptiveTest(bank, StoppingRule(max_items=20))
        rng = np.random.default_rng(seed)
        while (index := test.next_item(rng)) is not None:
            test.record(index, bool(index % 3))
        return test.items

    assert run(4) == run(4)
    assert run(4) != run(5)


def _run(bank, stopping, theta=0.0, seed=1, **options):
    test = AdaptiveTest(bank, stopping, **options)
    rng = np.random.default_rng(seed)
    while (index := test.next_item(rng)) is not None:
        test.record(index, bool(rng.random() < probability(theta, bank.a[index], bank.b[index])))
    return test


@pytest.mark.parametrize("theta", [-2.0, 0.0, 2.5])
def test_no_item_is_asked_twice(bank, theta):
    test = _run(bank, StoppingRule(max_items=60), theta=theta)
    assert len(test.items) == 60 == len(set(test.items))
    with pytest.raises(ValueError):
        test.record(test.items[0], True)


def test_even_balancing_covers_every_competence_and_never_repeats_in_a_row(bank):
    test = _run(bank, StoppingRule(max_items=40), theta=1.2)
    competences = [int(bank.competence[i]) for i in test.items]
    counts = Counter(competences)
    assert set(counts) == set(range(16))
    assert max(counts.values()) - min(counts.values()) <= 1
    assert all(x != y for x, y in itertools.pairwise(competences))


def test_cover_balancing_still_covers_every_targeted_competence_by_the_end(bank):
    rules = SelectionRules(balance="cover")
    test = _run(bank, StoppingRule(max_items=20), theta=2.0, rules=rules)
    competences = [int(bank.competence[i]) for i in test.items]
    assert len(set(competences)) == 16
    assert all(x != y for x, y in itertools.pairwise(competences))


def test_targets_and_allowed_mask_limit_the_pool(bank):
    allowed = np.zeros(len(bank), dtype=bool)
    allowed[::3] = True
    test = _run(bank, StoppingRule(max_items=12), targets=["c01", "c02", "c03"], allowed=allowed)
    assert {bank.competences[int(bank.competence[i])] for i in test.items} == {"c01", "c02", "c03"}
    assert all(i % 3 == 0 for i in test.items)
    with pytest.raises(BankError):
        AdaptiveTest(bank, StoppingRule(max_items=5), targets=["nope"])


def test_a_single_competence_may_repeat_when_unavoidable():
    bank = ItemBank.from_items(["a", "b", "c"], [1, 1, 1], [-1, 0, 1], ["x", "x", "x"])
    test = _run(bank, StoppingRule(max_items=10))
    assert sorted(test.items) == [0, 1, 2]  # stops when the bank runs out
    assert test.finished and test.next_item(np.random.default_rng(0)) is None


def test_fixed_length_rule_stops_exactly_at_max_items(bank):
    assert len(_run(bank, StoppingRule(max_items=17)).items) == 17


def test_standard_error_rule_stops_once_precise_enough_but_not_before_min_items(bank):
    test = _run(bank, StoppingRule(max_items=80, min_items=10, se_threshold=0.4))
    assert 10 <= len(test.items) < 80
    assert test.estimate.se <= 0.4
    early = _run(bank, StoppingRule(max_items=80, min_items=30, se_threshold=0.9))
    assert len(early.items) == 30


def test_stopping_rule_validation():
    with pytest.raises(ValueError):
        StoppingRule(max_items=None)
    with pytest.raises(ValueError):
        StoppingRule(max_items=5, min_items=6)
    with pytest.raises(ValueError):
        StoppingRule(max_items=5, se_threshold=-1)


def test_replay_rebuilds_the_same_state(bank):
    original = _run(bank, StoppingRule(max_items=12), theta=-0.5)
    history = list(
        zip(original.items, ["ok" if r else "ko" for r in original.responses], strict=False)
    )
    replayed = AdaptiveTest.replay(bank, history, StoppingRule(max_items=12))
    assert replayed.estimate.theta == original.estimate.theta
    assert replayed.finished
    again = AdaptiveTest.replay(bank, history[:5], StoppingRule(max_items=12))
    rng_a, rng_b = np.random.default_rng(9), np.random.default_rng(9)
    partial = AdaptiveTest.replay(bank, history[:5], StoppingRule(max_items=12))
    assert again.next_item(rng_a) == partial.next_item(rng_b)


@pytest.mark.parametrize(
    ("theta", "level"),
    [(-3.0, 0), (-2.5, 1), (-2.49, 1), (-0.6, 2), (0.0, 3), (0.5, 4), (4.49, 7), (4.5, 8), (9, 8)],
)
def test_level_for_cut_points(theta, level):
    assert level_for(theta, CUTS) == level


def test_level_for_rejects_unordered_cut_points():
    with pytest.raises(ValueError):
        level_for(0.0, [1.0, 0.0])


def test_competence_score_is_eight_per_level_and_caps_at_64():
    assert competence_score(-0.5, CUTS) == 24  # exactly level 3
    assert competence_score(0.0, CUTS) == 28  # half-way through level 3
    assert competence_score(10.0, CUTS) == 64
    assert competence_score(-9.0, CUTS) == 0
    scores = [competence_score(t, CUTS) for t in np.linspace(-5, 6, 200)]
    assert scores == sorted(scores)
    assert all(
        level_for(t, CUTS) == s // 8 for t, s in zip(np.linspace(-5, 6, 200), scores, strict=False)
    )
    assert 16 * competence_score(99, CUTS) == 1024


def test_per_competence_estimates_shrink_towards_the_global_ability():
    correct = [True, True, True, False, False, False, True]
    a = [1.0] * 7
    b = [0.0] * 7
    comps = ["x", "x", "x", "y", "y", "y", "x"]
    result = per_competence_estimates(correct, a, b, comps, global_theta=0.2, targets=["z"])
    assert result["x"].theta > 0.2 > result["y"].theta
    assert result["x"].answered == 4 and result["y"].answered == 3
    assert result["z"].answered == 0
    assert result["z"].theta == pytest.approx(0.2, abs=1e-6)
    assert result["z"].se == pytest.approx(np.sqrt(1.5), abs=1e-3)
    assert result["x"].se < result["z"].se
    direct = expected_a_posteriori([True] * 3 + [True], [1.0] * 4, [0.0] * 4, prior_mean=0.2)
    assert result["x"].theta == pytest.approx(direct.theta)


def test_referral_bands_solve_the_domain_score_thresholds():
    a = np.ones(30)
    b = np.repeat([-2.0, -1.0, 0.0], 10)
    bands = referral_bands(
        {"autonome": 0.8, "a_accompagner": 0.5}, a, b, lowest="atelier_initiation"
    )
    assert bands.names == ("atelier_initiation", "a_accompagner", "autonome")
    assert expected_proportion_correct(bands.cuts[0], a, b) == pytest.approx(0.5, abs=1e-6)
    assert expected_proportion_correct(bands.cuts[1], a, b) == pytest.approx(0.8, abs=1e-6)
    assert bands.cuts[0] == pytest.approx(-1.0, abs=1e-6)  # symmetric bank


def test_band_masses_sum_to_one_and_follow_the_estimate():
    bands = Bands(names=("low", "mid", "high"), cuts=(-1.0, 1.0))
    high = expected_a_posteriori([True] * 12, [1.5] * 12, [1.0] * 12, prior_mean=2.0)
    masses = band_masses(high, bands)
    assert masses.sum() == pytest.approx(1.0)
    assert masses[2] > 0.9
    assert band_of(high, bands) == "high"


def test_beginner_rule_stops_early_when_the_referral_is_settled():
    beginner = ItemBank.from_items(
        [f"pp-{k}" for k in range(60)],
        [1.3] * 60,
        [level - 3.0 for level in np.repeat([1, 2, 3], 20)],
        [f"c{k % 4}" for k in range(60)],
    )
    bands = referral_bands(
        {"autonome": 0.8, "a_accompagner": 0.5}, beginner.a, beginner.b, "atelier_initiation"
    )
    rule = beginner_stopping_rule(bands)
    strong = _run(beginner, rule, theta=3.5, start=-1.0)
    assert 8 <= len(strong.items) < 15
    assert band_of(strong.estimate, bands) == "autonome"
    assert band_masses(strong.estimate, bands).max() >= 0.9
    borderline = _run(beginner, rule, theta=bands.cuts[1], start=-1.0)
    assert len(borderline.items) <= 15


def test_bank_records_validation_messages_are_french():
    good = [{"id": "i1", "a": 1.2, "b": 0.1, "competence": "1.1"}]
    assert len(ItemBank.from_records(good)) == 1
    cases = [
        ({"x": 1}, "liste"),
        ([], "vide"),
        ([{"id": "i1", "a": 1, "b": 0}], "competence"),
        ([{"id": "i1", "a": -1, "b": 0, "competence": "c"}], "positif"),
        ([{"id": "i1", "a": 1, "b": "zéro", "competence": "c"}], "« b »"),
        ([good[0], good[0]], "déjà utilisé"),
        (["i1"], "objet"),
    ]
    for records, message in cases:
        with pytest.raises(BankError, match=message):
            ItemBank.from_records(records)


def test_bank_round_trips_through_records(bank):
    again = ItemBank.from_records(bank.to_records())
    assert again.ids == bank.ids
    assert np.allclose(again.a, bank.a, atol=1e-4)
    assert [again.competences[c] for c in again.competence] == [
        bank.competences[c] for c in bank.competence
    ]


def test_grid_is_eighty_points_on_nine_logits():
    assert GRID.size == 80 and GRID[0] == -9 and GRID[-1] == 9


def test_the_per_competence_stopping_rule_gathers_answers_on_every_target(bank):
    """An SE rule alone stops after a handful of answers; with ``min_per_competence`` the test
    goes on until each targeted competence got that many (``max_items`` still caps it)."""
    targets = ["c01", "c02", "c03"]
    loose = StoppingRule(max_items=40, se_threshold=1.0)
    early = _run(bank, loose, targets=targets)
    assert len(early.items) < 9
    gathering = StoppingRule(max_items=40, se_threshold=1.0, min_per_competence=4)
    test = _run(bank, gathering, targets=targets)
    asked = Counter(bank.competences[bank.competence[i]] for i in test.items)
    assert all(asked[code] >= 4 for code in targets) and len(test.items) < 40
    capped = _run(bank, StoppingRule(max_items=6, min_per_competence=4), targets=targets)
    assert len(capped.items) == 6
    with pytest.raises(ValueError):
        StoppingRule(max_items=10, min_per_competence=-1)


def test_a_required_group_is_asked_before_the_test_stops():
    """Two easy items per competence and one hard « practice » item in « b »: precision alone
    never picks the hard one, the required group does, before a test that would stop at 3."""
    bank = ItemBank.from_items(
        ["a1", "a2", "b1", "b2", "task"], [1, 1, 1, 1, 1], [0, 0.1, 0, 0.1, 6], list("aabbb")
    )
    stopping = StoppingRule(max_items=5, min_items=3, se_threshold=5.0)
    plain = _run(bank, stopping, theta=0.0)
    assert len(plain.items) == 3 and 4 not in plain.items
    with_task = _run(bank, stopping, theta=0.0, required=[np.array([0, 0, 0, 0, 1], bool)])
    assert 4 in with_task.items and len(with_task.items) <= 4


def test_evidence_is_gathered_only_while_the_ability_may_reach_its_level(bank):
    """``min_per_competence`` keeps the test going; with ``evidence_from`` far above a weak
    taker, that taker stops at the minimum while a strong one is still asked."""
    rule = {"max_items": 40, "min_items": 6, "se_threshold": 5.0, "min_per_competence": 4}
    assert len(_run(bank, StoppingRule(**rule), theta=-3.0).items) > 6
    weak = _run(bank, StoppingRule(**rule, evidence_from=1.5), theta=-3.0, seed=2)
    strong = _run(bank, StoppingRule(**rule, evidence_from=-3.0), theta=2.0, seed=2)
    assert len(weak.items) == 6 and len(strong.items) > 6
