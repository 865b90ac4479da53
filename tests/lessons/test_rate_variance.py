"""Lesson 03: realised zero fractions, their binomial spread and honest zero counting."""
import importlib
import math

import numpy as np
import pytest
from matplotlib.figure import Figure

import dropout_lab as dl
from dropout_lab.lessons.rate_variance import compute as rv
from dropout_lab.lessons.rate_variance import exercises as lesson03
from dropout_lab.lessons.rate_variance import solutions
from dropout_lab.stats import zero_fractions_from_masks


@pytest.mark.parametrize("units", [32, 100_000])
def test_numpy_dense_dropout_counts_land_in_band(units):
    count = rv.count_zeros(units, 0.2, seed=1)
    assert count.zeros_before == 0  # a Dense layer on ones has no exact zeros
    low, high = dl.binomial_band(0.2, units)
    assert low <= count.fraction_after <= high
    assert count.change == pytest.approx(count.fraction_after)


def test_keras_dense_dropout_counts_land_in_band():
    importlib.import_module("keras")
    count = rv.count_zeros(100_000, 0.2, seed=2, framework="keras")
    low, high = dl.binomial_band(0.2, 100_000)
    assert count.zeros_before == 0 and low <= count.fraction_after <= high


def test_dense_embedding_glorot_limit():
    embed = rv.dense_embedding(1000, seed=0)
    # each output is a sum of 100 U(-l, l) weights: std = l * sqrt(100 / 3)
    limit = math.sqrt(6 / 1100)
    assert embed.shape == (1, 1000)
    assert embed.std() == pytest.approx(limit * math.sqrt(100 / 3), rel=0.15)


def test_spread_formula_and_errors():
    assert rv.spread(32, 0.2) == pytest.approx(math.sqrt(0.16 / 32))
    with pytest.raises(ValueError, match="rate"):
        rv.spread(32, 1.5)


@pytest.mark.parametrize("n, rate", [(32, 0.2), (1000, 0.5), (10**6, 0.1)])
def test_measured_spread_inside_chi_square_band(n, rate):
    trials = rv.rate_trials(rate, n, trials=4000, seed=7)
    low, high = rv.spread_ratio_band(n, rate, 4000)
    assert low <= trials.measured_std / trials.predicted_std <= high


def test_spread_ratio_band_narrows_with_trials():
    wide, narrow = rv.spread_ratio_band(100, 0.5, 100), rv.spread_ratio_band(100, 0.5, 10_000)
    assert wide[0] < narrow[0] < 1 < narrow[1] < wide[1]


def test_prob_inside_band_exact_for_small_n():
    low, high = dl.binomial_band(0.2, 32)
    exact = sum(math.comb(32, k) * 0.2**k * 0.8 ** (32 - k) for k in range(33) if low <= k / 32 <= high)
    assert rv.prob_inside_band(32, 0.2) == pytest.approx(exact, rel=1e-12)
    assert rv.prob_inside_band(10**6, 0.5) == pytest.approx(0.9973, abs=3e-4)  # normal limit


def test_inside_share_matches_exact_probability():
    trials = rv.rate_trials(0.3, 500, trials=20_000, seed=3)
    p = rv.prob_inside_band(500, 0.3)
    assert abs(trials.inside - p) <= 4 * math.sqrt(p * (1 - p) / 20_000)


def test_binomial_shortcut_agrees_with_real_masks():
    fast = dl.zero_fractions(2000, 0.3, 400, np.random.default_rng(0))
    slow = zero_fractions_from_masks(2000, 0.3, 400, np.random.default_rng(1))
    sigma = rv.spread(2000, 0.3)
    # both means estimate rate with std sigma / sqrt(400); their difference has sqrt(2) of that
    assert abs(fast.mean() - slow.mean()) <= 4 * math.sqrt(2) * sigma / 20
    low, high = rv.spread_ratio_band(2000, 0.3, 400)
    for fractions in (fast, slow):
        assert low <= fractions.std(ddof=1) / sigma <= high


def test_relu_activations_zero_share_and_errors():
    x = rv.relu_activations((500, 400), 0.35, rng=0)
    low, high = dl.binomial_band(0.35, x.size)
    assert low <= dl.zero_fraction(x) <= high and x.min() == 0.0
    with pytest.raises(ValueError, match="zero_share"):
        rv.relu_activations((3,), 1.0)


def test_naive_count_bias_formula():
    assert rv.naive_zero_fraction(0.4, 0.25) == pytest.approx(0.55)
    assert rv.naive_zero_fraction(0.0, 0.3) == pytest.approx(0.3)
    with pytest.raises(ValueError, match="rate"):
        rv.naive_zero_fraction(0.5, -0.1)


