"""Inside Keras, TensorFlow and PyTorch dropout: flags, masks rebuilt bit for bit, shapes, seeds (lesson 04).

Everything here runs the frameworks' own code and returns NumPy arrays or small
dataclasses, so lesson 04 can assert on them. TensorFlow and torch are imported only
when a function needs them (through `frameworks.load`). The demos of sections 1-5 run on
the CPU on purpose, so that their bits match the stored outputs on any machine; section 6
(`device_dropout`) is the one that uses a GPU when there is one.
"""
from __future__ import annotations

import functools
import inspect
import json
import math
import os
import subprocess
import sys
import warnings
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from ... import fast
from ..._validate import check_rate, check_seed
from ...core import draw_keep_mask, dropout_forward
from ...frameworks import load, seeded_torch, torch_device
from ...stats import Z_CHECK, binomial_band, moment_bands


def _tf():
    load("keras")  # quiets TensorFlow's logs before its first import
    import tensorflow as tf  # noqa: PLC0415 — optional dependency, imported on demand
    return tf


@contextmanager
def _tf_cpu():
    # Pin TensorFlow (and Keras on it) to the CPU: the lesson's stored bits are the CPU's.
    with _tf().device("/CPU:0"):
        yield


# --- Reading the installed source (cited by file and line) -----------------------------------

@dataclass(frozen=True)
class SourceLine:
    """One line of an installed framework's source, with where it is (lesson 04)."""

    path: str      # relative to site-packages, e.g. 'keras/src/layers/regularization/dropout.py'
    number: int    # 1-based line number in that file
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.number}: {self.text.strip()}"


def source_lines(obj: object, needles: Sequence[str]) -> list[SourceLine]:
    """The first line of `obj`'s installed source containing each needle, with file and line (lesson 04).

    This is reading the source, not checking behaviour: the lesson's checks are the
    bit-for-bit rebuilds. A needle that is not there raises LookupError, so a changed
    source is noticed instead of quietly citing nothing.
    """
    lines, start = inspect.getsourcelines(obj)
    path = Path(inspect.getsourcefile(obj))
    parts = path.parts
    relative = "/".join(parts[parts.index("site-packages") + 1:]) if "site-packages" in parts else str(path)
    found = []
    for needle in needles:
        hit = next((i for i, line in enumerate(lines) if needle in line), None)
        if hit is None:
            raise LookupError(f"{needle!r} is not in the source of {getattr(obj, '__qualname__', obj)}")
        found.append(SourceLine(relative, start + hit, lines[hit].rstrip("\n")))
    return found


def dropout_source_tour() -> list[SourceLine]:
    """The lines that carry a Keras Dropout call down to TensorFlow's kernel, in call order (lesson 04)."""
    keras = load("keras")
    _tf()
    from tensorflow.python.ops import nn_ops  # noqa: PLC0415 — where tf.nn's dropout lives

    backend = keras.src.backend.tensorflow.random
    return [
        *source_lines(keras.layers.Dropout.call, ["if training and self.rate > 0", "seed=self.seed_generator"]),
        *source_lines(backend.dropout, ["draw_seed(seed)", "_get_concrete_noise_shape(", "stateless_dropout("]),
        *source_lines(backend._get_concrete_noise_shape, ["return tf.shape(inputs)"]),
        *source_lines(nn_ops._dropout, ["scale = 1 / keep_prob", "convert_to_tensor(scale, dtype=x_dtype)",
                                        "gen_math_ops.mul(x, scale)", "uniform_sampler(shape=noise_shape",
                                        "keep_mask = random_tensor >= rate", "where_v2(keep_mask, ret"]),
    ]


# --- 1. The training flag ------------------------------------------------------------------

def torch_training_flags(rate: float = 0.5, n: int = 10_000, seed: int = 0) -> dict[str, float]:
    """Zero fraction of torch dropout in train/eval, including F.dropout's training=True default (lesson 04)."""
    torch = load("torch")
    nn, F = torch.nn, torch.nn.functional

    class Forgetful(nn.Module):
        """The pitfall: F.dropout without training=self.training drops even in eval()."""

        def forward(self, x):
            return F.dropout(x, rate)

    class Careful(nn.Module):
        def forward(self, x):
            return F.dropout(x, rate, training=self.training)

    x = torch.ones(n)
    results = {}
    with seeded_torch(seed):
        for name, module in (("nn.Dropout", nn.Dropout(rate)), ("F.dropout(x, p)", Forgetful()),
                             ("F.dropout(x, p, training=self.training)", Careful())):
            for mode in ("train", "eval"):
                getattr(module, mode)()
                results[f"{name} after .{mode}()"] = float((module(x) == 0).float().mean())
    return results


def keras_training_flags(rate: float = 0.5, n: int = 10_000, seed: int = 0) -> dict[str, float]:
    """Zero fraction of a Keras Dropout layer / model under each way of calling it (lesson 04)."""
    keras = load("keras")
    x = np.ones((1, n), np.float32)
    with _tf_cpu():
        layer = keras.layers.Dropout(rate, seed=seed)
        model = keras.Sequential([keras.Input((n,)), keras.layers.Dropout(rate, seed=seed)])
        calls = {
            "layer(x)": lambda: layer(x),
            "layer(x, training=True)": lambda: layer(x, training=True),
            "model(x)": lambda: model(x),
            "model(x, training=True)": lambda: model(x, training=True),
            "model.predict(x)": lambda: model.predict(x, verbose=0),
        }
        return {name: float(np.mean(keras.ops.convert_to_numpy(call()) == 0)) for name, call in calls.items()}


