"""Your own dropout as a Keras 3 layer, and the old answers' mistakes caught by checks (lesson 05).

Importing this module imports Keras (through `frameworks.load`, which keeps TensorFlow's
log lines quiet and says how to install Keras if it is missing). The compiled-step checks use
TensorFlow's `tf.function`, the backend the lesson runs on.

* `CustomDropout`: inverted dropout that drops only when Keras passes `training=True`.
  `VanillaDropout`: the book's scheme done right (no scaling in training, x keep at inference).
* The mistakes, rebuilt on purpose: `CoinFlipDropout`, `DivideByRateDropout`,
  `TimesRateAtTestDropout`, `UnscaledDropout`, `NumpyDropout`, `NoneMeansTrainingDropout`,
  `BuildTimePhaseDropout`, `BatchMaskDropout`, `InputBlindDropout`; `audit_layer` runs the checks each one fails.
* `lambda_dropout`: the minimal edit of the old answer (Keras 3's Lambda forwards `training`).
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..._validate import check_rate
from ...frameworks import load
from ...stats import Z_CHECK, binomial_band, normal_band

keras = load("keras")
ops = keras.ops


# ------------------------------------------------------------------ the layers

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
        self.supports_masking = True  # pass an Embedding(mask_zero=True) mask through, as keras.layers.Dropout does

    def call(self, inputs, training=None):
        # Keras passes training=True inside fit() and training=False in predict()/evaluate();
        # a plain call leaves it None, which means inference.
        if not training or self.rate == 0.0:
            return inputs
        if self.rate == 1.0:
            return ops.zeros_like(inputs)
        return inputs * self.keep_mask(inputs) / (1.0 - self.rate)

    def keep_mask(self, inputs):
        """1 where a unit survives (uniform draw >= rate, the rule of Keras' Dropout on TensorFlow), else 0."""
        uniform = keras.random.uniform(ops.shape(inputs), seed=self.seed_generator, dtype=self.compute_dtype)
        return ops.cast(uniform >= self.rate, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self) -> dict:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


@keras.saving.register_keras_serializable(package="dropout_lab")
class VanillaDropout(CustomDropout):
    """The book's scheme, correct: survivors unscaled in training, every unit x keep at inference (lesson 05)."""

    def call(self, inputs, training=None):
        if not training:
            return inputs * (1.0 - self.rate)   # the expected training output, with no randomness
        return inputs * self.keep_mask(inputs)


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


class TimesRateAtTestDropout(CustomDropout):
    """MISTAKE (old comment, second half): vanilla training, but the output × rate at test, not × keep (lesson 05)."""

    def call(self, inputs, training=None):
        if not training:
            return inputs * self.rate
        return inputs * self.keep_mask(inputs)


class UnscaledDropout(CustomDropout):
    """MISTAKE: the book's unscaled line in training and the layer simply removed at test (lesson 05)."""

    def call(self, inputs, training=None):
        if not training:
            return inputs
        return inputs * self.keep_mask(inputs)


class NumpyDropout(CustomDropout):
    """MISTAKE: the book's NumPy draw inside `call` (scaled correctly): fine eagerly, broken in fit (lesson 05)."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs) -> None:
        super().__init__(rate, seed, **kwargs)
        self.rng = np.random.default_rng(seed)

    def call(self, inputs, training=None):
        if not training:
            return inputs
        # NumPy runs when Keras traces `call`: inputs.shape holds None for the batch, and
        # under tf.function the drawn array becomes one constant of the graph.
        mask = self.rng.random(inputs.shape) >= self.rate
        return inputs * mask.astype("float32") / (1.0 - self.rate)


class NoneMeansTrainingDropout(CustomDropout):
    """MISTAKE: `if training is False` — a plain call (training=None) drops units too (lesson 05)."""

    def call(self, inputs, training=None):
        if training is False:
            return inputs
        return inputs * self.keep_mask(inputs) / (1.0 - self.rate)


class BuildTimePhaseDropout(CustomDropout):
    """MISTAKE (Keras 2 answer, translated): drop or not is decided once, when the model is built (lesson 05).

    The old answer's `if training is 1 or training is True:` was a Python test run once while
    Keras 2 built the graph. It was true only after K.set_learning_phase(1), and then the
    model dropped units forever (predict too). Without it the test was false, and the model
    never dropped units. `phase` plays the global flag's value at build time.
    """

    def __init__(self, rate: float, seed: int | None = None, phase: int = 1, **kwargs) -> None:
        super().__init__(rate, seed, **kwargs)
        self.drops = phase == 1   # decided here, once, like the Python `if` at graph-build time

    def call(self, inputs, training=None):
        if not self.drops:
            return inputs
        return inputs * self.keep_mask(inputs) / (1.0 - self.rate)


class BatchMaskDropout(CustomDropout):
    """MISTAKE: one mask of shape (features,) for the whole batch: every example loses the same units (lesson 05)."""

    def keep_mask(self, inputs):
        # ops.shape(inputs)[1:] drops the batch axis; noise_shape=(1, features) would do the same.
        uniform = keras.random.uniform(ops.shape(inputs)[1:], seed=self.seed_generator, dtype=self.compute_dtype)
        return ops.cast(uniform >= self.rate, self.compute_dtype)


class InputBlindDropout(CustomDropout):
    """MISTAKE: returns mask / keep and ignores the input: on ones it looks exactly like dropout (lesson 05)."""

    def call(self, inputs, training=None):
        if not training:
            return inputs
        return self.keep_mask(inputs) / (1.0 - self.rate)   # the right shape and mean for x = 1, but no x in it


def lambda_dropout(rate: float, seed: int | None = None) -> keras.layers.Layer:
    """The old answer's Lambda, minimally fixed for Keras 3: `fn` takes `training`, so Lambda passes it (lesson 05).

    keras/src/layers/core/lambda_layer.py (3.15): `_fn_expects_training_arg` (line 81) and
    `kwargs["training"] = training` (line 118). It works, but the SeedGenerator lives in a
    closure the layer does not track, and a saved model does not load back: Keras stores a
    named function by name only (load_model cannot find it unless it is registered) and a
    `lambda` as bytecode, which load_model refuses in safe mode. A Layer subclass is the better home.
    """
    rate = check_rate(rate)
    generator = keras.random.SeedGenerator(seed)

    def dropout(x, training=None):
        if not training:
            return x
        keep = keras.random.uniform(ops.shape(x), seed=generator) >= rate
        return ops.where(keep, x / (1.0 - rate), ops.zeros_like(x))

    return keras.layers.Lambda(dropout, name="lambda_dropout")


class EpochHook(keras.callbacks.Callback):
    """A Keras callback that calls `on_epoch()` after every epoch, e.g. a progress bar's step (lesson 05)."""

    def __init__(self, on_epoch: Callable[[], None]) -> None:
        super().__init__()
        self.on_epoch = on_epoch

    def on_epoch_end(self, epoch, logs=None):
        self.on_epoch()


def _quiet_retracing():
    """A context in which TensorFlow does not log its "triggered tf.function retracing" warning.

    The audit traces a fresh tf.function per layer on purpose (tracing is what it tests), and
    TensorFlow warns about frequent retracing of the same Python code.
    """
    import contextlib

    import tensorflow as tf

    @contextlib.contextmanager
    def quiet():
        logger, level = tf.get_logger(), tf.get_logger().level
        logger.setLevel("ERROR")
        try:
            yield
        finally:
            logger.setLevel(level)
    return quiet()


# ------------------------------------------------------------------ the audit

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

    def failed(self) -> list[str]:
        """The names of the checks that failed."""
        return [name for name, result in self.checks.items() if not result.passed]

    def lines(self) -> list[str]:
        """One printable line per check: ✓/✗, the check and what was measured."""
        return [f"  {'✓' if r.passed else '✗'} {name}: {r.message}" for name, r in self.checks.items()]


AUDIT_RATE = 0.2      # not 0.5: at 0.5, rate == keep hides the coin flip, ÷ rate and × rate at test
AUDIT_UNITS = 100_000
AUDIT_ROWS = 100      # the eager input is a batch of 100 examples × 1,000 units: masks shared across either show
AUDIT_INPUT_SEED = 2014   # the input's values (not the layer's masks): uniform in [0.5, 1.5], so x × mask is traceable
GRAPH_UNITS = 1_000   # the compiled-step checks need no statistics, only "did it run, did it change"
CHECK_NAMES = ("zero fraction ≈ rate", "training mean = inference output", "new mask each call",
               "plain call = inference, no randomness", "output = input × mask × scale",
               "a coin per unit and per example", "runs with batch None (as fit traces it)",
               "new mask each compiled step")


def audit_input(n: int = AUDIT_UNITS) -> np.ndarray:
    """The eager checks' input: AUDIT_ROWS examples × n / AUDIT_ROWS units, values uniform in [0.5, 1.5] (float32)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2 * AUDIT_ROWS or n % AUDIT_ROWS:
        raise ValueError(f"n must be a multiple of {AUDIT_ROWS} and at least {2 * AUDIT_ROWS}, got {n!r}")
    rng = np.random.default_rng(AUDIT_INPUT_SEED)
    return rng.uniform(0.5, 1.5, (AUDIT_ROWS, int(n) // AUDIT_ROWS)).astype(np.float32)


def audit_layer(make_layer: Callable[[float, int], object], name: str, rate: float = AUDIT_RATE,
                n: int = AUDIT_UNITS, seed: int = 0) -> Audit:
    """Eight checks a correct dropout layer passes, and each old mistake fails with its reason (lesson 05).

    `make_layer(rate, seed)` builds the layer. Eagerly on a batch x of 100 examples × n/100 units
    (values in [0.5, 1.5], see `audit_input`): the zero fraction lies in the binomial band of
    `rate`; the training mean of out/x equals the inference output's (1 for inverted dropout,
    keep for vanilla) within its normal band; two training calls differ; a plain call equals the
    inference call and repeats; every output is x times a mask times one scale (so a layer that
    ignores x fails); and the mask is a coin per unit and per example (neighbouring rows, and
    neighbouring units, agree as often as independent coins do, so a mask shared by the batch
    fails). Then inside compiled steps, as fit runs it: traced with a None batch dimension, and
    two calls of one compiled step draw different masks. Bands are ±Z_CHECK σ.
    """
    rate = check_rate(rate)
    x = audit_input(n)
    try:
        layer = make_layer(rate, seed)
        outputs = _eager_outputs(layer, x)
    except Exception as error:  # a learner's layer may fail in any way; report it as a finding
        return Audit(name, {"runs eagerly": Finding(False, _describe(error))})
    checks = _statistical_checks(outputs, x, rate)
    with _quiet_retracing():
        checks[CHECK_NAMES[6]] = _traces_with_none_batch(make_layer(rate, seed))
        checks[CHECK_NAMES[7]] = _fresh_mask_per_compiled_step(make_layer(rate, seed))
    return Audit(name, checks)


def _eager_outputs(layer, x: np.ndarray) -> dict[str, np.ndarray]:
    batch = ops.convert_to_tensor(x)
    run = lambda **kw: ops.convert_to_numpy(layer(batch, **kw)).astype(np.float64).reshape(x.shape)
    return {"train 1": run(training=True), "train 2": run(training=True), "inference": run(training=False),
            "inference 2": run(training=False), "plain 1": run(), "plain 2": run()}


def _statistical_checks(out: dict[str, np.ndarray], x: np.ndarray, rate: float) -> dict[str, Finding]:
    n = x.size
    first = out["train 1"]
    dropped = first == 0
    zeros = float(np.mean(dropped))
    low, high = binomial_band(rate, n, z=Z_CHECK)
    keep = 1.0 - rate
    zero_note = ""
    if rate != keep and not low <= zeros <= high and abs(zeros - keep) <= high - rate:
        zero_note = ": about 1 − rate, so the layer treats rate as the keep probability (rate is the drop probability)"
    ratio, infer_ratio = first / x, out["inference"] / x
    infer = float(infer_ratio.mean())
    # If training draws survivors at infer/keep, the mean of out/x over n units has std infer·sqrt(rate/keep)/sqrt(n).
    mean_low, mean_high = normal_band(infer, abs(infer) * math.sqrt(rate / keep), n, z=Z_CHECK) if keep > 0 \
        else (infer, infer)
    mean = float(ratio.mean())
    mean_note = _mean_hint(mean, infer, rate, (mean_high - mean_low) / 2) if not mean_low <= mean <= mean_high else ""
    differ = bool(np.any(first != out["train 2"]))
    return {
        CHECK_NAMES[0]: Finding(low <= zeros <= high,
                                f"{zeros:.4f} (band [{low:.4f}, {high:.4f}] for rate {rate:g}){zero_note}"),
        CHECK_NAMES[1]: Finding(mean_low <= mean <= mean_high,
                                f"training mean {mean:.4f} x, inference output {infer:.4f} x "
                                f"(band [{mean_low:.4f}, {mean_high:.4f}]){mean_note}"),
        CHECK_NAMES[2]: Finding(differ, "two training calls differ" if differ else
                                "two training calls draw the same mask: a fixed seed (an int, or a SeedGenerator "
                                "made inside call) repeats it; draw with seed=self.seed_generator"),
        CHECK_NAMES[3]: _plain_call_is_inference(out),
        CHECK_NAMES[4]: _follows_the_input(ratio[~dropped], infer_ratio[out["inference"] != 0]),
        CHECK_NAMES[5]: _independent_coins(dropped),
    }


def _mean_hint(mean: float, infer: float, rate: float, half: float) -> str:
    """Which scaling mistake a training mean / inference output mismatch matches, if one does."""
    keep = 1.0 - rate
    hints = ((keep, "training averages keep × the inference output: scale once, either survivors ÷ keep in "
                    "training (inverted) or × keep at inference (vanilla)"),
             (1.0 / keep, "inference scales by keep although training already divides by keep: inverted dropout "
                          "returns x unchanged at inference"),
             (keep / rate, "rate is used where keep belongs (÷ rate in training, or × rate at inference)"))
    return next((f": {text}" for factor, text in hints if rate > 0 and abs(mean - factor * infer) <= half), "")


def _plain_call_is_inference(out: dict[str, np.ndarray]) -> Finding:
    """training=False is deterministic and keeps every unit; a plain call (training=None) equals it."""
    infer = out["inference"]
    if np.any(infer == 0) or not np.array_equal(infer, out["inference 2"]):
        return Finding(False, "layer(x, training=False) drops units: at inference it must return x (or x × keep "
                              "for vanilla dropout), the same every call")
    if not (np.array_equal(out["plain 1"], infer) and np.array_equal(out["plain 1"], out["plain 2"])):
        return Finding(False, "a plain call layer(x) is random or differs from training=False: training=None "
                              "means inference (test `if not training`)")
    return Finding(True, "layer(x) == layer(x, training=False)")


def _follows_the_input(survivors: np.ndarray, infer_ratio: np.ndarray) -> Finding:
    """Every surviving unit is x times one scale, in training and at inference (zeros at inference fail check 4).

    out / x is compared to its median to float32 precision (rtol 1e-5): a layer that returns a
    tensor of its own (a mask, a constant, noise with the right mean) gives values spread
    like 1 / x, over a factor 3 for x in [0.5, 1.5].
    """
    spread = lambda r: (float(r.min()), float(r.max()))
    same = lambda r: r.size == 0 or np.allclose(r, np.median(r), rtol=1e-5, atol=0)
    if not same(survivors):
        low, high = spread(survivors)
        return Finding(False, f"in training the surviving outputs are not x × one scale (out / x runs from "
                              f"{low:.3f} to {high:.3f}): the layer must return inputs × mask × scale, not a "
                              f"tensor that ignores its input")
    if not same(infer_ratio):
        low, high = spread(infer_ratio)
        return Finding(False, f"at inference the output is not x × one scale (out / x runs from {low:.3f} to "
                              f"{high:.3f}): return inputs (inverted) or inputs × keep (vanilla)")
    scale = float(np.median(survivors)) if survivors.size else float("nan")
    return Finding(True, f"training: 0 or {scale:.4f} x; inference: {float(np.median(infer_ratio)):.4f} x")


def _agreement(a: np.ndarray, b: np.ndarray, fraction: float) -> tuple[float, float, float]:
    """How often two disjoint sets of coins agree, and the band for independent coins with this zero fraction."""
    agree = float(np.mean(a == b))
    q = fraction ** 2 + (1.0 - fraction) ** 2
    low, high = normal_band(q, math.sqrt(q * (1.0 - q)), a.size, z=Z_CHECK)
    return agree, low, high


def _independent_coins(dropped: np.ndarray) -> Finding:
    """Rows 0&1, 2&3, ... (and units 0&1, 2&3, ...) agree as often as independent coins at the observed zero fraction.

    Independent coins with zero fraction f agree with probability f² + (1 − f)²; disjoint pairs
    make the agreements independent, so their mean has a plain normal band. One mask for the
    whole batch makes every row agree (1.0); one coin per example (noise_shape (batch, 1))
    makes every unit of a row agree.
    """
    fraction = float(dropped.mean())
    rows = _agreement(dropped[0::2], dropped[1::2], fraction)
    units = _agreement(dropped[:, 0::2], dropped[:, 1::2], fraction)
    if 0 < fraction < 1 and np.all(dropped == dropped[0]):
        return Finding(False, f"every example in the batch gets the same mask (neighbouring rows agree on "
                              f"{rows[0]:.4f} of the units, independent coins on [{rows[1]:.4f}, {rows[2]:.4f}]): "
                              "a mask of shape (features,) or noise_shape (1, features) is shared by the batch. "
                              "Draw it with ops.shape(inputs)")
    if 0 < fraction < 1 and np.all(dropped == dropped[:, :1]):
        return Finding(False, f"each example keeps or drops all its units together (neighbouring units agree in "
                              f"{units[0]:.4f} of the rows, independent coins in [{units[1]:.4f}, {units[2]:.4f}]), "
                              "as noise_shape (batch, 1) does. Draw one coin per unit with ops.shape(inputs)")
    for (agree, low, high), what in ((rows, "rows agree on {:.4f} of the units"),
                                     (units, "units agree in {:.4f} of the rows")):
        if not low <= agree <= high:
            return Finding(False, f"the coins are not independent: neighbouring {what.format(agree)}, independent "
                                  f"coins in [{low:.4f}, {high:.4f}]. Draw one coin per unit and example with "
                                  "ops.shape(inputs)")
    return Finding(True, f"neighbouring rows agree on {rows[0]:.4f} of the units, neighbouring units in "
                         f"{units[0]:.4f} of the rows (band [{rows[1]:.4f}, {rows[2]:.4f}])")


def _traces_with_none_batch(layer) -> Finding:
    """Trace the layer as fit traces a train step: the batch dimension unknown (None)."""
    import tensorflow as tf
    step = tf.function(lambda x: layer(x, training=True), autograph=False,
                       input_signature=[tf.TensorSpec((None, GRAPH_UNITS), tf.float32)])
    try:
        out = step(tf.ones((4, GRAPH_UNITS)))
    except Exception as error:
        return Finding(False, f"{_describe(error)} — under tracing inputs.shape is (None, {GRAPH_UNITS})")
    return Finding(True, f"traced once, ran on a batch of {out.shape[0]}")


def _fresh_mask_per_compiled_step(layer) -> Finding:
    """Two calls of one compiled step (fixed shape): a mask drawn at trace time would repeat."""
    import tensorflow as tf
    step = tf.function(lambda x: layer(x, training=True), autograph=False)
    x = tf.ones((2, GRAPH_UNITS))
    try:
        first, second = step(x).numpy(), step(x).numpy()
    except Exception as error:
        return Finding(False, _describe(error))
    if not (np.any(first == 0) or np.any(second == 0)):
        return Finding(False, "the compiled training step dropped no unit")
    if np.array_equal(first, second):
        return Finding(False, "two calls of one compiled step return the same mask: it was drawn once, "
                              "at trace time, and frozen into the graph")
    return Finding(True, "two calls of one compiled step differ")


def _describe(error: Exception) -> str:
    """'TypeError: <the line that says what went wrong>', without tracebacks or terminal colour codes."""
    raw = str(error)
    bold = re.search(r"\x1b\[1m(.*?)\x1b\[0m", raw, re.S)  # Keras prints the cause in bold
    lines = [line.strip() for line in re.sub(r"\x1b\[[0-9;]*m", "", raw).splitlines() if line.strip()]
    errors = [line.split(": ", 1)[1] for line in lines if re.match(r"^[A-Za-z]+(Error|Exception): ", line)]
    nested = raw.rsplit("Exception encountered: ", 1)[1].splitlines()[0] if "Exception encountered: " in raw else None
    reason = (bold.group(1).strip() if bold else nested or (errors[-1] if errors else lines[0] if lines else ""))
    return f"{type(error).__name__}: {reason[:160]}"


SUSPECTS: dict[str, Callable[[float, int], object]] = {
    "CustomDropout (ours)": lambda rate, seed: CustomDropout(rate, seed=seed),
    "VanillaDropout (the book's scheme, done right)": lambda rate, seed: VanillaDropout(rate, seed=seed),
    "Lambda with training (minimal fix)": lambda rate, seed: lambda_dropout(rate, seed),
    "coin flip, ÷ 0.5 (old answer)": lambda rate, seed: CoinFlipDropout(rate, seed=seed),
    "÷ rate instead of ÷ keep (comment)": lambda rate, seed: DivideByRateDropout(rate, seed=seed),
    "× rate at test (comment)": lambda rate, seed: TimesRateAtTestDropout(rate, seed=seed),
    "unscaled, removed at test": lambda rate, seed: UnscaledDropout(rate, seed=seed),
    "NumPy draw in call (book's line)": lambda rate, seed: NumpyDropout(rate, seed=seed),
    "training=None treated as training": lambda rate, seed: NoneMeansTrainingDropout(rate, seed=seed),
    "phase fixed at build: 1 (Keras 2 answer)": lambda rate, seed: BuildTimePhaseDropout(rate, seed=seed, phase=1),
    "phase fixed at build: 0 (Keras 2 answer)": lambda rate, seed: BuildTimePhaseDropout(rate, seed=seed, phase=0),
    "one mask for the whole batch": lambda rate, seed: BatchMaskDropout(rate, seed=seed),
    "mask ÷ keep, input ignored": lambda rate, seed: InputBlindDropout(rate, seed=seed),
}


def audit_all(rate: float = AUDIT_RATE) -> dict[str, Audit]:
    """`audit_layer` for every suspect in SUSPECTS (lesson 05)."""
    return {name: audit_layer(make, name, rate=rate) for name, make in SUSPECTS.items()}


# ------------------------------------------------------------------ demonstrations

def trace_numpy_line(units: int = 8) -> dict[str, str | np.ndarray]:
    """What happens to the book's NumPy line inside a compiled step: None batch, then a frozen mask (lesson 05)."""
    import tensorflow as tf
    seen = {}

    rng = np.random.default_rng(0)

    def book_line(x):  # layer_output *= np.random.randint(0, high=2, size=layer_output.shape)
        seen.setdefault("shape at trace time", str(tuple(x.shape)))
        return x * rng.integers(0, 2, size=x.shape)

    with_none = tf.function(book_line, autograph=False, input_signature=[tf.TensorSpec((None, units), tf.float32)])
    try:
        with_none(tf.ones((2, units)))
    except Exception as error:
        seen["batch None"] = _describe(error)
    # With a known shape the line runs, but once: its mask is a constant of the graph.
    fixed = tf.function(book_line, autograph=False)
    x = tf.ones((2, units))
    seen["call 1"], seen["call 2"] = fixed(x).numpy(), fixed(x).numpy()
    seen["traces"] = fixed.experimental_get_tracing_count()
    return seen


