"""Lesson 03: realised zero fractions, their binomial spread, the seed's Keras code and honest zero counting."""
import importlib
import math

import numpy as np
import pytest
from matplotlib.figure import Figure

import dropout_lab as dl
from dropout_lab.lessons.rate_variance import compute as rv
from dropout_lab.lessons.rate_variance import plots
from dropout_lab.stats import Z_CHECK, zero_fractions_from_masks

# ---------------------------------------------------------------- the seed's experiment

@pytest.mark.parametrize("units", [32, 100_000])
def test_numpy_dense_dropout_counts_land_in_band(units):
    count = rv.count_zeros(units, 0.2, seed=1)
    assert count.zeros_before == 0  # a Dense layer on ones has no exact zeros
    low, high = dl.binomial_band(0.2, units, Z_CHECK)
    assert low <= count.fraction_after <= high
    assert count.change == pytest.approx(count.fraction_after)


def test_keras_dense_dropout_counts_land_in_band():
    importlib.import_module("keras")
    count = rv.count_zeros(100_000, 0.2, seed=2, framework="keras")
    low, high = dl.binomial_band(0.2, 100_000, Z_CHECK)
    assert count.zeros_before == 0 and low <= count.fraction_after <= high


def test_dense_embedding_glorot_limit():
    embed = rv.dense_embedding(1000, seed=0)
    # each output is a sum of 100 U(-l, l) weights: std = l * sqrt(100 / 3)
    limit = math.sqrt(6 / 1100)
    assert embed.shape == (1, 1000)
    assert embed.std() == pytest.approx(limit * math.sqrt(100 / 3), rel=0.15)


def test_the_seeds_two_calls_fail_on_keras_3_and_a_python_bool_runs():
    positional, tensor_flag, python_bool = rv.keras_flag_attempts(units=32, rate=0.2, seed=0)
    assert positional.error == "TypeError" and positional.count is None
    assert positional.message == "Dropout.call() got multiple values for argument 'training'."
    assert tensor_flag.error == "OperatorNotAllowedInGraphError" and tensor_flag.count is None
    assert tensor_flag.message == "Using a symbolic `tf.Tensor` as a Python `bool` is not allowed."
    assert python_bool.error is None and python_bool.message == ""
    count = python_bool.count
    low, high = dl.binomial_band(0.2, 32, Z_CHECK)
    assert count.units == 32 and count.zeros_before == 0 and low <= count.fraction_after <= high


def test_the_fix_traces_once_per_flag_value_and_draws_a_fresh_mask_per_call():
    run = rv.traced_counts(1000, 0.5, seed=3, flags=(True, False, True, False, True))
    assert run.traces == 2
    assert [c.zeros_after for c in run.counts[1::2]] == [0, 0]   # training=False: identity, no zeros
    trained = [c.zeros_after for c in run.counts[0::2]]
    low, high = dl.binomial_band(0.5, 1000, Z_CHECK)
    assert all(low <= k / 1000 <= high for k in trained)
    # three independent masks of 1000 units at rate 0.5 share a count with probability < 0.001
    assert len(set(trained)) > 1
    with pytest.raises(TypeError, match="flags must be Python bools"):
        rv.traced_counts(32, 0.2, seed=0, flags=(1,))


def test_decisive_sentence_strips_prefix_colour_and_paths():
    error = ValueError('in user code:\n  File "/x.py", line 3\n    OperatorNotAllowedInGraphError: Exception.\n\n'
                       "\x1b[1mUsing a symbolic `tf.Tensor` as a Python `bool` is not allowed. You can try")
    assert rv._decisive_sentence(error) == "Using a symbolic `tf.Tensor` as a Python `bool` is not allowed."
    error = TypeError("TypeError: Dropout.call() got multiple values for argument 'training'")
    assert rv._decisive_sentence(error) == "Dropout.call() got multiple values for argument 'training'."
    assert rv._decisive_sentence(RuntimeError("first line\nsecond")) == "first line"


# ---------------------------------------------------------------- how the coins are drawn

@pytest.mark.parametrize("shape, rate, seed", [((1000, 100), 0.2, 0), ((7, 13), 0.5, 1), ((100_000,), 0.9, 2)])
def test_torch_mask_is_float64_uniform_below_keep_bit_for_bit(shape, rate, seed):
    check = rv.torch_mask_rebuild(shape, rate, seed)
    assert check.float64_below_keep and check.units == math.prod(shape)
    if check.units >= 10_000:  # the float32 `>= rate` rule is another mask: 2·rate·keep disagree
        p = 2 * rate * (1 - rate)
        assert abs(check.float32_at_least_rate - p) <= Z_CHECK * math.sqrt(p * (1 - p) / check.units)


