"""The same dropout through NumPy, PyTorch and Keras, summarised side by side (lesson 01)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...frameworks import FRAMEWORKS, run_dropout
from ...stats import Z_SHOWN, OutputStats, binomial_band, moment_bands, output_stats

__all__ = ["OutputStats", "output_stats", "outputs_by_framework", "OnesBands", "ones_bands"]


def outputs_by_framework(x: np.ndarray, rate: float, seed: int = 0,
                         frameworks: tuple[str, ...] = FRAMEWORKS, training: bool = True) -> dict[str, np.ndarray]:
    """Each framework's own dropout applied to the same input (lesson 01)."""
    return {name: run_dropout(name, x, rate, seed=seed, training=training) for name in frameworks}


@dataclass(frozen=True)
class OnesBands:
    """z-sigma bands for zero fraction, mean and std of dropout applied to n ones (lesson 01)."""

    zero_fraction: tuple[float, float]
    mean: tuple[float, float]
    std: tuple[float, float]

    def contains(self, stats: OutputStats) -> bool:
        """True when every statistic lies inside its band."""
        pairs = [(self.zero_fraction, stats.zero_fraction), (self.mean, stats.mean), (self.std, stats.std)]
        return all(low <= value <= high for (low, high), value in pairs)


def ones_bands(rate: float, n: int, z: float = Z_SHOWN) -> OnesBands:
    """Bands for all-ones input: outputs are 0 or 1/keep, so mean 1 and std sqrt(rate/keep) (lesson 01)."""
    moments = moment_bands(1.0, rate, n, z)
    return OnesBands(binomial_band(rate, n, z), moments.mean, moments.std)
