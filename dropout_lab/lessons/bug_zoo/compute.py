"""The bug zoo (lesson 08): NumPy measurements that tell a fixed dropout from a broken one.

Pure compute only: `exercises.py` turns these measurements into verdicts. The exhibits live in
`exhibits.py` (re-exported here as BUGS), the torch and Keras probes in `torch_probes.py` and
`keras_probes.py`, the accuracy cost on real data in `cost.py`. Every measurement draws from a
seeded generator, so the messages a lesson stores are the same on every run.

One band width for everything in this lesson: Z = dl.stats.Z_CHECK = 4.5 standard deviations.
A correct implementation lands outside a 4.5-sd normal band with probability 6.8e-6 per check
(two-sided), so the many checks a learner re-runs almost never cry wolf, while the broken
versions at the sizes the checks use land far outside (a repeated mask: ~100 sd at n = 16 384).
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..._validate import check_rate
from ...core import dropout_forward
from ...stats import Z_CHECK, binomial_band
from .exhibits import BUGS, GROUPS, Bug, in_group

__all__ = ["BUGS", "GROUPS", "Bug", "in_group", "Z"]

Z = Z_CHECK  # every band, assert and check of lesson 08


def error_line(error: Exception) -> str:
    """An exception as 'TypeError: <the message>', even when TensorFlow or Keras wrap it in a long trace."""
    lines = [line.strip() for line in re.sub(r"\x1b\[[0-9;]*m", "", str(error)).splitlines() if line.strip()]
    keras_wrapped = [i for i, line in enumerate(lines) if "Exception encountered when calling" in line]
    if keras_wrapped and keras_wrapped[-1] + 1 < len(lines):
        message = lines[keras_wrapped[-1] + 1]           # Keras puts the original message on the next line
    else:
        raised = [line for line in lines if re.match(r"^[A-Za-z_.]*(Error|Exception): ", line)]
        message = raised[-1].split(": ", 1)[1] if raised else (lines[0] if lines else "")
    return f"{type(error).__name__}: {message}"


# ---------------------------------------------------------------- bands


def agreement_band(rate: float, n: int, z: float = Z) -> tuple[float, float]:
    """Where the agreement of two INDEPENDENT masks falls: q = keep² + rate², ± z·sd (lesson 08)."""
    keep = 1.0 - check_rate(rate)
    q = keep ** 2 + rate ** 2
    half = z * math.sqrt(q * (1 - q) / n)
    return max(0.0, q - half), min(1.0, q + half)


def mean_band(rate: float, n: int, z: float = Z) -> tuple[float, float]:
    """Where the mean of inverted dropout on n ones falls: 1 ± z·√(rate/keep/n) (lesson 08)."""
    keep = 1.0 - check_rate(rate)
    half = z * math.sqrt(rate / keep / n) if keep > 0 else 0.0
    return 1.0 - half, 1.0 + half


def mask_agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of units that two dropout outputs drop or keep alike (lesson 08)."""
    return float(np.mean((np.asarray(a) != 0) == (np.asarray(b) != 0)))


def pair_agreement(out: np.ndarray, axis: int = 0) -> tuple[float, int]:
    """Agreement between disjoint pairs of rows (axis 0) or columns (axis 1) of one output, and the pair count."""
    kept = np.asarray(out) != 0
    kept = kept if axis == 0 else kept.T
    pairs = kept.shape[0] // 2
    first, second = kept[0:2 * pairs:2], kept[1:2 * pairs:2]
    return float(np.mean(first == second)), int(first.size)


def shared_axis(out: np.ndarray, rate: float) -> str | None:
    """'rows' when every example got the same mask, 'columns' when whole examples were dropped, else None (lesson 08).

    Disjoint pairs of rows (or columns) are independent masks when dropout is right, so their
    agreement lies in agreement_band; a mask shared along that axis agrees on every unit.
    """
    out = np.asarray(out)
    zero = float(np.mean(out == 0))
    if out.ndim != 2 or min(out.shape) < 2 or not 0 < zero < 1 or not 0 < rate < 1:
        return None
    found = []
    for axis, name in ((0, "rows"), (1, "columns")):
        agree, n = pair_agreement(out, axis)
        if agree > agreement_band(rate, n)[1]:
            found.append((agree, name))
    # a mask shared along one axis makes the other axis's pairs noisy too (few independent coins):
    # the shared axis is the one whose pairs agree most (on every unit, for a plain broadcast)
    return max(found)[1] if found else None


# ---------------------------------------------------------------- NumPy dropout functions


@dataclass(frozen=True)
class Probe:
    """What a dropout function did to a block of ones at one rate (lesson 08)."""

    rate: float
    n: int
    zero_fraction: float
    zero_band: tuple[float, float]
    survivor_value: float      # mean value of the non-zero outputs (1/keep for inverted dropout)
    mean: float                # mean output; E = 1 for expectation-preserving dropout
    mean_band: tuple[float, float]
    shared: str | None = None  # 'rows' (one mask for the batch) or 'columns' (whole examples dropped)

    @property
    def rate_ok(self) -> bool:
        return self.zero_band[0] <= self.zero_fraction <= self.zero_band[1]

    @property
    def mean_ok(self) -> bool:
        return self.mean_band[0] <= self.mean <= self.mean_band[1]


