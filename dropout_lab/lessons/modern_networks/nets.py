"""Lesson 11's PyTorch and Keras demonstrations: each returns plain numbers or arrays to assert on.

Spatial dropout's coins (torch Dropout2d, Keras SpatialDropout2D) and torch's warning for a
3-D input; recurrent dropout (torch LSTM between layers only, Keras' cached masks and what
recurrent_dropout changes); attention dropout from scratch against nn.MultiheadAttention,
and scaled_dot_product_attention's dropout_p that model.eval() does not switch off; DropPath
in torch. torch and Keras are imported inside the functions (dropout_lab.frameworks.load).
"""
from __future__ import annotations

import inspect
import math
import statistics
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...frameworks import load, seeded_torch
from .compute import locked_recurrence, shared_along

# ---------------------------------------------------------------- spatial dropout in the frameworks


def torch_dropout2d_mask(shape: tuple[int, int, int, int] = (16, 8, 5, 5), rate: float = 0.5,
                         seed: int = 0) -> np.ndarray:
    """The keep-mask torch.nn.Dropout2d draws for (N, C, H, W) ones (lesson 11)."""
    torch = load("torch")
    with seeded_torch(seed), torch.no_grad():
        out = torch.nn.Dropout2d(rate)(torch.ones(shape))
    return out.numpy() != 0


def keras_spatial_vs_noise_shape(shape: tuple[int, int, int, int] = (4, 5, 5, 6), rate: float = 0.5,
                                 seed: int = 0) -> dict[str, np.ndarray]:
    """Keras SpatialDropout2D and Dropout(noise_shape=(N, 1, 1, C)) with one seed, on channels-last ones."""
    keras = load("keras")
    x = np.ones(shape, dtype=np.float32)
    spatial = keras.layers.SpatialDropout2D(rate, seed=seed)(x, training=True)
    shaped = keras.layers.Dropout(rate, noise_shape=(shape[0], 1, 1, shape[3]), seed=seed)(x, training=True)
    return {"SpatialDropout2D": keras.ops.convert_to_numpy(spatial),
            "Dropout(noise_shape=(N, 1, 1, C))": keras.ops.convert_to_numpy(shaped)}


@dataclass(frozen=True)
class WarnedCall:
    """What a call warned, and the keep-mask it produced (lesson 11)."""

    messages: tuple[str, ...]
    mask: np.ndarray


def torch_dropout2d_on_3d(shape: tuple[int, int, int] = (6, 5, 5), rate: float = 0.5, seed: int = 0) -> WarnedCall:
    """Dropout2d on one unbatched (C, H, W) image: torch warns and treats it as (N, C, L) (lesson 11)."""
    torch = load("torch")
    with warnings.catch_warnings(record=True) as caught, seeded_torch(seed), torch.no_grad():
        warnings.simplefilter("always")
        out = torch.nn.Dropout2d(rate)(torch.ones(shape))
    return WarnedCall(tuple(str(w.message) for w in caught), out.numpy() != 0)


# ---------------------------------------------------------------- recurrent nets


def lstm_single_layer_warning(dropout: float = 0.5) -> tuple[str, ...]:
    """The UserWarning torch.nn.LSTM(dropout=..., num_layers=1) raises, caught (lesson 11)."""
    torch = load("torch")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        torch.nn.LSTM(4, 6, num_layers=1, dropout=dropout)
    return tuple(str(w.message) for w in caught if issubclass(w.category, UserWarning))


@dataclass(frozen=True)
class LSTMDropout:
    """What torch.nn.LSTM's dropout does, measured (lesson 11)."""

    one_layer_train_diff: float   # two train-mode calls of a 1-layer LSTM(dropout=0.5): 0, nothing is dropped
    two_layer_train_diff: float   # the same for 2 layers: > 0, dropout acts between them
    two_layer_eval_diff: float    # 2 layers after .eval(): 0
    manual_stack_diff: float      # 2-layer LSTM vs layer 1 -> F.dropout -> layer 2, same weights and seed
    between_layers_mask: np.ndarray   # that F.dropout's keep-mask on layer 1's (batch, time, hidden) output