# --- 2. Keras Dropout → TF stateless dropout, and torch's CPU mask, rebuilt bit for bit ------

@dataclass(frozen=True)
class MaskTrace:
    """One Keras Dropout call next to the same output rebuilt from TF's uniform draws (lesson 04)."""

    rate: float
    seed: tuple[int, int]
    uniform: np.ndarray      # tf.random.stateless_uniform(shape, seed)
    rebuilt: np.ndarray      # x · float32(1/(1 - rate)) where uniform >= rate, else 0 (NumPy, TF's order)
    stateless: np.ndarray    # tf.nn.experimental.stateless_dropout(x, rate, seed)
    keras: np.ndarray        # keras.layers.Dropout(rate, seed)(x, training=True)

    @property
    def mask(self) -> np.ndarray:
        """The keep-mask rebuilt from the uniforms: uniform >= rate."""
        return self.uniform >= self.rate


def trace_keras_dropout(x: np.ndarray, rate: float, seed: int, call: int = 0) -> MaskTrace:
    """Run call number `call` of a seeded Keras Dropout and rebuild its output from TF uniforms (lesson 04).

    A Keras SeedGenerator(seed) starts at state [seed, 0] and hands out [seed, k] on its
    k-th draw; the TF backend passes that pair to stateless_dropout, which keeps a unit
    when its stateless uniform is >= rate and multiplies x by 1/(1 - rate) rounded to x's dtype.
    """
    keras, tf = load("keras"), _tf()
    rate = check_rate(rate)
    x = np.asarray(x, dtype=np.float32)
    with _tf_cpu():
        layer = keras.layers.Dropout(rate, seed=seed)
        for _ in range(call):
            layer(x, training=True)  # advance the layer's seed generator
        out = keras.ops.convert_to_numpy(layer(x, training=True))
        pair = (seed, call)
        uniform = tf.random.stateless_uniform(x.shape, seed=pair, dtype=tf.float32).numpy()
        stateless = tf.nn.experimental.stateless_dropout(x, rate=rate, seed=pair).numpy()
    rebuilt = np.where(uniform >= rate, x * np.float32(1.0 / (1.0 - rate)), np.float32(0.0))
    return MaskTrace(rate, pair, uniform, rebuilt, stateless, out)


@dataclass(frozen=True)
class ScaleRebuild:
    """TF's dropout output next to two NumPy rebuilds that differ only in how survivors are scaled (lesson 04)."""

    x: np.ndarray
    rate: float
    tf_out: np.ndarray
    times_reciprocal: np.ndarray   # x · float32(1/(1 - rate)) where kept: what TF computes
    divided: np.ndarray            # x / float32(1 - rate) where kept: the textbook formula

    def entries_that_differ(self) -> np.ndarray:
        """Indices of x (kept or not) where the two scalings give different float32 numbers."""
        keep32, reciprocal32 = np.float32(1.0 - self.rate), np.float32(1.0 / (1.0 - self.rate))
        return np.flatnonzero(self.x * reciprocal32 != self.x / keep32)


def reciprocal_or_division(x: np.ndarray, rate: float, seed: int) -> ScaleRebuild:
    """TF stateless_dropout(x) rebuilt with x·float32(1/keep) and with x/float32(keep) from one mask (lesson 04)."""
    tf = _tf()
    rate = check_rate(rate)
    x = np.asarray(x, dtype=np.float32)
    with _tf_cpu():
        out = tf.nn.experimental.stateless_dropout(x, rate=rate, seed=(seed, 0)).numpy()
        keep_mask = tf.random.stateless_uniform(x.shape, seed=(seed, 0)).numpy() >= rate
    zero = np.float32(0.0)
    times = np.where(keep_mask, x * np.float32(1.0 / (1.0 - rate)), zero)
    divided = np.where(keep_mask, x / np.float32(1.0 - rate), zero)
    return ScaleRebuild(x, rate, out, times, divided)


TORCH_DTYPES = ("float32", "bfloat16", "float16")


@dataclass(frozen=True)
class TorchRebuild:
    """torch's CPU F.dropout next to its mask rebuilt from float64 uniforms of the same generator state (lesson 04)."""

    dtype: str
    rate: float
    out: np.ndarray            # F.dropout(x, rate), as float64 for comparison
    uniform: np.ndarray        # torch.rand(shape, dtype=float64) drawn from the same seed
    rebuilt_out: np.ndarray    # x · (mask / keep) in x's dtype, as ATen computes it

    @property
    def mask(self) -> np.ndarray:
        """The rebuilt keep-mask: uniform < 1 - rate (torch keeps below keep; TF keeps at or above rate)."""
        return self.uniform < 1.0 - self.rate

    @property
    def mask_matches(self) -> bool:
        return bool(np.array_equal(self.out != 0, self.mask))

    @property
    def output_matches(self) -> bool:
        return bool(np.array_equal(self.out, self.rebuilt_out))