def measure(out: np.ndarray, rate: float) -> Probe:
    """Zero fraction, survivors, mean and mask sharing of one dropout output of a block of ones (lesson 08)."""
    out = np.asarray(out, dtype=float)
    n = out.size
    survivors = out[out != 0]
    return Probe(rate, n, float(np.mean(out == 0)), binomial_band(rate, n, Z),
                 float(survivors.mean()) if survivors.size else 0.0, float(out.mean()), mean_band(rate, n),
                 shared_axis(out, rate))


def probe_dropout(fn: Callable, rate: float, shape: tuple[int, int] = (200, 500), seed: int = 0) -> Probe:
    """Run `fn(ones, rate, rng)` once and measure zero fraction, survivor value, mean and sharing (lesson 08)."""
    rate = check_rate(rate)
    x = np.ones(shape)
    out = np.asarray(fn(x.copy(), rate, np.random.default_rng(seed)), dtype=float)
    if out.shape != x.shape:
        raise ValueError(f"the dropout function must return an array of the input's shape {x.shape}, got {out.shape}")
    return measure(out, rate)


@dataclass(frozen=True)
class ScaleProbe:
    """Training-mode average and test-time output of a dropout function, both relative to x (lesson 08)."""

    train_scale: float         # mean of out/x over training draws
    train_band: tuple[float, float]
    test_scale: float          # mean of out/x at test time
    test_repeatable: bool
    zero_fraction: float
    zero_band: tuple[float, float]
    shared: str | None = None

    @property
    def consistent(self) -> bool:
        return self.train_band[0] <= self.test_scale <= self.train_band[1]


def probe_scales(fn: Callable, rate: float, shape: tuple[int, int] = (400, 500), seed: int = 0) -> ScaleProbe:
    """Compare E[fn(x, training=True)] with fn(x, training=False) on random positive x (lesson 08)."""
    rate = check_rate(rate)
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 1.5, shape)
    train = np.asarray(fn(x.copy(), rate, rng, True), dtype=float) / x
    test = [np.asarray(fn(x.copy(), rate, rng, False), dtype=float) for _ in range(2)]
    n = train.size
    half = Z * train.std() / math.sqrt(n)
    return ScaleProbe(float(train.mean()), (float(train.mean() - half), float(train.mean() + half)),
                      float(np.mean(test[0] / x)), bool(np.array_equal(test[0], test[1])),
                      float(np.mean(train == 0)), binomial_band(rate, n, Z), shared_axis(train, rate))


@dataclass(frozen=True)
class LayerProbe:
    """A seeded dropout layer class called twice on ones, and once more after re-building it (lesson 08)."""

    first: Probe               # the first call's zero fraction, mean and sharing
    agreement: float           # between the first two calls' masks
    agreement_band: tuple[float, float]
    reproducible: bool         # a new layer with the same seed gives the same first output


def probe_layer_class(layer_class: Callable, rate: float, shape: tuple[int, int] = (64, 256),
                      seed: int = 0) -> LayerProbe:
    """Build `layer_class(rate, seed=seed)`, call it twice, build it again: fresh masks, reproducible (lesson 08)."""
    rate = check_rate(rate)
    x = np.ones(shape)
    layer = layer_class(rate, seed=seed)
    first, second = (np.asarray(layer(x.copy()), dtype=float) for _ in range(2))
    again = np.asarray(layer_class(rate, seed=seed)(x.copy()), dtype=float)
    return LayerProbe(measure(first, rate), mask_agreement(first, second), agreement_band(rate, x.size),
                      bool(np.array_equal(first, again)))


# ---------------------------------------------------------------- the symptoms dashboard


def _correct(x, rate, rng, training):
    return dropout_forward(x, rate, rng, training=training)[0]


def _divide_by_rate(x, rate, rng, training):
    return x * (rng.random(x.shape) >= rate) / rate if training else x


def _fixed_half(x, rate, rng, training):
    return x * (rng.random(x.shape) >= 0.5) / 0.5 if training else x


def _keep_drop_swapped(x, rate, rng, training):
    keep = 1.0 - rate  # used as if it were the drop probability
    return x * (rng.random(x.shape) >= keep) / rate if training else x


def _scaled_twice(x, rate, rng, training):
    keep = 1.0 - rate
    return x * (rng.random(x.shape) >= rate) / keep if training else x * keep


def _never_on(x, rate, rng, training):
    return x  # F.alpha_dropout's default, a custom loop without training=True, forgetting train()


def _always_on(x, rate, rng, training):
    return x * (rng.random(x.shape) >= rate) / (1 - rate)  # forgetting eval(), F.dropout's default, SDPA