def _lstm_pair(torch, rate: float):
    stacked = torch.nn.LSTM(4, 6, num_layers=2, dropout=rate, batch_first=True)
    first, second = torch.nn.LSTM(4, 6, batch_first=True), torch.nn.LSTM(6, 6, batch_first=True)
    with torch.no_grad():
        for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            getattr(first, f"{name}_l0").copy_(getattr(stacked, f"{name}_l0"))
            getattr(second, f"{name}_l0").copy_(getattr(stacked, f"{name}_l1"))
    return stacked, first, second


def lstm_dropout_study(rate: float = 0.5, seed: int = 0) -> LSTMDropout:
    """Run torch LSTMs with dropout in train and eval mode; rebuild the 2-layer one by hand (lesson 11)."""
    torch = load("torch")
    F = torch.nn.functional
    with seeded_torch(seed), torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter("ignore")   # the 1-layer warning is shown on its own
        single = torch.nn.LSTM(4, 6, num_layers=1, dropout=rate, batch_first=True)
        stacked, first, second = _lstm_pair(torch, rate)
        x = torch.randn(3, 5, 4)
        one = [single(x)[0] for _ in range(2)]
        two = [stacked(x)[0] for _ in range(2)]
        torch.manual_seed(seed + 1)
        reference = stacked(x)[0]
        torch.manual_seed(seed + 1)
        hidden = first(x)[0]
        dropped = F.dropout(hidden, rate, training=True)
        manual = second(dropped)[0]
        stacked.eval()
        evaluated = [stacked(x)[0] for _ in range(2)]
    diff = lambda a, b: float((a - b).abs().max())  # noqa: E731
    kept = (dropped != 0).numpy() | (hidden == 0).numpy()   # (an exact 0 in tanh's output would look dropped)
    return LSTMDropout(diff(*one), diff(*two), diff(*evaluated), diff(reference, manual), kept)


def keras_rnn_input_mask(rate: float = 0.5, steps: int = 7, units: int = 6, seed: int = 1) -> np.ndarray:
    """A linear SimpleRNN that copies its input (kernel I, recurrent kernel 0): its output IS the dropout mask.

    Keras' DropoutRNNCell caches one mask per call and reuses it at every time step, so
    every row (time step) of a sequence's output should be the same (lesson 11).
    """
    keras = load("keras")
    rnn = keras.layers.SimpleRNN(units, activation="linear", use_bias=False, dropout=rate, return_sequences=True,
                                 seed=seed, kernel_initializer="identity", recurrent_initializer="zeros")
    out = rnn(np.ones((3, steps, units), dtype=np.float32), training=True)
    return keras.ops.convert_to_numpy(out) != 0


@dataclass(frozen=True)
class KerasRecurrentMask:
    """The recurrent_dropout mask of a Keras SimpleRNN, read back from its outputs (lesson 11)."""

    kept: np.ndarray          # (batch, steps - 1, units): m_t != 0 for t = 2 … T
    rebuilt_exactly: bool     # h_t = 1 + m ⊙ h_(t-1) with ONE mask m reproduces every output bit for bit
    differs_between_calls: bool   # a new call (a new batch) draws a new mask


def keras_rnn_recurrent_mask(rate: float = 0.5, steps: int = 7, units: int = 6, seed: int = 1) -> KerasRecurrentMask:
    """A linear SimpleRNN with kernel I, recurrent kernel I and recurrent_dropout, on inputs of ones (lesson 11).

    Then h_1 = 1 and h_t = 1 + m_t ⊙ h_(t-1), so m_t = (h_t - 1) / h_(t-1) is read off the
    outputs. At rate 0.5 every number is a small integer (m is 0 or 2), so float32 is exact and
    the hand-made recurrence with one locked mask m = m_2 must match Keras bit for bit.
    """
    keras = load("keras")
    rnn = keras.layers.SimpleRNN(units, activation="linear", use_bias=False, recurrent_dropout=rate,
                                 return_sequences=True, seed=seed, kernel_initializer="identity",
                                 recurrent_initializer="identity")
    x = np.ones((3, steps, units), dtype=np.float32)
    first, second = (keras.ops.convert_to_numpy(rnn(x, training=True)) for _ in range(2))
    return KerasRecurrentMask(first[:, 1:, :] != 1, bool(np.array_equal(locked_recurrence(first), first)),
                              not np.array_equal(first, second))


