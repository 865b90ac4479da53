"""Exact oracles: the masks rebuilt bit for bit from the same random stream, pinned golden values,
and the edge rates 0 and 1 for every sampler (issue 8 §3).

Statistical bands let a subtly wrong sampler through (a rate off by 2^-16, a float32 input that
draws float64 uniforms, Binomial(n - 1) instead of Binomial(n)); these tests do not.
"""
from __future__ import annotations

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab import fast, stats

# ---------------------------------------------------------------- dropout_forward: the stream it draws

@pytest.mark.parametrize("dtype, uniform_dtype", [(np.float32, np.float32), (np.float64, np.float64),
                                                  (np.float16, np.float64), (np.int64, np.float64)])
@pytest.mark.parametrize("rate", [0.1, 0.5, 0.77])
def test_mask_is_uniform_at_least_rate_from_the_same_generator(dtype, uniform_dtype, rate):
    """keep = u >= rate with u ~ U[0, 1) drawn in float32 for float32 input, float64 otherwise."""
    x = np.ones((37, 11), dtype=dtype)
    _, mask = dl.dropout_forward(x, rate, np.random.default_rng(5))
    expected = np.random.default_rng(5).random(x.shape, dtype=uniform_dtype) >= rate
    assert mask.dtype == bool and np.array_equal(mask, expected)


# A regression pin, not an oracle: NumPy's PCG64 float32 stream for default_rng(0), which every
# stored lesson output depends on. If a NumPy upgrade changes it, the stored outputs must be
# re-executed (CONTRIBUTING.md, "Upgrading a pinned package").
GOLDEN_UNIFORMS_SEED0 = [0.8506242, 0.63696164, 0.5111365, 0.26978666, 0.30782938, 0.04097348]
GOLDEN_MASK_SEED0_RATE_HALF = "111000000111111111110110"


def test_golden_float32_stream_and_mask_for_seed_0():
    np.testing.assert_allclose(np.random.default_rng(0).random(6, dtype=np.float32), GOLDEN_UNIFORMS_SEED0,
                               rtol=1e-6)
    _, mask = dl.dropout_forward(np.ones(24, np.float32), 0.5, rng=0)
    assert "".join("1" if kept else "0" for kept in mask) == GOLDEN_MASK_SEED0_RATE_HALF


def test_survivors_are_exactly_x_times_one_over_keep_in_x_dtype():
    x = np.random.default_rng(1).standard_normal(1000).astype(np.float32)
    out, mask = dl.dropout_forward(x, 0.3, rng=2)
    np.testing.assert_array_equal(out[mask], x[mask] * np.float32(1 / 0.7))
    assert np.all(out[~mask] == 0)


# ---------------------------------------------------------------- fast_dropout: rebuilt from its bit stream

