"""Your own dropout as a Keras 3 layer, inside the seed question's sentiment-model architecture (lesson 05).

Importing this module imports Keras (through `frameworks.load`, which keeps TensorFlow's
log lines quiet and says how to install Keras if it is missing).

* `CustomDropout` drops only when Keras passes `training=True` (inside `fit`, or a call
  with training=True); `predict`, `evaluate` and plain calls get the input back unchanged.
* `CoinFlipDropout`, `DivideByRateDropout` and `keras2_lambda_dropout` reproduce the
  mistakes of an old answer on purpose; `audit_layer` runs the checks they fail.
* `build_model`, `train` and `train_with_and_without` are the lesson's small training loop: the
  question's architecture, trained on whatever multi-hot data `data.load_sentiment_or_offline` found.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..._validate import check_rate
from ...data import DataSplit
from ...frameworks import load
from ...stats import binomial_band, normal_band

keras = load("keras")
ops = keras.ops


@keras.saving.register_keras_serializable(package="dropout_lab")
class CustomDropout(keras.layers.Layer):
    """Inverted dropout written by hand: drops units only when `training` is true (lesson 05)."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rate = check_rate(rate)
        self.seed = seed
        # A SeedGenerator is Keras 3's stateful seed: each draw advances its state, so
        # every training step gets a fresh mask, reproducibly from `seed`.
        self.seed_generator = keras.random.SeedGenerator(seed)

    def call(self, inputs, training=None):
        # Keras passes training=True inside fit() and training=False in predict()/evaluate();
        # a plain call leaves it None, which means inference.
        if not training or self.rate == 0.0:
            return inputs
        if self.rate == 1.0:
            return ops.zeros_like(inputs)
        return inputs * self.keep_mask(inputs) / (1.0 - self.rate)

    def keep_mask(self, inputs):
        """1 where a unit survives (uniform draw >= rate, the rule Keras' own Dropout uses), else 0."""
        uniform = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator, dtype=self.compute_dtype)
        return ops.cast(uniform >= self.rate, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


class CoinFlipDropout(CustomDropout):
    """MISTAKE (old answer): a fair coin per unit and ÷0.5, so `rate` is silently ignored (lesson 05)."""

    def call(self, inputs, training=None):
        if not training:
            return inputs
        # Heads with probability 1/2, whatever self.rate says; survivors doubled (the ÷ 0.5).
        heads = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator) < 0.5
        return ops.where(heads, 2.0 * inputs, ops.zeros_like(inputs))


class DivideByRateDropout(CustomDropout):
    """MISTAKE (old comment): survivors divided by the drop rate instead of the keep probability (lesson 05)."""

    def call(self, inputs, training=None):
        if not training:
            return inputs
        return inputs * self.keep_mask(inputs) / self.rate


def keras2_lambda_dropout(rate: float = 0.5, seed: int | None = None) -> keras.layers.Lambda:
    """MISTAKE (old answer): a Lambda layer asking Keras 2's global `learning_phase()` (lesson 05).

    Keras 3 removed `keras.backend.learning_phase` / `set_learning_phase`: the first call
    raises AttributeError. The `training` argument of `call` replaces the global flag.
    """
    def reads_global_phase(x):
        # The Keras 2 pattern: ask a process-wide flag whether we are training.
        if not keras.backend.learning_phase():  # AttributeError in Keras 3, before any masking
            return x
        keep_mask = keras.random.uniform(ops.shape(x), seed=seed) >= rate
        return ops.where(keep_mask, x / (1.0 - rate), ops.zeros_like(x))
    return keras.layers.Lambda(reads_global_phase, name="keras2_lambda_dropout")


@dataclass(frozen=True)
class Finding:
    """One audited property: did the layer have it, and what was measured (lesson 05)."""

    passed: bool
    message: str


@dataclass(frozen=True)
class Audit:
    """Results of `audit_layer`: one Finding per property of a correct dropout layer."""

    name: str
    checks: dict[str, Finding]

    @property
    def passed(self) -> bool:
        """True when every check passed."""
        return all(result.passed for result in self.checks.values())

    def lines(self) -> list[str]:
        """One printable line per check: ✓/✗, the check and what was measured."""
        return [f"  {'✓' if r.passed else '✗'} {name}: {r.message}" for name, r in self.checks.items()]


AUDIT_RATE = 0.2   # not 0.5: at 0.5, rate == keep hides both the coin flip and the ÷rate bug
AUDIT_UNITS = 100_000


