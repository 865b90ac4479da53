"""Lesson 12 (The dropout family): each member against its maths and, where one exists, its framework layer."""
from __future__ import annotations

import math

import numpy as np
import pytest
from matplotlib.figure import Figure

import dropout_lab as dl
from dropout_lab.lessons.dropout_family import compute, frameworks_check, plots, widgets
from dropout_lab.stats import Z_CHECK

N = 200_000


# ---------------------------------------------------------------- Gaussian dropout


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.6])
def test_gaussian_and_bernoulli_share_mean_and_variance(rate):
    want = compute.noise_moments(2.0, rate, "bernoulli")
    gaussian = compute.noise_moments(2.0, rate, "gaussian")
    assert gaussian.mean == want.mean and gaussian.var == pytest.approx(want.var, rel=1e-12)
    assert want.var == pytest.approx(4 * rate / (1 - rate))
    for out, excess in [(compute.gaussian_dropout(2 * np.ones(N), rate, 1), 0.0),
                        (compute.bernoulli_dropout(2 * np.ones(N), rate, 2),
                         (1 - 6 * rate * (1 - rate)) / (rate * (1 - rate)))]:
        assert abs(out.mean() - 2) <= Z_CHECK * math.sqrt(want.var / N)
        low, high = compute.variance_band(want.var, N, excess)
        assert low <= out.var() <= high


def test_gaussian_dropout_has_no_zeros_and_bernoulli_does():
    assert np.mean(compute.gaussian_dropout(np.ones(10_000), 0.5, 0) == 0) == 0
    assert np.mean(compute.bernoulli_dropout(np.ones(10_000), 0.5, 0) == 0) > 0.4


def test_keras_gaussian_dropout_matches_statistically_and_in_source():
    assert frameworks_check.keras_gaussian_stddev_source() == "stddev = math.sqrt(self.rate / (1.0 - self.rate))"
    out = frameworks_check.keras_gaussian_dropout(np.ones(N), 0.4, seed=3)
    want = 0.4 / 0.6
    assert abs(out.mean() - 1) <= Z_CHECK * math.sqrt(want / N)
    low, high = compute.variance_band(want, N, 0.0)
    assert low <= out.var() <= high


def test_rate_one_and_bad_kinds_are_rejected():
    with pytest.raises(ValueError, match="rate must be < 1"):
        compute.gaussian_noise_std(1.0)
    with pytest.raises(ValueError, match="kind"):
        compute.noise_moments(1.0, 0.2, "laplace")
    with pytest.raises(ValueError, match="rate"):
        compute.alpha_affine(-0.1)


# ---------------------------------------------------------------- DropConnect


def test_dropconnect_and_input_dropout_moments():
    rng = np.random.default_rng(4)
    x, w = rng.normal(size=6), rng.normal(size=(6, 3))
    moments = compute.linear_moments(x, w, 0.3)
    assert np.allclose(moments.mean, w.T @ x)
    assert np.allclose(moments.var, 0.3 / 0.7 * (x ** 2) @ (w ** 2))
    assert np.allclose(np.diag(moments.cov_dropout), moments.var)
    draws = 60_000
    for y in (compute.dropout_linear(np.tile(x, (draws, 1)), w, 0.3, 5),
              compute.dropconnect_linear(np.tile(x, (draws, 1)), w, 0.3, 6)):
        assert np.all(np.abs(y.mean(0) - moments.mean) <= Z_CHECK * np.sqrt(moments.var / draws))
    connect = compute.dropconnect_linear(np.tile(x, (draws, 1)), w, 0.3, 7)
    assert np.all(np.abs(np.corrcoef(connect.T)[np.triu_indices(3, 1)]) <= Z_CHECK / math.sqrt(draws))


def test_shared_weight_mask_is_one_mask_for_the_batch():
    x = np.ones((4, 5))
    y = compute.dropconnect_linear(x, np.eye(5), 0.5, 0, per_sample=False)
    assert np.all(y == y[0])


