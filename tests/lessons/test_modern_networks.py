"""Lesson 11 (Dropout in modern networks): compute and the framework demos against the maths."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from matplotlib.figure import Figure

import dropout_lab as dl
from dropout_lab.lessons.modern_networks import cnn_study, compute, nets, plots, widgets
from dropout_lab.stats import Z_CHECK

# ---------------------------------------------------------------- feature maps


def test_conv3x3_matches_a_direct_sum():
    rng = np.random.default_rng(1)
    images, filters = rng.normal(size=(2, 5, 6)), rng.normal(size=(3, 3, 3))
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    expected = np.zeros((2, 3, 5, 6))
    for n in range(2):
        for c in range(3):
            for i in range(5):
                for j in range(6):
                    expected[n, c, i, j] = np.sum(padded[n, i:i + 3, j:j + 3] * filters[c])
    assert np.allclose(compute.conv3x3(images, filters), expected)


def test_neighbour_correlation_is_zero_for_noise_and_one_for_constant_rows():
    noise = np.random.default_rng(2).normal(size=(200, 4, 8, 8))
    pairs = 200 * 4 * (8 * 7 + 7 * 8)
    assert abs(compute.neighbour_correlation(noise)) <= Z_CHECK / math.sqrt(pairs)
    # every map a smooth ramp plus a little noise: neighbours nearly equal
    ramp = np.linspace(0, 1, 8)[None, None, :, None] + np.linspace(0, 1, 8)[None, None, None, :]
    smooth = ramp * np.random.default_rng(3).uniform(0.5, 2, (50, 2, 1, 1)) + 0.01 * noise[:50, :2]
    assert compute.neighbour_correlation(smooth) > 0.8


def test_standardise_channels_and_shuffle_keep_values():
    maps = compute.digit_feature_maps(64, 3, seed=1)
    z = compute.standardise_channels(maps)
    assert np.allclose(z.mean(axis=(0, 2, 3)), 0, atol=1e-12) and np.allclose(z.std(axis=(0, 2, 3)), 1)
    shuffled = compute.shuffle_space(maps, 4)
    for c in range(3):
        assert np.array_equal(np.sort(maps[:, c].ravel()), np.sort(shuffled[:, c].ravel()))
    assert not np.array_equal(maps, shuffled)


def test_feature_map_study_mechanisms():
    study = compute.feature_map_study(0.3, seed=1)
    half = Z_CHECK / math.sqrt(study.pairs)
    assert abs(study.control_corr) <= half < study.neighbour_corr
    low, high = study.control.band
    assert low <= study.control.correlation <= high < study.elementwise.correlation
    assert study.spatial.guessable == 0 and study.spatial.correlation == 0.0
    assert study.channel_band[0] <= study.channels_dropped <= study.channel_band[1]
    assert dl.binomial_band(0.3, 512 * 8 * 64, Z_CHECK)[0] <= study.elementwise.zero_fraction \
        <= dl.binomial_band(0.3, 512 * 8 * 64, Z_CHECK)[1]


def test_recovery_with_nothing_dropped_and_everything_dropped():
    maps = compute.digit_feature_maps(16, 2)
    nothing = compute.recovery(maps, np.ones(maps.shape, bool))
    assert nothing.dropped == 0 and nothing.guessable == 0 and nothing.zero_fraction == 0
    everything = compute.recovery(maps, np.zeros(maps.shape, bool))
    assert everything.dropped == maps.size and everything.guessable == 0


def _padded_neighbour_sums(values):
    # the definition: zero-pad each map by one, add the four shifted copies (up, down, left, right)
    padded = np.pad(values, ((0, 0),) * (values.ndim - 2) + ((1, 1), (1, 1)))
    return padded[..., :-2, 1:-1] + padded[..., 2:, 1:-1] + padded[..., 1:-1, :-2] + padded[..., 1:-1, 2:]


@pytest.mark.parametrize("shape", [(3, 2, 8, 8), (2, 1, 5, 7), (4, 3, 1, 6), (2, 2, 6, 1), (1, 1, 1, 1)])
def test_neighbour_sums_are_the_padded_sums_bit_for_bit(shape):
    values = np.random.default_rng(5).normal(size=shape)
    assert np.array_equal(compute._neighbour_sums(values), _padded_neighbour_sums(values))
    kept = (values > 0).astype(float)   # what recovery counts kept neighbours with
    assert np.array_equal(compute._neighbour_sums(kept), _padded_neighbour_sums(kept))


def test_recovery_matches_a_loop_over_dropped_units():
    maps = np.random.default_rng(6).normal(size=(3, 2, 5, 6)).cumsum(axis=3)   # neighbours related
    keep = np.random.default_rng(7).random(maps.shape) >= 0.4
    z = compute.standardise_channels(maps)
    truth, guess = [], []
    for n, c, i, j in zip(*np.nonzero(~keep)):
        kept = [z[n, c, a, b] for a, b in ((i - 1, j), (i + 1, j), (i, j - 1), (i, j + 1))
                if 0 <= a < 5 and 0 <= b < 6 and keep[n, c, a, b]]
        if kept:
            truth.append(z[n, c, i, j])
            guess.append(np.mean(kept))
    result = compute.recovery(maps, keep)
    assert result.guessable == len(truth) and result.dropped == int((~keep).sum())
    assert result.correlation == pytest.approx(np.corrcoef(truth, guess)[0, 1], abs=1e-12)


def test_a_prepared_study_is_the_direct_study():
    maps = compute.digit_feature_maps(64, 3, seed=2)
    control = compute.shuffle_space(maps, 2)
    prepared = compute.prepare_maps(maps, control)
    assert prepared.neighbour_corr == compute.neighbour_correlation(maps)
    assert prepared.control_corr == compute.neighbour_correlation(control)
    for rate in (0.1, 0.5, 0.85):
        masks = compute.feature_map_masks(maps.shape, rate, 2)
        study = compute.study_prepared(prepared, rate, masks)
        assert study == compute.feature_map_study(rate, 2, maps, control)
        # the shared neighbour counts change nothing: each recovery as computed on its own
        assert study.elementwise == compute.recovery(maps, masks["element-wise"])
        assert study.control == compute.recovery(control, masks["element-wise"])
        assert study.spatial == compute.recovery(maps, masks["spatial (whole channels)"])
    with pytest.raises(ValueError, match="control"):
        compute.prepare_maps(maps, control[:10])


def test_feature_map_masks_shapes_and_sharing():
    masks = compute.feature_map_masks((10, 4, 6, 6), 0.5, seed=0)
    assert compute.shared_along(masks["spatial (whole channels)"], (2, 3))
    assert not compute.shared_along(masks["element-wise"], (2, 3))


def test_bad_arguments_name_themselves():
    with pytest.raises(ValueError, match="n_images"):
        compute.digit_feature_maps(0)
    with pytest.raises(ValueError, match="rate"):
        compute.feature_map_study(1.5)
    with pytest.raises(ValueError, match="steps"):
        compute.time_average(0, 0.5)
    with pytest.raises(ValueError, match="depth"):
        compute.linear_drop_rates(0, 0.1)
    with pytest.raises(TypeError, match="rate"):
        compute.huang_drop_rates(4, "0.1")


# ---------------------------------------------------------------- sequences


def test_locked_mask_is_shared_over_time_only():
    mask = compute.locked_mask(50, 9, 12, 0.4, seed=3)
    assert mask.shape == (50, 9, 12) and compute.shared_along(mask, (1,)) and not compute.shared_along(mask, (2,))
    low, high = dl.binomial_band(0.4, 50 * 12, Z_CHECK)
    assert low <= 1 - mask[:, 0, :].mean() <= high


@pytest.mark.parametrize("steps, rate, seed", [(1, 0.5, 0), (7, 0.2, 1), (40, 0.6, 2)])
def test_time_average_variances_land_in_their_bands(steps, rate, seed):
    avg = compute.time_average(steps, rate, 20_000, seed)
    keep = 1 - rate
    assert avg.per_step_predicted == pytest.approx(rate / keep / steps) and avg.locked_predicted == pytest.approx(
        rate / keep)
    per = compute.variance_band(avg.per_step_predicted, 20_000, compute.bernoulli_mean_excess_kurtosis(keep, steps))
    locked = compute.variance_band(avg.locked_predicted, 20_000, compute.bernoulli_mean_excess_kurtosis(keep, 1))
    assert per[0] <= avg.per_step_var <= per[1] and locked[0] <= avg.locked_var <= locked[1]


@pytest.mark.parametrize("steps, rate, sequences, seed",
                         [(1, 0.5, 300, 0), (7, 0.35, 500, 1), (100, 0.7, 200, 2), (12, 0.0, 100, 3), (5, 1.0, 100, 4)])
def test_time_average_is_dropout_forward_on_ones_bit_for_bit(steps, rate, sequences, seed):
    ones = np.ones((sequences, steps, 1))
    per_step, _ = dl.dropout_forward(ones, rate, np.random.default_rng(seed))
    locked, _ = dl.dropout_forward(ones, rate, np.random.default_rng(seed + 1), noise_shape=(sequences, 1, 1))
    avg = compute.time_average(steps, rate, sequences, seed)
    assert avg.per_step_var == float(per_step.mean(axis=(1, 2)).var())
    assert avg.locked_var == float(locked.mean(axis=(1, 2)).var())
    # draws for a longer T hold every shorter T's draws as a prefix
    assert compute.time_average_from(compute.time_average_draws(100, sequences, seed), steps, rate) == avg


def test_time_average_draws_cover_only_their_steps():
    draws = compute.time_average_draws(10, 50, 0)
    assert draws.max_steps == 10 and draws.per_step.shape == (500,) and draws.locked.shape == (50,)
    with pytest.raises(ValueError, match="steps"):
        compute.time_average_from(draws, 11, 0.5)
    with pytest.raises(ValueError, match="max_steps"):
        compute.time_average_draws(0)


def test_excess_kurtosis_of_a_bernoulli_mean():
    # Bernoulli(1/2): excess kurtosis -2; the mean of n draws: -2/n
    assert compute.bernoulli_mean_excess_kurtosis(0.5, 1) == pytest.approx(-2)
    assert compute.bernoulli_mean_excess_kurtosis(0.5, 4) == pytest.approx(-0.5)
    draws = np.random.default_rng(0).random((200_000,)) < 0.1
    sample = ((draws - draws.mean()) ** 4).mean() / draws.var() ** 2 - 3
    assert sample == pytest.approx(compute.bernoulli_mean_excess_kurtosis(0.1, 1), rel=0.05)


# ---------------------------------------------------------------- DropPath


def test_drop_path_scales_per_sample_and_edges():
    branch = np.arange(24, dtype=float).reshape(4, 2, 3)
    mask = np.array([True, False, True, False])
    out = compute.drop_path(branch, 0.5, mask)
    assert np.array_equal(out[0], branch[0] * 2) and not out[1].any()
    assert np.array_equal(compute.drop_path(branch, 0.5, mask, scale=False)[2], branch[2])
    assert not compute.drop_path(branch, 1.0, np.zeros(4, bool)).any()
    assert np.array_equal(compute.residual_drop_path(branch, branch, 0.0, np.ones(4, bool)), 2 * branch)


def test_numpy_and_torch_drop_path_agree_bit_for_bit_from_one_mask():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(5)
    branch = rng.normal(size=(32, 3, 4, 4)).astype(np.float32)
    mask = compute.drop_path_mask(32, 0.25, rng)
    assert np.array_equal(compute.drop_path(branch, 0.25, mask),
                          nets.torch_drop_path(torch.from_numpy(branch), 0.25, mask).numpy())


def test_drop_path_mean_is_x_plus_f():
    coins = compute.drop_path_mask(50_000, 0.4, 7)
    out = compute.residual_drop_path(np.ones((50_000, 1)), 3 * np.ones((50_000, 1)), 0.4, coins)
    assert abs(out.mean() - 4) <= Z_CHECK * math.sqrt(9 * 0.4 / 0.6 / 50_000)


def test_torch_drop_path_draws_whole_samples_at_the_rate():
    coins = nets.torch_drop_path_draws((3000, 2, 2), 0.2, seed=4)
    low, high = dl.binomial_band(0.2, 3000, Z_CHECK)
    assert low <= 1 - coins.mean() <= high


def test_schedules():
    assert np.allclose(compute.linear_drop_rates(5, 0.4), [0, 0.1, 0.2, 0.3, 0.4])
    assert np.allclose(compute.huang_drop_rates(4, 0.4), [0.1, 0.2, 0.3, 0.4])
    for depth in (1, 54, 110):
        expected = (3 * depth - 1) / 4
        assert compute.expected_active_blocks(compute.huang_drop_rates(depth, 0.5)) == pytest.approx(expected)
    rates = compute.linear_drop_rates(12, 0.3)
    counts = compute.sampled_active_blocks(rates, 8000, 2)
    assert abs(counts.mean() - compute.expected_active_blocks(rates)) <= Z_CHECK * math.sqrt(
        np.sum(rates * (1 - rates)) / 8000)


# ---------------------------------------------------------------- the frameworks


def test_torch_dropout2d_drops_whole_channels_at_the_rate():
    mask = nets.torch_dropout2d_mask((40, 10, 4, 4), 0.3, seed=2)
    low, high = dl.binomial_band(0.3, 400, Z_CHECK)
    assert compute.shared_along(mask, (2, 3)) and low <= 1 - mask[:, :, 0, 0].mean() <= high


def test_keras_spatial_dropout_is_dropout_with_a_noise_shape():
    masks = nets.keras_spatial_vs_noise_shape((6, 4, 4, 5), 0.4, seed=9)
    first, second = masks.values()
    assert np.array_equal(first, second) and compute.shared_along(first != 0, (1, 2))
    assert np.allclose(first[first != 0], 1 / 0.6)


def test_dropout2d_on_a_3d_input_warns_and_drops_rows():
    warned = nets.torch_dropout2d_on_3d((8, 6, 5), 0.5, seed=1)
    assert any("(N, C, L)" in m for m in warned.messages)
    assert compute.shared_along(warned.mask, (2,)) and not compute.shared_along(warned.mask, (1, 2))


def test_lstm_dropout_acts_between_layers_only():
    assert "num_layers=1" in nets.lstm_single_layer_warning(0.2)[0]
    assert nets.lstm_single_layer_warning(0.0) == ()
    study = nets.lstm_dropout_study(0.5, seed=3)
    assert study.one_layer_train_diff == 0 and study.two_layer_train_diff > 0
    assert study.two_layer_eval_diff == 0 and study.manual_stack_diff == 0
    # the mask between the layers is F.dropout's on (batch, time, hidden): a fresh coin at every step
    kept = study.between_layers_mask
    assert kept.shape == (3, 5, 6) and not compute.shared_along(kept, (1,)) and not compute.shared_along(kept, (2,))


def test_keras_rnn_masks_are_locked_and_recurrent_dropout_facts():
    kept = nets.keras_rnn_input_mask(0.5, steps=5, units=32, seed=2)
    assert compute.shared_along(kept, (1,)) and not compute.shared_along(kept, (2,))
    facts = nets.keras_recurrent_dropout_facts()
    assert (facts.implementation_without, facts.implementation_with) == (2, 1)
    assert facts.cudnn_needs_no_recurrent_dropout
    assert (facts.masks_without, facts.masks_with) == (1, 4)   # with recurrent_dropout: one mask per gate


def test_keras_recurrent_dropout_mask_is_locked_over_time():
    recurrent = nets.keras_rnn_recurrent_mask(0.5, steps=6, units=16, seed=3)
    assert recurrent.kept.shape == (3, 5, 16)
    assert compute.shared_along(recurrent.kept, (1,)) and not compute.shared_along(recurrent.kept, (2,))
    assert recurrent.rebuilt_exactly and recurrent.differs_between_calls


def _linear_rnn_outputs(masks: np.ndarray) -> np.ndarray:
    """h_1 = 1, h_t = 1 + m_t h_(t-1): what a linear RNN with identity kernels outputs on ones."""
    h = [np.ones(masks.shape[::2], dtype=np.float32)]
    for t in range(1, masks.shape[1]):
        h.append(np.float32(1) + masks[:, t] * h[-1])
    return np.stack(h, axis=1)


def test_locked_recurrence_rebuilds_a_locked_mask_and_only_that():
    coins = (np.random.default_rng(0).random((4, 1, 5)) >= 0.5) * np.float32(2)
    locked = _linear_rnn_outputs(np.broadcast_to(coins, (4, 6, 5)))
    assert np.array_equal(compute.locked_recurrence(locked), locked)
    fresh = (np.random.default_rng(1).random((4, 6, 5)) >= 0.5) * np.float32(2)
    per_step = _linear_rnn_outputs(fresh)
    assert not np.array_equal(compute.locked_recurrence(per_step), per_step)
    with pytest.raises(ValueError, match="outputs must have shape"):
        compute.locked_recurrence(np.ones((4, 1, 5)))


def test_attention_from_scratch_matches_multihead_attention():
    check = nets.attention_check(0.2, seed=4)
    assert check.train_diff == 0 and check.eval_diff == 0
    low, high = dl.binomial_band(0.2, check.n_probs, Z_CHECK)
    assert low <= check.zero_fraction <= high
    # each row of 12 probabilities: sum of p_j m_j / keep, mean 1; its mean over 8·4·12 rows
    assert abs(check.row_sum_mean - 1) <= Z_CHECK * check.row_sum_spread / math.sqrt(8 * 4 * 12)


def test_sdpa_keeps_dropping_after_eval_unless_gated():
    torch = pytest.importorskip("torch")
    bug, fixed, mha = nets.eval_repeat_diffs(seed=1).values()
    assert bug > 0 and fixed == 0 and mha == 0
    assert nets.train_repeat_diff(lambda: nets.make_sdpa_block(torch, gated=True)()) > 0


# ---------------------------------------------------------------- the CNN study


def test_layouts_validate_their_rates():
    with pytest.raises(ValueError, match="rate"):
        cnn_study.Layout(0.1, 1.2, 0.0)
    with pytest.raises(ValueError, match="name must be one of"):
        cnn_study.train_cnn("nope", 0)


def test_every_layout_is_a_different_network():
    layouts = list(cnn_study.LAYOUTS.values())
    assert len(set(layouts)) == len(layouts)


def test_site_maps_are_what_the_map_dropout_layers_receive():
    settings = cnn_study.Settings(n_train=64, epochs=1)
    fitted = cnn_study.fit_cnn("spatial rising 0.1, 0.2, 0.3", 0, settings)
    maps = cnn_study.site_maps(fitted.net, settings)
    first, second = maps.values()
    assert first.shape == (450, 8, 8, 8) and second.shape == (450, 16, 4, 4)
    assert first.min() >= 0 and second.min() >= 0          # after ReLU (and max-pool)
    assert fitted.run == cnn_study.train_cnn("spatial rising 0.1, 0.2, 0.3", 0, settings)


def test_a_tiny_training_run_is_deterministic_and_counts_epochs():
    settings = cnn_study.Settings(n_train=64, epochs=2)
    calls = []
    first = cnn_study.train_cnn("spatial rising 0.1, 0.2, 0.3", 3, settings, on_epoch=lambda: calls.append(1))
    assert first == cnn_study.train_cnn("spatial rising 0.1, 0.2, 0.3", 3, settings) and len(calls) == 2
    assert 0 <= first.test_error <= 1 and first.test_nll > 0


def test_the_model_drops_whole_channels_in_training():
    torch = pytest.importorskip("torch")
    with dl.frameworks.seeded_torch(0):
        net = cnn_study.build_cnn(torch, cnn_study.Layout(0.5, 0.5, 0.5))
        seen = []
        net[2].register_forward_hook(lambda module, args, out: seen.append((args[0].detach(), out.detach())))
        net.train()
        net(torch.rand(20, 1, 8, 8))
    before, after = (t.numpy() for t in seen[0])
    # where the ReLU let a unit through, out/in is 0 or 1/keep = 2, one value per (image, channel)
    for n in range(20):
        for c in range(8):
            alive = before[n, c] > 0
            ratios = np.unique(np.round(after[n, c][alive] / before[n, c][alive], 5))
            assert len(ratios) <= 1 and set(ratios) <= {0.0, 2.0}


def _synthetic_results():
    layouts = {"a": dataclasses.asdict(cnn_study.LAYOUTS["none"]), "b": dataclasses.asdict(cnn_study.LAYOUTS["none"])}
    runs = [{"layout": "a", "seed": s, "test_error": e, "test_nll": 1.0, "train_nll": 0}
            for s, e in enumerate([0.10, 0.20, 0.30])]
    runs += [{"layout": "b", "seed": s, "test_error": e, "test_nll": n, "train_nll": 0}
             for s, (e, n) in enumerate([(0.15, 0.5), (0.20, 1.0), (0.40, 0.0)])]
    return {"layouts": layouts, "runs": runs}


def test_summary_and_paired_difference_by_hand():
    results = _synthetic_results()
    a, _ = cnn_study.summarise(results)
    assert a.mean == pytest.approx(0.2) and a.se == pytest.approx(0.1 / math.sqrt(3)) and a.n == 3
    d = cnn_study.paired(results, "a", "b")
    # differences -0.05, 0, -0.1: mean -0.05, sd 0.05, se 0.05/sqrt(3); a better on 2 seeds
    assert d.mean == pytest.approx(-0.05) and d.se == pytest.approx(0.05 / math.sqrt(3)) and d.a_better == 2
    assert d.ses == pytest.approx(-math.sqrt(3))
    # t with 2 degrees of freedom: P(|t| >= 3) = 1 - 3/sqrt(11) in closed form
    assert d.chance(3.0) == pytest.approx(1 - 3 / math.sqrt(11))
    nll = cnn_study.paired(results, "a", "b", metric="test_nll")   # NLL: differences 0.5, 0, 1
    assert nll.mean == pytest.approx(0.5) and nll.a_better == 0 and nll.metric == "test_nll"
    assert cnn_study.summarise(results, "test_nll")[1].mean == pytest.approx(0.5)
    with pytest.raises(ValueError, match="metric must be one of"):
        cnn_study.paired(results, "a", "b", metric="accuracy")
    with pytest.raises(ValueError, match="share at least 2 seeds"):
        cnn_study.paired(results, "a", "nope")


def test_stored_results_match_the_code():
    results = cnn_study.load_results()
    assert results["layouts"] == {n: dataclasses.asdict(v) for n, v in cnn_study.LAYOUTS.items()}
    assert results["settings"] == dataclasses.asdict(cnn_study.FULL)
    assert len(results["runs"]) == len(cnn_study.LAYOUTS) * len(results["seeds"])
    live_name, live_seed, live_settings = cnn_study.LIVE
    assert results["live_check"]["layout"] == live_name and results["live_check"]["seed"] == live_seed
    assert results["live_check"]["settings"] == dataclasses.asdict(live_settings)


# ---------------------------------------------------------------- plots and dashboards


def test_plots_return_figures():
    maps = compute.digit_feature_maps(8, 4)
    assert isinstance(plots.plot_feature_maps(maps, compute.feature_map_masks(maps.shape, 0.3)), Figure)
    assert isinstance(plots.plot_channel_coins(nets.torch_dropout2d_mask(), "coins"), Figure)
    assert isinstance(plots.plot_time_average([compute.time_average(t, 0.3, 500) for t in (1, 5)]), Figure)
    assert isinstance(plots.plot_drop_rates(12, 0.2), Figure)
    stored = cnn_study.load_results()
    assert isinstance(plots.plot_cnn_study(cnn_study.summarise(stored)), Figure)
    both = plots.plot_cnn_study(cnn_study.summarise(stored), cnn_study.summarise(stored, "test_nll"))
    assert len(both.axes) == 2 and "NLL" in both.axes[1].get_xlabel()


def test_dashboards_follow_their_controls():
    maps = widgets.feature_map_dashboard()
    maps.controls["rate"].value = 0.8
    assert maps.result.rate == 0.8 and maps.result.elementwise.zero_fraction > 0.75
    time = widgets.time_average_dashboard()
    time.controls["steps"].value = 100
    assert time.result.steps == 100 and time.result.per_step_var < 0.02
    depth = widgets.drop_path_schedule_dashboard()
    depth.controls["max_rate"].value = 0.0
    assert depth.result == depth.controls["depth"].value
