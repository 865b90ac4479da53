"""Unit tests of the NumPy core: shapes, dtypes, modes, errors, noise_shape, seeds, gradient."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import dropout_lab as dl

RATES = [0.0, 0.1, 0.5, 0.9, 1.0]


def test_float32_stays_float32_and_shape_is_kept():
    x = np.ones((4, 5, 6), dtype=np.float32)
    out, mask = dl.dropout_forward(x, 0.3, rng=0)
    assert out.dtype == np.float32 and out.shape == x.shape
    assert mask.dtype == bool and mask.shape == x.shape


@pytest.mark.parametrize("x", [np.arange(6).reshape(2, 3), [[True, False, True]], [1, 2, 3]])
def test_integer_and_bool_input_is_promoted_to_float64(x):
    out, _ = dl.dropout_forward(x, 0.5, rng=0)
    assert out.dtype == np.float64


@pytest.mark.parametrize("x, error", [(np.ones(3, dtype=complex), "real-valued"), (np.array(["a"]), "numeric")])
def test_complex_and_non_numeric_input_is_rejected(x, error):
    with pytest.raises(TypeError, match=error):
        dl.dropout_forward(x, 0.5, rng=0)


@pytest.mark.parametrize("rate", [-0.1, 1.5, float("nan"), float("inf"), -1e-12])
def test_out_of_range_rate_raises_value_error_naming_rate_and_range(rate):
    with pytest.raises(ValueError, match=r"rate must be in \[0, 1\]"):
        dl.dropout_forward(np.ones(3), rate, rng=0)


@pytest.mark.parametrize("rate", ["0.5", None, True, [0.5], 1j])
def test_non_number_rate_raises_type_error_naming_rate_and_range(rate):
    with pytest.raises(TypeError, match=r"rate must be a real number in \[0, 1\]"):
        dl.dropout_forward(np.ones(3), rate, rng=0)


@pytest.mark.parametrize("fn", [
    lambda r: dl.Dropout(r), lambda r: dl.dropout_backward(np.ones(2), None, r),
    lambda r: dl.fast_dropout(np.ones(2), r), lambda r: dl.binomial_band(r, 10),
])
def test_every_entry_point_validates_rate(fn):
    with pytest.raises(ValueError, match="rate"):
        fn(1.01)


def test_numpy_scalar_rates_are_accepted():
    out, _ = dl.dropout_forward(np.ones(10), np.float32(0.25), rng=0)
    assert np.isin(out, [0.0, 1 / 0.75]).all()


def test_bad_mode_is_rejected():
    with pytest.raises(ValueError, match="mode must be 'inverted' or 'vanilla'"):
        dl.dropout_forward(np.ones(3), 0.5, rng=0, mode="scaled")


@pytest.mark.parametrize("rng", ["seed", 1.5, np.random.RandomState(0)])
def test_bad_rng_is_rejected(rng):
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator, an int seed or None"):
        dl.dropout_forward(np.ones(3), 0.5, rng=rng)


def test_rate_zero_is_identity_in_both_modes():
    x = np.random.default_rng(1).normal(size=(50, 20))
    for mode in ("inverted", "vanilla"):
        out, mask = dl.dropout_forward(x, 0.0, rng=0, mode=mode)
        assert np.array_equal(out, x) and mask.all()


@pytest.mark.parametrize("mode", ["inverted", "vanilla"])
def test_rate_one_gives_zeros_without_nan_or_warning(mode):
    x = np.random.default_rng(1).normal(size=(50, 20)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out, mask = dl.dropout_forward(x, 1.0, rng=0, mode=mode)
        grad = dl.dropout_backward(np.ones_like(x), mask, 1.0, mode=mode)
    assert not mask.any() and np.array_equal(out, np.zeros_like(x)) and out.dtype == np.float32
    assert np.array_equal(grad, np.zeros_like(x))


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9])
def test_inverted_survivors_are_scaled_by_one_over_keep(rate):
    x = np.random.default_rng(2).normal(size=10_000)
    out, mask = dl.dropout_forward(x, rate, rng=3)
    np.testing.assert_allclose(out[mask], x[mask] / (1 - rate), rtol=1e-15)
    assert np.all(out[~mask] == 0)


def test_vanilla_keeps_survivors_unscaled_and_scales_by_keep_at_test():
    x = np.random.default_rng(2).normal(size=1000)
    out, mask = dl.dropout_forward(x, 0.3, rng=3, mode="vanilla")
    assert np.array_equal(out[mask], x[mask]) and np.all(out[~mask] == 0)
    test_out, test_mask = dl.dropout_forward(x, 0.3, training=False, mode="vanilla")
    assert test_mask is None
    np.testing.assert_allclose(test_out, 0.7 * x, rtol=1e-15)


def test_inverted_eval_is_identity_and_returns_a_copy():
    x = np.random.default_rng(2).normal(size=(3, 4))
    out, mask = dl.dropout_forward(x, 0.5, training=False)
    assert mask is None and np.array_equal(out, x) and out is not x
    out[0, 0] = 99.0
    assert x[0, 0] != 99.0


def test_same_seed_same_mask_and_a_generator_moves_on():
    x = np.ones((100, 100))
    a, _ = dl.dropout_forward(x, 0.5, rng=7)
    b, _ = dl.dropout_forward(x, 0.5, rng=7)
    assert np.array_equal(a, b)
    rng = np.random.default_rng(7)
    c, _ = dl.dropout_forward(x, 0.5, rng=rng)
    d, _ = dl.dropout_forward(x, 0.5, rng=rng)
    assert np.array_equal(a, c) and not np.array_equal(c, d)


def test_noise_shape_shares_one_mask_across_features():
    x = np.ones((200, 30))
    out, mask = dl.dropout_forward(x, 0.5, rng=0, noise_shape=(200, 1))
    assert mask.shape == (200, 1)
    rows_dropped = (out == 0).all(axis=1)
    rows_kept = (out == 2.0).all(axis=1)
    assert np.all(rows_dropped | rows_kept)
    assert np.array_equal(rows_kept, mask[:, 0])
    assert 0 < rows_kept.sum() < 200


def test_noise_shape_accepts_none_entries_like_keras():
    x = np.ones((8, 5, 3))
    _, mask = dl.dropout_forward(x, 0.5, rng=0, noise_shape=(None, 1, None))
    assert mask.shape == (8, 1, 3)


def test_noise_shape_may_have_fewer_dimensions_and_broadcasts_from_the_right():
    x = np.ones((6, 4))
    out, mask = dl.dropout_forward(x, 0.5, rng=1, noise_shape=(4,))
    assert mask.shape == (4,)
    assert np.all(out == out[0])  # every row shares the same feature mask


@pytest.mark.parametrize("noise_shape, error", [
    ((3, 5), "does not broadcast to x.shape"),
    ((1, 1, 1, 1), "more dimensions than x.shape"),
    ((2.5, 1), "non-negative ints"),
    (5, "tuple of ints"),
    ((None, 2), "as Keras requires"),   # Keras would fill None from axis 0, NumPy would align it to axis 1
])
def test_bad_noise_shape_is_rejected_naming_noise_shape(noise_shape, error):
    with pytest.raises((ValueError, TypeError), match=error) as info:
        dl.dropout_forward(np.ones((10, 4, 2)), 0.5, rng=0, noise_shape=noise_shape)
    assert "noise_shape" in str(info.value)


def test_layer_draws_a_new_mask_on_every_call_while_training():
    layer = dl.Dropout(0.5, seed=0)
    x = np.ones((100, 100))
    first, second = layer(x), layer(x)
    assert not np.array_equal(first, second)
    assert layer.training and repr(layer) == "Dropout(rate=0.5, mode='inverted', training=True)"


def test_layer_eval_is_identity_and_train_switches_back():
    layer = dl.Dropout(0.5, seed=0)
    x = np.random.default_rng(0).normal(size=(20, 20))
    assert layer.eval() is layer and not layer.training
    assert np.array_equal(layer(x), x) and layer.mask is None
    layer.train()
    assert not np.array_equal(layer(x), x)


def test_layer_vanilla_eval_scales_by_keep():
    layer = dl.Dropout(0.25, seed=0, mode="vanilla").eval()
    np.testing.assert_allclose(layer(np.full(5, 4.0)), np.full(5, 3.0))


def test_layer_backward_uses_the_mask_of_the_last_call():
    layer = dl.Dropout(0.4, seed=1)
    out = layer(np.ones(1000))
    grad = layer.backward(np.ones(1000))
    assert np.array_equal(grad, out)  # for ones, output and gradient are both mask / keep


def numerical_gradient(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[i] = eps
        grad[i] = (f(x + step) - f(x - step)) / (2 * eps)
    return grad


def relative_error(a, b):
    return np.max(np.abs(a - b) / np.maximum(1e-12, np.abs(a) + np.abs(b)))


@pytest.mark.parametrize("mode", ["inverted", "vanilla"])
@pytest.mark.parametrize("training", [True, False])
@pytest.mark.parametrize("rate", [0.2, 0.7])
def test_backward_matches_numerical_gradient(mode, training, rate):
    rng = np.random.default_rng(11)
    x, dout = rng.normal(size=(6, 7)), rng.normal(size=(6, 7))
    # The same seed gives the same mask on every call, so the loss is a fixed function of x.
    loss = lambda v: np.sum(dout * dl.dropout_forward(v, rate, rng=5, training=training, mode=mode)[0])  # noqa: E731
    _, mask = dl.dropout_forward(x, rate, rng=5, training=training, mode=mode)
    analytic = dl.dropout_backward(dout, mask, rate, mode=mode)
    numeric = numerical_gradient(loss, x)
    assert relative_error(analytic[analytic != 0], numeric[analytic != 0]) <= 1e-8
    assert np.all(np.abs(numeric[analytic == 0]) <= 1e-9)


def test_backward_with_shared_noise_shape_mask_broadcasts():
    _, mask = dl.dropout_forward(np.ones((5, 3)), 0.5, rng=2, noise_shape=(5, 1))
    grad = dl.dropout_backward(np.ones((5, 3)), mask, 0.5)
    assert grad.shape == (5, 3) and np.all((grad == 0).all(axis=1) | (grad == 2).all(axis=1))


def test_dropout_forward_is_pure_and_leaves_global_numpy_state_alone():
    state = np.random.get_state()[1].copy()  # noqa: NPY002 — the legacy global state is what must stay untouched
    dl.dropout_forward(np.ones(100), 0.5, rng=0)
    dl.Dropout(0.5)(np.ones(100))
    assert np.array_equal(np.random.get_state()[1], state)  # noqa: NPY002

