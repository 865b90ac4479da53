"""Lesson 02: expectation, variance and next-layer shrinkage of dropout outputs, and what the factor is for."""
import math

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.lessons.expectation import compute as ex
from dropout_lab.lessons.expectation import plots
from dropout_lab.stats import Z_CHECK

# ---------------------------------------------------------------- one unit

@pytest.mark.parametrize("x, rate", [(2.0, 0.3), (-1.5, 0.5), (0.7, 0.8), (3.0, 0.05)])
@pytest.mark.parametrize("rescale", [True, False])
def test_sampled_moments_fall_in_their_bands(x, rate, rescale):
    m = ex.sample_moments(x, rate, 200_000, seed=11, rescale=rescale)
    assert m.within_bands(Z_CHECK)


def test_formulas_against_the_two_point_distribution():
    # out is c·x with probability keep, else 0: moments straight from that distribution
    for x, rate, rescale in [(2.0, 0.3, True), (2.0, 0.3, False), (-1.0, 0.9, True)]:
        keep, c = 1 - rate, (1 / (1 - rate) if rescale else 1.0)
        mean = keep * c * x
        assert ex.predicted_mean(x, rate, rescale) == pytest.approx(mean)
        assert ex.predicted_var(x, rate, rescale) == pytest.approx(keep * (c * x) ** 2 - mean**2)
    assert ex.predicted_mean(1.0, 1.0) == 0.0 and ex.predicted_var(1.0, 1.0) == 0.0


def test_bands_reject_wrong_moments():
    # A sampler that divides by the rate instead of the keep probability misses the band.
    rate, n = 0.2, 100_000
    wrong = dl.dropout_forward(np.ones(n), rate, 0, mode="vanilla")[0] / rate
    bands = ex.moment_bands(1.0, rate, n, Z_CHECK)
    assert not bands.mean[0] <= wrong.mean() <= bands.mean[1]


def test_sample_pair_is_the_package_dropout_with_one_mask():
    scaled, plain = ex.sample_pair(1.5, 0.3, 10_000, 4)
    np.testing.assert_array_equal(scaled, ex.sample_outputs(1.5, 0.3, 10_000, 4, rescale=True))
    np.testing.assert_array_equal(plain, ex.sample_outputs(1.5, 0.3, 10_000, 4, rescale=False))


def test_moments_are_ddof_0_as_numpy_computes_them():
    y = np.random.default_rng(0).normal(size=1000).astype(np.float32)
    m = ex.moments(y, 0.0, 0.1)
    assert m.mean == pytest.approx(float(y.astype(np.float64).mean()), abs=1e-12)
    assert m.var == pytest.approx(float(y.astype(np.float64).var(ddof=0)), rel=1e-9)
    assert m.var != pytest.approx(float(y.astype(np.float64).var(ddof=1)), rel=1e-4)


def test_variance_band_is_tight_but_honest_at_rate_half():
    # At rate 0.5 the sample variance is second-order in the kept fraction: the band
    # still contains the truth and every seeded sample.
    bands = ex.moment_bands(1.0, 0.5, 10**5)
    assert bands.var[0] < 1.0 < bands.var[1]
    for seed in range(20):
        assert ex.sample_moments(1.0, 0.5, 10**5, seed).within_bands(Z_CHECK)


# ---------------------------------------------------------------- the next layer

@pytest.fixture(scope="module")
def layer_inputs():
    rng = np.random.default_rng(0)
    return rng.normal(size=(5, 40)), rng.uniform(0, 2, size=40)


@pytest.mark.parametrize("rescale, factor", [(True, 1.0), (False, 0.7)])
def test_next_layer_mean_scales_by_keep_without_rescaling(layer_inputs, rescale, factor):
    weights, x = layer_inputs
    layer = ex.next_layer_preactivation(weights, x, 0.3, 20_000, seed=1, rescale=rescale)
    np.testing.assert_allclose(layer.clean, weights @ x)
    assert np.all(np.abs(layer.mean - factor * layer.clean) <= Z_CHECK * layer.std_of_mean)
    assert layer.samples.shape == (20_000, 5)


def test_next_layer_variance_matches_the_samples(layer_inputs):
    weights, x = layer_inputs
    layer = ex.next_layer_preactivation(weights, x, 0.3, 20_000, seed=2)
    # the predicted variance is the exact one of a weighted Bernoulli sum, computed here term by term
    direct = np.array([sum((w / 0.7) ** 2 * xj**2 * 0.7 * 0.3 for w, xj in zip(row, x)) for row in weights])
    np.testing.assert_allclose(layer.predicted_var, direct)
    assert np.all(np.abs(layer.sample_var - layer.predicted_var) <= Z_CHECK * layer.sample_var_se)