def audit_layer(make_layer: Callable[[float, int], object], name: str, rate: float = AUDIT_RATE,
                n: int = AUDIT_UNITS, seed: int = 0) -> Audit:
    """Statistical checks a correct dropout layer passes and each old mistake fails (lesson 05).

    `make_layer(rate, seed)` builds the layer. On ones(n) in training mode: the zero fraction
    must fall in the binomial band of `rate`, the mean in the normal band around 1 (±4σ);
    two training calls must differ; inference must return the input unchanged.
    """
    rate = check_rate(rate)
    ones = ops.ones((1, n))
    try:
        layer = make_layer(rate, seed)
        first = ops.convert_to_numpy(layer(ones, training=True))
    except AttributeError as error:  # Keras 2 API used under Keras 3
        return Audit(name, {"runs under Keras 3": Finding(False, f"AttributeError: {_root_message(error)}")})
    second = ops.convert_to_numpy(layer(ones, training=True))
    inference = ops.convert_to_numpy(layer(ones, training=False))
    zeros = float(np.mean(first == 0))
    low, high = binomial_band(rate, n, z=4)
    keep = 1.0 - rate
    mean_low, mean_high = normal_band(1.0, math.sqrt(rate / keep), n, z=4)  # Var[out] = rate/keep for x = 1
    mean = float(first.mean())
    return Audit(name, {
        "zero fraction ≈ rate": Finding(low <= zeros <= high,
                                            f"{zeros:.4f} (band [{low:.4f}, {high:.4f}] for rate {rate:g})"),
        "mean preserved": Finding(mean_low <= mean <= mean_high,
                                      f"{mean:.4f} (band [{mean_low:.4f}, {mean_high:.4f}] around 1)"),
        "new mask each call": Finding(bool(np.any(first != second)), "two training calls differ"
                                          if np.any(first != second) else "two training calls are identical"),
        "identity at inference": Finding(bool(np.array_equal(inference, np.ones((1, n)))),
                                             "training=False returns the input"
                                             if np.array_equal(inference, np.ones((1, n))) else "inference changes x"),
    })


def _root_message(error: Exception) -> str:
    """The line of a (Keras-wrapped) error that says what went wrong, without terminal colour codes."""
    lines = [line.strip() for line in re.sub(r"\x1b\[[0-9;]*m", "", str(error)).splitlines() if line.strip()]
    return next((line for line in lines if "attribute" in line), lines[0] if lines else type(error).__name__)


def build_model(input_dim: int, rate: float | None = 0.5, *, seed: int = 0, l2: float = 1e-3,
                units: int = 16, dropout_layer: type = CustomDropout) -> keras.Model:
    """The seed question's sentiment-model architecture for `input_dim` multi-hot columns (lesson 05).

    Two ReLU hidden layers of `units` with an L2 penalty on their kernels, then the dropout
    layer, then one sigmoid unit. rate=None leaves the dropout layer out (same network
    otherwise). Initial weights depend only on `seed`.
    """
    def dense(width: int, activation: str, name: str, seed_offset: int, penalty=None):
        init = keras.initializers.GlorotUniform(seed=seed + seed_offset)
        return keras.layers.Dense(width, activation=activation, kernel_initializer=init,
                                  kernel_regularizer=penalty, name=name)

    stack = [keras.Input((input_dim,))]
    stack += [dense(units, "relu", f"hidden_{i}", i - 1, keras.regularizers.L2(l2)) for i in (1, 2)]
    if rate is not None:
        stack.append(dropout_layer(rate, seed=seed + 2, name="my_dropout"))
    stack.append(dense(1, "sigmoid", "output", 3))
    model = keras.Sequential(stack, name="no_dropout" if rate is None else "with_dropout")
    model.compile(optimizer=keras.optimizers.RMSprop(learning_rate=1e-3),
                  loss=keras.losses.BinaryCrossentropy(),
                  metrics=[keras.metrics.BinaryAccuracy(name="accuracy")])
    return model


def without_dropout(model: keras.Model) -> keras.Model:
    """A copy of `model` with the dropout layer removed and the same weights (lesson 05)."""
    plain = build_model(model.input_shape[-1], None, units=model.get_layer("hidden_1").units)
    plain.set_weights(model.get_weights())
    return plain


@dataclass(frozen=True)
class Curves:
    """Per-epoch training and validation loss / accuracy of one `fit` run (lesson 05)."""

    label: str
    loss: np.ndarray
    val_loss: np.ndarray
    accuracy: np.ndarray
    val_accuracy: np.ndarray

    @property
    def epochs(self) -> np.ndarray:
        """1, 2, ..., number of epochs."""
        return np.arange(1, len(self.loss) + 1)


