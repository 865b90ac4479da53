"""The from-scratch torch dropout module (lesson 01) against the NumPy package and nn.Dropout, bit for bit."""
import importlib

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.stats import Z_CHECK

torch = importlib.import_module("torch")
F = torch.nn.functional
from dropout_lab.lessons.dropout_from_scratch import torch_scratch as ts  # noqa: E402
from dropout_lab.lessons.dropout_from_scratch.torch_scratch import ScratchDropout, apply_mask, keep_mask  # noqa: E402

HALF = (torch.bfloat16, torch.float16)
DTYPES = (torch.float32, torch.float64, *HALF)
RATES = [round(0.01 * k, 2) for k in range(1, 100, 7)]


def gen(seed: int = 0) -> "torch.Generator":
    return torch.Generator().manual_seed(seed)


def global_state(seed: int):
    with dl.frameworks.seeded_torch(seed):
        return torch.get_rng_state()


# ---------------------------------------------------------------- what torch's CPU dropout does

def test_a_fresh_generator_starts_where_manual_seed_starts_the_global_one():
    with dl.frameworks.seeded_torch(7):
        expected = torch.rand(1000, dtype=torch.float64)
    assert torch.equal(torch.rand(1000, dtype=torch.float64, generator=gen(7)), expected)


@pytest.mark.parametrize("dtype", DTYPES)
def test_f_dropout_mask_is_float64_uniform_below_keep(dtype):
    for rate in (0.1, 0.3, 0.5, 0.9):
        x = torch.ones(300, 70, dtype=dtype)
        state = global_state(3)
        torch.set_rng_state(state)
        kept = F.dropout(x, rate) != 0
        torch.set_rng_state(state)
        assert torch.equal(kept, torch.rand(x.shape, dtype=torch.float64) < 1 - rate), (dtype, rate)
        torch.set_rng_state(state)
        assert not torch.equal(kept, torch.rand(x.shape, dtype=torch.float64) >= rate)  # not Keras' u >= rate


def test_f_dropout_uniforms_follow_the_memory_layout():
    x = torch.ones(100, 50).t()  # a transposed view: ATen's noise tensor is laid out like x
    state = global_state(4)
    torch.set_rng_state(state)
    kept = F.dropout(x, 0.3) != 0
    torch.set_rng_state(state)
    uniform = torch.empty_like(x, dtype=torch.float64).uniform_()
    assert torch.equal(kept, uniform < 0.7)


def test_f_dropout_output_is_x_times_mask_over_keep_in_x_dtype():
    """ATen divides the 0/1 noise by keep in x's dtype, then multiplies: the reciprocal-first order differs."""
    reciprocal_first_differs = 0
    for i, rate in enumerate(round(0.01 * k, 2) for k in range(1, 100)):
        x = torch.randn(500, generator=gen(i))
        state = global_state(i)
        torch.set_rng_state(state)
        y = F.dropout(x, rate)
        torch.set_rng_state(state)
        mask = torch.rand(x.shape, dtype=torch.float64) < 1 - rate
        assert torch.equal(y, x * (mask.to(x.dtype) / (1 - rate))), rate
        reciprocal_first_differs += not torch.equal(y, x * mask * (1 / (1 - rate)))
    assert reciprocal_first_differs > 0  # so copying ATen's order is needed for bit-for-bit equality


# ---------------------------------------------------------------- ScratchDropout

@pytest.mark.parametrize("dtype", DTYPES)
def test_scratch_equals_nn_dropout_bit_for_bit_from_the_same_state(dtype):
    for i, rate in enumerate(RATES + [0.0, 1.0]):
        x = torch.randn(64, 33, generator=gen(i)).to(dtype)
        layer = ts.scratch_from_seed(x, rate, i)
        mine = layer(x)
        reference = ts.nn_dropout_from_seed(x, rate, i)
        assert mine.dtype == dtype and torch.equal(mine, reference), (dtype, rate)


def test_scratch_equals_nn_dropout_for_a_transposed_input():
    x = torch.randn(40, 30, generator=gen(1)).t()
    assert torch.equal(ts.scratch_from_seed(x, 0.4, 5)(x), ts.nn_dropout_from_seed(x, 0.4, 5))