def torch_cpu_rebuild(x: np.ndarray, rate: float, seed: int, dtype: str = "float32") -> TorchRebuild:
    """F.dropout(x) on the CPU, and the same output rebuilt as rand(float64) < keep, x·(mask/keep) (lesson 04)."""
    torch = load("torch")
    rate = check_rate(rate)
    if dtype not in TORCH_DTYPES:
        raise ValueError(f"dtype must be one of {TORCH_DTYPES}, got {dtype!r}")
    tensor = torch.as_tensor(np.asarray(x, dtype=np.float32)).to(getattr(torch, dtype))
    with seeded_torch(seed):   # F.dropout takes no generator: a forked, seeded global one
        out = torch.nn.functional.dropout(tensor, rate, training=True)
    with seeded_torch(seed):   # the same generator state again
        uniform = torch.rand(tensor.shape, dtype=torch.float64)
    keep = 1.0 - rate
    rebuilt = tensor * ((uniform < keep).to(tensor.dtype) / keep)   # noise.div_(1 - p), then input * noise
    as64 = lambda t: t.double().numpy()  # noqa: E731 — bf16 has no NumPy dtype; float64 holds every value exactly
    return TorchRebuild(dtype, rate, as64(out), uniform.numpy(), as64(rebuilt))


# --- 2b. Half precision: the uniform's dtype decides the realised rate ------------------------

@dataclass(frozen=True)
class RateRow:
    """The realised drop rate of one way of drawing the mask on bfloat16 data (lesson 04)."""

    name: str
    uniform: str        # what the uniform is drawn in
    predicted: float    # the exact drop probability, from the values the uniform can take
    measured: float     # zero fraction over n units
    n: int

    def band(self, z: float = Z_CHECK) -> tuple[float, float]:
        """Where the measured zero fraction falls around the exact prediction."""
        return binomial_band(self.predicted, self.n, z)

    def inside(self, z: float = Z_CHECK) -> bool:
        low, high = self.band(z)
        return low <= self.measured <= high


def tf_uniform_grid(dtype: str) -> np.ndarray:
    """Every value tf.random.stateless_uniform can return in a 16-bit dtype: k / 2**mantissa_bits (lesson 04).

    TensorFlow fills the mantissa with random bits and subtracts 1 (Uint16ToGfloat16 and Uint16ToHalf
    in the installed header tensorflow/include/xla/tsl/lib/random/random_distributions.h): 7 bits for
    bfloat16, 10 for float16.
    """
    bits = {"bfloat16": 7, "float16": 10}
    if dtype not in bits:
        raise ValueError(f"dtype must be one of {list(bits)}, got {dtype!r}")
    return np.arange(2 ** bits[dtype]) / 2 ** bits[dtype]


def _as_dtype(value: float, dtype: str) -> float:
    """`value` rounded to a torch/TF dtype, back as a Python float (exact)."""
    torch = load("torch")
    return float(torch.tensor(value, dtype=torch.float64).to(getattr(torch, dtype)).item())


def predicted_tf_rate(rate: float, dtype: str) -> float:
    """Exact P(drop) of TF dropout in a 16-bit dtype: the share of the uniform's grid below rate in that dtype."""
    return float(np.mean(tf_uniform_grid(dtype) < _as_dtype(check_rate(rate), dtype)))


def share_below(threshold: float, bits: int) -> float:
    """Exact P(u < threshold) for u = k / 2**bits with k uniform on 0 … 2**bits − 1 (lesson 04)."""
    count = min(math.ceil(Fraction(threshold) * 2**bits), 2**bits)   # k < threshold · 2**bits
    return float(Fraction(count, 2**bits))


def predicted_torch_rand_rate(rate: float, dtype: str) -> float:
    """Exact P(drop) of the mask torch.rand(dtype=dtype) >= rate, by enumerating every float32 uniform.

    On the CPU torch.rand draws a float32 k/2**24 and rounds it to the dtype; a value that rounds
    up to 1.0 is replaced by 0 (uniform_kernel in ATen/native/cpu/DistributionTemplates.h).
    """
    torch = load("torch")
    rate = check_rate(rate)
    grid = torch.arange(2**24, dtype=torch.float32) * 2.0**-24
    values = grid.to(getattr(torch, dtype))
    values[values == 1] = 0
    return float((~(values >= rate)).double().mean())


