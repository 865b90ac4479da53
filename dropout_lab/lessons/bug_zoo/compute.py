"""The bug zoo (lesson 08): seven classic dropout bugs, the snippets that show them, and the
statistics that tell a fixed version from a broken one.

Pure compute only: `dl.exercises.lesson08` turns these measurements into verdicts. Every
measurement draws from a seeded generator (torch draws run inside `frameworks.seeded_torch`),
so the messages a lesson stores are the same on every run.
"""
from __future__ import annotations

import copy
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..._validate import check_rate
from ...core import dropout_forward
from ...frameworks import load, seeded_torch
from ...stats import binomial_band

# Band half-width in standard deviations. A correct implementation falls outside a 4.5-sd normal band with
# probability ~7e-6 per check (two-sided), so the many checks a learner re-runs almost never cry wolf,
# while the broken versions at the rates the checks use land far outside (a repeated mask: ~100 sd at n = 16 384).
Z = 4.5


@dataclass(frozen=True)
class Bug:
    """One exhibit: what goes wrong, the broken snippet, and the check that judges a fix (lesson 08)."""

    number: int
    title: str
    symptom: str
    buggy_code: str   # what the lesson's editable cell starts with
    defines: str      # the name the snippet defines, which the cell's check is given


BUGS: dict[int, Bug] = {bug.number: bug for bug in (
    Bug(1, "Forgetting eval()", "the same input gives different predictions at test time",
        '''def predict(model, x):
    """Class scores of a trained torch model for a batch x."""
    return model(x)   # BUG?''',
        "predict"),
    Bug(2, "F.dropout without training=self.training", "model.eval() has no effect on the dropout",
        '''class Net(nn.Module):
    def __init__(self, rate=0.5):
        super().__init__()
        self.rate = rate
        self.hidden = nn.Linear(20, 64)
        self.out = nn.Linear(64, 3)

    def forward(self, x):
        h = torch.relu(self.hidden(x))
        h = F.dropout(h, p=self.rate)   # BUG?
        return self.out(h)''',
        "Net"),
    Bug(3, "Dividing by the rate", "activations blow up (or shrink) at every rate except 0.5",
        '''def my_dropout(x, rate, rng):
    mask = rng.random(x.shape) >= rate
    return x * mask / rate   # BUG?''',
        "my_dropout"),
    Bug(4, "A rate fixed at 0.5", "changing the rate changes nothing",
        '''def my_dropout(x, rate, rng):
    mask = rng.integers(0, 2, size=x.shape)   # BUG?
    return x * mask / 0.5''',
        "my_dropout"),
    Bug(5, "Keep vs drop: the paper's p passed as torch's p", "a layer meant to keep 80 % drops 80 %",
        '''def torch_dropout_from_paper(p):
    """A torch layer for the 2014 paper's dropout setting p (the paper's p = KEEP probability)."""
    return nn.Dropout(p=p)   # BUG?''',
        "torch_dropout_from_paper"),
    Bug(6, "One mask (one key) for every step", "every forward pass drops the same units",
        '''class MyDropout:
    def __init__(self, rate, seed):
        self.rate, self.seed = rate, seed

    def __call__(self, x):
        rng = np.random.default_rng(self.seed)   # BUG?
        mask = rng.random(x.shape) >= self.rate
        return x * mask / (1 - self.rate)''',
        "MyDropout"),
    Bug(7, "Scaling in training AND at test", "test-time activations are keep × too small",
        '''def my_dropout(x, rate, rng, training):
    keep = 1 - rate
    if training:
        return x * (rng.random(x.shape) >= rate) / keep
    return x * keep   # BUG?''',
        "my_dropout"),
)}


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

    @property
    def rate_ok(self) -> bool:
        return self.zero_band[0] <= self.zero_fraction <= self.zero_band[1]

    @property
    def mean_ok(self) -> bool:
        return self.mean_band[0] <= self.mean <= self.mean_band[1]


