"""The dropout family: the lesson's maths, pure and seeded (lesson 12).

Replace the example below with the lesson's own functions. Compute takes explicit seeds
or generators, returns arrays or small dataclasses, and imports no plotting, widget or
exercise code (tests/test_layers.py checks). Import torch / Keras inside functions,
through dropout_lab.frameworks.load, so the lesson loads only what it uses.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...core import dropout_forward
from ...stats import Z_CHECK, binomial_band


@dataclass(frozen=True)
class ZeroCount:
    """One dropout pass over n ones: its zero fraction and where it should land (lesson 12)."""

    rate: float
    n: int
    zero_fraction: float
    band: tuple[float, float]   # rate ± Z_CHECK·sqrt(rate(1 - rate)/n)

    @property
    def inside(self) -> bool:
        """True when the measured zero fraction lies in the band the maths predicts."""
        return self.band[0] <= self.zero_fraction <= self.band[1]


def zero_count(rate: float, n: int = 10_000, seed: int = 0) -> ZeroCount:
    """Drop n ones at `rate` with a seeded mask and count the zeros (lesson 12)."""
    out, _ = dropout_forward(np.ones(n), rate, seed)
    return ZeroCount(float(rate), int(n), float(np.mean(out == 0)), binomial_band(rate, n, Z_CHECK))