def half_precision_rates(rate: float = 0.1, n: int = 2**22, seed: int = 0) -> list[RateRow]:
    """The realised drop rate on bfloat16 data of five ways to draw the mask, with exact predictions (lesson 04)."""
    keras, tf, torch = load("keras"), _tf(), load("torch")
    rate, seed = check_rate(rate), check_seed(seed)
    keep = 1.0 - rate
    ones32 = np.ones(n, np.float32)
    with _tf_cpu():
        mixed = keras.layers.Dropout(rate, seed=seed, dtype="mixed_bfloat16")(ones32, training=True)
        default = keras.layers.Dropout(rate, seed=seed)(tf.ones(n, tf.bfloat16), training=True)
        tf_rates = [float(np.mean(keras.ops.convert_to_numpy(out) == 0)) for out in (mixed, default)]
    bf16 = torch.ones(n, dtype=torch.bfloat16)
    with seeded_torch(seed):
        scratch = float((~(torch.rand(n, dtype=torch.bfloat16) >= rate)).double().mean())
    with seeded_torch(seed):
        torch_rate = float((torch.nn.functional.dropout(bf16, rate) == 0).double().mean())
    generator = torch.Generator().manual_seed(seed)   # Keras's seeded torch path: bernoulli of a float32 keep tensor
    bernoulli = float((torch.bernoulli(torch.full((n,), keep), generator=generator) == 0).double().mean())
    return [
        RateRow("Keras Dropout, TF backend, policy mixed_bfloat16", "bfloat16 (7 random bits: k/128)",
                predicted_tf_rate(rate, "bfloat16"), tf_rates[0], n),
        RateRow("Keras Dropout, TF backend, default float32 policy", "float32 (the layer casts x to float32)",
                share_below(_as_dtype(rate, "float32"), 23), tf_rates[1], n),
        RateRow("from scratch: torch.rand(shape, dtype=x.dtype) >= rate", "float32 rounded to bfloat16; 1.0 -> 0",
                predicted_torch_rand_rate(rate, "bfloat16"), scratch, n),
        RateRow("torch F.dropout (CPU)", "float64", 1 - share_below(keep, 53), torch_rate, n),
        RateRow("Keras Dropout, torch backend, seeded", "float32 (bernoulli of a float32 keep tensor)",
                1 - share_below(_as_dtype(keep, "float32"), 24), bernoulli, n),
    ]


@dataclass(frozen=True)
class XlaCheck:
    """TF's stateless uniform under XLA (jit_compile=True) next to the eager kernel's (lesson 04)."""

    same_bits_graph: bool          # tf.function without XLA, default algorithm
    same_bits_default_alg: bool    # XLA, alg="auto_select", what stateless_dropout uses
    same_bits_philox: bool         # alg="philox" requested explicitly
    bf16_rate: float               # realised drop rate of XLA-compiled stateless_dropout on bfloat16 ones
    n: int


def xla_check(rate: float = 0.1, n: int = 2**22, seed: int = 0) -> XlaCheck:
    """Compare XLA-compiled stateless random ops with the eager ones on the CPU (lesson 04).

    Keras 3's fit compiles with XLA by default (jit_compile="auto"), so this is what a
    training step runs.
    """
    tf = _tf()
    rate = check_rate(rate)
    pair = (check_seed(seed), 0)

    def both(draw: Callable[[], object], xla: bool = True) -> bool:
        eager = draw().numpy()
        return bool(np.array_equal(tf.function(draw, jit_compile=xla)().numpy(), eager))

    with _tf_cpu():
        graph = both(lambda: tf.random.stateless_uniform((4096,), seed=pair), xla=False)
        default = both(lambda: tf.random.stateless_uniform((4096,), seed=pair))
        philox = both(lambda: tf.random.stateless_uniform((4096,), seed=pair, alg="philox"))
        compiled = tf.function(lambda x: tf.nn.experimental.stateless_dropout(x, rate, seed=pair), jit_compile=True)
        dropped = float(np.mean(compiled(tf.ones(n, tf.bfloat16)).numpy() == 0))
    return XlaCheck(graph, default, philox, dropped, n)


# --- 3. Graph mode: static shape (None, F) at trace time, dynamic shape at run time ----------

@dataclass(frozen=True)
class ShapeDemo:
    """A custom Keras layer traced once with batch None and run on several batch sizes (lesson 04)."""

    static_shapes: list[tuple]        # inputs.shape each time Python ran call(): at tracing only
    dynamic_shapes: dict[int, tuple]  # batch -> tf.shape(inputs) evaluated at run time
    outputs: dict[int, np.ndarray]    # batch -> the layer's output on ones
    traces: int                       # how many times tf.function traced


def per_sample_dropout_layer(rate: float, seed: int):
    """A from-scratch Keras layer that draws one uniform per entry of x, batch included (lesson 04).

    The mask's shape is `keras.ops.shape(inputs)`, which inside a graph holds a tensor for
    each unknown dimension: the batch size is read when the graph runs, not when it is built.
    """
    keras = load("keras")
    ops = keras.ops
    rate = check_rate(rate)

    class PerSampleDropout(keras.layers.Layer):
        def __init__(self, **kwargs):
            super().__init__(**kwargs)
            self.rate = rate
            self.seed_generator = keras.random.SeedGenerator(seed)   # a new pair every call
            self.static_shapes = []

        def call(self, inputs, training=False):
            self.static_shapes.append(tuple(inputs.shape))   # Python: runs while tracing, sees None
            if not training:
                return inputs
            u = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator)   # shape read at run time
            return ops.where(u >= self.rate, inputs / (1.0 - self.rate), ops.zeros_like(inputs))

    return PerSampleDropout()