def probe_dropout(fn: Callable, rate: float, shape: tuple[int, int] = (200, 500), seed: int = 0) -> Probe:
    """Run `fn(ones, rate, rng)` once and measure zero fraction, survivor value and mean (lesson 08)."""
    rate = check_rate(rate)
    x = np.ones(shape)
    out = np.asarray(fn(x.copy(), rate, np.random.default_rng(seed)), dtype=float)
    if out.shape != x.shape:
        raise ValueError(f"the dropout function must return an array of the input's shape {x.shape}, got {out.shape}")
    n, keep = out.size, 1.0 - rate
    zero = float(np.mean(out == 0))
    survivors = out[out != 0]
    # Inverted dropout on ones: outputs are 1/keep w.p. keep, else 0, so Var = rate/keep.
    half = Z * math.sqrt(rate / keep / n) if keep > 0 else 0.0
    return Probe(rate, n, zero, binomial_band(rate, n, Z), float(survivors.mean()) if survivors.size else 0.0,
                 float(out.mean()), (1.0 - half, 1.0 + half))


def mask_agreement(a: np.ndarray, b: np.ndarray) -> float:
    """Fraction of units that two dropout outputs drop or keep alike (lesson 08)."""
    return float(np.mean((np.asarray(a) != 0) == (np.asarray(b) != 0)))


def agreement_band(rate: float, n: int, z: float = Z) -> tuple[float, float]:
    """Where the agreement of two INDEPENDENT masks falls: q = keep² + rate², ± z·sd (lesson 08)."""
    keep = 1.0 - check_rate(rate)
    q = keep ** 2 + rate ** 2
    half = z * math.sqrt(q * (1 - q) / n)
    return max(0.0, q - half), min(1.0, q + half)


@dataclass(frozen=True)
class ScaleProbe:
    """Training-mode average and test-time output of a dropout function, both relative to x (lesson 08)."""

    train_scale: float         # mean of out/x over training draws
    train_band: tuple[float, float]
    test_scale: float          # mean of out/x at test time
    test_repeatable: bool
    zero_fraction: float
    zero_band: tuple[float, float]

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
                      float(np.mean(train == 0)), binomial_band(rate, n, Z))


# ---------------------------------------------------------------- torch


def reference_model(seed: int = 0):
    """A small trained-looking torch MLP with a Dropout(0.5), left in training mode (lesson 08)."""
    with seeded_torch(seed) as torch:
        nn = torch.nn
        return nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 3)).train()


def torch_inputs(rows: int = 8, features: int = 20, seed: int = 1):
    """A fixed batch of inputs from a seeded torch.Generator."""
    torch = load("torch")
    return torch.randn(rows, features, generator=torch.Generator().manual_seed(seed))


def to_numpy(t) -> np.ndarray:
    """A torch tensor (with or without grad) as a NumPy array."""
    return t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)


@dataclass(frozen=True)
class PredictProbe:
    """Two calls of a predict function on the same input, and the eval-mode reference (lesson 08)."""

    max_repeat_diff: float
    max_reference_diff: float


def probe_predict(predict: Callable, seed: int = 0) -> PredictProbe:
    """Call `predict(model, x)` twice on a model left in training mode (lesson 08)."""
    torch = load("torch")
    model, x = reference_model(seed), torch_inputs()
    reference = copy.deepcopy(model).eval()
    with torch.no_grad():
        expected = to_numpy(reference(x))
    with seeded_torch(seed + 2):
        first, second = to_numpy(predict(model, x)), to_numpy(predict(model, x))
    return PredictProbe(float(np.abs(first - second).max()), float(np.abs(first - expected).max()))


@dataclass(frozen=True)
class ModuleProbe:
    """A torch module's outputs twice in eval mode and twice in training mode (lesson 08)."""

    eval_diff: float
    train_diff: float