def same_masks_as_keras(rate: float = 0.5, seed: int = 0, steps: int = 3, shape: tuple[int, int] = (32, 16)) -> list:
    """For each call of a compiled step: do CustomDropout and keras.layers.Dropout drop the same units? (lesson 05)

    Both draw from a SeedGenerator(seed) with TensorFlow's stateless uniform and keep where
    uniform >= rate (keras/src/backend/tensorflow/random.py dropout -> tf.nn.experimental.stateless_dropout).
    """
    import tensorflow as tf
    ours, theirs = CustomDropout(rate, seed=seed), keras.layers.Dropout(rate, seed=seed)
    step_ours = tf.function(lambda x: ours(x, training=True), autograph=False)
    step_theirs = tf.function(lambda x: theirs(x, training=True), autograph=False)
    x = tf.ones(shape)
    return [bool(np.array_equal(step_ours(x).numpy() == 0, step_theirs(x).numpy() == 0)) for _ in range(steps)]


def per_example_masks(rate: float = 0.5, shape: tuple[int, int] = (4, 16), seed: int = 0) -> np.ndarray:
    """One training call on ones(shape): one mask tensor, an independent row of coins per example (lesson 05)."""
    return ops.convert_to_numpy(CustomDropout(rate, seed=seed)(ops.ones(shape), training=True))