def static_vs_dynamic(features: int = 64, rate: float = 0.5, seed: int = 0,
                      batches: tuple[int, ...] = (5, 3)) -> ShapeDemo:
    """Trace per_sample_dropout_layer with input_signature [None, features] and run it per batch size (lesson 04)."""
    tf = _tf()
    layer = per_sample_dropout_layer(rate, seed)

    @tf.function(input_signature=[tf.TensorSpec([None, features], tf.float32)])
    def forward(x):
        return layer(x, training=True), tf.shape(x)   # tf.shape: the dynamic shape, a tensor

    with _tf_cpu():
        runs = {b: forward(tf.ones((b, features))) for b in batches}
    return ShapeDemo(list(layer.static_shapes), {b: tuple(int(d) for d in s.numpy()) for b, (_, s) in runs.items()},
                     {b: out.numpy() for b, (out, _) in runs.items()}, int(forward.experimental_get_tracing_count()))


@dataclass(frozen=True)
class GraphDropout:
    """A Keras Dropout traced by tf.function with batch dimension None, and what it drew (lesson 04)."""

    traced_shape: tuple          # the input shape the graph was built for, e.g. (None, 8)
    uniform_shape_from: str      # op type feeding the shape of the uniform draw ('Shape')
    chain: tuple[str, ...]       # op types from the uniform draw to the output
    outputs: dict[int, np.ndarray]  # batch size -> output of one call


def graph_mode_dropout(features: int, rate: float, seed: int, batches: tuple[int, ...] = (5, 3)) -> GraphDropout:
    """Trace Dropout with input_signature [None, features]; run it on several batch sizes (lesson 04)."""
    keras, tf = load("keras"), _tf()
    with _tf_cpu():
        layer = keras.layers.Dropout(check_rate(rate), seed=seed)

        @tf.function(input_signature=[tf.TensorSpec([None, features], tf.float32)])
        def forward(x):
            return layer(x, training=True)

        graph = forward.get_concrete_function().graph
        uniform = next(op for op in graph.get_operations() if op.type.startswith("StatelessRandomUniform"))
        outputs = {b: forward(tf.ones((b, features))).numpy() for b in batches}
    traced = tuple(graph.inputs[0].shape.as_list())
    return GraphDropout(traced, uniform.inputs[0].op.type, _chain_from(uniform), outputs)


def _chain_from(op) -> tuple[str, ...]:
    # Follow the first consumer of each op's first output until the graph's output.
    chain = [op.type]
    while op.outputs and op.outputs[0].consumers():
        op = op.outputs[0].consumers()[0]
        chain.append(op.type)
    return tuple(chain)


def rows_all_different(mask: np.ndarray) -> bool:
    """True when no two rows of a 2-D mask are equal: each sample got its own mask (lesson 04)."""
    rows = {row.tobytes() for row in np.asarray(mask, dtype=bool)}
    return len(rows) == len(mask)


def tf_keras_is_keras() -> bool:
    """True when tf.keras is the installed Keras 3 (TF >= 2.16 without TF_USE_LEGACY_KERAS) (lesson 04)."""
    keras, tf = load("keras"), _tf()
    return tf.keras.layers.Dropout is keras.layers.Dropout


# --- 4. noise_shape: one coin shared along some axes ---------------------------------------

def keras_noise_shape(noise_shape: Sequence[int | None] | None, shape: tuple[int, ...]) -> tuple[int, ...]:
    """The mask shape Keras 3 draws for x of `shape`, or a ValueError where Keras fails (lesson 04).

    Keras fills each None from x's dimension *at the same index* (counting from the left,
    keras/src/backend/tensorflow/random.py `_get_concrete_noise_shape`), then the mask is
    broadcast to x by NumPy's rules (aligned from the right). So (None, 16) on x of shape
    (32, 50, 16) becomes (32, 16), which does not broadcast: Keras raises.
    """
    shape = tuple(int(s) for s in shape)
    if noise_shape is None:
        return shape
    if isinstance(noise_shape, str):
        raise ValueError(f"noise_shape must be a tuple or list of ints or None, got the string {noise_shape!r}")
    try:
        dims = tuple(noise_shape)
    except TypeError:
        raise ValueError(f"noise_shape must be a tuple or list of ints or None, got {noise_shape!r}") from None
    for i, d in enumerate(dims):   # Keras' Dropout._validate_noise_shape: Python ints > 0 or None
        if d is not None and (not isinstance(d, int) or d <= 0):
            raise ValueError(f"noise_shape entries must be positive Python ints or None; entry {i} is {d!r}")
    if len(dims) > len(shape):
        raise ValueError(f"noise_shape {dims} has more entries than x has dimensions {shape}")
    filled = tuple(shape[i] if d is None else int(d) for i, d in enumerate(dims))
    try:
        broadcast = np.broadcast_shapes(filled, shape)
    except ValueError:
        broadcast = None
    if broadcast != shape:
        raise ValueError(f"noise_shape {dims} becomes {filled} for x of shape {shape} (None takes x's dimension "
                         f"at the same index), which does not broadcast to x")
    return filled


