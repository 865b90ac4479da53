"""Lesson 00's numbers: thinned networks to draw, and how many of n units a mask drops (lesson 00)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import binom, norm

from ..._validate import check_rate
from ...core import draw_keep_mask
from ...stats import Z_CHECK


@dataclass(frozen=True)
class ThinnedNetwork:
    """A small fully connected net and which of its units one dropout mask keeps (lesson 00)."""

    layers: tuple[int, ...]              # units per layer, input first
    kept: tuple[np.ndarray, ...]         # one boolean keep-mask per layer

    @property
    def dropped(self) -> int:
        """How many units this mask switches off."""
        return int(sum((~mask).sum() for mask in self.kept))


def thinned_network(layers: tuple[int, ...] = (4, 6, 6, 2), rate: float = 0.5, input_rate: float = 0.2,
                    seed: int | None = 0) -> ThinnedNetwork:
    """One dropout mask over a net: input units dropped at input_rate, hidden at rate, outputs never (lesson 00).

    seed=None keeps every unit: the full network. The defaults follow Srivastava et al. (2014) §1:
    hidden units kept with p = 0.5, input units with a p closer to 1 (here 0.8).
    """
    if len(layers) < 3 or any(not isinstance(n, int) or n < 1 for n in layers):
        raise ValueError(f"layers must be at least 3 positive ints (input, hidden..., output), got {layers!r}")
    if seed is None:
        return ThinnedNetwork(tuple(layers), tuple(np.ones(n, dtype=bool) for n in layers))
    rng = np.random.default_rng(seed)
    rates = [check_rate(input_rate)] + [check_rate(rate)] * (len(layers) - 2) + [0.0]
    return ThinnedNetwork(tuple(layers), tuple(draw_keep_mask((n, ), r, rng) for n, r in zip(layers, rates)))


@dataclass(frozen=True)
class CountRange:
    """Whole numbers of dropped units from `low` to `high`, and the exact probability of landing there (lesson 00)."""

    low: int
    high: int
    probability: float

    def __contains__(self, count: int) -> bool:
        return self.low <= count <= self.high


def dropped_count_range(rate: float, n: int, tail: float) -> CountRange:
    """The central range of Binomial(n, rate) with at most `tail` probability beyond each end (lesson 00).

    Exact binomial quantiles: at n = 20 the count is a small, skewed whole number, and a normal
    band rate ± z·sigma goes below 0 (clipped, that half can never fail) and ends between whole units.
    """
    rate = check_rate(rate)
    if not 0.0 < tail < 0.5:
        raise ValueError(f"tail must be in (0, 0.5), got {tail!r}")
    if rate in (0.0, 1.0):  # no randomness left: every mask drops none, or all
        return CountRange(round(n * rate), round(n * rate), 1.0)
    low = int(binom.ppf(tail, n, rate))          # smallest k with P(K <= k) >= tail: P(K < low) < tail
    high = int(binom.isf(tail, n, rate))         # smallest k with P(K > k) <= tail
    probability = float(binom.cdf(high, n, rate) - binom.cdf(low - 1, n, rate))
    return CountRange(low, high, probability)


def check_tail() -> float:
    """The one-sided tail of the course's Z_CHECK = 4.5 band (3.4e-6): what every check may miss by (lesson 00)."""
    return float(norm.sf(Z_CHECK))


def expected_dropped(rate: float, n: int) -> tuple[float, float]:
    """Mean and standard deviation of the number of units a mask drops: n·rate and sqrt(n·rate·keep) (lesson 00)."""
    rate = check_rate(rate)
    return n * rate, float(np.sqrt(n * rate * (1 - rate)))
