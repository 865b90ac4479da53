"""Why the realised zero fraction is not exactly the rate: binomial noise and honest counting (lesson 03).

`stats.py` holds the core statistics (bands, seeded zero fractions); this module adds
what lesson 03 builds on top: the seed question's Dense → Dropout experiment (and why
its code fails on Keras 3), exact binomial bands, the spread test, fixed-k masks, and the
bias of counting zeros naively or as after − before when the input already has zeros.
"""
from __future__ import annotations

import importlib
import math
import re
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from ..._validate import as_generator, check_rate, check_seed
from ...core import RNGLike, dropout_forward
from ...frameworks import load, run_dropout, seeded_torch
from ...stats import Z_CHECK, Z_SHOWN, _check_count, binomial_band, check_z, zero_fraction, zero_fractions

IN_FEATURES = 100  # the seed question feeds tf.ones([1, 100]) into Dense(32)


# ---------------------------------------------------------------- the seed's experiment

@dataclass(frozen=True)
class ZeroCount:
    """Zeros of one Dense → Dropout forward pass, before and after dropout (lesson 03)."""

    framework: str
    units: int
    rate: float
    zeros_before: int
    zeros_after: int

    @property
    def fraction_before(self) -> float:
        """Share of the units that were zero before dropout."""
        return self.zeros_before / self.units

    @property
    def fraction_after(self) -> float:
        """Share of the units that are zero after dropout."""
        return self.zeros_after / self.units

    @property
    def change(self) -> float:
        """Rise in the zero fraction caused by dropout (what the seed question compared with rate)."""
        return self.fraction_after - self.fraction_before


def _glorot_dense(units: int, seed: int):
    """A Keras Dense(units) with seeded Glorot-uniform weights, built for a (1, 100) input."""
    keras = load("keras")
    layer = keras.layers.Dense(units, kernel_initializer=keras.initializers.GlorotUniform(seed=seed))
    # Built eagerly: a layer first built inside a tf.function trace that then fails is left broken.
    layer.build((1, IN_FEATURES))
    return layer


def dense_embedding(units: int, seed: int, framework: str = "numpy") -> np.ndarray:
    """Output of a Glorot-uniform Dense(units) layer on a ones(1, 100) input, as in seed 002 (lesson 03)."""
    x = np.ones((1, IN_FEATURES), dtype=np.float32)
    if framework == "keras":
        return load("keras").ops.convert_to_numpy(_glorot_dense(units, seed)(x))
    limit = math.sqrt(6.0 / (IN_FEATURES + units))  # Glorot uniform, as Keras' default
    weights = as_generator(seed).uniform(-limit, limit, size=(IN_FEATURES, units)).astype(np.float32)
    return x @ weights


def count_zeros(units: int, rate: float, seed: int, framework: str = "numpy") -> ZeroCount:
    """Run Dense(units) → dropout once in `framework` and count zeros before and after (lesson 03)."""
    embed = dense_embedding(units, seed, framework)
    after = run_dropout(framework, embed, rate, seed=seed)
    return ZeroCount(framework, units, check_rate(rate), int(np.sum(embed == 0)), int(np.sum(after == 0)))


@dataclass(frozen=True)
class FlagAttempt:
    """One way of handing Keras Dropout its training flag inside a tf.function (lesson 03)."""

    call: str                 # how dropout was called, as the learner would write it
    error: str | None         # the exception's class name; None when the call ran
    message: str              # the decisive sentence of the error message ('' when it ran)
    count: ZeroCount | None   # zeros before and after, counted inside the graph, when it ran


