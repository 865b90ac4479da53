"""The bug zoo's torch probes (lesson 08): run a learner's torch code on a small seeded model and record what it did.

Pure compute: every probe returns a small dataclass of measurements and `exercises.py` judges
them. torch draws run inside `frameworks.seeded_torch`, so nothing outside sees a changed stream.
"""
from __future__ import annotations

import copy
import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...frameworks import load, seeded_torch, torch_threads
from .compute import Probe, Z, measure


def single_threaded(probe: Callable) -> Callable:
    """Decorator: the probe runs on one torch thread (frameworks.torch_threads).

    These models are tiny: on a shared 2-core machine torch's second thread only waits for the
    first (measured under load: 10 s with two threads, 0.3 s with one, for probe_block).
    """
    @functools.wraps(probe)
    def run(*args, **kwargs):
        with torch_threads(1):
            return probe(*args, **kwargs)
    return run


def reference_model(seed: int = 0):
    """A small trained-looking torch MLP with a Dropout(0.5), left in training mode (lesson 08)."""
    with seeded_torch(seed) as torch:
        nn = torch.nn
        return nn.Sequential(nn.Linear(20, 64), nn.ReLU(), nn.Dropout(0.5), nn.Linear(64, 3)).train()


def torch_inputs(rows: int = 8, features: int = 20, seed: int = 1):
    """A fixed batch of inputs from a seeded torch.Generator (lesson 08)."""
    torch = load("torch")
    return torch.randn(rows, features, generator=torch.Generator().manual_seed(seed))


def to_numpy(t) -> np.ndarray:
    """A torch tensor (with or without grad) as a NumPy array."""
    return t.detach().cpu().numpy() if hasattr(t, "detach") else np.asarray(t)


def _max_diff(a, b) -> float:
    return float(np.abs(to_numpy(a) - to_numpy(b)).max())


# ---------------------------------------------------------------- exhibit 1: predict without eval()


@dataclass(frozen=True)
class PredictProbe:
    """Two calls of a predict function on the same input, and the eval-mode reference (lesson 08)."""

    max_repeat_diff: float
    max_reference_diff: float
    dropout_calls: int = 1           # passes through the model's nn.Dropout (or a copy of it) during predict
    rate_zero_calls: int = 0         # ... of which in training mode with p = 0: "off" by its rate, not by eval()
    rates_after: tuple[float, ...] = (0.5,)   # p of every nn.Dropout in the model once predict has run


@single_threaded
def probe_predict(predict: Callable, seed: int = 0) -> PredictProbe:
    """Call `predict(model, x)` twice on a model left in training mode; watch its Dropout (lesson 08).

    A pre-hook on the Dropout records its mode and rate at every pass (a deep copy of the model
    copies the hook too); afterwards the model's Dropout layers and their rates are listed, so a
    predict that sets p = 0 or swaps the layer out (dropout off for good) is seen.
    """
    torch = load("torch")
    model, x = reference_model(seed), torch_inputs()
    reference = copy.deepcopy(model).eval()
    with torch.no_grad():
        expected = to_numpy(reference(x))
    passes: list[tuple[bool, float]] = []
    model[2].register_forward_pre_hook(lambda module, args: passes.append((module.training, float(module.p))))
    with seeded_torch(seed + 2):
        first, second = to_numpy(predict(model, x)), to_numpy(predict(model, x))
    rates = tuple(float(m.p) for m in model.modules() if isinstance(m, torch.nn.Dropout))
    return PredictProbe(_max_diff(first, second), _max_diff(first, expected), len(passes),
                        sum(training and p == 0 for training, p in passes), rates)


# ---------------------------------------------------------------- exhibit 2: train() after validation


@dataclass(frozen=True)
class FitProbe:
    """The mode the Dropout was in at every forward pass of a learner's fit(), by kind of pass (lesson 08)."""

    train_steps: int           # forward passes on training batches
    expected_steps: int        # epochs × batches
    steps_in_eval: int         # training steps that ran with the Dropout in eval mode
    container_only: int        # ... of which the model itself said training=True (model.training = True)
    val_passes: int
    val_in_train: int          # validation passes that ran with the Dropout in training mode
    steps_rate_zero: int = 0   # training steps in train() mode but with the Dropout's p = 0 (drops nothing)


