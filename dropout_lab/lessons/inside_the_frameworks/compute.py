"""Inside Keras, TensorFlow and PyTorch dropout: masks, graph shapes, noise shapes, seeds, flags (lesson 04).

Everything here runs the frameworks' own code and returns NumPy arrays or small
dataclasses, so lesson 04 can assert on them. TensorFlow and torch are imported only
when a function needs them (through `frameworks.load`).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass

import numpy as np

from ..._validate import check_rate
from ...core import dropout_forward
from ...frameworks import load, seeded_torch


def _tf():
    load("keras")  # quiets TensorFlow's logs before its first import
    import tensorflow as tf  # noqa: PLC0415 — optional dependency, imported on demand
    return tf


# --- 1. Keras Dropout → keras.random.dropout → tf.nn.experimental.stateless_dropout -------

@dataclass(frozen=True)
class MaskTrace:
    """One Keras Dropout call next to the same mask rebuilt from TF's uniform draws (lesson 04)."""

    rate: float
    seed: tuple[int, int]
    uniform: np.ndarray      # tf.random.stateless_uniform(shape, seed)
    rebuilt: np.ndarray      # x / (1 - rate) where uniform >= rate, else 0 (computed in NumPy)
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
    when its stateless uniform is >= rate.
    """
    keras, tf = load("keras"), _tf()
    rate = check_rate(rate)
    x = np.asarray(x, dtype=np.float32)
    layer = keras.layers.Dropout(rate, seed=seed)
    for _ in range(call):
        layer(x, training=True)  # advance the layer's seed generator
    out = keras.ops.convert_to_numpy(layer(x, training=True))
    pair = (seed, call)
    uniform = tf.random.stateless_uniform(x.shape, seed=pair, dtype=tf.float32).numpy()
    rebuilt = np.where(uniform >= rate, x * np.float32(1.0 / (1.0 - rate)), np.float32(0.0))
    stateless = tf.nn.experimental.stateless_dropout(x, rate=rate, seed=pair).numpy()
    return MaskTrace(rate, pair, uniform, rebuilt, stateless, out)


# --- 2. Graph mode: the batch dimension is None, the mask shape comes from tf.shape --------

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


# --- 3. noise_shape: one coin shared along some axes ---------------------------------------

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
    keras_noise = keras.layers.Dropout(rate, noise_shape=(None, 1, channels), seed=seed)
    spatial = keras.layers.SpatialDropout1D(rate, seed=seed)
    numpy_out, _ = dropout_forward(x, rate, seed, noise_shape=(batch, 1, channels))
    with seeded_torch(seed):  # Dropout1d takes no generator: seed a forked RNG
        torch_out = torch.nn.Dropout1d(rate)(torch.from_numpy(x).transpose(1, 2)).transpose(1, 2).numpy()
    return {
        "keras Dropout, noise_shape=(None, 1, C)": keras.ops.convert_to_numpy(keras_noise(x, training=True)) != 0,
        "keras SpatialDropout1D": keras.ops.convert_to_numpy(spatial(x, training=True)) != 0,
        "torch Dropout1d": torch_out != 0,
        "dl.dropout_forward, noise_shape=(B, 1, C)": numpy_out != 0,
    }


def channel_masks_2d(shape: tuple[int, int, int, int], rate: float, seed: int) -> dict[str, np.ndarray]:
    """Masks of whole-feature-map dropout for images (batch, height, width, channels) (lesson 04)."""
    keras, torch = load("keras"), load("torch")
    batch, height, width, channels = shape
    x = np.ones(shape, np.float32)
    spatial = keras.layers.SpatialDropout2D(check_rate(rate), seed=seed)
    numpy_out, _ = dropout_forward(x, rate, seed, noise_shape=(batch, 1, 1, channels))
    with seeded_torch(seed):
        torch_out = torch.nn.Dropout2d(rate)(torch.from_numpy(x).permute(0, 3, 1, 2)).permute(0, 2, 3, 1).numpy()
    return {
        "keras SpatialDropout2D": keras.ops.convert_to_numpy(spatial(x, training=True)) != 0,
        "torch Dropout2d": torch_out != 0,
        "dl.dropout_forward, noise_shape=(B, 1, 1, C)": numpy_out != 0,
    }


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

    @property
    def draws(self) -> int:
        """How many independent coins were flipped."""
        return int(self.mask.size)

    @property
    def zero_fraction(self) -> float:
        """Share of the entries of x that were dropped."""
        return float(1.0 - self.keep.mean())


def noise_shape_demo(choice: str, rate: float, seed: int, shape: tuple[int, int, int] = (3, 10, 6)) -> NoiseShapeDemo:
    """Draw a mask with one of NOISE_SHAPES on ones(shape) via dl.dropout_forward (lesson 04)."""
    if choice not in NOISE_SHAPES:
        raise ValueError(f"choice must be one of {list(NOISE_SHAPES)}, got {choice!r}")
    noise_shape = NOISE_SHAPES[choice]
    _, mask = dropout_forward(np.ones(shape), rate, seed, noise_shape=noise_shape)
    return NoiseShapeDemo(noise_shape, mask, np.broadcast_to(mask, shape))


# --- 4. Seeds ------------------------------------------------------------------------------

def keras_seed_masks(shape: tuple[int, ...], rate: float, seed: int, draws: int = 2) -> list[np.ndarray]:
    """Masks of `draws` successive keras.random.dropout calls sharing one SeedGenerator(seed) (lesson 04)."""
    keras = load("keras")
    generator = keras.random.SeedGenerator(seed)
    x = np.ones(shape, np.float32)
    return [keras.ops.convert_to_numpy(keras.random.dropout(x, rate, seed=generator)) != 0 for _ in range(draws)]


def torch_seed_masks(shape: tuple[int, ...], rate: float, seed: int, draws: int = 2) -> list[np.ndarray]:
    """Keep-masks (uniform >= rate) of `draws` successive draws from one torch.Generator(seed) (lesson 04)."""
    torch = load("torch")
    generator = torch.Generator().manual_seed(seed)
    return [(torch.rand(shape, generator=generator) >= check_rate(rate)).numpy() for _ in range(draws)]


# --- 5. The training flag ------------------------------------------------------------------

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


# --- 6. Keras on the torch backend ---------------------------------------------------------

_TORCH_BACKEND_SCRIPT = """
import json, numpy as np, dropout_lab as dl
y = dl.run_dropout("keras", np.ones(({rows}, {cols}), np.float32), {rate}, seed={seed})
print(json.dumps({{"backend": dl.frameworks.keras_backend(), "zero_fraction": dl.zero_fraction(y),
                  "mean": float(y.mean()), "std": float(y.std()), "size": int(y.size)}}))