def keras_noise_shape_outcome(noise_shape: Sequence[int | None] | None, shape: tuple[int, ...],
                              seed: int = 0) -> str:
    """What real Keras does with this noise_shape on ones(shape): the axes its mask is shared along, or the error."""
    keras = load("keras")
    try:
        with _tf_cpu():
            out = keras.layers.Dropout(0.5, noise_shape=noise_shape, seed=seed)(np.ones(shape, np.float32),
                                                                                 training=True)
    except Exception as error:  # noqa: BLE001 — the outcome is the error's class, e.g. InvalidArgumentError
        return type(error).__name__
    kept = keras.ops.convert_to_numpy(out) != 0
    return f"shared along axes {tuple(a for a in range(kept.ndim) if shares_along(kept, (a,)))}"


def shares_along(mask: np.ndarray, axes: tuple[int, ...]) -> bool:
    """True when the mask is constant along `axes`: one draw shared by all those entries (lesson 04)."""
    mask = np.asarray(mask, dtype=bool)
    first = mask[tuple(slice(0, 1) if a in axes else slice(None) for a in range(mask.ndim))]
    return bool(np.all(mask == first))


def noise_shape_masks(shape: tuple[int, int, int], rate: float, seed: int) -> dict[str, np.ndarray]:
    """Keep-masks (output != 0 on ones) of time/channel-shared dropout in every framework (lesson 04).

    `shape` is (batch, time, channels), channels last as in Keras; torch's Dropout1d wants
    (batch, channels, time), so its input is transposed and its mask transposed back.
    """
    keras, torch = load("keras"), load("torch")
    rate = check_rate(rate)
    batch, time, channels = shape
    x = np.ones(shape, np.float32)
    with _tf_cpu():
        keras_noise = keras.layers.Dropout(rate, noise_shape=(None, 1, channels), seed=seed)(x, training=True)
        spatial = keras.layers.SpatialDropout1D(rate, seed=seed)(x, training=True)
    numpy_out, _ = dropout_forward(x, rate, seed, noise_shape=(batch, 1, channels))
    with seeded_torch(seed):  # Dropout1d takes no generator: seed a forked RNG
        torch_out = torch.nn.Dropout1d(rate)(torch.from_numpy(x).transpose(1, 2)).transpose(1, 2).numpy()
    return {
        "keras Dropout, noise_shape=(None, 1, C)": keras.ops.convert_to_numpy(keras_noise) != 0,
        "keras SpatialDropout1D": keras.ops.convert_to_numpy(spatial) != 0,
        "torch Dropout1d": torch_out != 0,
        "dl.dropout_forward, noise_shape=(B, 1, C)": numpy_out != 0,
    }


def channel_masks_2d(shape: tuple[int, int, int, int], rate: float, seed: int) -> dict[str, np.ndarray]:
    """Masks of whole-feature-map dropout for images (batch, height, width, channels) (lesson 04)."""
    keras, torch = load("keras"), load("torch")
    batch, height, width, channels = shape
    x = np.ones(shape, np.float32)
    with _tf_cpu():
        spatial = keras.layers.SpatialDropout2D(check_rate(rate), seed=seed)(x, training=True)
    numpy_out, _ = dropout_forward(x, rate, seed, noise_shape=(batch, 1, 1, channels))
    with seeded_torch(seed):
        torch_out = torch.nn.Dropout2d(rate)(torch.from_numpy(x).permute(0, 3, 1, 2)).permute(0, 2, 3, 1).numpy()
    return {
        "keras SpatialDropout2D": keras.ops.convert_to_numpy(spatial) != 0,
        "torch Dropout2d": torch_out != 0,
        "dl.dropout_forward, noise_shape=(B, 1, 1, C)": numpy_out != 0,
    }


@dataclass(frozen=True)
class Dropout2dOn3d:
    """torch's Dropout2d given a 3-D tensor: what it warned and how its mask is shared (lesson 04)."""

    shape: tuple[int, int, int]
    warnings: list[str]
    mask: np.ndarray

    def shared_axes(self) -> tuple[int, ...]:
        """The axes along which the mask is constant."""
        return tuple(a for a in range(self.mask.ndim) if shares_along(self.mask, (a,)))


def dropout2d_on_3d(shape: tuple[int, int, int] = (3, 8, 8), rate: float = 0.5, seed: int = 0) -> Dropout2dOn3d:
    """Feed one unbatched image (C, H, W) to nn.Dropout2d and record the warning and the mask (lesson 04)."""
    torch = load("torch")
    x = torch.ones(shape)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with seeded_torch(seed):
            out = torch.nn.Dropout2d(check_rate(rate))(x)
    return Dropout2dOn3d(tuple(shape), [str(w.message) for w in caught], out.numpy() != 0)


NOISE_SHAPES = {  # lesson 04 dashboard: name -> noise_shape for x of shape (batch, time, channels)
    "per entry (None)": None,
    "shared over time (B, 1, C)": (None, 1, None),
    "shared over channels (B, T, 1)": (None, None, 1),
    "one per sample (B, 1, 1)": (None, 1, 1),
    "shared over the batch (1, T, C)": (1, None, None),
}