def _fit_setup(seed: int):
    torch = load("torch")
    gen = torch.Generator().manual_seed(seed)
    batches = [(torch.randn(16, 20, generator=gen), torch.randint(0, 3, (16,), generator=gen)) for _ in range(4)]
    x_val, y_val = torch.randn(40, 20, generator=gen), torch.randint(0, 3, (40,), generator=gen)
    return batches, x_val, y_val


@single_threaded
def probe_fit(fit: Callable, epochs: int = 3, seed: int = 0) -> FitProbe:
    """Run `fit(model, batches, x_val, y_val, epochs=3)` and record the Dropout's mode at every pass (lesson 08).

    Training batches have 16 rows and the validation set 40, so each forward pass is told
    apart by its batch size.
    """
    model = reference_model(seed)
    batches, x_val, y_val = _fit_setup(seed + 1)
    records: list[tuple[int, bool, bool, float]] = []
    dropout = model[2]
    dropout.register_forward_pre_hook(lambda module, args: records.append(
        (int(args[0].shape[0]), module.training, model.training, float(module.p))))
    with seeded_torch(seed + 2):
        fit(model, batches, x_val, y_val, epochs=epochs)
    steps = [r for r in records if r[0] == 16]
    vals = [r for r in records if r[0] == 40]
    return FitProbe(len(steps), epochs * len(batches), sum(not r[1] for r in steps),
                    sum((not r[1]) and r[2] for r in steps), len(vals), sum(r[1] for r in vals),
                    sum(r[1] and r[3] == 0 for r in steps))


# ---------------------------------------------------------------- exhibits 3-5: functional dropout in a module


@dataclass(frozen=True)
class ModuleProbe:
    """A torch module's outputs twice in eval mode and twice in training mode (lesson 08)."""

    eval_diff: float
    train_diff: float
    eval_vs_no_dropout: float = 0.0   # eval output vs the same weights built with rate 0
    train_zero_fraction: float = 0.0  # exact zeros in the training-mode output
    hidden_zero_fraction: float = 0.0  # exact zeros in what the module's `out` layer receives (training)


@single_threaded
def probe_module(net_class: Callable, rate: float = 0.5, shape: tuple[int, ...] = (8, 20), seed: int = 0,
                 watch_out: bool = False) -> ModuleProbe:
    """Build `net_class(rate=rate)`; compare repeated calls in eval and in training mode (lesson 08).

    The same weights built with rate 0 give the output the eval-mode module must reproduce.
    With `watch_out`, the input of the module's `out` layer is recorded in training mode.
    """
    torch = load("torch")
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(seed + 1))
    hidden: list[np.ndarray] = []
    with seeded_torch(seed):
        net = net_class(rate=rate)
        plain = net_class(rate=0.0)
        plain.load_state_dict(net.state_dict())
        if watch_out:
            net.out.register_forward_pre_hook(lambda module, args: hidden.append(to_numpy(args[0])))
        with torch.no_grad():
            net.eval()
            e1, e2 = to_numpy(net(x)), to_numpy(net(x))
            reference = to_numpy(plain.eval()(x))
            net.train()
            hidden.clear()
            t1, t2 = to_numpy(net(x)), to_numpy(net(x))
    h = hidden[0] if hidden else np.ones(1)
    return ModuleProbe(_max_diff(e1, e2), _max_diff(t1, t2), _max_diff(e1, reference),
                       float(np.mean(t1 == 0)), float(np.mean(h == 0)))


@single_threaded
def probe_torch_layer(layer, keep: float, shape: tuple[int, int] = (1000, 100), seed: int = 0) -> Probe:
    """Run a torch layer in training mode on ones; measure it against dropping 1 - keep (lesson 08)."""
    with seeded_torch(seed) as torch:
        layer.train()
        with torch.no_grad():
            out = to_numpy(layer(torch.ones(shape)))
    return measure(out, 1.0 - keep)


SELU_ALPHA_PRIME = 1.7580993408473766  # −λα of SELU: its negative saturation value is −1.7581


