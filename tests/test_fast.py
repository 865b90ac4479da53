"""fast_dropout: same maths as dropout_forward (checked statistically), float32, quantised keep."""
from __future__ import annotations

import math

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.stats import Z_CHECK as Z
from dropout_lab.stats import two_sample_band


def test_float32_in_float32_out_and_other_input_becomes_float32():
    x = np.ones((30, 40), dtype=np.float32)
    assert dl.fast_dropout(x, 0.5, rng=0).dtype == np.float32
    y = dl.fast_dropout(np.ones((3, 4)), 0.5, rng=0)
    assert y.dtype == np.float32 and y.shape == (3, 4)


@pytest.mark.parametrize("rate", [1e-7, 0.1, 0.3333, 0.5, 0.9, 1 - 1e-6])
def test_effective_rate_is_quantised_to_at_most_half_of_two_to_minus_16(rate):
    assert abs(dl.effective_rate(rate) - rate) <= 2**-17
    assert (dl.effective_rate(rate) * 2**16).is_integer()


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9])
def test_survivors_are_scaled_by_one_over_the_effective_keep(rate):
    x = np.random.default_rng(0).normal(size=100_000).astype(np.float32)
    y = dl.fast_dropout(x, rate, rng=1)
    kept = y != 0
    keep = 1 - dl.effective_rate(rate)
    np.testing.assert_allclose(y[kept], x[kept] / np.float32(keep), rtol=2e-7)


def test_rate_zero_is_identity_and_rate_one_is_zeros():
    x = np.random.default_rng(0).normal(size=1000).astype(np.float32)
    assert np.array_equal(dl.fast_dropout(x, 0.0, rng=0), x)
    assert np.array_equal(dl.fast_dropout(x, 1.0, rng=0), np.zeros_like(x))


@pytest.mark.parametrize("n", [10, 65_536, 65_537, 1_000_003])  # chunk boundaries and remainders
@pytest.mark.parametrize("rate", [0.1, 0.25, 0.5, 0.75, 0.8])  # 16-, 8-, 1-, 8-, 16-bit paths
def test_zero_fraction_in_band_of_the_effective_rate(n, rate):
    y = dl.fast_dropout(np.ones(n, dtype=np.float32), rate, rng=n)
    low, high = dl.binomial_band(dl.effective_rate(rate), n, z=Z)
    assert low <= dl.zero_fraction(y) <= high


def test_mean_preserved_and_agrees_with_dropout_forward():
    x = np.random.default_rng(4).normal(1.0, 1.0, size=2_000_000).astype(np.float32)
    fast = dl.fast_dropout(x, 0.3, rng=5)
    slow, _ = dl.dropout_forward(x, 0.3, rng=6)
    sd = math.sqrt(np.sum(x.astype(np.float64) ** 2) * 0.3 / 0.7) / x.size
    assert abs(fast.mean(dtype=np.float64) - x.mean(dtype=np.float64)) <= Z * sd
    assert abs(dl.zero_fraction(fast) - dl.zero_fraction(slow)) <= two_sample_band(0.3, x.size, x.size)
    assert abs(fast.std() - slow.std()) <= 0.01 * slow.std()


def test_bits_per_unit_follow_the_binary_expansion_of_the_rate():
    assert [dl.fast.bits_per_unit(r) for r in (0.0, 0.5, 0.25, 0.75, 3 / 256, 0.1, 1.0)] == [0, 1, 8, 8, 8, 16, 0]


@pytest.mark.parametrize("rate", [0.1, 0.25, 0.5])
def test_units_are_dropped_independently_not_in_runs(rate):
    # Several units share one 64-bit random word: neighbours must still be independent.
    y = dl.fast_dropout(np.ones(1_000_000, dtype=np.float32), rate, rng=9) == 0
    both = np.mean(y[:-1] & y[1:])
    p = rate**2
    # Overlapping pairs are 1-dependent; a factor 2 on the sd covers their covariance.
    assert abs(both - p) <= Z * 2 * math.sqrt(p * (1 - p) / y.size)


def test_same_seed_same_output_and_out_is_filled_in_place():
    x = np.random.default_rng(0).normal(size=(100, 100)).astype(np.float32)
    a = dl.fast_dropout(x, 0.5, rng=3)
    out = np.empty_like(x)
    b = dl.fast_dropout(x, 0.5, rng=3, out=out)
    assert b is out and np.array_equal(a, b)
    assert not np.array_equal(a, dl.fast_dropout(x, 0.5, rng=4))
    inplace = x.copy()
    dl.fast_dropout(inplace, 0.5, rng=3, out=inplace)
    assert np.array_equal(inplace, a)


@pytest.mark.parametrize("out", [np.empty(10, np.float64), np.empty(9, np.float32), [0.0] * 10,
                                 np.empty(20, np.float32)[::2]])
def test_bad_out_is_rejected(out):
    with pytest.raises(ValueError, match="out must be"):
        dl.fast_dropout(np.ones(10, np.float32), 0.5, rng=0, out=out)


def test_bad_rate_is_rejected_like_dropout_forward():
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\]"):
        dl.fast_dropout(np.ones(3), -0.5)