def probe_module(net_class: Callable, rate: float = 0.5, seed: int = 0) -> ModuleProbe:
    """Build `net_class(rate=rate)` and compare repeated calls in eval and in training mode (lesson 08)."""
    x = torch_inputs()
    with seeded_torch(seed) as torch:
        net = net_class(rate=rate)
        with torch.no_grad():
            net.eval()
            e1, e2 = to_numpy(net(x)), to_numpy(net(x))
            net.train()
            t1, t2 = to_numpy(net(x)), to_numpy(net(x))
    return ModuleProbe(float(np.abs(e1 - e2).max()), float(np.abs(t1 - t2).max()))


def probe_torch_layer(layer, keep: float, shape: tuple[int, int] = (1000, 100), seed: int = 0) -> Probe:
    """Run a torch layer in training mode on ones; measure it against dropping 1 - keep (lesson 08)."""
    rate = 1.0 - keep
    with seeded_torch(seed) as torch:
        layer.train()
        with torch.no_grad():
            out = to_numpy(layer(torch.ones(shape)))
    n = out.size
    survivors = out[out != 0]
    half = Z * math.sqrt(rate / keep / n)
    return Probe(rate, n, float(np.mean(out == 0)), binomial_band(rate, n, Z),
                 float(survivors.mean()) if survivors.size else 0.0, float(out.mean()), (1.0 - half, 1.0 + half))


# ---------------------------------------------------------------- the symptoms dashboard


def _correct(x, rate, rng, training):
    return dropout_forward(x, rate, rng, training=training)[0]


def _divide_by_rate(x, rate, rng, training):
    return x * (rng.random(x.shape) >= rate) / max(rate, 1e-12) if training else x


def _fixed_half(x, rate, rng, training):
    return x * (rng.random(x.shape) >= 0.5) / 0.5 if training else x


def _keep_drop_swapped(x, rate, rng, training):
    keep = 1.0 - rate  # used as if it were the drop probability
    return x * (rng.random(x.shape) >= keep) / max(rate, 1e-12) if training else x


def _scaled_twice(x, rate, rng, training):
    keep = 1.0 - rate
    return x * (rng.random(x.shape) >= rate) / max(keep, 1e-12) if training else x * keep


VARIANTS: dict[str, Callable] = {
    "correct (inverted)": _correct,
    "divide by rate": _divide_by_rate,
    "rate fixed at 0.5": _fixed_half,
    "keep/drop swapped": _keep_drop_swapped,
    "scaled twice": _scaled_twice,
}


@dataclass(frozen=True)
class Symptoms:
    """Zero fraction, training mean and test output of every variant at one rate (lesson 08)."""

    rate: float
    names: tuple[str, ...]
    zero_fraction: np.ndarray   # (variants,)
    train_mean: np.ndarray      # mean output on ones in training
    test_mean: np.ndarray       # output on ones at test time
    zero_band: tuple[float, float]
    n: int

    def looks_right(self) -> np.ndarray:
        """Per variant: does it drop `rate` and keep training and test outputs at 1 on average?"""
        half = Z * math.sqrt(self.rate / (1 - self.rate) / self.n)  # sd of the mean of inverted dropout on ones
        in_band = (self.zero_band[0] <= self.zero_fraction) & (self.zero_fraction <= self.zero_band[1])
        return in_band & (np.abs(self.train_mean - 1) <= half) & (np.abs(self.test_mean - 1) <= 1e-12)


def bug_symptoms(rate: float, n: int = 100_000, seed: int = 0) -> Symptoms:
    """Run every variant on n ones at `rate`, in training and at test (lesson 08)."""
    rate = check_rate(rate)
    if rate in (0.0, 1.0):
        raise ValueError(f"rate must be strictly between 0 and 1 here (the buggy variants divide by it), got {rate}")
    x = np.ones(n)
    rows = []
    for i, fn in enumerate(VARIANTS.values()):
        train = fn(x, rate, np.random.default_rng([seed, i]), True)
        rows.append((np.mean(train == 0), train.mean(), fn(x, rate, None, False).mean()))
    zero, train_mean, test_mean = (np.array(col, dtype=float) for col in zip(*rows))
    return Symptoms(rate, tuple(VARIANTS), zero, train_mean, test_mean, binomial_band(rate, n, Z), n)