def test_relu_gaussian_mean_closed_form():
    rng = np.random.default_rng(8)
    u = 0.3 + 2.0 * rng.standard_normal(400_000)
    assert compute.relu_gaussian_mean(np.array([0.3]), np.array([4.0]))[0] == pytest.approx(
        np.maximum(u, 0).mean(), abs=Z_CHECK * np.maximum(u, 0).std() / math.sqrt(u.size))
    assert compute.relu_gaussian_mean(np.array([5.0]), np.array([1e-12]))[0] == pytest.approx(5.0)


def test_dropconnect_inference_jensen_and_sampling():
    rng = np.random.default_rng(9)
    inf = compute.dropconnect_inference(rng.normal(size=128), rng.normal(size=(128, 8)) / 11, 0.5, seed=1)
    assert np.all(inf.monte_carlo - inf.weight_scaling >= -Z_CHECK * inf.monte_carlo_se)
    assert np.all(np.abs(inf.gaussian_closed - inf.gaussian_sampled) <= Z_CHECK * inf.gaussian_sampled_se)


# ---------------------------------------------------------------- Alpha dropout


@pytest.mark.parametrize("rate", [0.05, 0.2, 0.5, 0.8])
def test_alpha_affine_keeps_the_fixed_point(rate):
    m = compute.alpha_moments(0.0, 1.0, rate)
    assert abs(m.mean) < 1e-12 and m.var == pytest.approx(1.0)
    a, b = compute.alpha_affine(rate)
    q = 1 - rate
    assert a == pytest.approx(1 / math.sqrt(q + compute.ALPHA_PRIME ** 2 * q * rate))
    assert compute.alpha_dropped_value(rate) == pytest.approx(a * q * compute.ALPHA_PRIME)
    assert b == pytest.approx(-a * rate * compute.ALPHA_PRIME)


def test_alpha_dropout_numerically():
    x = np.random.default_rng(1).standard_normal(N)
    out = compute.alpha_dropout(x, 0.3, 2)
    predicted = compute.alpha_moments(float(x.mean()), float(x.var()), 0.3)
    assert abs(out.mean() - predicted.mean) <= Z_CHECK / math.sqrt(N)
    assert abs(out.var() - predicted.var) <= Z_CHECK * math.sqrt(4 / N)
    assert np.isclose(out, compute.alpha_dropped_value(0.3)).mean() == pytest.approx(0.3, abs=0.01)


def test_selu_constants_are_the_frameworks():
    torch = pytest.importorskip("torch")
    assert torch.selu(torch.tensor([-100.0], dtype=torch.float64)).item() == pytest.approx(compute.ALPHA_PRIME)
    assert torch.selu(torch.tensor([1.0], dtype=torch.float64)).item() == pytest.approx(compute.SELU_LAMBDA)


@pytest.mark.parametrize("framework", ["torch", "keras"])
@pytest.mark.parametrize("rate", [0.15, 0.5])
def test_framework_alpha_dropout_equals_ours_on_its_own_mask(framework, rate):
    x = np.random.default_rng(3).standard_normal(50_000).astype(np.float32)
    run = frameworks_check.torch_alpha_dropout if framework == "torch" else frameworks_check.keras_alpha_dropout
    out = run(x, rate, seed=4)
    low, high = dl.binomial_band(rate, x.size, Z_CHECK)
    assert low <= 1 - frameworks_check.recovered_keep_mask(out, rate).mean() <= high
    assert frameworks_check.rebuild_from_mask(x, out, rate) < 1e-5


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5])
def test_framework_alpha_dropout_in_float64_equals_ours_to_rounding(rate):
    """In float64 both layers compute the paper's a and b: their output is ours on their mask, to a few ulp."""
    torch = pytest.importorskip("torch")
    keras = dl.frameworks.load("keras")
    x = np.random.default_rng(5).standard_normal(20_000)
    torch.manual_seed(6)
    outs = [torch.nn.AlphaDropout(rate).train()(torch.as_tensor(x)).numpy(),
            keras.ops.convert_to_numpy(keras.layers.AlphaDropout(rate, seed=6, dtype="float64")(x, training=True))]
    low, high = dl.binomial_band(rate, x.size, Z_CHECK)
    for out in outs:
        assert out.dtype == np.float64
        kept = ~np.isclose(out, compute.alpha_dropped_value(rate), rtol=0.0, atol=1e-12)
        assert low <= 1 - kept.mean() <= high
        assert np.abs(compute.alpha_dropout_with_mask(x, rate, kept) - out).max() < 1e-14