def _same_mask(x, rate, rng, training):
    # re-seeded every call, an integer Keras seed, a NumPy mask frozen into a graph
    return x * (np.random.default_rng(0).random(x.shape) >= rate) / (1 - rate) if training else x


def _one_mask_per_batch(x, rate, rng, training):
    return x * (rng.random(x.shape[1:]) >= rate) / (1 - rate) if training else x


VARIANTS: dict[str, Callable] = {
    "correct (inverted)": _correct,
    "divide by rate": _divide_by_rate,
    "rate fixed at 0.5": _fixed_half,
    "keep/drop swapped": _keep_drop_swapped,
    "scaled twice": _scaled_twice,
    "never drops": _never_on,
    "drops at test too": _always_on,
    "same mask every call": _same_mask,
    "one mask per batch": _one_mask_per_batch,
}
EXHIBITS_OF: dict[str, tuple[int, ...]] = {  # which exhibits show each symptom
    "correct (inverted)": (), "divide by rate": (8,), "rate fixed at 0.5": (9,), "keep/drop swapped": (10,),
    "scaled twice": (11,), "never drops": (2, 4, 6), "drops at test too": (1, 3, 5),
    "same mask every call": (12, 13, 15), "one mask per batch": (14, 17),
}
MEASURES = ("zero fraction ÷ rate", "training mean", "test output", "test repeats",
            "call-to-call agreement ÷ q", "row-to-row agreement ÷ q")


@dataclass(frozen=True)
class Symptoms:
    """Six measurements of every variant at one rate, each 1 for correct inverted dropout (lesson 08)."""

    rate: float
    names: tuple[str, ...]
    values: np.ndarray          # (variants, measures), in the order of MEASURES
    bands: np.ndarray           # (measures, 2): where a correct layer lands (z = Z)
    n: int

    @property
    def zero_fraction(self) -> np.ndarray:
        return self.values[:, 0] * self.rate

    @property
    def train_mean(self) -> np.ndarray:
        return self.values[:, 1]

    @property
    def test_mean(self) -> np.ndarray:
        return self.values[:, 2]

    @property
    def q(self) -> float:
        """keep² + rate²: how often two independent masks agree on a unit."""
        return (1 - self.rate) ** 2 + self.rate ** 2

    def in_band(self) -> np.ndarray:
        """(variants, measures): does each measurement fall inside a correct layer's band?"""
        return (self.bands[:, 0] <= self.values) & (self.values <= self.bands[:, 1])

    def looks_right(self) -> np.ndarray:
        """Per variant: do all six measurements look like correct dropout?"""
        return self.in_band().all(axis=1)


def _bands(rate: float, rows: int, cols: int) -> np.ndarray:
    n = rows * cols
    q = (1 - rate) ** 2 + rate ** 2
    zero = np.array(binomial_band(rate, n, Z)) / rate
    calls = np.array(agreement_band(rate, n)) / q
    pairs = np.array(agreement_band(rate, (rows // 2) * cols)) / q
    mean = np.array(mean_band(rate, n))   # the test output's scale: exactly 1 when right, so this band holds it
    exact = np.array([1 - 1e-12, 1 + 1e-12])
    return np.stack([zero, mean, mean, exact, calls, pairs])


def _measure_variant(fn: Callable, rate: float, x: np.ndarray, rng: np.random.Generator) -> list[float]:
    train = [fn(x, rate, rng, True) for _ in range(2)]
    test = [fn(x, rate, rng, False) for _ in range(2)]
    q = (1 - rate) ** 2 + rate ** 2
    return [float(np.mean(train[0] == 0)) / rate, float(train[0].mean()), float(test[0].mean()),
            float(np.mean(test[0] == test[1])), mask_agreement(train[0], train[1]) / q,
            pair_agreement(train[0], 0)[0] / q]


@lru_cache(maxsize=64)
def _symptoms(rate: float, rows: int, cols: int, seed: int) -> Symptoms:
    x = np.ones((rows, cols))
    values = np.array([_measure_variant(fn, rate, x, np.random.default_rng([seed, i]))
                       for i, fn in enumerate(VARIANTS.values())])
    values.setflags(write=False)
    return Symptoms(rate, tuple(VARIANTS), values, _bands(rate, rows, cols), rows * cols)


def bug_symptoms(rate: float, n: int = 100_000, seed: int = 0) -> Symptoms:
    """Run every variant on n ones (200 rows) at `rate`, twice in training and twice at test (lesson 08)."""
    rate = check_rate(rate)
    if rate in (0.0, 1.0):
        raise ValueError(f"rate must be strictly between 0 and 1 here (the buggy variants divide by it), got {rate}")
    if isinstance(n, bool) or not isinstance(n, int) or n < 400 or n % 200:
        raise ValueError(f"n must be an int >= 400 and a multiple of 200 (200 rows of n/200 units), got {n!r}")
    return _symptoms(round(rate, 12), 200, n // 200, seed)