def test_inplace_scratch_equals_inplace_nn_dropout():
    x = torch.randn(50, 20, generator=gen(2))
    a, b = x.clone(), x.clone()
    ts.scratch_from_seed(a, 0.3, 8, inplace=True)(a)
    with dl.frameworks.seeded_torch(8):
        torch.nn.Dropout(0.3, inplace=True)(b)
    assert torch.equal(a, b)


@pytest.mark.parametrize("rate", [0.0, 0.2, 0.5, 0.9, 1.0])
def test_same_mask_gives_the_package_output(rate):
    x = np.random.default_rng(1).normal(size=(64, 33))
    expected, mask = dl.dropout_forward(x, rate, 7)
    got = apply_mask(torch.as_tensor(x), torch.as_tensor(mask), rate)
    np.testing.assert_array_equal(got.numpy(), expected)


def test_mask_rule_is_float64_uniform_below_keep():
    x = torch.zeros(1000, dtype=torch.bfloat16)
    assert torch.equal(keep_mask(x, 0.4, gen(5)), torch.rand(1000, generator=gen(5), dtype=torch.float64) < 0.6)


def test_inplace_modifies_its_input_and_returns_it():
    x = torch.ones(200, 10)
    out = ScratchDropout(0.5, inplace=True, generator=gen(0))(x)
    assert out.data_ptr() == x.data_ptr() and torch.equal(x, out)
    assert set(torch.unique(x).tolist()) == {0.0, 2.0}


def test_not_inplace_leaves_the_input_alone():
    x = torch.ones(200, 10)
    out = ScratchDropout(0.5, generator=gen(0))(x)
    assert torch.equal(x, torch.ones(200, 10)) and (out == 0).any()


def test_eval_is_identity_and_rate_zero_too():
    x = torch.randn(30, 30, generator=gen(1))
    assert ScratchDropout(0.5, generator=gen(0)).eval()(x) is x
    assert ScratchDropout(0.0)(x) is x


def test_rate_one_gives_zeros_without_nan():
    for inplace in (False, True):
        out = ScratchDropout(1.0, inplace=inplace, generator=gen(0))(torch.ones(5, 5))
        assert torch.equal(out, torch.zeros(5, 5))


def test_generator_makes_it_reproducible_and_each_call_draws_a_new_mask():
    x = torch.ones(100, 100)
    a, b = ScratchDropout(0.5, generator=gen(9)), ScratchDropout(0.5, generator=gen(9))
    first_a, first_b = a(x), b(x)
    assert torch.equal(first_a, first_b) and not torch.equal(first_a, a(x))


def test_statistics_agree_with_the_bands():
    n, rate = 100_000, 0.5
    x = np.ones((1000, 100), dtype=np.float32)
    bands = dl.lessons.dropout_from_scratch.compute.ones_bands(rate, n, Z_CHECK)
    scratch = ScratchDropout(rate, generator=gen(2))(torch.as_tensor(x)).numpy()
    for y in (scratch, dl.run_dropout("torch", x, rate, seed=2)):
        assert bands.contains(dl.lessons.dropout_from_scratch.compute.output_stats(y))
        assert set(np.unique(y)) == {0.0, 2.0}


@pytest.mark.parametrize("rate", [-0.1, 1.5, float("nan")])
def test_bad_rate_names_rate(rate):
    with pytest.raises(ValueError, match="rate"):
        ScratchDropout(rate)


def test_generator_must_be_a_torch_generator():
    with pytest.raises(TypeError, match="generator"):
        ScratchDropout(0.5, generator=0)


# ---------------------------------------------------------------- the backward pass through torch

@pytest.mark.parametrize("rate", [0.0, 0.25, 0.5, 0.9, 1.0])
def test_autograd_equals_the_hand_formula_for_the_same_mask(rate):
    x = torch.randn(20, 10, generator=gen(1), dtype=torch.float64)
    dout = torch.randn(20, 10, generator=gen(2), dtype=torch.float64)
    layer = ts.scratch_from_seed(x, rate, 3)
    grad = ts.autograd_gradient(layer, x, dout)
    mask = layer.mask.numpy() if layer.mask is not None else None
    np.testing.assert_array_equal(grad.numpy(), dl.dropout_backward(dout.numpy(), mask, rate))
    with dl.frameworks.seeded_torch(3):  # nn.Dropout from the same state draws the same mask
        reference = ts.autograd_gradient(torch.nn.Dropout(rate), x, dout)
    assert torch.equal(grad, reference)


