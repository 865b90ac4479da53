"""Statistics of dropout: zero fractions, moments, binomial and normal bands, seeded sweeps (lessons 01-03).

Two band widths, one per meaning, used everywhere in the course:

* Z_SHOWN = 3: the "±3σ" band a lesson draws and talks about. A correct run lands outside
  it with probability 0.27 %, so a learner moving sliders sees it happen now and then.
* Z_CHECK = 4.5: the band every assert, exercise check and test uses. A correct run lands
  outside with probability 6.8e-6, so hundreds of checks almost never cry wolf, while
  the bugs the course shows land tens of σ outside at the sizes the checks use.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._validate import as_float_array, as_generator, check_rate
from .core import RNGLike, draw_keep_mask

Z_SHOWN = 3.0
Z_CHECK = 4.5


def _check_count(n: object, name: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{name} must be a positive int, got {n!r}")
    return int(n)


def check_z(z: object) -> float:
    """Return `z` (a band's half-width in standard deviations) or raise: it must be a finite number > 0."""
    real = isinstance(z, (int, float, np.integer, np.floating)) and not isinstance(z, bool)
    if not real or not math.isfinite(z) or z <= 0:
        raise ValueError(f"z must be a finite number > 0 (standard deviations), got {z!r}")
    return float(z)


def binomial_band(rate: float, n: int, z: float = Z_SHOWN) -> tuple[float, float]:
    """rate ± z·sqrt(rate(1-rate)/n), clipped to [0, 1]: where n units' zero fraction lands (lesson 03)."""
    rate = check_rate(rate)
    n = _check_count(n)
    half = check_z(z) * math.sqrt(rate * (1.0 - rate) / n)
    return max(0.0, rate - half), min(1.0, rate + half)


def normal_band(mean: float, std: float, n: int, z: float = Z_SHOWN) -> tuple[float, float]:
    """mean ± z·std/sqrt(n): where the average of n independent draws lands (lesson 02)."""
    n = _check_count(n)
    if isinstance(std, bool) or not isinstance(std, (int, float, np.integer, np.floating)) \
            or not math.isfinite(std) or std < 0:
        raise ValueError(f"std must be a finite number >= 0, got {std!r}")
    if not math.isfinite(mean):
        raise ValueError(f"mean must be a finite number, got {mean!r}")
    half = check_z(z) * std / math.sqrt(n)
    return mean - half, mean + half


def two_sample_band(rate: float, n1: int, n2: int, z: float = Z_CHECK) -> float:
    """Largest |f1 - f2| expected between two independent zero fractions of n1 and n2 units at one rate (lesson 01)."""
    rate = check_rate(rate)
    return check_z(z) * math.sqrt(rate * (1 - rate) * (1 / _check_count(n1, "n1") + 1 / _check_count(n2, "n2")))


def zero_fraction(y: object, before: object | None = None) -> float:
    """Fraction of zeros in `y`; with `before`, only among units that were non-zero before (lesson 03)."""
    y = as_float_array(y, "y")
    if before is None:
        return float(np.mean(y == 0))
    before = as_float_array(before, "before")
    if before.shape != y.shape:
        raise ValueError(f"before.shape {before.shape} must equal y.shape {y.shape}")
    alive = before != 0
    if not alive.any():
        raise ValueError("before has no non-zero units, so no zero can be blamed on dropout")
    return float(np.mean(y[alive] == 0))


def zero_fractions(n: int, rate: float, trials: int, rng: RNGLike = None) -> np.ndarray:
    """Realised zero fractions of `trials` independent dropout masks over n units (lesson 03).

    The number of dropped units in one mask is a sum of n independent Bernoulli(rate)
    draws, i.e. exactly Binomial(n, rate); sampling that count directly costs O(trials)
    instead of O(n·trials). `zero_fractions_from_masks` draws the masks and agrees.
    """
    rate = check_rate(rate)
    counts = as_generator(rng).binomial(_check_count(n), rate, size=_check_count(trials, "trials"))
    return counts / n


def zero_fractions_from_masks(n: int, rate: float, trials: int, rng: RNGLike = None) -> np.ndarray:
    """The same as zero_fractions, by drawing each keep-mask with dropout's own rule (lesson 03)."""
    rate = check_rate(rate)
    generator = as_generator(rng)
    n, trials = _check_count(n), _check_count(trials, "trials")
    return np.array([1.0 - draw_keep_mask((n,), rate, generator).mean() for _ in range(trials)])


@dataclass(frozen=True)
class ZeroFractionSweep:
    """Realised zero fractions for every (rate, n): fractions[i, j, :] for rates[i], ns[j]."""

    rates: np.ndarray
    ns: np.ndarray
    fractions: np.ndarray

    def spread(self) -> np.ndarray:
        """Standard deviation over trials, shape (len(rates), len(ns))."""
        return self.fractions.std(axis=-1, ddof=1)

    def predicted_spread(self) -> np.ndarray:
        """sqrt(rate(1-rate)/n), the binomial standard deviation of the zero fraction."""
        return np.sqrt(self.rates[:, None] * (1 - self.rates[:, None]) / self.ns[None, :])


def zero_fraction_sweep(ns: Sequence[int], rates: Sequence[float], trials: int = 200,
                        seed: int = 0) -> ZeroFractionSweep:
    """Seeded trials of the realised zero fraction over a grid of unit counts and rates (lesson 03)."""
    rng = np.random.default_rng(seed)
    ns_arr = np.array([_check_count(n) for n in ns])
    rates_arr = np.array([check_rate(r) for r in rates])
    fractions = np.stack([
        np.stack([zero_fractions(int(n), float(r), trials, rng) for n in ns_arr]) for r in rates_arr
    ])
    return ZeroFractionSweep(rates_arr, ns_arr, fractions)


# ---------------------------------------------------------------- moments of one output (lessons 01, 02)

def survivor_scale(rate: float, rescale: bool) -> float:
    """What a survivor is multiplied by: 1/keep with rescaling, 1 without (lesson 02)."""
    keep = 1.0 - check_rate(rate)
    return 1.0 / keep if rescale and keep > 0 else 1.0


def predicted_mean(x: float, rate: float, rescale: bool = True) -> float:
    """E[out] for input x: x with rescaling, (1 - rate) * x without (lesson 02)."""
    keep = 1.0 - check_rate(rate)
    return 0.0 if keep == 0 else x * keep * survivor_scale(rate, rescale)


def predicted_var(x: float, rate: float, rescale: bool = True) -> float:
    """Var[out] for input x: x²·rate/(1-rate) with rescaling, x²·rate·(1-rate) without (lesson 02)."""
    keep = 1.0 - check_rate(rate)
    # out = c * x * m with m ~ Bernoulli(keep): Var = (c x)² keep (1 - keep).
    return (survivor_scale(rate, rescale) * x) ** 2 * keep * rate


@dataclass(frozen=True)
class MomentBands:
    """Where the sample mean and variance of n outputs for one input x fall (lessons 01, 02)."""

    mean: tuple[float, float]
    var: tuple[float, float]

    @property
    def std(self) -> tuple[float, float]:
        """The band for the sample standard deviation (square root of the variance band)."""
        return math.sqrt(self.var[0]), math.sqrt(self.var[1])


def moment_bands(x: float, rate: float, n: int, z: float = Z_SHOWN, rescale: bool = True) -> MomentBands:
    """z-sigma bands for the sample mean and variance of n dropout outputs of one value x (lesson 02)."""
    mean = normal_band(predicted_mean(x, rate, rescale), math.sqrt(predicted_var(x, rate, rescale)), n, z)
    # Every output is c*x or 0, so the sample variance (ddof=0) is (c x)² f (1 - f), a function
    # of the kept fraction f alone; f = 1 - zero fraction lies in the binomial band.
    zero_low, zero_high = binomial_band(rate, n, z)
    f_low, f_high = 1.0 - zero_high, 1.0 - zero_low
    spread = [f * (1 - f) for f in (f_low, f_high)]
    if f_low <= 0.5 <= f_high:
        spread.append(0.25)  # f(1 - f) peaks at f = 1/2
    c2x2 = (survivor_scale(rate, rescale) * x) ** 2
    # A relative slack of 1e-6 covers float32 rounding of c·x in the sampled outputs.
    return MomentBands(mean, (c2x2 * min(spread) * (1 - 1e-6), c2x2 * max(spread) * (1 + 1e-6)))


@dataclass(frozen=True)
class OutputStats:
    """Zero fraction, mean and standard deviation of one dropout output (lessons 01, 04)."""

    zero_fraction: float
    mean: float
    std: float

    def as_dict(self) -> dict[str, float]:
        """The three numbers by name (for readouts and tables)."""
        return {"zero fraction": self.zero_fraction, "mean": self.mean, "std": self.std}


def output_stats(y: object) -> OutputStats:
    """Zero fraction, mean and std (ddof=0, float64 accumulation) of an output array (lessons 01, 04)."""
    y = np.asarray(y)
    return OutputStats(float(np.mean(y == 0)), float(y.mean(dtype=np.float64)), float(y.std(dtype=np.float64)))


# ---------------------------------------------------------------- printing round-off (lessons 06, 07, 09)

ROUNDOFF = 1e-13  # float64 sums of a few hundred terms of order 1 differ by ~1e-15; 1e-13 leaves room


def roundoff_text(difference: float, bound: float = ROUNDOFF) -> str:
    """'< 1e-13 (round-off)' for a difference at float64 round-off, else '= ' and the number (lessons 06, 07, 09).

    The exact digits of a round-off difference change with summation order (BLAS threads, CPU),
    so a lesson prints the bound it asserts instead of them: the stored output then holds everywhere.
    """
    difference = float(difference)
    if not math.isfinite(difference) or difference < 0:
        raise ValueError(f"difference must be a finite number >= 0, got {difference!r}")
    return f"< {bound:.0e} (round-off)" if difference < bound else f"= {difference:.1e}"


# ---------------------------------------------------------------- paired differences over seeds (lessons 07, 10)

def t_critical(n: int, level: float = 0.95) -> float:
    """Two-sided Student-t multiplier for a mean of `n` paired values (lessons 07, 10).

    mean ± t·s.e. covers the true mean with probability `level`; n − 1 degrees of freedom:
    2.571 for 6 seeds, 2.365 for 8 at level 0.95 (not the normal 1.96, nor 2)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an integer >= 2 (the number of paired values), got {n!r}")
    if isinstance(level, bool) or not isinstance(level, (int, float, np.integer, np.floating)) or not 0 < level < 1:
        raise ValueError(f"level must be a number strictly between 0 and 1, got {level!r}")
    from scipy.stats import t  # imported only when asked: scipy is slow to import
    return float(t.ppf(0.5 + level / 2, int(n) - 1))