def _decisive_sentence(error: Exception) -> str:
    """The sentence of a Keras/TF error that says what went wrong, without colour codes or file paths."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", str(error))
    for marker in ("Using a symbolic", "got multiple values", "Only input tensors"):
        if marker in text:
            start = text.rfind("\n", 0, text.index(marker)) + 1
            line = re.sub(r"^\w+: ", "", text[start:].split("\n", 1)[0].strip())  # no "TypeError: " prefix
            return line.split(". ", 1)[0].rstrip(".") + "."
    return text.strip().split("\n", 1)[0]


def keras_flag_attempts(units: int = 32, rate: float = 0.2, seed: int = 0) -> list[FlagAttempt]:
    """The seed's Dense → Dropout forward pass under tf.function, with three ways to pass `training` (lesson 03).

    A positional flag collides with the `training` keyword that Keras' Layer.__call__ fills in
    (keras/src/layers/layer.py, `_resolve_and_populate_arg`); a tensor flag fails because
    Dropout.call branches on it in Python, `if training and self.rate > 0`
    (keras/src/layers/regularization/dropout.py); a Python bool works.
    """
    tf = _tensorflow()
    dense, drop = _glorot_dense(_check_count(units, "units"), check_seed(seed)), _dropout_layer(rate, seed)

    def zeros(x, dropped):
        return (tf.reduce_sum(tf.cast(tf.equal(x, 0.0), tf.int32)),
                tf.reduce_sum(tf.cast(tf.equal(dropped, 0.0), tf.int32)))

    def positional(x, flag):
        embed = dense(x)
        return zeros(embed, drop(embed, flag))

    def keyword(x, flag):
        embed = dense(x)
        return zeros(embed, drop(embed, training=flag))

    x = tf.ones([1, IN_FEATURES])
    tries = [("dropout(embed, tf.constant(True))", positional, tf.constant(True)),
             ("dropout(embed, training=tf.constant(True))", keyword, tf.constant(True)),
             ("dropout(embed, training=True)", keyword, True)]
    return [_attempt(call, tf.function(body), x, flag, units, rate) for call, body, flag in tries]


def _tensorflow():
    load("keras")  # quiets TensorFlow's log lines before its first import
    return importlib.import_module("tensorflow")


def _dropout_layer(rate: float, seed: int):
    return load("keras").layers.Dropout(check_rate(rate), seed=check_seed(seed))


def _attempt(call: str, traced, x, flag, units: int, rate: float) -> FlagAttempt:
    try:
        before, after = traced(x, flag)
    except Exception as error:  # the point of the demonstration: report the error, do not crash
        return FlagAttempt(call, type(error).__name__, _decisive_sentence(error), None)
    count = ZeroCount("keras (tf.function)", units, check_rate(rate), int(before), int(after))
    return FlagAttempt(call, None, "", count)


@dataclass(frozen=True)
class TracedCounts:
    """The fixed forward pass called with Python bools: zeros per call and how often it was traced (lesson 03)."""

    flags: tuple[bool, ...]
    counts: tuple[ZeroCount, ...]
    traces: int


def traced_counts(units: int, rate: float, seed: int, flags: tuple[bool, ...] = (True, False, True)) -> TracedCounts:
    """Call the Dense → Dropout forward pass under one tf.function with each Python-bool flag (lesson 03).

    A Python bool is part of tf.function's cache key, so each distinct value traces once and
    a repeated value reuses its graph; every call with True draws a fresh mask.
    """
    tf = _tensorflow()
    dense, drop = _glorot_dense(_check_count(units, "units"), check_seed(seed)), _dropout_layer(rate, seed)

    @tf.function
    def forward(x, training):
        embed = dense(x)
        dropped = drop(embed, training=training)
        return (tf.reduce_sum(tf.cast(tf.equal(embed, 0.0), tf.int32)),
                tf.reduce_sum(tf.cast(tf.equal(dropped, 0.0), tf.int32)))

    x = tf.ones([1, IN_FEATURES])
    counts = []
    for flag in flags:
        if not isinstance(flag, bool):
            raise TypeError(f"flags must be Python bools, got {type(flag).__name__} {flag!r}")
        before, after = forward(x, flag)
        counts.append(ZeroCount("keras (tf.function)", units, check_rate(rate), int(before), int(after)))
    return TracedCounts(tuple(flags), tuple(counts), int(forward.experimental_get_tracing_count()))


# ---------------------------------------------------------------- how each framework draws the coins

@dataclass(frozen=True)
class TorchMaskRebuild:
    """PyTorch's CPU F.dropout mask next to two rebuilds from the same generator state (lesson 03)."""

    rate: float
    units: int
    float64_below_keep: bool        # mask == (torch.rand(shape, dtype=float64) < 1 - rate), bit for bit
    float32_at_least_rate: float    # share of units where (torch.rand(shape) >= rate) disagrees


def torch_mask_rebuild(shape: tuple[int, ...], rate: float, seed: int) -> TorchMaskRebuild:
    """Rebuild torch's CPU dropout mask from uniforms drawn after re-seeding the same generator (lesson 03)."""
    rate, seed = check_rate(rate), check_seed(seed)
    with seeded_torch(seed) as torch:
        kept = torch.nn.functional.dropout(torch.ones(shape), rate, training=True) != 0
    with seeded_torch(seed) as torch:
        rebuilt = torch.rand(shape, dtype=torch.float64) < 1 - rate
    with seeded_torch(seed) as torch:
        other = torch.rand(shape) >= rate
    return TorchMaskRebuild(rate, kept.numel(), bool(torch.equal(kept, rebuilt)),
                            float((kept != other).double().mean()))


