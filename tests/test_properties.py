"""Properties of the public API for any input hypothesis can think of (issue 8 §3).

Hypothesis found two of the review's faults (0-d shapes, float16 overflow) in seconds; these keep
them from coming back and state the contract the lessons rely on.
"""
from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

import dropout_lab as dl

FLOATS = st.sampled_from([np.float32, np.float64])
RATES = st.one_of(st.sampled_from([0.0, 0.5, 1.0]), st.floats(0.0, 1.0, allow_nan=False))
SEEDS = st.integers(0, 2**32 - 1)
settings.register_profile("course", max_examples=60, deadline=None)
settings.load_profile("course")


def finite_arrays(dtype=FLOATS):
    return dtype.flatmap(lambda d: arrays(d, array_shapes(min_dims=0, max_dims=3, max_side=6),
                                          elements=st.floats(-1e6, 1e6, width=32)))


@given(finite_arrays(), RATES, SEEDS)
def test_forward_keeps_shape_and_dtype_and_outputs_zero_or_x_over_keep(x, rate, seed):
    out, mask = dl.dropout_forward(x, rate, rng=seed)
    assert out.shape == x.shape and out.dtype == x.dtype and mask.shape == x.shape
    if rate == 1.0:
        assert np.all(out == 0)
    else:
        scale = x.dtype.type(1.0 / (1.0 - rate))
        np.testing.assert_array_equal(out, np.where(mask, x * scale, x.dtype.type(0)) * 1)


@given(finite_arrays(), RATES, SEEDS)
def test_eval_is_identity_inverted_and_times_keep_vanilla(x, rate, seed):
    inverted, mask = dl.dropout_forward(x, rate, rng=seed, training=False)
    assert mask is None and np.array_equal(inverted, x)
    vanilla, _ = dl.dropout_forward(x, rate, rng=seed, training=False, mode="vanilla")
    np.testing.assert_array_equal(vanilla, x * x.dtype.type(1.0 - rate))


@given(finite_arrays(), RATES, SEEDS)
def test_backward_is_the_mask_over_keep(dout, rate, seed):
    _, mask = dl.dropout_forward(dout, rate, rng=seed)
    grad = dl.dropout_backward(dout, mask, rate)
    expected = np.zeros_like(dout) if rate == 1.0 else dout * mask * dout.dtype.type(1.0 / (1.0 - rate))
    np.testing.assert_array_equal(grad, expected)


@given(finite_arrays(st.just(np.float32)), RATES, SEEDS)
def test_fast_dropout_keeps_shape_float32_and_never_makes_nan(x, rate, seed):
    y = dl.fast_dropout(x, rate, rng=seed)
    assert y.shape == x.shape and y.dtype == np.float32 and not np.isnan(y).any()
    kept = y != 0
    keep = 1.0 - dl.effective_rate(rate)
    if keep > 0:
        np.testing.assert_array_equal(y[kept], (x * np.float32(1.0 / keep))[kept])


@given(st.floats(0.0, 1.0), st.integers(1, 10**9), st.floats(0.1, 10.0))
def test_binomial_band_holds_the_rate_inside_zero_one_and_narrows_with_n(rate, n, z):
    low, high = dl.binomial_band(rate, n, z)
    assert 0.0 <= low <= rate <= high <= 1.0
    wider = dl.binomial_band(rate, max(1, n // 4), z)
    assert wider[0] <= low and high <= wider[1]