class EpochHook(keras.callbacks.Callback):
    """A Keras callback that calls `on_epoch()` after every epoch, e.g. a progress bar's step (lesson 05)."""

    def __init__(self, on_epoch: Callable[[], None]) -> None:
        super().__init__()
        self.on_epoch = on_epoch

    def on_epoch_end(self, epoch, logs=None):
        self.on_epoch()


def shuffled(data: DataSplit, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Training rows in one seeded random order (fit then runs with shuffle=False: no global RNG)."""
    order = np.random.default_rng(seed).permutation(len(data.x_train))
    return data.x_train[order], data.y_train[order]


def train(model: keras.Model, data: DataSplit, epochs: int = 30, batch_size: int = 32, seed: int = 0,
          callbacks: tuple = ()) -> Curves:
    """fit() silently (verbose=0) and return the per-epoch curves, validated on the test split (lesson 05)."""
    x, y = shuffled(data, seed)
    history = model.fit(x, y, epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0,
                        validation_data=(data.x_test, data.y_test), callbacks=list(callbacks))
    h = {k: np.asarray(v) for k, v in history.history.items()}
    return Curves(model.name, h["loss"], h["val_loss"], h["accuracy"], h["val_accuracy"])


def train_with_and_without(data: DataSplit, rate: float = 0.5, epochs: int = 30, seed: int = 0,
                           on_epoch: Callable[[], None] | None = None
                           ) -> tuple[dict[str, Curves], dict[str, keras.Model]]:
    """Train the same initial network twice, with and without the custom dropout (lesson 05).

    `on_epoch` is called after each of the 2 * epochs epochs (e.g. a progress bar's step).
    """
    callbacks = (EpochHook(on_epoch),) if on_epoch else ()
    models = {"with dropout": build_model(data.n_features, rate, seed=seed),
              "no dropout": build_model(data.n_features, None, seed=seed)}
    curves = {name: train(model, data, epochs, seed=seed, callbacks=callbacks) for name, model in models.items()}
    return curves, models


LAYER_VARIANTS = {
    "CustomDropout (correct)": CustomDropout,
    "coin flip (rate ignored)": CoinFlipDropout,
    "÷ rate instead of ÷ keep": DivideByRateDropout,
}


@dataclass(frozen=True)
class OutputStats:
    """What one training-mode call of a dropout layer does to ones(n) (lesson 05)."""

    rate: float
    n: int
    values: np.ndarray     # distinct output values
    fractions: np.ndarray  # share of units with each value
    zero_fraction: float
    mean: float


_KEPT_LAYERS: dict[tuple[type, int], tuple[keras.layers.Layer, np.ndarray]] = {}


def fresh_layer(layer_cls: type, rate: float, seed: int) -> keras.layers.Layer:
    """A layer that behaves exactly like a new `layer_cls(rate, seed=seed)` (lesson 05).

    Building a Keras layer and making its first call costs ~6 ms, so one instance per
    (class, seed) is kept: each request sets its rate and puts its SeedGenerator back to
    the starting state, so it draws the same masks a new layer would.
    """
    rate = check_rate(rate)
    key = (layer_cls, seed)
    if key not in _KEPT_LAYERS:
        layer = layer_cls(rate, seed=seed)
        _KEPT_LAYERS[key] = (layer, ops.convert_to_numpy(layer.seed_generator.state))
    layer, start = _KEPT_LAYERS[key]
    layer.rate = rate
    layer.seed_generator.state.assign(start)
    return layer


def output_stats(layer_cls: type, rate: float, n: int = 1_000_000, seed: int = 0) -> OutputStats:
    """Run a freshly seeded `layer_cls(rate)` on ones(n) in training mode and summarise (lesson 05)."""
    rate = check_rate(rate)
    out = ops.convert_to_numpy(fresh_layer(layer_cls, rate, seed)(ops.ones((1, n)), training=True)).ravel()
    zeros = n - int(np.count_nonzero(out))
    top = out.max(initial=0.0)
    if zeros + int(np.count_nonzero(out == top)) == n:
        # The usual case: every survivor has the same value. Two passes, no sort (the slider stays fast).
        values, counts = np.array([0.0, top]), np.array([zeros, n - zeros])
    else:
        values, counts = np.unique(out, return_counts=True)
    return OutputStats(rate, n, values, counts / n, zeros / n, float(out.mean(dtype=np.float64)))