def fixed_k_masks(n: int, k: int, trials: int, rng: RNGLike = None) -> np.ndarray:
    """`trials` keep-masks of n units that each drop exactly k units, drawn without replacement (lesson 03)."""
    n, trials = _check_count(n), _check_count(trials, "trials")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 0 <= k <= n:
        raise ValueError(f"k must be an int in [0, n] = [0, {n}], got {k!r}")
    # The k units with the smallest of n uniforms are dropped: every k-subset equally likely.
    ranks = np.argsort(as_generator(rng).random((trials, n)), axis=1).argsort(axis=1)
    return ranks >= k


# ---------------------------------------------------------------- bands and the spread test

def spread(n: int, rate: float) -> float:
    """Standard deviation of the zero fraction of n units: sqrt(rate(1-rate)/n) (lesson 03)."""
    return math.sqrt(check_rate(rate) * (1.0 - rate) / _check_count(n))


def exact_count_band(n: int, rate: float, z: float = Z_SHOWN) -> tuple[int, int]:
    """Exact binomial range of dropped counts K of n units, as likely as the normal ±z band (lesson 03).

    (k_low, k_high) with P(K < k_low) and P(K > k_high) each at most the normal tail beyond z.
    """
    from scipy.stats import binom  # imported only when asked: scipy is slow to import

    tail = NormalDist().cdf(-check_z(z))
    n, rate = _check_count(n), check_rate(rate)
    return int(binom.ppf(tail, n, rate)), int(binom.isf(tail, n, rate))


def prob_same_two_decimals(n: int, rate: float) -> float:
    """Exact P(K/n rounds to `rate` at two decimals) for K ~ Binomial(n, rate) (lesson 03)."""
    from scipy.stats import binom

    n, rate = _check_count(n), check_rate(rate)
    low, high = (round(rate, 2) - 0.005) * n, (round(rate, 2) + 0.005) * n
    # Counts strictly inside (low, high); the edges are ties that round either way.
    return float(binom.cdf(math.ceil(high) - 1, n, rate) - binom.cdf(math.floor(low), n, rate))


def spread_ratio_band(n: int, rate: float, trials: int, z: float = Z_CHECK) -> tuple[float, float]:
    """Where the measured/predicted standard-deviation ratio of `trials` trials lands (lesson 03).

    The sample variance s² of T draws has Var(s²/σ²) = 2/(T-1) + κ/T, with κ the excess
    kurtosis of one draw; for Binomial(n, p)/n, κ = (1 - 6p(1-p)) / (n p (1-p)). s²/σ² is
    close to normal for T in the hundreds or more (a scaled chi-square), so s/σ lies in
    sqrt(1 ± z·that standard deviation) with high probability.
    """
    p = check_rate(rate)
    kurtosis = (1 - 6 * p * (1 - p)) / (_check_count(n) * p * (1 - p))
    half = check_z(z) * math.sqrt(2.0 / (_check_count(trials, "trials") - 1) + kurtosis / trials)
    return math.sqrt(max(0.0, 1.0 - half)), math.sqrt(1.0 + half)


def prob_inside_band(n: int, rate: float, z: float = Z_SHOWN) -> float:
    """Exact binomial probability that n units' zero fraction lands inside binomial_band (lesson 03)."""
    from scipy.stats import binom

    low, high = binomial_band(rate, n, z)
    # Counts k with low <= k/n <= high; the small epsilon absorbs float rounding of k/n.
    k_low, k_high = math.ceil(low * n - 1e-9), math.floor(high * n + 1e-9)
    return float(binom.cdf(k_high, n, rate) - binom.cdf(k_low - 1, n, rate))


def inside_share(fractions: np.ndarray, rate: float, n: int, z: float = Z_SHOWN) -> float:
    """Share of realised zero fractions that fall inside binomial_band(rate, n, z) (lesson 03)."""
    low, high = binomial_band(rate, n, z)
    eps = 1e-12  # k/n computed in floats may sit a hair outside an edge it equals
    return float(np.mean((fractions >= low - eps) & (fractions <= high + eps)))