"""


def keras_other_backend(backend: str = "torch", rate: float = 0.5, shape: tuple[int, int] = (1000, 100),
                        seed: int = 0, timeout: float = 120) -> dict:
    """Run dl.run_dropout('keras', ...) in a fresh Python with KERAS_BACKEND=backend; return its statistics (lesson 04)."""
    code = _TORCH_BACKEND_SCRIPT.format(rows=shape[0], cols=shape[1], rate=check_rate(rate), seed=seed)
    env = {**os.environ, "KERAS_BACKEND": backend}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"Keras on the {backend} backend failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- 7. What PyTorch's CPU dropout spends its time on -----------------------------------

def torch_dropout_coins(shape: tuple[int, ...], rate: float, seed: int) -> dict[str, bool]:
    """Does F.dropout's CPU mask equal bernoulli_(1 - rate) / rand >= rate from the same generator state? (lesson 04)"""
    torch = load("torch")
    rate = check_rate(rate)
    x = torch.ones(shape)

    def from_seed(draw):
        # F.dropout takes no generator: seed a forked copy of the global one (restored afterwards).
        with seeded_torch(seed):
            return draw()

    kept = from_seed(lambda: torch.nn.functional.dropout(x, rate, training=True)) != 0
    return {"bernoulli_(1 - rate)": torch.equal(kept, from_seed(lambda: torch.empty_like(x).bernoulli_(1 - rate)) != 0),
            "rand >= rate": torch.equal(kept, from_seed(lambda: torch.rand_like(x)) >= rate)}


def torch_dropout_cost(size: int = 10**6, rate: float = 0.5, repeats: int = 15) -> dict[str, float]:
    """Median ms of F.dropout on 10 and on `size` values, and of bernoulli_ alone on `size` (lesson 04)."""
    from ...speed import interleaved_medians  # the course's one timing loop

    torch = load("torch")
    rate = check_rate(rate)
    x = torch.ones(size)
    runners = {
        "F.dropout, 10 values": lambda: torch.nn.functional.dropout(x[:10], rate),
        f"F.dropout, {size:.0e} values": lambda: torch.nn.functional.dropout(x, rate),
        f"bernoulli_ alone, {size:.0e} values": lambda: torch.empty_like(x).bernoulli_(1 - rate),
    }
    # Interleaved, so a busy machine slows all three alike; the forked generator leaves the global one as it was.
    with seeded_torch(0):
        return {name: 1e3 * seconds for name, seconds in interleaved_medians(runners, repeats).items()}