def test_torch_mask_rebuild_holds_for_half_precision_input_too():
    # Written out here, independently of compute.torch_mask_rebuild: the mask ignores x's dtype.
    with dl.frameworks.seeded_torch(5) as torch:
        kept = torch.nn.functional.dropout(torch.ones(4000, dtype=torch.bfloat16), 0.1, training=True) != 0
    with dl.frameworks.seeded_torch(5) as torch:
        rebuilt = torch.rand(4000, dtype=torch.float64) < 0.9
    assert torch.equal(kept, rebuilt)


def test_fixed_k_masks_drop_exactly_k_with_uniform_marginals():
    masks = rv.fixed_k_masks(20, 5, trials=20_000, rng=0)
    assert masks.shape == (20_000, 20) and masks.dtype == bool
    assert np.all((~masks).sum(axis=1) == 5)
    low, high = dl.binomial_band(0.75, 20_000, Z_CHECK)
    assert np.all((low <= masks.mean(axis=0)) & (masks.mean(axis=0) <= high))
    assert rv.fixed_k_masks(4, 0, 3, 0).all() and not rv.fixed_k_masks(4, 4, 3, 0).any()
    for bad in (-1, 5, 2.0, True):
        with pytest.raises(ValueError, match="k must be an int"):
            rv.fixed_k_masks(4, bad, 3, 0)


# ---------------------------------------------------------------- bands

def test_spread_formula_and_errors():
    assert rv.spread(32, 0.2) == pytest.approx(math.sqrt(0.16 / 32))
    with pytest.raises(ValueError, match="rate"):
        rv.spread(32, 1.5)
    with pytest.raises(ValueError, match="n must be a positive int"):
        rv.spread(0, 0.5)


def test_exact_count_band_matches_its_definition():
    from scipy.stats import norm
    for n, rate, z in [(32, 0.2, 3.0), (32, 0.2, 4.5), (1000, 0.05, 3.0)]:
        low, high = rv.exact_count_band(n, rate, z)
        tail = norm.cdf(-z)
        pmf = [math.comb(n, k) * rate**k * (1 - rate) ** (n - k) for k in range(n + 1)]
        assert sum(pmf[:low]) <= tail < sum(pmf[:low + 1])          # nothing lower may be left out
        assert sum(pmf[high + 1:]) <= tail < sum(pmf[high:])
    assert rv.exact_count_band(32, 0.2, 3.0)[0] == 1                # 0 zeros is rarer than 0.135 %
    assert rv.exact_count_band(32, 0.2, 4.5)[0] == 0                # but not rarer than 3.4e-6


def test_prob_same_two_decimals_by_direct_summation():
    for n, rate in [(100, 0.2), (1000, 0.3), (32, 0.2)]:
        direct = sum(math.comb(n, k) * rate**k * (1 - rate) ** (n - k) for k in range(n + 1)
                     if abs(k / n - round(rate, 2)) < 0.005 - 1e-12)
        assert rv.prob_same_two_decimals(n, rate) == pytest.approx(direct, abs=1e-12)
    assert rv.prob_same_two_decimals(32, 0.2) == 0.0
    assert 0.9999 < rv.prob_same_two_decimals(100_000, 0.2) < 1


@pytest.mark.parametrize("n, rate", [(32, 0.2), (1000, 0.5), (10**6, 0.1)])
def test_measured_spread_inside_chi_square_band(n, rate):
    trials = rv.rate_trials(rate, n, trials=4000, seed=7)
    low, high = rv.spread_ratio_band(n, rate, 4000)
    assert low <= trials.measured_std / trials.predicted_std <= high


def test_spread_ratio_band_narrows_with_trials_and_rejects_a_wrong_spread():
    wide, narrow = rv.spread_ratio_band(100, 0.5, 100), rv.spread_ratio_band(100, 0.5, 10_000)
    assert wide[0] < narrow[0] < 1 < narrow[1] < wide[1]
    # a spread 10 % too large (a ddof or n mistake of that size) falls outside at 4000 trials
    assert rv.spread_ratio_band(32, 0.2, 4000)[1] < 1.1