def test_functional_alpha_dropout_defaults_to_off():
    assert frameworks_check.torch_alpha_dropout_default_training() is False
    x = np.random.default_rng(0).standard_normal(100).astype(np.float32)
    assert np.array_equal(frameworks_check.torch_functional_alpha_dropout(x, 0.5), x)


# ---------------------------------------------------------------- DropBlock


def test_gamma_is_the_papers_formula():
    assert compute.dropblock_gamma(0.1, 7, 14, 14) == pytest.approx(0.1 / 49 * 196 / 64)
    assert compute.dropblock_gamma(0.2, 1, 8, 8) == pytest.approx(0.2)   # block 1 is plain dropout
    with pytest.raises(ValueError, match="block_size"):
        compute.dropblock_gamma(0.1, 9, 8, 8)


def test_valid_centres_keep_blocks_inside():
    assert list(np.flatnonzero(compute.valid_centres(9, 3))) == list(range(1, 8))
    assert list(np.flatnonzero(compute.valid_centres(9, 4))) == list(range(2, 8))   # 9 - 4 + 1 = 6 centres


def test_one_centre_drops_one_square_block():
    u = np.ones((1, 1, 9, 9))
    u[0, 0, 4, 5] = 0.0
    mask = compute.dropblock_mask(u.shape, 0.2, 3, uniforms=u)
    assert (~mask).sum() == 9 and np.all(~mask[0, 0, 3:6, 4:7])


@pytest.mark.parametrize("rate, block", [(0.1, 3), (0.25, 5), (0.4, 1)])
def test_realised_drop_share_is_the_exact_expectation(rate, block):
    maps = 3000
    mask = compute.dropblock_mask((maps, 1, 12, 12), rate, block, 5)
    per_map = 1 - mask.mean(axis=(1, 2, 3))
    expected = compute.dropblock_expected_drop(rate, block, 12, 12)
    assert abs(per_map.mean() - expected) <= Z_CHECK * per_map.std(ddof=1) / math.sqrt(maps)
    if block == 1:
        assert expected == pytest.approx(rate)     # no overlaps: the target exactly
    else:
        assert expected < rate


def _brute_force_mask(centres, block):
    # the definition: every centre zeroes the block × block square starting block//2 above and left of it
    dropped = np.zeros_like(centres)
    for n, c, i, j in zip(*np.nonzero(centres)):
        top, left = i - block // 2, j - block // 2
        dropped[n, c, max(top, 0):top + block, max(left, 0):left + block] = True
    return ~dropped


@pytest.mark.parametrize("shape, block", [((4, 2, 16, 16), 5), ((3, 1, 9, 7), 4), ((2, 3, 6, 6), 1),
                                          ((2, 1, 5, 8), 2), ((1, 1, 7, 7), 7)])
def test_dropblock_mask_is_the_squares_around_its_centres(shape, block):
    u = np.random.default_rng(8).random(shape)
    rate = 0.3
    gamma = compute.dropblock_gamma(rate, block, shape[2], shape[3])
    centres = (u < gamma) & compute.valid_centres(shape[2], block)[:, None] & compute.valid_centres(shape[3], block)
    assert centres.any()
    assert np.array_equal(compute.dropblock_mask(shape, rate, block, uniforms=u), _brute_force_mask(centres, block))


