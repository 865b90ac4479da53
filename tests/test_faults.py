"""The faults the reliability review found in the shared code, each pinned by a test (issue 8 §4).

Each test failed before its fix: a bad input gets a defined result or a clear error that names the
argument and the allowed values, never a NaN, a wrong shape or a silently changed meaning.
"""
from __future__ import annotations

import numpy as np
import pytest

import dropout_lab as dl


@pytest.mark.parametrize("framework", ["numpy", "torch", "keras"])
@pytest.mark.parametrize("seed, error", [(1.5, TypeError), ("7", TypeError), (None, TypeError), (True, TypeError),
                                         (-1, ValueError), (2**32, ValueError), (np.float64(3.0), TypeError)])
def test_run_dropout_validates_seed_the_same_way_for_every_framework(framework, seed, error):
    with pytest.raises(error, match=r"seed must be an int in \[0, 4294967295\]"):
        dl.run_dropout(framework, np.ones(8, np.float32), 0.5, seed=seed)


@pytest.mark.parametrize("framework", ["numpy", "torch", "keras"])
def test_run_dropout_accepts_the_whole_seed_range_and_numpy_ints(framework):
    for seed in (0, np.int64(7), 2**32 - 1):
        out = dl.run_dropout(framework, np.ones(64, np.float32), 0.5, seed=seed)
        assert set(np.unique(out)) <= {0.0, 2.0}


def test_float16_rate_near_one_is_a_clear_error_not_nan():
    """1/keep = 1e5 does not fit in float16 (max 65504); before: 0 * inf gave NaN everywhere."""
    with pytest.raises(ValueError, match=r"rate=0.99999 .* float16"):
        dl.dropout_forward(np.ones(1000, np.float16), 0.99999, rng=0)
    with pytest.raises(ValueError, match="float16"):
        dl.dropout_backward(np.ones(10, np.float16), np.ones(10, bool), 0.99999)
    out, _ = dl.dropout_forward(np.ones(1000, np.float16), 0.99, rng=0)  # 100 fits
    assert out.dtype == np.float16 and not np.isnan(out).any()


def test_fast_dropout_of_huge_finite_inputs_gives_zero_where_dropped():
    """Before: x * scale overflowed to inf first, then inf * 0 = NaN in dropped units."""
    x = np.full(1000, 3e38, np.float32)
    with np.errstate(over="ignore"):  # kept units really are beyond float32's range
        y = dl.fast_dropout(x, 0.9, rng=0)
    assert not np.isnan(y).any()
    assert np.all((y == 0) | np.isinf(y)) and (y == 0).any()


def test_fast_dropout_keeps_a_0_d_input_0_d():
    y = dl.fast_dropout(np.array(2.0), 0.3, rng=0)
    assert y.shape == () and float(y) in (0.0, np.float32(2.0) * np.float32(65536 / (65536 - 19661)))


def test_fast_dropout_validates_rng_even_at_rate_one():
    with pytest.raises(TypeError, match="rng must be"):
        dl.fast_dropout(np.ones(3), 1.0, rng="garbage")


@pytest.mark.parametrize("z", [float("nan"), float("inf"), 0.0, -3.0, "3", True])
def test_band_helpers_reject_a_meaningless_z(z):
    """Before: z = NaN gave the band (0, 1), so every check against it passed."""
    with pytest.raises(ValueError, match="z must be"):
        dl.binomial_band(0.5, 100, z=z)
    with pytest.raises(ValueError, match="z must be"):
        dl.normal_band(0.0, 1.0, 100, z=z)


@pytest.mark.parametrize("std", [-1.0, float("nan"), float("inf")])
def test_normal_band_rejects_a_meaningless_std(std):
    with pytest.raises(ValueError, match="std must be"):
        dl.normal_band(0.0, std, 100)


def test_two_sample_band_validates_its_arguments():
    with pytest.raises(ValueError, match="rate"):
        dl.stats.two_sample_band(1.5, 10, 10)
    with pytest.raises(ValueError, match="n1"):
        dl.stats.two_sample_band(0.5, 0, 10)