def test_prob_inside_band_exact_for_small_n():
    low, high = dl.binomial_band(0.2, 32)
    exact = sum(math.comb(32, k) * 0.2**k * 0.8 ** (32 - k) for k in range(33) if low <= k / 32 <= high)
    assert rv.prob_inside_band(32, 0.2) == pytest.approx(exact, rel=1e-12)
    assert rv.prob_inside_band(10**6, 0.5) == pytest.approx(0.9973, abs=3e-4)  # normal limit


def test_inside_share_matches_exact_probability():
    trials = rv.rate_trials(0.3, 500, trials=20_000, seed=3)
    p = rv.prob_inside_band(500, 0.3)
    assert abs(trials.inside - p) <= Z_CHECK * math.sqrt(p * (1 - p) / 20_000)


def test_binomial_shortcut_agrees_with_real_masks():
    fast = dl.zero_fractions(2000, 0.3, 400, np.random.default_rng(0))
    slow = zero_fractions_from_masks(2000, 0.3, 400, np.random.default_rng(1))
    sigma = rv.spread(2000, 0.3)
    # both means estimate rate with std sigma / sqrt(400); their difference has sqrt(2) of that
    assert abs(fast.mean() - slow.mean()) <= Z_CHECK * math.sqrt(2) * sigma / 20
    low, high = rv.spread_ratio_band(2000, 0.3, 400)
    for fractions in (fast, slow):
        assert low <= fractions.std(ddof=1) / sigma <= high


def test_check_trials_passes_real_trials_and_fails_wrong_spread():
    good = rv.check_trials(rv.rate_trials(0.2, 32, trials=4000, seed=0))
    assert good.passed and good.ratio_band[0] <= good.ratio <= good.ratio_band[1]
    assert "n =      32" in good.line()
    trials = rv.rate_trials(0.2, 1000, trials=4000, seed=0)
    # Fractions twice as spread out as Binomial(1000, 0.2)/1000 must fail the spread check.
    wider = rv.RateTrials(0.2, 1000, 0.2 + 2 * (trials.fractions - 0.2), trials.band)
    assert not rv.check_trials(wider).passed


# ---------------------------------------------------------------- zeros that were there before

def test_relu_activations_zero_share_and_errors():
    x = rv.relu_activations((500, 400), 0.35, rng=0)
    low, high = dl.binomial_band(0.35, x.size, Z_CHECK)
    assert low <= dl.zero_fraction(x) <= high and x.min() == 0.0
    for bad in (1.0, 0.0, "half", True):
        with pytest.raises(ValueError, match="zero_share"):
            rv.relu_activations((3,), bad)


def test_count_formulas():
    assert rv.naive_zero_fraction(0.4, 0.25) == pytest.approx(0.55)
    assert rv.naive_zero_fraction(0.0, 0.3) == pytest.approx(0.3)
    assert rv.expected_difference(0.5, 0.2) == pytest.approx(0.1)     # the seed's metric reads half the rate
    assert rv.expected_difference(0.0, 0.3) == pytest.approx(0.3)
    assert rv.honest_from_difference(0.5, 0.6) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="rate"):
        rv.naive_zero_fraction(0.5, -0.1)
    with pytest.raises(ValueError, match="before"):
        rv.honest_from_difference(1.0, 1.0)


@pytest.mark.parametrize("zero_share, rate", [(0.5, 0.2), (0.1, 0.7), (0.85, 0.4)])
def test_relu_count_three_ways_each_in_its_band(zero_share, rate):
    count = rv.relu_count((1000, 1000), zero_share, rate, seed=0)
    z0 = count.zero_before
    assert abs(count.naive - rv.naive_zero_fraction(z0, rate)) <= Z_CHECK * count.sigma()
    assert abs(count.difference - rv.expected_difference(z0, rate)) <= Z_CHECK * count.sigma()
    assert abs(count.honest - rate) <= Z_CHECK * count.honest_sigma()
    # the shortcuts' biases are many sigma here, so the bands can tell them apart
    assert abs(count.difference - rate) > 10 * count.sigma() and abs(count.naive - rate) > 10 * count.sigma()
    assert count.honest == pytest.approx(rv.honest_from_difference(z0, count.naive), rel=1e-12)


@pytest.mark.parametrize("zero_share, rate", [(0.5, 0.2), (0.05, 0.95), (0.9, 0.05)])
def test_relu_draws_recount_the_same_units_as_relu_count(zero_share, rate):
    fast = rv.ReluDraws(200_000, seed=4).count(zero_share, rate)
    slow = rv.relu_count((200_000,), zero_share, rate, seed=4)
    assert fast == slow and fast.units == 200_000


