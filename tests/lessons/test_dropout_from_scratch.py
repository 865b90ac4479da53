"""The from-scratch torch dropout module (lesson 01) against the NumPy package and nn.Dropout."""
import importlib

import numpy as np
import pytest

import dropout_lab as dl

torch = importlib.import_module("torch")
from dropout_lab.lessons.dropout_from_scratch.torch_scratch import ScratchDropout, apply_mask, keep_mask  # noqa: E402


def gen(seed: int = 0) -> "torch.Generator":
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("rate", [0.0, 0.2, 0.5, 0.9, 1.0])
def test_same_mask_gives_the_package_output(rate):
    x = np.random.default_rng(1).normal(size=(64, 33))
    expected, mask = dl.dropout_forward(x, rate, 7)
    got = apply_mask(torch.as_tensor(x), torch.as_tensor(mask), rate)
    np.testing.assert_array_equal(got.numpy(), expected)


def test_module_output_matches_the_package_formula_for_its_own_mask():
    x = torch.randn(50, 20, generator=gen(3), dtype=torch.float64)
    layer = ScratchDropout(0.3, generator=gen(4))
    out = layer(x)
    # The package's backward pass is x * mask / keep for a given mask: the forward formula.
    expected = dl.dropout_backward(x.numpy(), layer.mask.numpy(), 0.3)
    np.testing.assert_allclose(out.numpy(), expected, rtol=1e-15)


def test_mask_rule_is_uniform_at_least_rate():
    x = torch.zeros(1000)
    mask = keep_mask(x, 0.4, gen(5))
    uniform = torch.rand(1000, generator=gen(5))
    assert torch.equal(mask, uniform >= 0.4)


def test_inplace_modifies_its_input_and_returns_it():
    x = torch.ones(200, 10)
    layer = ScratchDropout(0.5, inplace=True, generator=gen(0))
    out = layer(x)
    assert out.data_ptr() == x.data_ptr()
    assert torch.equal(x, out)
    assert set(torch.unique(x).tolist()) == {0.0, 2.0}


def test_not_inplace_leaves_the_input_alone():
    x = torch.ones(200, 10)
    out = ScratchDropout(0.5, generator=gen(0))(x)
    assert torch.equal(x, torch.ones(200, 10))
    assert (out == 0).any()


def test_eval_is_identity_and_rate_zero_too():
    x = torch.randn(30, 30, generator=gen(1))
    layer = ScratchDropout(0.5, generator=gen(0)).eval()
    assert layer(x) is x
    assert ScratchDropout(0.0)(x) is x


def test_rate_one_gives_zeros_without_nan():
    for inplace in (False, True):
        out = ScratchDropout(1.0, inplace=inplace, generator=gen(0))(torch.ones(5, 5))
        assert torch.equal(out, torch.zeros(5, 5))


def test_generator_makes_it_reproducible_and_each_call_draws_a_new_mask():
    x = torch.ones(100, 100)
    a = ScratchDropout(0.5, generator=gen(9))
    b = ScratchDropout(0.5, generator=gen(9))
    first_a, first_b = a(x), b(x)
    assert torch.equal(first_a, first_b)
    assert not torch.equal(first_a, a(x))


def test_statistics_agree_with_nn_dropout():
    n, rate = 100_000, 0.5
    x = np.ones((1000, 100), dtype=np.float32)
    bands = dl.lessons.dropout_from_scratch.compute.ones_bands(rate, n)
    scratch = ScratchDropout(rate, generator=gen(2))(torch.as_tensor(x)).numpy()
    reference = dl.run_dropout("torch", x, rate, seed=2)
    for y in (scratch, reference):
        assert bands.contains(dl.lessons.dropout_from_scratch.compute.output_stats(y))


def test_gradient_flows_through_the_mask():
    x = torch.ones(10, 10, dtype=torch.float64, requires_grad=True)
    layer = ScratchDropout(0.25, generator=gen(0))
    layer(x).sum().backward()
    expected = dl.dropout_backward(np.ones((10, 10)), layer.mask.numpy(), 0.25)
    np.testing.assert_allclose(x.grad.numpy(), expected)


@pytest.mark.parametrize("rate", [-0.1, 1.5, float("nan")])
def test_bad_rate_names_rate(rate):
    with pytest.raises(ValueError, match="rate"):
        ScratchDropout(rate)


def test_generator_must_be_a_torch_generator():
    with pytest.raises(TypeError, match="generator"):
        ScratchDropout(0.5, generator=0)