@dataclass(frozen=True)
class NoiseShapeDemo:
    """Dropout on ones of shape (batch, time, channels) with a chosen noise_shape (lesson 04)."""

    noise_shape: tuple | None
    mask: np.ndarray       # the drawn mask, shape noise_shape resolved
    keep: np.ndarray       # the mask broadcast to x's shape
    mean_zero_fraction: float   # zero fraction averaged over `masks` independent masks
    masks: int

    @property
    def draws(self) -> int:
        """How many independent coins were flipped."""
        return int(self.mask.size)

    @property
    def zero_fraction(self) -> float:
        """Share of the entries of x that were dropped."""
        return float(1.0 - self.keep.mean())


def noise_shape_demo(choice: str, rate: float, seed: int, shape: tuple[int, int, int] = (3, 10, 6),
                     masks: int = 2000) -> NoiseShapeDemo:
    """Draw a mask with one of NOISE_SHAPES on ones(shape), and the mean zero fraction of `masks` more (lesson 04).

    Whatever the noise shape, every entry is dropped with probability `rate`, so the mean
    zero fraction over many masks tends to `rate`; sharing only makes one mask wobble more.
    With an int seed the result is a pure function of the arguments and is cached (its arrays
    are read-only), so the dashboard shows a revisited setting at once.
    """
    if choice not in NOISE_SHAPES:
        raise ValueError(f"choice must be one of {list(NOISE_SHAPES)}, got {choice!r}")
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return _seeded_noise_shape_demo(choice, check_rate(rate), int(seed), tuple(int(n) for n in shape), int(masks))
    return _noise_shape_demo(choice, rate, seed, shape, masks)


def _noise_shape_demo(choice: str, rate: float, seed, shape: tuple[int, ...], masks: int) -> NoiseShapeDemo:
    noise_shape = NOISE_SHAPES[choice]
    _, mask = dropout_forward(np.ones(shape), rate, seed, noise_shape=noise_shape)
    mask.flags.writeable = False  # a cached result is shared by every caller
    many = draw_keep_mask((masks, *mask.shape), rate, np.random.default_rng(seed))
    return NoiseShapeDemo(noise_shape, mask, np.broadcast_to(mask, shape), float(1.0 - many.mean()), masks)


# The dashboard has 5 x 10 x 21 settings; each result is a few hundred bytes.
_seeded_noise_shape_demo = functools.lru_cache(maxsize=1024)(_noise_shape_demo)


# --- 5. Seeds, and Keras on the torch backend ------------------------------------------------

def keras_seed_masks(shape: tuple[int, ...], rate: float, seed: int, draws: int = 2) -> list[np.ndarray]:
    """Masks of `draws` successive keras.random.dropout calls sharing one SeedGenerator(seed) (lesson 04)."""
    keras = load("keras")
    x = np.ones(shape, np.float32)
    with _tf_cpu():
        generator = keras.random.SeedGenerator(seed)
        return [keras.ops.convert_to_numpy(keras.random.dropout(x, rate, seed=generator)) != 0 for _ in range(draws)]


def int_seed_repeats(rate: float = 0.5, shape: tuple[int, ...] = (1000,), seed: int = 3) -> bool:
    """Whether two keras.random.dropout calls with the same int seed draw the same mask (lesson 04, exercise 4)."""
    keras = load("keras")
    x = np.ones(shape, np.float32)
    with _tf_cpu():
        first, second = (keras.ops.convert_to_numpy(keras.random.dropout(x, rate, seed=seed)) for _ in range(2))
    return bool(np.array_equal(first, second))


def torch_dropout_seed_masks(shape: tuple[int, ...], rate: float, seed: int, draws: int = 2) -> list[np.ndarray]:
    """Masks of `draws` successive F.dropout calls after seeding torch's (forked) global generator (lesson 04).

    F.dropout takes no generator argument, so its seed is the global generator's state;
    each call advances it, so the calls inside one block draw different masks.
    """
    torch = load("torch")
    x = torch.ones(shape)
    with seeded_torch(seed):
        return [(torch.nn.functional.dropout(x, check_rate(rate)) != 0).numpy() for _ in range(draws)]


_TORCH_BACKEND_SCRIPT = """
import json, numpy as np, torch, dropout_lab as dl
keras = dl.frameworks.load("keras")
x = np.ones(({rows}, {cols}), np.float32)
rate, seed, keep = {rate}, {seed}, 1 - {rate}
layer = keras.layers.Dropout(rate, seed=seed)
calls = [keras.ops.convert_to_numpy(layer(x, training=True)) for _ in range(2)]
device = keras.src.backend.torch.core.get_device()

def seeded_path(k):  # keras/src/backend/torch/random.py: bernoulli with Generator(seed + k), then where
    generator = torch.Generator(device=device).manual_seed(seed + k)
    mask = torch.bernoulli(torch.full(x.shape, keep, device=device), generator=generator).bool()
    xt = torch.as_tensor(x, device=device)
    return torch.where(mask, xt / keep, torch.zeros_like(xt)).cpu().numpy()

with dl.frameworks.seeded_torch(seed, device):
    unseeded = keras.ops.convert_to_numpy(keras.layers.Dropout(rate)(x, training=True))
with dl.frameworks.seeded_torch(seed, device):
    global_rng = torch.nn.functional.dropout(torch.as_tensor(x, device=device), rate).cpu().numpy()
y = dl.run_dropout("keras", x, rate, seed=seed)
print(json.dumps({{
    "backend": dl.frameworks.keras_backend(), "size": int(y.size),
    "run_dropout_is_first_seeded_call": bool(np.array_equal(y, calls[0])),
    "seeded_calls_rebuilt": [bool(np.array_equal(c, seeded_path(k))) for k, c in enumerate(calls)],
    "seed_plus_one_repeats_second_call": bool(np.array_equal(calls[1], keras.ops.convert_to_numpy(
        keras.layers.Dropout(rate, seed=seed + 1)(x, training=True)))),
    "unseeded_is_F_dropout_on_global_rng": bool(np.array_equal(unseeded, global_rng)),
    "zero_fraction": dl.zero_fraction(y), "mean": float(y.mean(dtype=np.float64)),
    "std": float(y.std(dtype=np.float64))}}))
"""