# ---------------------------------------------------------------- plots

def test_plots_return_figures():
    trials = rv.rate_trials(0.2, 32, 500)
    assert isinstance(plots.plot_zero_fraction_hist(trials), Figure)
    assert isinstance(plots.plot_zero_fraction_hist(rv.rate_trials(0.2, 10**5, 500)), Figure)
    sweep = dl.zero_fraction_sweep([10, 100, 1000], [0.2, 0.5], trials=100)
    assert isinstance(plots.plot_spread_vs_n(sweep), Figure)
    counts = [rv.relu_count((100, 100), z, 0.2, seed=0) for z in (0.2, 0.6)]
    assert isinstance(plots.plot_zero_counts(counts), Figure)
    with pytest.raises(ValueError, match="one rate"):
        plots.plot_zero_counts([counts[0], rv.relu_count((10, 10), 0.5, 0.3)])


def test_in_place_dashboard_figures_match_the_static_plots_pixel_for_pixel():
    hist, counts = plots.zero_fraction_hist_updater(), plots.zero_counts_updater()
    draws = rv.ReluDraws(10_000, 0)
    for rate, n, z0 in [(0.2, 32, 0.5), (0.7, 100_000, 0.1), (0.2, 32, 0.5)]:  # back to the start
        trials = rv.rate_trials(rate, n, 500, 0)
        assert dl.ui.figures.to_png(hist(trials)) == dl.ui.figures.to_png(plots.plot_zero_fraction_hist(trials))
        count = [draws.count(z0, rate)]
        assert dl.ui.figures.to_png(counts(count)) == dl.ui.figures.to_png(plots.plot_zero_counts(count))


@pytest.mark.parametrize("top", [0.0637, 0.19, 0.42, 1.05])
def test_histogram_y_ticks_are_the_ones_matplotlib_would_draw(top):
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.ticker import MaxNLocator
    fig, ax = dl.ui.figures.new_axes()   # a plain axis with the same locator, drawn by matplotlib
    ax.set_ylim(0, top)
    ax.yaxis.set_major_locator(MaxNLocator(4))
    FigureCanvasAgg(fig).draw()
    expected = [(t.get_position()[1], t.get_text()) for t in ax.get_yticklabels()
                if 0 <= t.get_position()[1] <= top]
    ours = plots._YTicks(dl.ui.figures.new_axes()[1])
    ours.update(top)
    shown = [(label.get_position()[1], label.get_text()) for label in ours.labels if label.get_visible()]
    assert shown == expected and len(shown) >= 3
    assert list(ours.marks.get_ydata()) == [y for y, _ in expected]


def test_frozen_histogram_moves_its_y_ticks_with_n():
    draw = plots.zero_fraction_hist_updater()

    def labels(fig):
        return [t.get_text() for t in fig.axes[0].texts if t.get_visible()]
    wide = labels(draw(rv.rate_trials(0.2, 32, 500, 0)))
    narrow = labels(draw(rv.rate_trials(0.2, 10**5, 500, 0)))   # every trial in one or two bins: ticks to ~1
    assert wide != narrow and float(narrow[-1]) > float(wide[-1])
    assert draw.figure.axes[0].get_yticks().size == 0  # the axis itself draws none


def test_relu_draws_cached_counts_are_the_boolean_counts_at_every_slider_position():
    draws = rv.ReluDraws(10_003, seed=2)     # not a multiple of 8: the packed bits end in padding
    for z0 in np.arange(1, 19) * 0.05:
        dead = draws.normals <= rv._relu_shift(float(z0))
        for rate in np.arange(1, 20) * 0.05:
            dropped = draws.uniforms < rate
            count = draws.count(float(z0), float(rate))
            assert count.zero_before == np.count_nonzero(dead) / 10_003
            assert count.naive == np.count_nonzero(dead | dropped) / 10_003
            assert count.honest == np.count_nonzero(dropped & ~dead) / np.count_nonzero(~dead)
    again = draws.count(0.5, 0.2)            # revisited: the same numbers from the kept bits
    assert again == rv.relu_count((10_003,), 0.5, 0.2, seed=2)
    assert len(draws._dead) <= draws.KEPT and len(draws._dropped) <= draws.KEPT
    with pytest.raises(ValueError, match="zero_share"):
        draws.count(1.5, 0.2)