@dataclass(frozen=True)
class RateTrials:
    """Seeded trials of the realised zero fraction for one (rate, n) (lesson 03)."""

    rate: float
    n: int
    fractions: np.ndarray
    band: tuple[float, float]

    @property
    def predicted_std(self) -> float:
        """sqrt(rate(1-rate)/n)."""
        return spread(self.n, self.rate)

    @property
    def measured_std(self) -> float:
        """Standard deviation over the trials (ddof=1)."""
        return float(self.fractions.std(ddof=1))

    @property
    def inside(self) -> float:
        """Share of trials inside the ±3σ band."""
        return inside_share(self.fractions, self.rate, self.n)


def rate_trials(rate: float, n: int, trials: int = 4000, seed: int = 0) -> RateTrials:
    """`trials` seeded realised zero fractions of n units at `rate`, with the ±3σ band (lesson 03)."""
    fractions = zero_fractions(n, rate, trials, np.random.default_rng(seed))
    return RateTrials(check_rate(rate), n, fractions, binomial_band(rate, n))


@dataclass(frozen=True)
class TrialsCheck:
    """Measured spread and in-band share of some trials next to where the maths puts them (lesson 03)."""

    trials: RateTrials
    ratio: float                        # measured sd / predicted sd
    ratio_band: tuple[float, float]     # spread_ratio_band: where the ratio must land
    p_inside: float                     # exact binomial P(inside the ±3σ band)
    inside_tolerance: float             # Z_CHECK sd of the observed in-band share around p_inside

    @property
    def passed(self) -> bool:
        """True when the spread ratio and the in-band share both lie in their bands."""
        return (self.ratio_band[0] <= self.ratio <= self.ratio_band[1]
                and abs(self.trials.inside - self.p_inside) <= self.inside_tolerance)

    def line(self) -> str:
        """One printable line: measured against predicted."""
        t, (low, high) = self.trials, self.ratio_band
        return (f"n = {t.n:>7,}: measured sd {t.measured_std:.5f}, predicted {t.predicted_std:.5f}, "
                f"ratio {self.ratio:.3f} in [{low:.3f}, {high:.3f}]; inside band {t.inside:.4f} "
                f"(exact {self.p_inside:.4f} ± {self.inside_tolerance:.4f})")


def check_trials(trials: RateTrials) -> TrialsCheck:
    """Compare trials' spread and ±3σ in-band share with their predictions (lesson 03)."""
    count = len(trials.fractions)
    ratio = trials.measured_std / trials.predicted_std
    p_inside = prob_inside_band(trials.n, trials.rate)
    # The observed in-band share of T trials is Binomial(T, p_inside) / T.
    tolerance = Z_CHECK * math.sqrt(p_inside * (1 - p_inside) / count)
    return TrialsCheck(trials, ratio, spread_ratio_band(trials.n, trials.rate, count), p_inside, tolerance)


# ---------------------------------------------------------------- zeros that were there before (ReLU)

def relu_activations(shape: tuple[int, ...], zero_share: float, rng: RNGLike = None) -> np.ndarray:
    """ReLU outputs with about `zero_share` of them exactly zero (lesson 03)."""
    return np.maximum(as_generator(rng).standard_normal(shape) - _relu_shift(zero_share), 0.0)


def _relu_shift(zero_share: float) -> float:
    if isinstance(zero_share, bool) or not isinstance(zero_share, (int, float, np.floating)) \
            or not 0.0 < zero_share < 1.0:
        raise ValueError(f"zero_share must be a number in (0, 1), got {zero_share!r}")
    return NormalDist().inv_cdf(float(zero_share))  # P(N(0,1) < shift) = zero_share


def naive_zero_fraction(zero_before: float, rate: float) -> float:
    """Expected zero fraction after dropout when zeros already exist: z0 + (1 - z0)·rate (lesson 03)."""
    return zero_before + (1.0 - zero_before) * check_rate(rate)


def expected_difference(zero_before: float, rate: float) -> float:
    """E[after − before], the seed's metric, when a share z0 was zero before: (1 - z0)·rate (lesson 03)."""
    return (1.0 - zero_before) * check_rate(rate)


def honest_from_difference(before: float, after: float) -> float:
    """(after − before) / (1 − before): the share of the live units that dropout zeroed (lesson 03)."""
    if not 0.0 <= before < 1.0:
        raise ValueError(f"before must be a zero fraction in [0, 1), got {before!r}")
    return (after - before) / (1.0 - before)