def test_single_masks_exceed_the_clean_preactivation_without_rescaling(layer_inputs):
    weights, x = layer_inputs
    plain = ex.next_layer_preactivation(weights, x, 0.3, 20_000, seed=3, rescale=False)
    assert np.all(plain.share_beyond_clean > 0.01)   # "larger than anything trained on" is false
    only_positive = ex.next_layer_preactivation(np.abs(weights), x, 0.3, 2000, seed=3, rescale=False)
    assert np.all(only_positive.share_beyond_clean == 0)   # with positive weights and inputs it would be true


def test_relu_commutes_with_dropout_and_jensen_after_the_next_layer(layer_inputs):
    assert ex.relu_commutes_with_dropout(np.linspace(-3, 3, 2001), 0.4, seed=5)
    weights, x = layer_inputs
    layer = ex.next_layer_preactivation(weights / 10, x, 0.5, 20_000, seed=4)
    after = ex.relu_after_next_layer(layer, bias=0.0)
    assert np.all(after.gap > -Z_CHECK * after.std_of_mean)
    assert np.any(after.gap > Z_CHECK * after.std_of_mean)
    with pytest.raises(ValueError, match="rescaled"):
        ex.relu_after_next_layer(ex.next_layer_preactivation(weights, x, 0.5, 100, rescale=False))


def test_a_non_homogeneous_activation_does_not_commute():
    # the ReLU identity is a property of ReLU, not of dropout: the same comparison fails for tanh
    x = np.linspace(-2, 2, 101)
    after, _ = dl.dropout_forward(x, 0.3, 0)
    before, _ = dl.dropout_forward(np.tanh(x), 0.3, 0)
    assert not np.allclose(np.tanh(after), before)


# ---------------------------------------------------------------- seed 004 (a): the tiny model

@pytest.fixture(scope="module")
def runs():
    return ex.train_readouts(rate=0.5, seeds=(0, 1, 2, 3), steps=600)


def test_training_without_the_factor_learns_weights_one_over_keep_larger(runs):
    np.testing.assert_allclose(runs.plain, runs.rescaled / 0.5, rtol=1e-12)
    np.testing.assert_allclose(runs.train_mse_plain, runs.train_mse_rescaled, rtol=1e-12)
    assert np.all(np.abs(runs.rescaled) > 0)


def test_at_test_time_the_unscaled_readout_is_one_over_keep_too_large_and_either_fix_repairs_it(runs):
    for i in range(len(runs.tasks)):
        p = runs.test_predictions(i)
        np.testing.assert_allclose(p["plain, as trained"], 2 * p["rescaled in training"], rtol=1e-9)
        np.testing.assert_allclose(p["plain, x keep at test"], p["rescaled in training"], rtol=1e-9)
    mse = runs.test_mse()
    assert set(mse) == {"plain, as trained", "plain, x keep at test", "rescaled in training"}


def test_the_readouts_learn_something(runs):
    # trained predictions explain part of the unit-variance target on held-out data (mechanism: SGD works)
    mse = runs.test_mse()["rescaled in training"]
    assert np.all(mse < np.array([t.test_y.var() for t in runs.tasks]))


def test_train_readouts_matched_learning_rate_is_what_makes_it_exact():
    # at rate 0.3 (no power of two) the identity holds to rounding, not bit for bit
    r = ex.train_readouts(rate=0.3, seeds=(0, 1), steps=300)
    np.testing.assert_allclose(r.plain * 0.7, r.rescaled, rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="rate must be below 1"):
        ex.train_readouts(rate=1.0, seeds=(0,), steps=1)


def test_readout_task_shapes_and_unit_variance_signal():
    task = ex.readout_task(3)
    assert task.train_h.shape == (256, 32) and task.test_h.shape == (1000, 32)
    assert task.train_h.min() == 0.0   # ReLU features: exact zeros
    assert 0.9 < np.concatenate([task.train_y, task.test_y]).var() < 1.1   # signal 1 + noise 0.01