@dataclass(frozen=True)
class KerasRecurrentDropout:
    """How Keras' LSTM changes with recurrent_dropout (lesson 11)."""

    implementation_without: int     # cell.implementation with dropout only (2: one fused matmul for 4 gates)
    implementation_with: int        # with recurrent_dropout > 0 (1: four matmuls, one mask per gate)
    cudnn_needs_no_recurrent_dropout: bool  # LSTM.inner_loop tries the cuDNN path only `if not self.recurrent_dropout`
    cudnn_ok_here: bool             # backend.cudnn_ok(...) on this machine (False without a GPU)
    masks_without: int              # masks per call for `dropout` without recurrent_dropout (one)
    masks_with: int                 # with recurrent_dropout > 0: cell.dropout_mask_count, one per gate (four)


def keras_recurrent_dropout_facts() -> KerasRecurrentDropout:
    """Read the installed Keras: the cell implementation and the cuDNN condition (lesson 11)."""
    keras = load("keras")
    lstm = keras.src.layers.rnn.lstm
    plain, recurrent = keras.layers.LSTM(8, dropout=0.3), keras.layers.LSTM(8, recurrent_dropout=0.3)
    source = inspect.getsource(lstm.LSTM.inner_loop)
    cudnn_ok = bool(keras.src.backend.cudnn_ok("tanh", "sigmoid", False, True)) \
        if keras.backend.backend() == "tensorflow" else False
    return KerasRecurrentDropout(plain.cell.implementation, recurrent.cell.implementation,
                                 "if not self.recurrent_dropout:" in source, cudnn_ok,
                                 getattr(plain.cell, "dropout_mask_count", None) or 1,
                                 getattr(recurrent.cell, "dropout_mask_count", None) or 1)


def keras_lstm_step_ms(recurrent_dropout: float, repeats: int = 3, seed: int = 0) -> float:
    """Median milliseconds of one training-mode forward pass of LSTM(16) on (16, 10, 8) (lesson 11)."""
    keras = load("keras")
    layer = keras.layers.LSTM(16, dropout=0.2, recurrent_dropout=recurrent_dropout, seed=seed)
    x = np.random.default_rng(seed).normal(size=(16, 10, 8)).astype(np.float32)
    layer(x, training=True)  # build and warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        layer(x, training=True)
        times.append(time.perf_counter() - start)
    return 1000 * statistics.median(times)


# ---------------------------------------------------------------- transformers