def test_dropblock_renormalises_and_validates():
    out, mask = compute.dropblock(np.ones((50, 2, 10, 10)), 0.3, 3, 1)
    assert out.mean() == pytest.approx(1.0) and not mask.all()
    with pytest.raises(ValueError, match="N, C, H, W"):
        compute.dropblock(np.ones((10, 10)), 0.3, 3)


# ---------------------------------------------------------------- the family, plots, dashboard


def test_family_stats_agree_with_predictions():
    draws = compute.family_draws(seed=2)
    for rate in (0.1, 0.45):
        for s in compute.family_stats(rate, draws):
            assert abs(s.mean - s.predicted_mean) < 0.03, s.name
            tolerance = 0.1 if s.name == "DropBlock" else 0.06   # the dashboard's declared 5-SE tolerances
            assert abs(s.var / s.predicted_var - 1) < tolerance, s.name
            assert abs(s.zeros - s.predicted_zeros) < 0.07, s.name


def test_the_cached_linear_terms_are_the_direct_ones():
    draws = compute.family_draws((8, 4, 8, 8), seed=3)
    flat = draws.x.reshape(-1, draws.weights.shape[0])
    mean_out, square_term = draws.linear
    assert np.array_equal(mean_out, flat @ draws.weights)
    assert np.array_equal(square_term, (flat ** 2) @ draws.weights ** 2)
    assert draws.moments == (float(draws.x.mean()), float((draws.x ** 2).mean()))
    connect = next(s for s in compute.family_stats(0.4, draws) if s.name == "DropConnect")
    second = (mean_out ** 2).mean() + 0.4 / 0.6 * square_term.mean()
    assert connect.predicted_var == pytest.approx(second - mean_out.mean() ** 2, rel=1e-12)
    assert np.array_equal(connect.out, flat @ (draws.weights * (draws.weight_uniforms >= 0.4)) / 0.6)


def test_output_shares_are_a_clipped_histogram():
    out = np.random.default_rng(9).normal(0, 3, 50_000)
    edges = compute.HIST_EDGES
    by_hand = [np.mean((out >= low) & (out < high)) for low, high in zip(edges[:-1], edges[1:])]
    by_hand[0] += np.mean(out < edges[0])
    by_hand[-1] += np.mean(out >= edges[-1])
    shares = compute.output_shares(out)
    assert shares == pytest.approx(by_hand, abs=1e-15) and shares.sum() == pytest.approx(1.0)
    assert np.array_equal(compute.output_shares([-100.0, -6.0, 0.1, 5.99, 6.0, 100.0]) * 6,
                          np.bincount([0, 0, 30, 59, 59, 59], minlength=60))   # the ends keep what lies beyond


def test_plots_return_figures():
    draws = compute.family_draws((8, 2, 16, 16), seed=0)
    assert isinstance(plots.plot_family(compute.family_stats(0.2, draws), 0.2), Figure)
    assert isinstance(plots.plot_dropblock_mask(compute.dropblock_mask((6, 1, 16, 16), 0.3, 5, 0)), Figure)
    rng = np.random.default_rng(0)
    inf = compute.dropconnect_inference(rng.normal(size=16), rng.normal(size=(16, 4)), 0.5, draws=200, samples=200)
    assert isinstance(plots.plot_dropconnect_inference(inf), Figure)


def test_dashboard_moves_with_the_rate():
    dash = widgets.family_dashboard()
    before = {m: float(v) for m, v in dash.metrics().items()}
    dash.controls["rate"].value = 0.5
    after = {m: float(v) for m, v in dash.metrics().items()}
    assert after["Bernoulli zeros"] > before["Bernoulli zeros"] and after["Gaussian var"] > before["Gaussian var"]
    assert len(after) == 30 and abs(after["Alpha var"] - 1) < 0.02