def keras_other_backend(backend: str = "torch", rate: float = 0.5, shape: tuple[int, int] = (1000, 100),
                        seed: int = 0, timeout: float = 120) -> dict:
    """Keras on another backend, in a fresh CPU-only Python: its two dropout paths rebuilt, and statistics (lesson 04).

    KERAS_BACKEND is read when Keras is first imported, so a fresh interpreter is needed.
    CUDA_VISIBLE_DEVICES is emptied so the stored numbers are the CPU's on any machine.
    """
    code = _TORCH_BACKEND_SCRIPT.format(rows=shape[0], cols=shape[1], rate=check_rate(rate), seed=check_seed(seed))
    env = {**os.environ, "KERAS_BACKEND": backend, "CUDA_VISIBLE_DEVICES": ""}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"Keras on the {backend} backend failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def torch_backend_source() -> list[SourceLine]:
    """The lines of Keras's torch backend that choose between its seeded and unseeded dropout (lesson 04).

    Read from the installed file without importing it: importing Keras's torch backend
    here, under the TensorFlow backend, is not what a learner's program would do.
    """
    keras = load("keras")
    path = Path(keras.__file__).parent / "src" / "backend" / "torch" / "random.py"
    text = path.read_text(encoding="utf-8").splitlines()
    needles = ["and not (isinstance(seed, SeedGenerator) and seed._initial_seed is None)",
               "mask = torch.bernoulli(keep_prob_matrix, generator=generator)", "inputs / keep_prob,",
               "# Fast path, unseeded", "return torch.nn.functional.dropout(",
               "generator.manual_seed(int(first_seed + second_seed)"]
    found = []
    for needle in needles:
        number = next((i for i, line in enumerate(text) if needle in line), None)
        if number is None:
            raise LookupError(f"{needle!r} is not in {path}")
        found.append(SourceLine("keras/src/backend/torch/random.py", number + 1, text[number]))
    return sorted(found, key=lambda line: line.number)


# --- 6. On a GPU ------------------------------------------------------------------------------

@dataclass(frozen=True)
class DeviceDropout:
    """torch's F.dropout on one device: statistics in their bands, reproducibility, eval (lesson 04)."""

    device: str
    n: int
    statistics_in_bands: bool     # zero fraction, mean and std inside their Z_CHECK bands
    same_seed_same_mask: bool     # seeded twice on this device: equal masks
    eval_is_identity: bool
    matches_cpu_rule: bool        # mask == rand(float64, CPU generator) < keep: True on the CPU only


def device_dropout(device: str | None = None, shape: tuple[int, int] = (1000, 100), rate: float = 0.5,
                   seed: int = 0) -> DeviceDropout:
    """F.dropout on `device` (the GPU when present): what must hold on every device, and the CPU rule (lesson 04)."""
    torch = load("torch")
    device, rate = torch_device(device), check_rate(rate)
    x = torch.ones(shape, device=device)

    def draw():
        with seeded_torch(seed, device):
            return torch.nn.functional.dropout(x, rate, training=True).cpu()

    first, again = draw(), draw()
    with seeded_torch(seed):
        cpu_rule = torch.rand(shape, dtype=torch.float64) < 1.0 - rate
    y = first.double().numpy()
    n = y.size
    bands = moment_bands(1.0, rate, n, z=Z_CHECK)
    low, high = binomial_band(rate, n, z=Z_CHECK)
    in_bands = (low <= float(np.mean(y == 0)) <= high and bands.mean[0] <= float(y.mean()) <= bands.mean[1]
                and bands.std[0] <= float(y.std()) <= bands.std[1])
    evaluated = torch.nn.functional.dropout(x, rate, training=False)
    return DeviceDropout(str(device), n, bool(in_bands), bool(torch.equal(first, again)),
                         bool(torch.equal(evaluated, x)), bool(torch.equal(first != 0, cpu_rule)))


# --- Appendix: speed, and fast_dropout's quantised keep ---------------------------------------

def fast_dropout_rate_gap(rates: Sequence[float]) -> float:
    """The largest |effective rate − rate| of dl.fast_dropout over `rates` (lesson 04, appendix)."""
    return max(abs(fast.effective_rate(r) - check_rate(r)) for r in rates)