def test_paired_difference():
    d = ex.paired_difference(np.array([3.0, 5.0, 4.0]), np.array([1.0, 2.0, 2.0]))
    assert d.mean == pytest.approx(7 / 3) and d.seeds == 3
    assert d.se == pytest.approx(np.std([2.0, 3.0, 2.0], ddof=1) / math.sqrt(3))
    with pytest.raises(ValueError, match="two seeds"):
        ex.paired_difference(np.array([1.0]), np.array([0.0]))


# ---------------------------------------------------------------- seed 004 (b): the missing nose

def test_part_sums_each_view_matches_its_prediction():
    rng = np.random.default_rng(1)
    weights, features = rng.uniform(0.5, 1.5, 10), rng.uniform(0.5, 1.5, 10)
    part = np.arange(10) < 2
    sums = ex.part_sums(weights, features, part, rate=0.5, masks=40_000, seed=2)
    rows = {label: (m, p, se) for label, m, p, se in sums.rows()}
    assert len(rows) == 4
    clean = np.array([weights[:2] @ features[:2], weights[2:] @ features[2:]])
    np.testing.assert_allclose(rows["test time, every feature present"][0], clean)
    for label, (measured, predicted, se) in rows.items():
        assert np.all(np.abs(measured - predicted) <= Z_CHECK * se + 1e-12), label
    # the views differ by far more than their noise: the checks could tell a wrong prediction
    measured, _, se = rows["training, all masks, not rescaled"]
    assert np.all(np.abs(measured - clean) > 10 * se)
    assert abs(sums.part_dropped.mean() - 0.25) <= Z_CHECK * math.sqrt(0.25 * 0.75 / 40_000)
    assert np.all(rows["training, masks without the part, rescaled"][0][0] == 0)


def test_part_sums_rejects_bad_parts():
    with pytest.raises(ValueError, match="some features"):
        ex.part_sums(np.ones(3), np.ones(3), np.ones(3, bool), 0.5, 10)
    with pytest.raises(ValueError, match="one length"):
        ex.part_sums(np.ones(3), np.ones(4), np.ones(3, bool), 0.5, 10)


# ---------------------------------------------------------------- compounding and variance

def test_compounding_is_a_clean_product_only_without_biases():
    for layers in (1, 2, 3):
        clean = ex.compounding(rate=0.5, bias=False, layers=layers, seed=1)
        np.testing.assert_allclose(clean.ratios, 2.0**layers, rtol=1e-12)
        assert clean.predicted == 2.0**layers
    biased = ex.compounding(rate=0.5, bias=True, layers=3, seed=1)
    assert np.ptp(biased.ratios) > 1 and not np.allclose(biased.ratios, 8.0)
    low, median, high = biased.percentiles()
    assert low <= median <= high
    with pytest.raises(ValueError, match="rate must be below 1"):
        ex.compounding(rate=1.0, bias=False)


def test_gaussian_and_bernoulli_multipliers_share_mean_and_variance():
    bernoulli, gaussian = ex.multiplier_moments(rate=0.3, n=400_000, seed=3)
    assert bernoulli.within_bands and gaussian.within_bands
    assert gaussian.var_band[0] < 0.3 / 0.7 < gaussian.var_band[1]
    # a Gaussian with the vanilla variance rate·keep would miss the band
    assert not gaussian.var_band[0] <= 0.3 * 0.7 <= gaussian.var_band[1]
    for bad in (0.0, 1.0):
        with pytest.raises(ValueError, match="rate must be in"):
            ex.multiplier_moments(bad, 10)


# ---------------------------------------------------------------- histogram and plots

def test_histogram_counts_two_values():
    scaled, _ = ex.sample_pair(1.0, 0.25, 40_000, 0)
    h = ex.histogram(scaled, -0.05, 1.55, bins=16)  # bins of 0.1: 0 in bin 0, 4/3 in bin 13
    assert h.fractions.sum() == pytest.approx(1.0)
    low, high = dl.binomial_band(0.25, 40_000, Z_CHECK)
    assert low <= h.fractions[0] <= high
    assert h.fractions[0] + h.fractions[13] == 1.0
    with pytest.raises(ValueError, match="high"):
        ex.histogram(scaled, 1.0, 1.0)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="n must be a positive int"):
        ex.sample_outputs(1.0, 0.5, 0)
    with pytest.raises(ValueError, match="rate"):
        ex.sample_moments(1.0, 1.5, 10)
    with pytest.raises(ValueError, match="masks"):
        ex.next_layer_preactivation(np.ones((2, 3)), np.ones(3), 0.5, masks=-1)
    with pytest.raises(ValueError, match="weights"):
        ex.next_layer_preactivation(np.ones((2, 4)), np.ones(3), 0.5, masks=10)
    with pytest.raises(ValueError, match="bins"):
        ex.histogram(np.zeros(4, np.float32), 0.0, 1.0, bins=0)


