"""Why the realised zero fraction is not exactly the rate: binomial noise and honest counting (lesson 03).

`stats.py` holds the core statistics (bands, seeded zero fractions); this module adds
what lesson 03 builds on top: the seed question's Dense → Dropout experiment, the
spread test, exact in-band probabilities and the bias of counting zeros naively.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

from ..._validate import as_generator, check_rate
from ...core import RNGLike, dropout_forward
from ...frameworks import load, run_dropout
from ...stats import binomial_band, zero_fraction, zero_fractions

IN_FEATURES = 100  # the seed question feeds tf.ones([1, 100]) into Dense(32)


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


def dense_embedding(units: int, seed: int, framework: str = "numpy") -> np.ndarray:
    """Output of a Glorot-uniform Dense(units) layer on a ones(1, 100) input, as in seed 002 (lesson 03)."""
    x = np.ones((1, IN_FEATURES), dtype=np.float32)
    if framework == "keras":
        keras = load("keras")
        init = keras.initializers.GlorotUniform(seed=seed)
        layer = keras.layers.Dense(units, kernel_initializer=init)
        return keras.ops.convert_to_numpy(layer(x))
    limit = math.sqrt(6.0 / (IN_FEATURES + units))  # Glorot uniform, as Keras' default
    weights = as_generator(seed).uniform(-limit, limit, size=(IN_FEATURES, units)).astype(np.float32)
    return x @ weights


def count_zeros(units: int, rate: float, seed: int, framework: str = "numpy") -> ZeroCount:
    """Run Dense(units) → dropout once in `framework` and count zeros before and after (lesson 03)."""
    embed = dense_embedding(units, seed, framework)
    after = run_dropout(framework, embed, rate, seed=seed)
    return ZeroCount(framework, units, check_rate(rate), int(np.sum(embed == 0)), int(np.sum(after == 0)))


def spread(n: int, rate: float) -> float:
    """Standard deviation of the zero fraction of n units: sqrt(rate(1-rate)/n) (lesson 03)."""
    return math.sqrt(check_rate(rate) * (1.0 - rate) / n)


def spread_ratio_band(n: int, rate: float, trials: int, z: float = 4.0) -> tuple[float, float]:
    """Where the measured/predicted standard-deviation ratio of `trials` trials lands (lesson 03).

    The sample variance s² of T draws has Var(s²/σ²) = 2/(T-1) + κ/T, with κ the excess
    kurtosis of one draw; for Binomial(n, p)/n, κ = (1 - 6p(1-p)) / (n p (1-p)). s²/σ² is
    close to normal for T in the hundreds or more (a scaled chi-square), so s/σ lies in
    sqrt(1 ± z·that standard deviation) with high probability.
    """
    p = check_rate(rate)
    kurtosis = (1 - 6 * p * (1 - p)) / (n * p * (1 - p))
    half = z * math.sqrt(2.0 / (trials - 1) + kurtosis / trials)
    return math.sqrt(max(0.0, 1.0 - half)), math.sqrt(1.0 + half)


def prob_inside_band(n: int, rate: float, z: float = 3.0) -> float:
    """Exact binomial probability that n units' zero fraction lands inside binomial_band (lesson 03)."""
    from scipy.stats import binom  # imported only when asked: scipy is slow to import

    low, high = binomial_band(rate, n, z)
    # Counts k with low <= k/n <= high; the small epsilon absorbs float rounding of k/n.
    k_low, k_high = math.ceil(low * n - 1e-9), math.floor(high * n + 1e-9)
    return float(binom.cdf(k_high, n, rate) - binom.cdf(k_low - 1, n, rate))


def inside_share(fractions: np.ndarray, rate: float, n: int, z: float = 3.0) -> float:
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
    inside_tolerance: float             # 4 sd of the observed in-band share around p_inside

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
    tolerance = 4 * math.sqrt(p_inside * (1 - p_inside) / count)
    return TrialsCheck(trials, ratio, spread_ratio_band(trials.n, trials.rate, count), p_inside, tolerance)


def relu_activations(shape: tuple[int, ...], zero_share: float, rng: RNGLike = None) -> np.ndarray:
    """ReLU outputs with about `zero_share` of them exactly zero (lesson 03)."""
    if not 0.0 < zero_share < 1.0:
        raise ValueError(f"zero_share must be in (0, 1), got {zero_share!r}")
    shift = NormalDist().inv_cdf(zero_share)  # P(N(0,1) < shift) = zero_share
    return np.maximum(as_generator(rng).standard_normal(shape) - shift, 0.0)


def naive_zero_fraction(zero_before: float, rate: float) -> float:
    """Expected zero fraction after dropout when zeros already exist: z0 + (1 - z0)·rate (lesson 03)."""
    return zero_before + (1.0 - zero_before) * check_rate(rate)


@dataclass(frozen=True)
class ReluCount:
    """Naive and correct zero counts for dropout applied to ReLU outputs (lesson 03)."""

    rate: float
    zero_before: float
    naive: float
    correct: float

    @property
    def bias(self) -> float:
        """How far the naive count overshoots the rate."""
        return self.naive - self.rate


def relu_count(shape: tuple[int, ...], zero_share: float, rate: float, seed: int = 0) -> ReluCount:
    """Apply dropout to ReLU outputs and count zeros naively and correctly (lesson 03)."""
    rng = np.random.default_rng(seed)
    before = relu_activations(shape, zero_share, rng)
    after, _ = dropout_forward(before, rate, rng)
    return ReluCount(check_rate(rate), zero_fraction(before), zero_fraction(after),
                     zero_fraction(after, before=before))
