"""The same dropout through NumPy, PyTorch and Keras, summarised side by side (lesson 01)."""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

from ..._validate import check_rate
from ...frameworks import FRAMEWORKS, run_dropout
from ...stats import Z_SHOWN, OutputStats, binomial_band, moment_bands, output_stats

__all__ = ["OutputStats", "output_stats", "outputs_by_framework", "ones_outputs", "OnesBands", "ones_bands",
           "bessel_factor", "std_from_mean", "predicted_stats", "changed_share_band", "sample_std"]


def outputs_by_framework(x: np.ndarray, rate: float, seed: int = 0,
                         frameworks: tuple[str, ...] = FRAMEWORKS, training: bool = True) -> dict[str, np.ndarray]:
    """Each framework's own dropout applied to the same input (lesson 01)."""
    return {name: run_dropout(name, x, rate, seed=seed, training=training) for name in frameworks}


@functools.lru_cache(maxsize=512)  # the dashboard's 19 rates x 21 seeds, 12 KB each
def ones_outputs(size: int, rate: float, seed: int) -> dict[str, np.ndarray]:
    """outputs_by_framework on a size x size float32 ones input, cached per setting, arrays read-only (lesson 01)."""
    outputs = outputs_by_framework(np.ones((size, size), dtype=np.float32), rate, seed=seed)
    for y in outputs.values():
        y.flags.writeable = False  # shared by every caller of the cache
    return outputs


def bessel_factor(n: int) -> float:
    """sqrt(n / (n - 1)): the ddof=1 std (torch.Tensor.std's default) over the ddof=0 one, for n values (lesson 01)."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ValueError(f"n must be an int >= 2 (a std with ddof=1 needs two values), got {n!r}")
    return math.sqrt(n / (n - 1))


def sample_std(y: object, ddof: int) -> float:
    """Standard deviation of all values of y in float64 with ddof 0 (NumPy's default) or 1 (torch's) (lesson 01)."""
    if ddof not in (0, 1):
        raise ValueError(f"ddof must be 0 or 1, got {ddof!r}")
    return float(np.asarray(y, dtype=np.float64).std(ddof=ddof))


@dataclass(frozen=True)
class OnesBands:
    """z-sigma bands for zero fraction, mean and std of dropout applied to n ones (lesson 01).

    `std` is for the population std (ddof=0, NumPy's default and `output_stats`); `std_ddof1`
    for the Bessel-corrected one that `torch.Tensor.std()` prints; `std_either` holds both.
    """

    zero_fraction: tuple[float, float]
    mean: tuple[float, float]
    std: tuple[float, float]
    std_ddof1: tuple[float, float] = (-math.inf, math.inf)

    @property
    def std_either(self) -> tuple[float, float]:
        """One band valid for the std with either convention, ddof=0 or ddof=1."""
        return min(self.std[0], self.std_ddof1[0]), max(self.std[1], self.std_ddof1[1])

    def contains(self, stats: OutputStats) -> bool:
        """True when every statistic (std with ddof=0) lies inside its band."""
        pairs = [(self.zero_fraction, stats.zero_fraction), (self.mean, stats.mean), (self.std, stats.std)]
        return all(low <= value <= high for (low, high), value in pairs)


def ones_bands(rate: float, n: int, z: float = Z_SHOWN) -> OnesBands:
    """Bands for all-ones input: outputs are 0 or 1/keep, so mean 1 and std sqrt(rate/keep) (lesson 01)."""
    moments = moment_bands(1.0, rate, n, z)
    # ddof=1 multiplies every sample std by sqrt(n/(n-1)), so the band moves with it: at rate 0.5
    # the population std can never exceed 1 (f(1-f) <= 1/4), but torch's std reaches sqrt(n/(n-1)).
    factor = bessel_factor(n)
    ddof1 = (moments.std[0] * factor, moments.std[1] * factor)
    return OnesBands(binomial_band(rate, n, z), moments.mean, moments.std, ddof1)


def std_from_mean(mean: float, rate: float, n: int, ddof: int = 0) -> float:
    """The std of n outputs that are each 0 or 1/keep, from their mean alone (lesson 01).

    With f the kept fraction, mean = f / keep and the ddof=0 std is sqrt(f (1 - f)) / keep;
    ddof=1 multiplies it by sqrt(n / (n - 1)). This is how the blog's printed std follows from its mean.
    """
    keep = 1.0 - check_rate(rate)
    if keep == 0:
        raise ValueError("rate must be < 1: at rate 1 every output is 0 and the mean says nothing")
    kept = mean * keep
    if not 0.0 <= kept <= 1.0:
        raise ValueError(f"mean must lie in [0, 1/keep] = [0, {1 / keep:.4g}], got {mean!r}")
    std = math.sqrt(kept * (1.0 - kept)) / keep
    return std * bessel_factor(n) if ddof == 1 else std


def predicted_stats(rate: float) -> OutputStats:
    """What the maths says for dropout on ones: zero fraction rate, mean 1, std sqrt(rate / keep) (lesson 01)."""
    rate = check_rate(rate)
    keep = 1.0 - rate
    if keep == 0:
        return OutputStats(1.0, 0.0, 0.0)
    return OutputStats(rate, 1.0, math.sqrt(rate / keep))


def changed_share_band(rate: float, n: int, z: float = Z_SHOWN) -> tuple[float, float]:
    """Where the share of n units that change between two independent masks lands: Binomial(n, 2·rate·keep)/n."""
    rate = check_rate(rate)
    # A unit changes when one call keeps it and the other drops it: keep·rate + rate·keep.
    return binomial_band(2 * rate * (1 - rate), n, z)