class MaskProbe(keras.layers.Layer):
    """Returns the Keras mask it receives (1 = real token, 0 = padding), or -1s when none arrives (lesson 05)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True

    def call(self, inputs, mask=None):
        if mask is None:
            return -ops.ones(ops.shape(inputs)[:2])
        return ops.cast(mask, "float32")


def mask_after_embedding(layer: keras.layers.Layer, training: bool = True) -> dict[str, object]:
    """Does a padding mask from Embedding(mask_zero=True) reach the next layer through `layer`? (lesson 05).

    Keras 3 carries a mask as an attribute of the tensor. A layer with supports_masking=True
    hands it on; one without it drops it (with a warning when the model is built). In
    inference our layers return the input tensor itself, mask attribute included, so the
    difference shows in training mode.
    """
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        tokens = keras.Input((4,), dtype="int32")
        model = keras.Model(tokens, MaskProbe()(layer(keras.layers.Embedding(10, 3, mask_zero=True)(tokens))))
        seen = ops.convert_to_numpy(model(np.array([[5, 7, 0, 0], [3, 0, 0, 0]]), training=training)).astype(int)
    return {"supports_masking": layer.supports_masking, "mask the next layer sees": seen,
            "warning": next((str(w.message).split(". ")[1] for w in caught if "mask" in str(w.message)), None)}


class NoMaskDropout(CustomDropout):
    """CustomDropout without `supports_masking` (the default of a Layer subclass) (lesson 05)."""

    def __init__(self, rate: float, seed: int | None = None, **kwargs) -> None:
        super().__init__(rate, seed, **kwargs)
        self.supports_masking = False


def save_round_trip(model: keras.Model, folder, x) -> dict[str, object]:
    """model.save -> keras.models.load_model: the layer comes back with its config and the same outputs (lesson 05)."""
    from pathlib import Path
    path = Path(folder) / "model.keras"
    model.save(path)
    loaded = keras.models.load_model(path)
    same = np.array_equal(ops.convert_to_numpy(model(x)), ops.convert_to_numpy(loaded(x)))
    layers = [type(layer).__name__ for layer in loaded.layers]
    configs = [(layer.rate, layer.seed) for layer in loaded.layers if isinstance(layer, CustomDropout)]
    return {"layers": layers, "dropout configs": configs, "same inference outputs": same}


def lambda_save_fails(folder) -> str:
    """Saving and loading a model with the Lambda fix: load_model refuses it in safe mode (lesson 05)."""
    from pathlib import Path
    model = keras.Sequential([keras.Input((4,)), lambda_dropout(0.5, seed=0), keras.layers.Dense(1)])
    path = Path(folder) / "lambda.keras"
    model.save(path)
    try:
        keras.models.load_model(path)
    except Exception as error:
        return _describe(error)
    return "loaded"


def tape_loop_counts(model: keras.Model, x, y, training: bool | None) -> int:
    """One custom GradientTape step calling model(x, training=...); masks drawn by it (lesson 05).

    Without training=True a hand-written loop calls the model in inference mode: no dropout, silently.
    """
    import tensorflow as tf
    layer = next(layer for layer in model.layers if hasattr(layer, "seed_generator"))
    before = int(ops.convert_to_numpy(layer.seed_generator.state)[1])
    loss_fn = keras.losses.BinaryCrossentropy()
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x) if training is None else model(x, training=training))
    grads = tape.gradient(loss, model.trainable_variables)
    model.optimizer.apply(grads, model.trainable_variables)
    return int(ops.convert_to_numpy(layer.seed_generator.state)[1]) - before