def alpha_dropped_value(rate: float) -> float:
    """Where alpha dropout puts a dropped unit: a·α′ + b = −1.7581·a·keep, a = ((α′²·rate + 1)·keep)^(−1/2) (lesson 08).

    Klambauer et al. 2017 (self-normalising networks, alpha dropout) choose a and b so that a
    unit with mean 0 and variance 1 keeps them; the lesson checks torch's value bit for bit.
    """
    keep = 1.0 - rate
    a = ((SELU_ALPHA_PRIME ** 2 * rate + 1.0) * keep) ** -0.5
    return -SELU_ALPHA_PRIME * a * keep


# ---------------------------------------------------------------- exhibit 7: MC dropout and BatchNorm


def mc_model(seed: int = 0):
    """A 'trained' torch MLP with BatchNorm and Dropout, in eval mode (lesson 08).

    Its BatchNorm has seen 20 training batches of inputs shifted by +1 and scaled by 2, so its
    running averages differ from the statistics of a standard-normal test batch: a BatchNorm
    left in training mode then gives a visibly different answer.
    """
    with seeded_torch(seed) as torch:
        nn = torch.nn
        model = nn.Sequential(nn.Linear(20, 64), nn.BatchNorm1d(64), nn.ReLU(), nn.Dropout(0.3), nn.Linear(64, 3))
        gen = torch.Generator().manual_seed(seed + 1)
        with torch.no_grad():
            for _ in range(20):
                model(1 + 2 * torch.randn(64, 20, generator=gen))
        return model.eval()


@dataclass(frozen=True)
class MCProbe:
    """The modes BatchNorm and Dropout ran in during a learner's mc_predict, and what changed (lesson 08)."""

    bn_calls: int
    bn_in_train: int
    dropout_calls: int
    dropout_in_train: int
    running_stats_change: float     # largest change of BatchNorm's running mean / variance
    shape_ok: bool
    stochastic_rows: int = 0        # rows that went through the Dropout in training mode (passes × batch rows)
    dropped_units: int = 0          # ... units it zeroed there that were not 0 already
    distinct_masks: int = 0         # distinct keep-patterns among those passes (a pass = batch rows in a row)
    rows: int = 32                  # the batch size: stochastic_rows // rows predictions per example

    @property
    def passes_seen(self) -> int:
        return self.stochastic_rows // self.rows


def mc_active_units(seed: int = 0) -> int:
    """How many of the Dropout's inputs are non-zero for probe_mc's batch (eval mode): the units a mask shows on.

    Two independent passes drop those m units alike with probability q**m, q = keep² + rate²;
    among k passes some two repeat a mask with probability at most C(k, 2)·q**m.
    """
    torch = load("torch")
    model, x = mc_model(seed), torch_inputs(rows=32)
    with torch.no_grad():
        return int((model[:3](x) != 0).sum())