def attention_from_scratch(mha, x, rate: float, training: bool):
    """Multi-head self-attention with dropout on the attention probabilities, from nn.MultiheadAttention's weights.

    q, k, v = x W + b; probabilities = softmax(q kᵀ / sqrt(d)); dropout on them; probabilities @ v;
    out-projection. Same maths and the same order of random draws as torch's own (lesson 11).
    """
    torch = load("torch")
    F = torch.nn.functional
    batch, length, width = x.shape
    heads = mha.num_heads
    q, k, v = F.linear(x, mha.in_proj_weight, mha.in_proj_bias).chunk(3, dim=-1)
    split = lambda t: t.view(batch, length, heads, width // heads).transpose(1, 2)  # noqa: E731
    q, k, v = split(q), split(k), split(v)
    probs = ((q / math.sqrt(width // heads)) @ k.transpose(-2, -1)).softmax(dim=-1)
    probs = F.dropout(probs, rate, training=training)
    mixed = (probs @ v).transpose(1, 2).reshape(batch, length, width)
    return F.linear(mixed, mha.out_proj.weight, mha.out_proj.bias), probs


@dataclass(frozen=True)
class AttentionCheck:
    """Our attention against nn.MultiheadAttention, and what dropout does to the probabilities (lesson 11)."""

    train_diff: float        # same seed, training mode: max |ours - torch's|
    eval_diff: float
    zero_fraction: float     # of the dropped probabilities
    row_sum_mean: float      # E[row sum] = 1 after inverted scaling, though single rows do not sum to 1
    row_sum_spread: float
    n_probs: int


def attention_check(rate: float = 0.3, seed: int = 0) -> AttentionCheck:
    """Feed one input to our attention and to nn.MultiheadAttention(dropout=rate) with one seed (lesson 11)."""
    torch = load("torch")
    with seeded_torch(seed), torch.no_grad():
        mha = torch.nn.MultiheadAttention(16, 4, dropout=rate, batch_first=True)
        x = torch.randn(8, 12, 16)
        torch.manual_seed(seed + 1)
        theirs = mha(x, x, x, need_weights=True)[0]
        torch.manual_seed(seed + 1)
        ours, probs = attention_from_scratch(mha, x, rate, training=True)
        mha.eval()
        eval_diff = float((mha(x, x, x)[0] - attention_from_scratch(mha, x, rate, False)[0]).abs().max())
    sums = probs.sum(dim=-1)
    return AttentionCheck(float((theirs - ours).abs().max()), eval_diff, float((probs == 0).float().mean()),
                          float(sums.mean()), float(sums.std()), probs.numel())


def make_sdpa_block(torch, gated: bool):
    """A self-attention block around F.scaled_dot_product_attention, with or without the training gate."""

    class SDPABlock(torch.nn.Module):
        def __init__(self, width: int = 16, heads: int = 4, dropout: float = 0.3) -> None:
            super().__init__()
            self.heads, self.dropout = heads, dropout
            self.qkv, self.out = torch.nn.Linear(width, 3 * width), torch.nn.Linear(width, width)

        def forward(self, x):
            batch, length, width = x.shape
            q, k, v = (t.view(batch, length, self.heads, -1).transpose(1, 2) for t in self.qkv(x).chunk(3, dim=-1))
            p = (self.dropout if self.training else 0.0) if gated else self.dropout
            mixed = torch.nn.functional.scaled_dot_product_attention(q, k, v, dropout_p=p)
            return self.out(mixed.transpose(1, 2).reshape(batch, length, width))

    return SDPABlock


def eval_repeat_diffs(seed: int = 0) -> dict[str, float]:
    """Max |difference| between two calls after model.eval(), for three attention modules (lesson 11)."""
    torch = load("torch")
    with seeded_torch(seed), torch.no_grad():
        x = torch.randn(4, 10, 16)
        modules = {"SDPA, dropout_p=self.dropout (the bug)": make_sdpa_block(torch, gated=False)(),
                   "SDPA, dropout_p=self.dropout if self.training else 0.0": make_sdpa_block(torch, gated=True)(),
                   "nn.MultiheadAttention(dropout=0.3)": torch.nn.MultiheadAttention(16, 4, dropout=0.3,
                                                                                      batch_first=True)}
        diffs = {}
        for name, module in modules.items():
            module.eval()
            call = (lambda m=module: m(x, x, x)[0]) if isinstance(module, torch.nn.MultiheadAttention) \
                else (lambda m=module: m(x))
            diffs[name] = float((call() - call()).abs().max())
    return diffs


def train_repeat_diff(module_factory: Callable, seed: int = 0) -> float:
    """Max |difference| between two train-mode calls of a module taking (4, 10, 16) input: > 0 means it drops."""
    torch = load("torch")
    with seeded_torch(seed), torch.no_grad():
        module = module_factory()
        module.train()
        x = torch.randn(4, 10, 16)
        return float((module(x) - module(x)).abs().max())


# ---------------------------------------------------------------- DropPath in torch


def torch_drop_path(branch, rate: float, mask=None):
    """DropPath in torch: one keep coin per sample, survivors scaled by 1/keep; `mask` (batch,) given or drawn."""
    torch = load("torch")
    keep = 1.0 - rate
    shape = (branch.shape[0],) + (1,) * (branch.ndim - 1)
    coins = branch.new_empty(shape).bernoulli_(keep) if mask is None \
        else torch.as_tensor(mask, dtype=branch.dtype).reshape(shape)
    return branch * coins / keep if keep > 0 else torch.zeros_like(branch)


def torch_drop_path_draws(shape: tuple[int, ...], rate: float, seed: int = 0) -> np.ndarray:
    """The keep coins (one per sample) torch_drop_path draws on ones of `shape`, seeded (lesson 11)."""
    torch = load("torch")
    with seeded_torch(seed), torch.no_grad():
        out = torch_drop_path(torch.ones(shape), rate).numpy()
    if not all(shared_along(out != 0, (axis,)) for axis in range(1, len(shape))):
        raise AssertionError("torch_drop_path must keep or drop whole samples")
    return out.reshape(shape[0], -1)[:, 0] != 0


# ---------------------------------------------------------------- probes for the pitfalls (lesson 11's exercises)


def attention_module_probe(module_class: Callable, seed: int = 0) -> dict[str, float]:
    """Build module_class(), call it twice in eval and in train mode, and against the gated reference (lesson 11)."""
    torch = load("torch")
    with seeded_torch(seed), torch.no_grad():
        module = module_class()
        reference = make_sdpa_block(torch, gated=True)()
        reference.load_state_dict(module.state_dict())
        x = torch.randn(4, 10, 16)
        module.eval()
        reference.eval()
        e1, e2, expected = module(x), module(x), reference(x)
        module.train()
        t1, t2 = module(x), module(x)
    return {"eval_diff": float((e1 - e2).abs().max()), "train_diff": float((t1 - t2).abs().max()),
            "reference_diff": float((e1 - expected).abs().max())}


def _first(out):
    return out[0] if isinstance(out, tuple) else out


def encoder_probe(make_encoder: Callable, rate: float = 0.3, seed: int = 0) -> dict:
    """Build make_encoder() and measure its outputs' zeros in train and eval mode, with its warnings (lesson 11)."""
    torch = load("torch")
    with warnings.catch_warnings(record=True) as caught, seeded_torch(seed), torch.no_grad():
        warnings.simplefilter("always")
        encoder = make_encoder()
        x = torch.randn(8, 10, 16)
        encoder.train()
        train = _first(encoder(x)).numpy()
        encoder.eval()
        e1, e2 = _first(encoder(x)).numpy(), _first(encoder(x)).numpy()
    return {"warnings": tuple(str(w.message) for w in caught), "train_zeros": float(np.mean(train == 0)),
            "n": int(train.size), "eval_zeros": float(np.mean(e1 == 0)), "eval_repeat": bool(np.array_equal(e1, e2))}


def channel_probe(drop_channels: Callable, rate: float = 0.5, shape: tuple[int, int, int] = (64, 5, 5),
                  seed: int = 0) -> dict:
    """Call drop_channels(ones of (C, H, W), rate) in a seeded block and measure the mask's structure (lesson 11)."""
    torch = load("torch")
    with warnings.catch_warnings(record=True) as caught, seeded_torch(seed), torch.no_grad():
        warnings.simplefilter("always")
        out = torch.as_tensor(drop_channels(torch.ones(shape), rate)).numpy()
    if out.shape != shape:
        raise ValueError(f"drop_channels must return the image's shape {shape}, got {out.shape}")
    kept = out != 0
    values = out[kept]
    return {"warnings": tuple(str(w.message) for w in caught), "whole_channels": shared_along(kept, (1, 2)),
            "dropped": float(1 - kept[:, 0, 0].mean()), "n": shape[0],
            "survivor": float(values.mean()) if values.size else 0.0}
