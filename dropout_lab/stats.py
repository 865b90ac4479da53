"""Statistics of dropout: zero fractions, binomial and normal bands, seeded sweeps (lesson 03)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ._validate import as_float_array, as_generator, check_rate
from .core import RNGLike, draw_keep_mask


def _check_count(n: object, name: str = "n") -> int:
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"{name} must be a positive int, got {n!r}")
    return int(n)


def binomial_band(rate: float, n: int, z: float = 3.0) -> tuple[float, float]:
    """rate ± z·sqrt(rate(1-rate)/n), clipped to [0, 1]: where n units' zero fraction lands (lesson 03)."""
    rate = check_rate(rate)
    n = _check_count(n)
    half = z * math.sqrt(rate * (1.0 - rate) / n)
    return max(0.0, rate - half), min(1.0, rate + half)


def normal_band(mean: float, std: float, n: int, z: float = 3.0) -> tuple[float, float]:
    """mean ± z·std/sqrt(n): where the average of n independent draws lands (lesson 02)."""
    n = _check_count(n)
    half = z * std / math.sqrt(n)
    return mean - half, mean + half


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