def test_relu_count_naive_biased_correct_unbiased():
    count = rv.relu_count((1000, 1000), 0.5, 0.2, seed=0)
    n = 10**6
    expected = rv.naive_zero_fraction(count.zero_before, 0.2)
    assert abs(count.naive - expected) <= 3 * math.sqrt(0.2 * 0.8 * (1 - count.zero_before) / n) + 1e-9
    alive = round((1 - count.zero_before) * n)
    assert dl.binomial_band(0.2, alive)[0] <= count.correct <= dl.binomial_band(0.2, alive)[1]
    assert count.bias == pytest.approx(count.naive - 0.2)


def test_plots_return_figures():
    trials = rv.rate_trials(0.2, 32, 500)
    assert isinstance(dl.lessons.rate_variance.plots.plot_zero_fraction_hist(trials), Figure)
    assert isinstance(dl.lessons.rate_variance.plots.plot_zero_fraction_hist(rv.rate_trials(0.2, 10**5, 500)), Figure)
    assert isinstance(dl.lessons.rate_variance.plots.plot_wobble(trials.fractions[:50], 0.2, 32), Figure)
    sweep = dl.zero_fraction_sweep([10, 100, 1000], [0.2, 0.5], trials=100)
    assert isinstance(dl.lessons.rate_variance.plots.plot_spread_vs_n(sweep), Figure)
    z = np.array([0.0, 0.5])
    assert isinstance(dl.lessons.rate_variance.plots.plot_naive_bias(z, z + 0.1, z * 0 + 0.2, 0.2), Figure)


def _run_solution(number):
    return getattr(solutions, f"solution_{number}")()


def test_exercises_unanswered_wrong_and_solved():
    checks = [lesson03.check_spread_32, lesson03.check_units_needed, lesson03.check_naive_count,
              lesson03.check_dropout_share]
    for check in checks:
        result = check(...)
        assert not result and "replace the" in result.message
    assert not lesson03.check_spread_32(0.2)
    assert not lesson03.check_units_needed(2_249_999)
    assert not lesson03.check_naive_count(0.25)
    assert not lesson03.check_dropout_share(lambda before, after: float(np.mean(after == 0)))
    assert lesson03.check_spread_32(_run_solution(1))
    assert lesson03.check_units_needed(_run_solution(2))
    assert lesson03.check_naive_count(_run_solution(3))
    assert lesson03.check_dropout_share(_run_solution(4))


def test_units_for_half_width_is_smallest():
    n = lesson03.units_for_half_width(0.5, 0.001)
    assert 3 * rv.spread(n, 0.5) <= 0.001 * (1 + 1e-12) < 3 * rv.spread(n - 1, 0.5)


def test_exercise_checks_reject_non_numbers_clearly():
    for check in (lesson03.check_spread_32, lesson03.check_units_needed, lesson03.check_naive_count):
        result = check("a lot")
        assert not result and "number" in result.message


def test_check_trials_passes_real_trials_and_fails_wrong_spread():
    good = rv.check_trials(rv.rate_trials(0.2, 32, trials=4000, seed=0))
    assert good.passed and good.ratio_band[0] <= good.ratio <= good.ratio_band[1]
    assert "n =      32" in good.line()
    trials = rv.rate_trials(0.2, 1000, trials=4000, seed=0)
    # Fractions twice as spread out as Binomial(1000, 0.2)/1000 must fail the spread check.
    wider = rv.RateTrials(0.2, 1000, 0.2 + 2 * (trials.fractions - 0.2), trials.band)
    assert not rv.check_trials(wider).passed


def test_in_place_dashboard_figures_match_the_static_plots_pixel_for_pixel():
    import dropout_lab as dl
    from dropout_lab.lessons.rate_variance import plots

    hist, wobble = plots.zero_fraction_hist_updater(), plots.wobble_updater()
    for rate, n in [(0.2, 32), (0.7, 100_000), (0.2, 32)]:  # back to the start: nothing left over
        trials = dl.lessons.rate_variance.compute.rate_trials(rate, n, 500, 0)
        fractions = dl.zero_fractions(n, rate, 50, 0)
        assert dl.ui.figures.to_png(hist(trials)) == dl.ui.figures.to_png(plots.plot_zero_fraction_hist(trials))
        assert dl.ui.figures.to_png(wobble(fractions, rate, n, 0.25)) == dl.ui.figures.to_png(plots.plot_wobble(fractions, rate, n))