@single_threaded
def probe_mc(mc_predict: Callable, passes: int = 20, seed: int = 0) -> MCProbe:
    """Run `mc_predict(model, x, passes)` on mc_model() with hooks recording each module's mode (lesson 08).

    A forward hook on the Dropout keeps every training-mode pass's keep-pattern, so passes that
    repeat one mask (re-seeding inside the loop) are counted, and also one batched call over
    x repeated `passes` times is read as `passes` predictions.
    """
    torch = load("torch")
    model, x = mc_model(seed), torch_inputs(rows=32)
    bn, dropout = model[1], model[3]
    before = torch.cat([bn.running_mean, bn.running_var]).clone()
    modes: dict[str, list[bool]] = {"bn": [], "dropout": []}
    kept: list[np.ndarray] = []       # training-mode Dropout output != 0, rows of every pass in order
    dropped = [0]
    bn.register_forward_pre_hook(lambda module, args: modes["bn"].append(module.training))
    dropout.register_forward_pre_hook(lambda module, args: modes["dropout"].append(module.training))

    def watch(module, args, output):
        if module.training:
            given, out = to_numpy(args[0]) != 0, to_numpy(output) != 0
            kept.append(out.reshape(len(out), -1))
            dropped[0] += int((given & ~out).sum())

    dropout.register_forward_hook(watch)
    with seeded_torch(seed + 2):
        out = mc_predict(model, x, passes=passes)
    change = _max_diff(torch.cat([bn.running_mean, bn.running_var]), before)
    rows = len(x)
    pattern = np.concatenate(kept) if kept else np.zeros((0, 1), dtype=bool)
    whole = len(pattern) // rows * rows
    distinct = len(np.unique(pattern[:whole].reshape(whole // rows, -1), axis=0)) if whole else 0
    return MCProbe(len(modes["bn"]), sum(modes["bn"]), len(modes["dropout"]), sum(modes["dropout"]), change,
                   tuple(getattr(out, "shape", ())) == (32, 3), len(pattern), dropped[0], distinct, rows)


# ---------------------------------------------------------------- exhibit 16: dropout before BatchNorm


@dataclass(frozen=True)
class BlockProbe:
    """BatchNorm's test-time input variance against the running variance it learned in training (lesson 08)."""

    has_dropout: bool
    has_batchnorm: bool
    ratios: tuple[float, ...]   # per BatchNorm: mean over channels of test variance / running variance
    band: tuple[float, float]   # where the ratio falls when nothing shifts it (z = Z)
    train_diff: float           # two training-mode calls differ: dropout still runs

    @property
    def shifted(self) -> bool:
        return any(not self.band[0] <= r <= self.band[1] for r in self.ratios)


def variance_ratio_band(batch: int, test_rows: int, momentum: float = 0.1, z: float = Z) -> tuple[float, float]:
    """Where test variance / running variance falls for one channel when train and test match (lesson 08).

    The running variance is an exponential average (weight `momentum`) of unbiased batch
    variances, each with relative variance 2/(batch - 1) for a normal unit; in equilibrium the
    average keeps a fraction momentum/(2 - momentum) of it. The test variance of `test_rows`
    rows adds 2/(test_rows - 1). The band is 1 ± z times the square root of their sum; the mean
    over channels is tighter still, so one channel's band is the safe (wider) choice.
    """
    rel = math.sqrt(2 / (batch - 1) * momentum / (2 - momentum) + 2 / (test_rows - 1))
    return 1 - z * rel, 1 + z * rel


@single_threaded
def probe_block(make_block: Callable, width: int = 64, rate: float = 0.5, steps: int = 60, batch: int = 128,
                test_rows: int = 4096, seed: int = 0) -> BlockProbe:
    """Run `make_block(width, rate)` on normal inputs in training, then compare BatchNorm's variances (lesson 08).

    Training-mode passes (no gradient step: only BatchNorm's running averages learn) let each
    BatchNorm settle; then, in eval mode, a hook records each BatchNorm's input on a fresh batch.
    """
    with seeded_torch(seed) as torch:
        nn = torch.nn
        block = make_block(width=width, rate=rate)
        norms = [m for m in block.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
        has_dropout = any(isinstance(m, nn.Dropout) for m in block.modules())
        gen = torch.Generator().manual_seed(seed + 1)
        seen: list[np.ndarray] = []
        for norm in norms:
            norm.register_forward_pre_hook(lambda module, args: seen.append(to_numpy(args[0])))
        with torch.no_grad():
            block.train()
            for _ in range(steps):
                block(torch.randn(batch, width, generator=gen))
            x = torch.randn(8, width, generator=gen)
            train_diff = _max_diff(block(x), block(x))
            seen.clear()
            block.eval()
            block(torch.randn(test_rows, width, generator=gen))
        ratios = tuple(float(np.mean(h.var(axis=0, ddof=1) / to_numpy(norm.running_var)))
                       for h, norm in zip(seen, norms))
    return BlockProbe(has_dropout, bool(norms), ratios, variance_ratio_band(batch, test_rows), train_diff)


def dropout_before_bn_ratio(rate: float, mean: float = 0.0, std: float = 1.0, relu: bool = False) -> float:
    """The variance shift Var_test / Var_train of a unit N(mean, std²) that dropout feeds to BatchNorm (lesson 08).

    Inverted dropout d·h/keep has E = E[h] and E[(d·h/keep)²] = E[h²]/keep, so its variance in
    training is E[h²]/keep − E[h]², against Var[h] at test. With `relu`, h = max(0, N(mean, std²)).
    """
    keep = 1.0 - rate
    if relu:
        from scipy.stats import norm as normal  # the rectified normal's first two moments
        a = mean / std
        m1 = mean * normal.cdf(a) + std * normal.pdf(a)
        m2 = (mean ** 2 + std ** 2) * normal.cdf(a) + mean * std * normal.pdf(a)
    else:
        m1, m2 = mean, mean ** 2 + std ** 2
    return (m2 - m1 ** 2) / (m2 / keep - m1 ** 2)

