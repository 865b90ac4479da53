"""Lesson 01's backward pass: dl.dropout_backward and dl.Dropout.backward against central differences."""
import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.lessons.dropout_from_scratch import backward


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.5, 0.75, 0.9, 1.0])
@pytest.mark.parametrize("shape", [(4, 5), (3, 2, 6)])
def test_dropout_backward_passes_the_numerical_gradient_check(rate, shape):
    result = backward.gradient_check(rate, shape, seed=len(shape))
    assert result.relative_error <= 1e-8, (rate, shape, result.relative_error)


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.9])
def test_a_backward_without_the_scale_fails_the_same_check(rate):
    result = backward.gradient_check(rate, backward=backward.forgets_the_scale)
    # (1/keep - 1) / (1/keep + 1) = rate / (2 - rate) wherever a unit survived
    assert result.relative_error == pytest.approx(rate / (2 - rate), rel=1e-6)


def test_numerical_gradient_of_a_known_function():
    x = np.array([[0.5, -1.0], [2.0, 3.0]])
    grad = backward.numerical_gradient(lambda v: float(np.sum(v ** 3)), x)
    np.testing.assert_allclose(grad, 3 * x ** 2, rtol=1e-8)
    assert np.array_equal(x, [[0.5, -1.0], [2.0, 3.0]])  # the input is left as it was


def test_relative_error_is_zero_for_equal_and_both_zero_and_one_for_opposite():
    assert backward.relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert backward.relative_error(np.ones(3), np.ones(3)) == 0.0
    assert backward.relative_error(np.ones(3), -np.ones(3)) == 1.0


def test_the_check_gradient_is_zero_exactly_where_units_were_dropped():
    result = backward.gradient_check(0.5, (10, 10))
    assert np.array_equal(result.numeric == 0, ~result.mask)
    assert np.array_equal(result.analytic == 0, ~result.mask)


@pytest.mark.parametrize("rate", [0.0, 0.3, 1.0])
def test_layer_backward_uses_the_mask_of_its_last_call(rate):
    layer = dl.Dropout(rate, seed=4)
    x = np.random.default_rng(0).normal(size=(6, 7))
    dout = np.random.default_rng(1).normal(size=(6, 7))
    layer(x)
    keep = 1 - rate
    expected = dout * layer.mask / keep if keep > 0 else np.zeros_like(dout)
    np.testing.assert_allclose(layer.backward(dout), expected, rtol=1e-15)
    layer.eval()
    layer(x)
    assert np.array_equal(layer.backward(dout), dout)  # evaluation: the identity, so its gradient is dout