def rebuild_fast_mask(n: int, rate: float, seed: int) -> np.ndarray:
    """fast_dropout's keep-mask from first principles: SFC64 seeded from the caller's generator,
    chunk by chunk, a 16-bit integer u per unit (or 8 bits, or 1 bit, when they decide) and keep = u >= t."""
    t = round(rate * 65536)
    bits = np.random.SFC64(np.random.default_rng(seed).integers(0, 2**63))
    chunks = []
    for start in range(0, n, fast.CHUNK):
        m = min(fast.CHUNK, n - start)
        if t == 32768:
            coins = np.unpackbits(bits.random_raw((m + 63) // 64).view(np.uint8))[:m]
            chunks.append(coins == 1)
        elif t % 256 == 0:
            chunks.append(bits.random_raw((m + 7) // 8).view(np.uint8)[:m] >= t // 256)
        else:
            chunks.append(bits.random_raw((m + 3) // 4).view(np.uint16)[:m] >= t)
    return np.concatenate(chunks)


# 1/512 and 3/512 are odd multiples of 2**-9: 16-bit rates a "t % 128" slip would send down the 8-bit path.
@pytest.mark.parametrize("rate", [0.5, 0.25, 0.1, 0.3, 1 / 512, 3 / 512, 1 / 65536, 65535 / 65536])
def test_fast_dropout_mask_is_rebuilt_bit_for_bit(rate):
    n = fast.CHUNK + 12_345  # two chunks, the second partial
    x = np.random.default_rng(3).uniform(0.5, 1.5, n).astype(np.float32)
    y = dl.fast_dropout(x, rate, rng=11)
    expected = rebuild_fast_mask(n, rate, 11)
    np.testing.assert_array_equal(y != 0, expected)
    scale = np.float32(65536 / (65536 - round(rate * 65536)))
    np.testing.assert_array_equal(y[expected], (x * scale)[expected])


def test_fast_dropout_16_bit_threshold_is_inclusive():
    """u >= t, not u > t: the effective rate is exactly t / 2^16 (a '>' would make it (t + 1) / 2^16)."""
    rate = 0.1
    assert fast.bits_per_unit(rate) == 16
    kept = dl.fast_dropout(np.ones(2**20, np.float32), rate, rng=0) != 0
    expected = rebuild_fast_mask(2**20, rate, 0)
    assert np.array_equal(kept, expected)


# ---------------------------------------------------------------- zero fractions and sweeps

@pytest.mark.parametrize("sampler", [stats.zero_fractions, stats.zero_fractions_from_masks])
def test_zero_fraction_samplers_at_the_edge_rates(sampler):
    assert np.all(sampler(10, 1.0, 3, rng=0) == 1.0)
    assert np.all(sampler(10, 0.0, 3, rng=0) == 0.0)
    assert set(np.unique(sampler(1, 0.5, 50, rng=0))) <= {0.0, 1.0}


def test_zero_fractions_is_binomial_n_not_n_minus_1():
    """The mean count over many trials is n·rate: Binomial(n - 1) would be short by rate."""
    fractions = stats.zero_fractions(10, 0.5, 200_000, rng=1)
    counts = fractions * 10
    low, high = dl.normal_band(5.0, np.sqrt(10 * 0.25), counts.size, z=stats.Z_CHECK)
    assert low <= counts.mean() <= high
    assert not low <= 4.5 <= high  # the n - 1 mean lies outside: the test has the power to tell


def test_sweep_spread_is_the_sample_standard_deviation():
    sweep = dl.zero_fraction_sweep(ns=[50], rates=[0.3], trials=2, seed=4)
    a, b = sweep.fractions[0, 0]
    assert sweep.spread()[0, 0] == pytest.approx(abs(a - b) / np.sqrt(2))  # ddof = 1


# ---------------------------------------------------------------- every sampler at rate 0 and 1

SAMPLERS = {
    "dropout_forward": lambda x, rate: dl.dropout_forward(x, rate, rng=0)[0],
    "Dropout": lambda x, rate: dl.Dropout(rate, seed=0)(x),
    "fast_dropout": lambda x, rate: dl.fast_dropout(x, rate, rng=0),
    "numpy": lambda x, rate: dl.run_dropout("numpy", x, rate, seed=0),
    "torch": lambda x, rate: dl.run_dropout("torch", x, rate, seed=0),
    "keras": lambda x, rate: dl.run_dropout("keras", x, rate, seed=0),
}


@pytest.mark.parametrize("name", SAMPLERS)
def test_every_sampler_is_identity_at_rate_0_and_zeros_at_rate_1(name):
    x = np.random.default_rng(0).uniform(0.5, 2.0, (8, 50)).astype(np.float32)
    np.testing.assert_array_equal(SAMPLERS[name](x, 0.0), x)
    at_one = SAMPLERS[name](x, 1.0)
    assert at_one.shape == x.shape and np.all(at_one == 0) and not np.isnan(at_one).any()


def test_rate_one_drops_even_infinite_and_nan_free_inputs_to_zero():
    """Every unit dropped means exactly 0, also where x * 0 would be NaN (x = ±inf)."""
    x = np.array([np.inf, -np.inf, 1e308, -2.0])
    out, mask = dl.dropout_forward(x, 1.0, rng=0)
    assert not mask.any()
    np.testing.assert_array_equal(out, np.zeros(4))
    x32 = np.array([np.inf, -np.inf, 3e38, -2.0], np.float32)
    np.testing.assert_array_equal(dl.fast_dropout(x32, 1.0, rng=0), np.zeros(4, np.float32))


# ---------------------------------------------------------------- moments of one output: exact values from the maths

@pytest.mark.parametrize("rate", [0.1, 0.25, 0.5, 0.8])
def test_predicted_moments_are_those_of_c_x_times_a_bernoulli_keep(rate):
    """out = c·x·m, m ~ Bernoulli(keep): E = c·x·keep, Var = (c·x)²·keep·rate; c = 1/keep or 1."""
    keep, x = 1 - rate, 3.0
    assert stats.predicted_mean(x, rate) == pytest.approx(x)
    assert stats.predicted_mean(x, rate, rescale=False) == pytest.approx(keep * x)
    assert stats.predicted_var(x, rate) == pytest.approx(x**2 * rate / keep)
    assert stats.predicted_var(x, rate, rescale=False) == pytest.approx(x**2 * keep * rate)
    # The same numbers by brute force over the two outcomes of m.
    for rescale, c in ((True, 1 / keep), (False, 1.0)):
        values, probs = np.array([0.0, c * x]), np.array([rate, keep])
        mean = probs @ values
        assert stats.predicted_var(x, rate, rescale) == pytest.approx(probs @ (values - mean) ** 2)


@pytest.mark.parametrize("rate, n", [(0.5, 100), (0.45, 400), (0.2, 50)])
def test_variance_band_holds_every_kept_fraction_the_binomial_band_allows(rate, n):
    """The sample variance is (c x)² f (1 - f): for every f in the band, including f = 1/2 where it peaks."""
    x, c = 2.0, 1 / (1 - rate)
    bands = stats.moment_bands(x, rate, n)
    zero_low, zero_high = dl.binomial_band(rate, n)
    for f in np.linspace(1 - zero_high, 1 - zero_low, 1001):
        assert bands.var[0] <= (c * x) ** 2 * f * (1 - f) <= bands.var[1]


def test_two_sample_band_adds_the_variances_of_both_fractions():
    """Var(f1 - f2) = rate(1 - rate)(1/n1 + 1/n2) for independent fractions: symmetric, sqrt(2)·single at n1 = n2."""
    rate, z = 0.3, stats.Z_CHECK
    single = z * np.sqrt(rate * (1 - rate) / 1000)
    assert stats.two_sample_band(rate, 1000, 1000) == pytest.approx(np.sqrt(2) * single)
    assert stats.two_sample_band(rate, 1000, 10) == pytest.approx(stats.two_sample_band(rate, 10, 1000))
    assert stats.two_sample_band(rate, 1000, 10) == pytest.approx(z * np.sqrt(rate * (1 - rate) * (1 / 1000 + 1 / 10)))


def test_bands_at_the_edge_rates_are_points():
    assert dl.binomial_band(0.0, 100) == (0.0, 0.0)
    assert dl.binomial_band(1.0, 100) == (1.0, 1.0)