@dataclass(frozen=True)
class ReluCount:
    """Three ways to count dropout's zeros when the input (ReLU outputs) already has some (lesson 03)."""

    rate: float
    units: int
    zero_before: float   # z0, the realised share of zeros before dropout
    naive: float         # all zeros after / all units
    honest: float        # zeros after among the units that were non-zero before

    @property
    def difference(self) -> float:
        """after − before, the seed question's metric."""
        return self.naive - self.zero_before

    @property
    def alive(self) -> int:
        """How many units were non-zero before dropout."""
        return round((1.0 - self.zero_before) * self.units)

    def sigma(self) -> float:
        """Standard deviation of naive and difference given z0: the binomial of the live units, over all units."""
        return math.sqrt(self.alive * self.rate * (1 - self.rate)) / self.units

    def honest_sigma(self) -> float:
        """Standard deviation of the honest count given z0: sqrt(rate(1-rate)/alive)."""
        return spread(self.alive, self.rate)


def relu_count(shape: tuple[int, ...], zero_share: float, rate: float, seed: int = 0) -> ReluCount:
    """Apply the package's dropout to ReLU outputs and count zeros naively and honestly (lesson 03)."""
    rng = np.random.default_rng(seed)
    before = relu_activations(shape, zero_share, rng)
    after, _ = dropout_forward(before, rate, rng)
    return ReluCount(check_rate(rate), before.size, zero_fraction(before), zero_fraction(after),
                     zero_fraction(after, before=before))


class ReluDraws:
    """The normals and uniforms of relu_count drawn once, recounted fast for any (z0, rate) (lesson 03).

    relu_count(shape, z0, rate, seed) draws standard normals (the ReLU inputs) and then
    uniforms (dropout's coins) from one generator; so does this, so both count the same units.
    Which units are dead depends on z0 only and which are dropped on the rate only, so each is
    kept per value as packed bits: a new (z0, rate) pair costs two bitwise counts, not two passes
    over the draws (the counts are exact, the same integers as counting the boolean arrays).
    """

    KEPT = 64  # packed masks kept per kind: 125 KB each at 10**6 units; the sliders have 18 and 19 positions

    def __init__(self, units: int, seed: int = 0) -> None:
        rng = np.random.default_rng(seed)
        self.units = _check_count(units, "units")
        self.normals = rng.standard_normal(self.units)
        self.uniforms = rng.random(self.units)
        self._dead: dict[float, tuple[np.ndarray, int]] = {}
        self._dropped: dict[float, np.ndarray] = {}

    def _dead_bits(self, zero_share: float) -> tuple[np.ndarray, int]:
        """(packed dead-unit bits, number dead) for `zero_share`, cached."""
        if zero_share not in self._dead:
            dead = self.normals <= _relu_shift(zero_share)   # relu(g - shift) == 0
            _remember(self._dead, zero_share, (np.packbits(dead), int(np.count_nonzero(dead))), self.KEPT)
        return self._dead[zero_share]

    def _dropped_bits(self, rate: float) -> np.ndarray:
        """Packed dropped-unit bits at `rate`, cached."""
        if rate not in self._dropped:
            _remember(self._dropped, rate, np.packbits(self.uniforms < rate), self.KEPT)  # keep when u >= rate
        return self._dropped[rate]

    def count(self, zero_share: float, rate: float) -> ReluCount:
        """Counts for ReLU outputs with about `zero_share` zeros and dropout at `rate`."""
        rate = check_rate(rate)
        _relu_shift(zero_share)  # checks zero_share before it is used as a cache key
        (dead, dead_count), dropped = self._dead_bits(zero_share), self._dropped_bits(rate)
        alive = self.units - dead_count
        # packbits pads the last byte with zero bits, which no | or & with ~dead can turn into a dropped unit.
        zero_after = int(np.bitwise_count(dead | dropped).sum(dtype=np.int64))
        dropped_live = int(np.bitwise_count(dropped & ~dead).sum(dtype=np.int64))
        honest = dropped_live / alive if alive else float("nan")
        return ReluCount(rate, self.units, float(dead_count / self.units), float(zero_after / self.units),
                         float(honest))


def _remember(cache: dict, key: float, value: object, most: int) -> None:
    """Store `value` under `key`, dropping the oldest entry beyond `most`."""
    if len(cache) >= most:
        cache.pop(next(iter(cache)))
    cache[key] = value