def _dashboard_args(rate, x, n=5000):
    scaled, plain = ex.sample_pair(x, rate, n, 0)
    high = 1.1 * x / (1 - rate)
    return (ex.histogram(scaled, -0.05 * high, high), ex.histogram(plain, -0.05 * high, high),
            ex.moments(scaled, x, rate), ex.moments(plain, x, rate, False))


def test_plot_draws_the_spread_bars_at_mean_plus_minus_one_std():
    args = _dashboard_args(0.3, 1.5)
    fig = plots.plot_output_histogram(*args)
    assert len(fig.axes) == 1
    bars = [line for line in fig.axes[0].lines if line.get_marker() == "|"]
    assert len(bars) == 2
    for line, m in zip(bars, args[2:]):
        low, high = line.get_xdata()
        assert (low, high) == pytest.approx((m.mean - math.sqrt(m.var), m.mean + math.sqrt(m.var)))


def test_dashboard_updater_reuses_one_figure_and_draws_what_the_static_plot_draws():
    draw = plots.output_histogram_updater()
    figures, pngs = [], []
    for rate, x in [(0.2, 1.0), (0.7, 2.5)]:
        args = _dashboard_args(rate, x)
        figures.append(draw(*args))
        pngs.append(dl.ui.figures.to_png(figures[-1]))
        assert dl.ui.figures.to_png(plots.plot_output_histogram(*args)) == pngs[-1]  # in place == fresh
    assert figures[0] is figures[1] and len(figures[0].axes) == 1
    assert pngs[0] != pngs[1]


def test_the_frozen_dashboard_frame_still_moves_its_ticks():
    draw = plots.output_histogram_updater()
    fig = draw(*_dashboard_args(0.5, 1.5))
    ticks = fig.axes[0].texts
    assert [t.get_text() for t in ticks if t.get_visible()] == ["0", "0.75", "1.5", "3"]
    assert fig.axes[0].get_xticks().size == 0  # the axis draws none: the moving labels are the ticks
    draw(*_dashboard_args(0.0, 0.5))   # at rate 0 the four positions collapse to two
    assert [t.get_text() for t in ticks if t.get_visible()] == ["0", "0.5"]
    assert list(fig.axes[0].lines[-1].get_xdata()) == [0.0, 0.5]  # the tick marks follow


# ---------------------------------------------------------------- the dashboard's draws

@pytest.mark.parametrize("rate", [0.0, 0.05, 0.35, 0.9, 1.0])
def test_pair_draws_give_sample_pairs_outputs_bit_for_bit(rate):
    draws = ex.PairDraws(30_000, seed=3)
    for x in (0.5, 1.75, 3.0, -2.0):  # one mask per rate serves every x
        for mine, theirs in zip(draws.pair(x, rate), ex.sample_pair(x, rate, 30_000, 3)):
            assert mine.dtype == theirs.dtype == np.float32
            assert np.array_equal(mine, theirs) and np.array_equal(np.signbit(mine), np.signbit(theirs))
    assert not draws.mask(rate).flags.writeable


def test_pair_draws_views_are_cached_per_setting_and_recomputed_for_a_new_one():
    draws = ex.PairDraws(20_000, seed=1, hist_samples=5_000)
    first = draws.view(1.5, 0.3)
    assert draws.view(1.5, 0.3) is first                     # revisited: the same numbers, no new draw
    other = draws.view(2.0, 0.3)                             # new x, same rate: the same mask, new outputs
    assert draws.view.cache_info().misses == 2 and other.scaled.mean != first.scaled.mean
    scaled, plain = ex.sample_pair(2.0, 0.3, 20_000, 1)
    assert other.scaled == ex.moments(scaled, 2.0, 0.3) and other.plain == ex.moments(plain, 2.0, 0.3, False)
    high = 1.1 * 2.0 / 0.7
    assert np.array_equal(other.scaled_hist.fractions, ex.histogram(scaled[:5_000], -0.05 * high, high).fractions)
    with pytest.raises(ValueError, match="hist_samples"):
        ex.PairDraws(10, hist_samples=0)
