"""Statistical tests with fixed seeds; every bound is derived from the binomial / normal maths."""
from __future__ import annotations

import math

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.stats import Z_CHECK as Z
from dropout_lab.stats import two_sample_band

NS = [32, 1_000, 10_000, 100_000, 1_000_000]
RATES = [0.1, 0.2, 0.5, 0.8]


def test_binomial_band_formula_and_clipping():
    low, high = dl.binomial_band(0.2, 100, z=3)
    assert math.isclose(low, 0.2 - 3 * 0.04) and math.isclose(high, 0.2 + 3 * 0.04)
    assert dl.binomial_band(0.01, 10) == (0.0, pytest.approx(0.01 + 3 * math.sqrt(0.0099 / 10)))
    assert dl.binomial_band(0.0, 10) == (0.0, 0.0) and dl.binomial_band(1.0, 10) == (1.0, 1.0)


@pytest.mark.parametrize("n", [0, -3, 2.5, True])
def test_binomial_band_rejects_bad_n(n):
    with pytest.raises(ValueError, match="n must be a positive int"):
        dl.binomial_band(0.5, n)


@pytest.mark.parametrize("n", NS)
@pytest.mark.parametrize("rate", RATES)
def test_zero_fraction_lies_in_binomial_band(n, rate):
    out, _ = dl.dropout_forward(np.ones(n, dtype=np.float32), rate, rng=1000 + n)
    low, high = dl.binomial_band(rate, n, z=Z)
    assert low <= dl.zero_fraction(out) <= high


def test_the_band_has_power_a_wrong_rate_falls_outside():
    # The test above would catch an implementation that drops with 0.5 instead of 0.45.
    out, _ = dl.dropout_forward(np.ones(1_000_000), 0.5, rng=1)
    low, high = dl.binomial_band(0.45, 1_000_000, z=Z)
    assert not low <= dl.zero_fraction(out) <= high


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_inverted_dropout_preserves_the_mean_within_a_normal_band(rate):
    x = np.random.default_rng(5).normal(1.0, 2.0, size=1_000_000)
    out, _ = dl.dropout_forward(x, rate, rng=6)
    # mean(out) - mean(x) = sum x_i (m_i/keep - 1) / n, variance sum x_i^2 * rate/keep / n^2.
    sd = math.sqrt(np.sum(x**2) * rate / (1 - rate)) / x.size
    assert abs(out.mean() - x.mean()) <= Z * sd


def test_vanilla_dropout_shrinks_the_mean_by_keep():
    x = np.full(1_000_000, 3.0)
    out, _ = dl.dropout_forward(x, 0.3, rng=6, mode="vanilla")
    low, high = dl.binomial_band(0.7, x.size, z=Z)
    assert 3.0 * low <= out.mean() <= 3.0 * high


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5, 0.8])
def test_all_ones_output_std_is_sqrt_rate_over_keep(rate):
    n = 1_000_000
    out, _ = dl.dropout_forward(np.ones(n), rate, rng=8)
    keep = 1 - rate
    # std = sqrt(f (1 - f)) / keep is a fixed function of the zero fraction f, so its
    # band is the image of f's binomial band (the function is concave, peak at f = 1/2).
    low, high = dl.binomial_band(rate, n, z=Z)
    grid = np.linspace(low, high, 1001)
    stds = np.sqrt(grid * (1 - grid)) / keep
    assert stds.min() <= out.std() <= stds.max()
    assert stds.min() <= math.sqrt(rate / keep) <= stds.max()
    assert stds.max() - stds.min() < 0.02 * math.sqrt(rate / keep)  # tight, not vacuous


def test_zero_fraction_counts_only_units_alive_before_dropout():
    rng = np.random.default_rng(3)
    before = np.maximum(rng.normal(size=1_000_000), 0.0)  # ReLU: about half already zero
    out, _ = dl.dropout_forward(before, 0.2, rng=4)
    alive = int(np.count_nonzero(before))
    low, high = dl.binomial_band(0.2, alive, z=Z)
    assert low <= dl.zero_fraction(out, before=before) <= high
    z0 = 1 - alive / before.size
    naive_expected = z0 + (1 - z0) * 0.2  # the naive count also counts ReLU's zeros
    assert abs(dl.zero_fraction(out) - naive_expected) <= Z * math.sqrt(0.16 / alive)
    assert dl.zero_fraction(out) > high


def test_zero_fraction_rejects_bad_before():
    with pytest.raises(ValueError, match="before.shape"):
        dl.zero_fraction(np.ones(3), before=np.ones(4))
    with pytest.raises(ValueError, match="no non-zero units"):
        dl.zero_fraction(np.zeros(3), before=np.zeros(3))


def test_fast_binomial_counts_agree_with_real_masks():
    n, rate, trials = 2_000, 0.3, 2_000
    fast = dl.zero_fractions(n, rate, trials, rng=1)
    masks = dl.stats.zero_fractions_from_masks(n, rate, trials, rng=2)
    sd = math.sqrt(rate * (1 - rate) / n)
    for sample in (fast, masks):
        assert abs(sample.mean() - rate) <= Z * sd / math.sqrt(trials)
        # sample variance / sigma^2 ~ chi2(trials-1)/(trials-1): sd of the ratio sqrt(2/(trials-1))
        assert abs(sample.var(ddof=1) / sd**2 - 1) <= Z * math.sqrt(2 / (trials - 1))
    assert abs(fast.mean() - masks.mean()) <= two_sample_band(rate, n * trials, n * trials)


def test_sweep_spread_shrinks_like_one_over_sqrt_n():
    sweep = dl.zero_fraction_sweep(ns=[32, 1_000, 100_000], rates=[0.2, 0.5], trials=400, seed=0)
    assert sweep.fractions.shape == (2, 3, 400)
    ratio = sweep.spread() / sweep.predicted_spread()
    assert np.all(np.abs(ratio**2 - 1) <= Z * math.sqrt(2 / 399))
    assert np.all(np.diff(sweep.spread(), axis=1) < 0)


def test_sweep_is_reproducible_and_validates():
    a = dl.zero_fraction_sweep([10, 100], [0.5], trials=5, seed=3)
    b = dl.zero_fraction_sweep([10, 100], [0.5], trials=5, seed=3)
    assert np.array_equal(a.fractions, b.fractions)
    with pytest.raises(ValueError, match="trials must be a positive int"):
        dl.zero_fractions(10, 0.5, 0)


def test_normal_band():
    assert dl.normal_band(1.0, 2.0, 100, z=3) == (pytest.approx(0.4), pytest.approx(1.6))


def test_roundoff_text_prints_the_bound_below_it_and_the_number_above():
    from dropout_lab.stats import roundoff_text
    assert roundoff_text(2.9e-15) == roundoff_text(3.0e-15) == "< 1e-13 (round-off)"
    assert roundoff_text(0.0) == "< 1e-13 (round-off)"
    assert roundoff_text(1.3e-2) == "= 1.3e-02"
    assert roundoff_text(2e-13) == "= 2.0e-13"
    for bad in (-1e-16, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="difference"):
            roundoff_text(bad)