# ---------------------------------------------------------------- in place after an activation

@pytest.mark.parametrize("layer", ["nn", "scratch"])
def test_inplace_after_an_activation_that_saves_its_output_fails_backward(layer):
    for activation in ("relu", "sigmoid", "tanh"):
        error = ts.inplace_backward_error(activation, layer)
        assert error is not None and ts.INPLACE_ERROR in error, (activation, error)
    for activation in ("linear (none)", "gelu", "leaky_relu"):  # these save their input, not their output
        assert ts.inplace_backward_error(activation, layer) is None, activation


def test_inplace_after_linear_gives_the_same_gradients_as_not_inplace():
    grads = []
    for inplace in (False, True):
        with dl.frameworks.seeded_torch(0):
            net = torch.nn.Sequential(torch.nn.Linear(8, 4), torch.nn.Dropout(0.5, inplace=inplace))
            net(torch.randn(5, 8)).sum().backward()
        grads.append(net[0].weight.grad)
    assert torch.equal(*grads)


def test_inplace_backward_error_rejects_unknown_names():
    with pytest.raises(ValueError, match="activation"):
        ts.inplace_backward_error("softplus")
    with pytest.raises(ValueError, match="layer"):
        ts.inplace_backward_error("relu", layer="keras")


# ---------------------------------------------------------------- half precision: rand(dtype=x.dtype) is biased

@pytest.mark.parametrize("dtype", HALF)
def test_half_precision_rand_is_the_rounded_float32_uniform_folded_at_one(dtype):
    """The model behind dtype_rand_drop_rate, bit for bit: torch.rand(dtype) = fold(round(rand(float32)))."""
    half = torch.rand(1_000_000, generator=gen(0), dtype=dtype)
    rounded = torch.rand(1_000_000, generator=gen(0), dtype=torch.float32).to(dtype)
    assert torch.equal(half, torch.where(rounded == 1, torch.zeros_like(rounded), rounded))
    assert (rounded == 1).any()  # the fold happens: 1/512 of bf16 draws, 1/4096 of fp16 draws


@pytest.mark.parametrize("dtype", HALF)
def test_exact_drop_rate_counts_every_float32_uniform(dtype):
    uniform = (torch.arange(2**24, dtype=torch.int32).to(torch.float32) * 2.0**-24).to(dtype)
    uniform = torch.where(uniform == 1, torch.zeros_like(uniform), uniform)
    for rate in (0.0, 0.1, 0.37, 0.9, 1.0):
        assert ts.dtype_rand_drop_rate(rate, dtype) == 1 - int((uniform >= rate).sum()) / 2**24
        assert ts.dtype_rand_drop_rate(rate, dtype, "u < keep") == 1 - int((uniform < 1 - rate).sum()) / 2**24


def test_bf16_mask_from_its_own_uniforms_is_biased_and_scratch_is_not():
    n, rate = 4_000_000, 0.1
    x = torch.ones(n, dtype=torch.bfloat16)
    at_rate = dl.binomial_band(rate, n, Z_CHECK)
    exact = ts.dtype_rand_drop_rate(rate, torch.bfloat16)
    assert exact - rate > 10 * np.sqrt(rate * (1 - rate) / n)  # the bias is many standard errors at this n
    biased = 1 - ts.dtype_rand_mask(x, rate, gen(0)).double().mean().item()
    low, high = dl.binomial_band(exact, n, Z_CHECK)
    assert low <= biased <= high and not at_rate[0] <= biased <= at_rate[1]
    for mask in (keep_mask(x, rate, gen(0)), ts.nn_dropout_from_seed(x, rate, 0) != 0):
        assert at_rate[0] <= 1 - mask.double().mean().item() <= at_rate[1]


def test_dtype_rand_drop_rate_rejects_bad_arguments():
    with pytest.raises(ValueError, match="dtype"):
        ts.dtype_rand_drop_rate(0.1, torch.float64)
    with pytest.raises(ValueError, match="rule"):
        ts.dtype_rand_drop_rate(0.1, torch.bfloat16, "u > rate")
    with pytest.raises(ValueError, match="rate"):
        ts.dtype_rand_drop_rate(1.5, torch.bfloat16)
