"""Dropout and BatchNorm: the variance shift, derived, sampled and measured per unit (lesson 10).

Li, Chen, Hu & Yang (CVPR 2019, arXiv:1801.05134) named it: inverted dropout keeps a unit's
MEAN between training and test but not its VARIANCE, while BatchNorm, placed after it, learns
its running variance in training and applies it at test. Everything here is pure and seeded:
the closed forms, a NumPy sampling check through `dl.dropout_forward`, and small PyTorch
networks on scikit-learn's digits (torch imported through `dropout_lab.frameworks.load`).
"""
from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..._validate import as_float_array, check_rate, check_seed
from ...core import dropout_forward
from ...data import DataSplit, load_digits_split
from ...frameworks import load, seeded_torch, torch_threads
from ...stats import t_critical

# ---------------------------------------------------------------- the closed forms


def _check_keep(rate: float) -> float:
    keep = 1.0 - check_rate(rate)
    if keep == 0:
        raise ValueError("rate must be < 1: at rate 1 every unit is dropped and there is no variance to shift")
    return keep


def _check_finite(value: object, name: str, positive: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) \
            or (positive and value <= 0):
        raise ValueError(f"{name} must be a finite number{' > 0' if positive else ''}, got {value!r}")
    return float(value)


def train_variance(mu: float, var: float, rate: float) -> float:
    """Var of x·m/keep, m ~ Bernoulli(keep) independent of x with mean mu and variance var (lesson 10).

    E[y] = mu and E[y²] = E[x²]·E[m²]/keep² = (var + mu²)/keep, so Var[y] = (var + mu²)/keep − mu².
    """
    keep = _check_keep(rate)
    mu, var = _check_finite(mu, "mu"), _check_finite(var, "var")
    if var < 0:
        raise ValueError(f"var must be >= 0, got {var!r}")
    return (var + mu * mu) / keep - mu * mu


def variance_ratio(rate: float, mu_over_sigma: float = 0.0) -> float:
    """Training variance over test variance of a unit behind dropout: (1 + rate·(mu/sigma)²)/keep (lesson 10)."""
    r = _check_finite(mu_over_sigma, "mu_over_sigma")
    return train_variance(r, 1.0, rate)   # scale-free: take sigma = 1


def shifted_test_variance(rate: float, mu_over_sigma: float = 0.0) -> float:
    """The variance of BatchNorm's normalised output at test, if BN learned its statistics under dropout (lesson 10).

    BN divides by the running (training) variance, but at test the input has the test variance,
    so its normalised output has variance test/train = 1 / variance_ratio: below 1, "shifted".
    """
    return 1.0 / variance_ratio(rate, mu_over_sigma)


def through_linear_ratio(weights: np.ndarray, second_moment: np.ndarray, test_var: np.ndarray,
                         rate: float) -> np.ndarray:
    """Dropout → Linear → BN: training over test variance of each BN input z_i = Σ_j w_ij x_j m_j / keep (lesson 10).

    With independent masks, Var_train(z_i) = Var_test(z_i) + (rate/keep)·Σ_j w_ij² E[x_j²] (the
    law of total variance over the masks), so the ratio is 1 + (rate/keep)·Σ_j w_ij² E[x_j²] / Var_test(z_i).
    weights: (out, in) as torch's Linear.weight; second_moment: E[x_j²], (in,); test_var: (out,).
    """
    keep = _check_keep(rate)
    weights = as_float_array(weights, "weights")
    second_moment = as_float_array(second_moment, "second_moment")
    test_var = as_float_array(test_var, "test_var")
    return 1.0 + (rate / keep) * (weights ** 2 @ second_moment) / test_var


# ---------------------------------------------------------------- a sampled check (NumPy)


@dataclass(frozen=True)
class UnitSample:
    """x ~ N(mu, sigma²), n samples through dl.dropout_forward: both variances, measured and predicted (lesson 10)."""

    rate: float
    mu_over_sigma: float
    n: int
    measured_train_var: float   # sample variance of the dropout outputs (sigma = 1)
    measured_test_var: float    # sample variance of the same inputs without dropout
    predicted_train_var: float  # (1 + mu²)/keep − mu², sigma = 1
    se: float                   # standard error of measured_train_var: sqrt((m4 − v²)/n), from the samples

    @property
    def measured_ratio(self) -> float:
        return self.measured_train_var / self.measured_test_var


def sampled_unit(rate: float, mu_over_sigma: float, n: int = 200_000, seed: int = 0) -> UnitSample:
    """Draw n inputs x ~ N(mu, 1), drop them with dl.dropout_forward, and measure both variances (lesson 10)."""
    _check_keep(rate)
    rng = np.random.default_rng(check_seed(seed))
    x = rng.normal(_check_finite(mu_over_sigma, "mu_over_sigma"), 1.0, int(n))
    y, _ = dropout_forward(x, rate, rng)
    v = y.var()
    m4 = np.mean((y - y.mean()) ** 4)
    return UnitSample(float(rate), float(mu_over_sigma), int(n), float(v), float(x.var()),
                      variance_ratio(rate, mu_over_sigma), float(np.sqrt((m4 - v * v) / n)))


# ---------------------------------------------------------------- small torch networks on the digits

ORDERS = ("no dropout", "dropout → BN", "BN → dropout", "dropout after last BN")
# Where each order's ONE Dropout goes: it is inserted in front of this position of the dropout-free
# Linear → BN → ReLU → Linear → BN → ReLU → Linear (exercises.NETWORK numbers the same positions).
# Every order with dropout has exactly one Dropout at the same rate, so they differ in placement alone.
DROPOUT_POSITION = {"no dropout": None, "dropout → BN": 1, "BN → dropout": 3, "dropout after last BN": 6}


def _check_order(order: str) -> str:
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, got {order!r}")
    return order


def build(order: str, rate: float = 0.5, width: int = 128, seed: int = 0, inputs: int = 64, classes: int = 10):
    """Two Linear → BatchNorm → ReLU blocks and a Linear output, with ONE Dropout placed by `order` (lesson 10).

    "dropout → BN":          Linear → Dropout → BN → ReLU → Linear → BN → ReLU → Linear   (right in front of BN 1)
    "BN → dropout":          Linear → BN → ReLU → Dropout → Linear → BN → ReLU → Linear   (BN 2 behind a Linear)
    "dropout after last BN": Linear → BN → ReLU → Linear → BN → ReLU → Dropout → Linear   (no BN after it)
    """
    nn = load("torch").nn
    order, rate = _check_order(order), check_rate(rate)
    with seeded_torch(check_seed(seed)):   # every Linear's initialisation comes from this seed
        layers = [nn.Linear(inputs, width), nn.BatchNorm1d(width), nn.ReLU(),
                  nn.Linear(width, width), nn.BatchNorm1d(width), nn.ReLU(), nn.Linear(width, classes)]
    position = DROPOUT_POSITION[order]
    if position is not None:
        layers.insert(position, nn.Dropout(rate))
    return nn.Sequential(*layers)


def adam(params: list, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> Callable[..., None]:
    """Adam (Kingma & Ba 2015, Algorithm 1) as a closure over `params`; step(scale) multiplies lr (lesson 10).

    Written out because constructing any torch.optim optimiser imports torch._dynamo, ~3 s of
    CPU in a fresh kernel (measured with python -X importtime).
    """
    torch = load("torch")
    first = [torch.zeros_like(p) for p in params]
    second = [torch.zeros_like(p) for p in params]
    count = [0]

    def step(scale: float = 1.0) -> None:
        count[0] += 1
        t = count[0]
        with torch.no_grad():
            for p, m, v in zip(params, first, second):
                m.mul_(betas[0]).add_(p.grad, alpha=1 - betas[0])
                v.mul_(betas[1]).addcmul_(p.grad, p.grad, value=1 - betas[1])
                p.sub_(scale * lr * (m / (1 - betas[0] ** t)) / ((v / (1 - betas[1] ** t)).sqrt() + eps))

    step.params = params
    return step


WIDTH = 64    # units per hidden layer: the study's cost is mostly the width² of the middle Linear
EPOCHS = 40   # with the learning rate decayed linearly to 0 the curves are flat by then (the lesson plots them)


@dataclass(frozen=True)
class Curves:
    """Per epoch and seed, in eval mode after the epoch: test accuracy and training-set cross-entropy (lesson 10)."""

    test_accuracy: np.ndarray   # (epochs, seeds)
    train_loss: np.ndarray      # (epochs, seeds)


def _stacked_forward(template, params: dict, x):
    """Run S copies of the Sequential `template` side by side on x of shape (batch, S, features) (lesson 10).

    Linear l uses params[l] = (weight (S, in, out), bias (S, out)); every other module (BatchNorm1d over
    S·width features, ReLU, Dropout) is the template's own, applied to the (batch, S·width) view, so each
    seed's units get their own BatchNorm statistics and dropout masks.
    """
    torch = load("torch")
    batch, copies = x.shape[0], x.shape[1]
    for i, module in enumerate(template):
        if i in params:
            weight, bias = params[i]
            x = torch.baddbmm(bias.unsqueeze(1), x.transpose(0, 1), weight).transpose(0, 1)
        elif isinstance(module, torch.nn.BatchNorm1d):
            x = module(x.reshape(batch, -1)).reshape(batch, copies, -1)
        else:
            x = module(x)
    return x


def _stack(models: list, order: str, rate: float):
    """One stacked template (BatchNorm1d of S·width) and the stacked Linear parameters of S models (lesson 10)."""
    torch = load("torch")
    nn = torch.nn
    template, params = [], {}
    for i, module in enumerate(models[0]):
        copies = [m[i] for m in models]
        if isinstance(module, nn.Linear):
            params[i] = (nn.Parameter(torch.stack([c.weight.detach().T for c in copies]).contiguous()),
                         nn.Parameter(torch.stack([c.bias.detach() for c in copies])))
            template.append(nn.Identity())
        elif isinstance(module, nn.BatchNorm1d):
            norm = nn.BatchNorm1d(module.num_features * len(models))
            with torch.no_grad():
                norm.weight.copy_(torch.cat([c.weight for c in copies]))
                norm.bias.copy_(torch.cat([c.bias for c in copies]))
            template.append(norm)
        else:
            template.append(copy.deepcopy(module))
    return nn.Sequential(*template), params


def _unstack(models: list, template, params: dict) -> list:
    """Copy the stacked weights and BatchNorm statistics back into the S standard models (lesson 10)."""
    torch = load("torch")
    with torch.no_grad():
        for s, model in enumerate(models):
            for i, module in enumerate(model):
                if i in params:
                    module.weight.copy_(params[i][0][s].T)
                    module.bias.copy_(params[i][1][s])
                elif isinstance(module, torch.nn.BatchNorm1d):
                    width, stacked = module.num_features, template[i]
                    part = slice(s * width, (s + 1) * width)
                    for name in ("weight", "bias", "running_mean", "running_var"):
                        getattr(module, name).copy_(getattr(stacked, name)[part])
                    module.num_batches_tracked.copy_(stacked.num_batches_tracked)
    return [m.eval() for m in models]


def train_seeds(order: str, seeds: Sequence[int], rate: float = 0.5, epochs: int = EPOCHS, batch_size: int = 128,
                lr: float = 3e-3, data: Callable[[int], DataSplit] | None = None, width: int = WIDTH):
    """Train build(order, rate, seed=s) on digits(s) for every seed at once; returns (models, Curves) (lesson 10).

    The S networks run side by side (one batched matrix product per Linear, one BatchNorm1d over S·width
    features): the same maths as S separate runs — each seed its own split, initialisation, batch order,
    BatchNorm statistics and masks, the summed loss giving each its own gradient, Adam elementwise — in
    about the time of one. Adam, lr decayed linearly to 0 over the run; masks from torch's global
    generator seeded with seeds[0] for this block, so a seed's masks depend on which seeds run with it.
    """
    torch = load("torch")
    order, rate, seeds = _check_order(order), check_rate(rate), tuple(check_seed(s) for s in seeds)
    splits = [(data or digits)(s) for s in seeds]
    if len({len(d.x_train) for d in splits}) != 1 or len({len(d.x_test) for d in splits}) != 1:
        raise ValueError("data must give every seed a split of the same size")
    models = [build(order, rate, width, s, inputs=splits[0].n_features) for s in seeds]
    template, params = _stack(models, order, rate)

    def stacked(name):
        return torch.tensor(np.stack([getattr(d, name) for d in splits], axis=1))

    x, y = stacked("x_train").float(), stacked("y_train")
    x_test, y_test = stacked("x_test").float(), stacked("y_test")
    order_rngs = [torch.Generator().manual_seed(s) for s in seeds]
    step = adam([p for pair in params.values() for p in pair] + list(template.parameters()), lr)
    starts = range(0, len(x) - 1, int(batch_size))        # never a batch of 1: BatchNorm needs two rows
    total, done = int(epochs) * len(starts), 0
    accuracy_curve, loss_curve = np.zeros((int(epochs), len(seeds))), np.zeros((int(epochs), len(seeds)))
    columns = torch.arange(len(seeds))
    with seeded_torch(seeds[0]), torch_threads(1):
        for epoch in range(int(epochs)):
            template.train()
            perms = torch.stack([torch.randperm(len(x), generator=g) for g in order_rngs], dim=1)
            xs, ys = x[perms, columns], y[perms, columns]
            for start in starts:
                logits = _stacked_forward(template, params, xs[start:start + batch_size])
                for p in step.params:
                    p.grad = None
                loss = torch.nn.functional.cross_entropy(logits.transpose(1, 2), ys[start:start + batch_size],
                                                         reduction="none").mean(0).sum()   # Σ over seeds
                loss.backward()
                step(1 - done / total)
                done += 1
            template.eval()
            with torch.no_grad():
                accuracy_curve[epoch] = (_stacked_forward(template, params, x_test).argmax(2) == y_test) \
                    .double().mean(0).numpy()
                loss_curve[epoch] = torch.nn.functional.cross_entropy(
                    _stacked_forward(template, params, x).transpose(1, 2), y, reduction="none").mean(0).numpy()
    return _unstack(models, template, params), Curves(accuracy_curve, loss_curve)


def train(order: str, data: DataSplit, rate: float = 0.5, seed: int = 0, epochs: int = EPOCHS,
          batch_size: int = 128, lr: float = 3e-3):
    """Train one build(order, rate, seed) on `data` (train_seeds with one seed); the model in eval mode (lesson 10)."""
    models, _ = train_seeds(order, (seed,), rate, epochs, batch_size, lr, data=lambda _seed: data)
    return models[0]


def loss_and_accuracy(model, x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Cross-entropy and accuracy of the model in eval mode on the rows of x (lesson 10)."""
    torch = load("torch")
    model.eval()
    with torch.no_grad():
        logits = model(torch.as_tensor(x, dtype=torch.float32))
        target = torch.as_tensor(np.asarray(y))
        return float(torch.nn.functional.cross_entropy(logits, target)), \
            float((logits.argmax(1) == target).double().mean())


def accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows the model (in eval mode) classifies right (lesson 10)."""
    torch = load("torch")
    model.eval()
    with torch.no_grad():
        return float(np.mean(model(torch.as_tensor(x, dtype=torch.float32)).argmax(1).numpy() == np.asarray(y)))


# ---------------------------------------------------------------- the shift per unit, in a trained network


def module_inputs(model, x: np.ndarray) -> list[np.ndarray]:
    """The input of every module of a Sequential, in eval mode (dropout off), for the rows of x (lesson 10)."""
    torch = load("torch")
    seen: list[np.ndarray] = []
    h = torch.as_tensor(x, dtype=torch.float32)
    model.eval()
    with torch.no_grad():
        for module in model:
            seen.append(h.numpy().astype(np.float64))
            h = module(h)
    return seen


@dataclass(frozen=True)
class LayerShift:
    """One BatchNorm layer: its running variance against the test-time variance of its input, per unit (lesson 10)."""

    index: int                 # position of the BatchNorm in the Sequential
    kind: str                  # "direct" (Dropout → BN), "through Linear" (Dropout → Linear → BN), "downstream"
                               # (a dropout earlier, not in front of it) or "none" (no dropout before it)
    running_var: np.ndarray    # what BN learned in training
    test_var: np.ndarray       # variance of its input at test (eval mode: dropout off), over the rows given
    predicted: np.ndarray      # the closed form's train/test ratio per unit (NaN for "downstream": none exists)
    simulated: np.ndarray      # train-mode variance / test variance per unit: frozen weights, dropout on, BN on
                               # batch statistics, batches as in training (train_mode_variance)

    @property
    def measured(self) -> np.ndarray:
        """running_var / test_var per unit: how wrong BN's variance is at test."""
        return self.running_var / self.test_var

    def agreement(self, against: str = "predicted") -> tuple[float, float]:
        """Mean of measured / `against` ("predicted" or "simulated") over units, and its sd over units / √units."""
        q = self.measured / getattr(self, against)
        return float(q.mean()), float(q.std(ddof=1) / math.sqrt(len(q)))


def _norms(model) -> list:
    nn = load("torch").nn
    return [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]


def train_mode_variance(model, x: np.ndarray, batch_size: int = 128, seed: int = 0) -> list[np.ndarray]:
    """Each BatchNorm's input variance in TRAINING mode with frozen weights: what its running_var tracks (lesson 10).

    A copy of the model in train mode (dropout on, every BN normalising by its batch's statistics), its
    BN statistics reset with momentum=None, is run once over the rows of x in batches: each running_var
    becomes the average unbiased batch variance, the quantity training's moving average follows.
    """
    torch = load("torch")
    model = copy.deepcopy(model).train()
    for m in _norms(model):
        m.reset_running_stats()
        m.momentum = None
    inputs = torch.as_tensor(x, dtype=torch.float32)
    with seeded_torch(check_seed(seed)), torch.no_grad():
        for start in range(0, len(inputs) - 1, int(batch_size)):
            model(inputs[start:start + batch_size])
    return [m.running_var.numpy().astype(np.float64) for m in _norms(model)]


def variance_shift(model, x: np.ndarray, rate: float, seed: int = 0) -> list[LayerShift]:
    """For every BatchNorm of a trained model: running/test variance beside the closed form and a train-mode pass.

    The closed forms hold where the dropout's input is the same in training and at test: right behind
    the first Linear ("direct"), or behind a BN that sees no dropout ("through Linear"). A BN further
    down ("downstream") inherits the shift of the BN above it — no closed form; the train-mode pass
    (train_mode_variance) measures it (lesson 10).
    """
    nn = load("torch").nn
    inputs = module_inputs(model, x)
    layers = list(model)
    simulated = iter(train_mode_variance(model, x, seed=seed))
    shifts, seen_dropout = [], False
    for i, layer in enumerate(layers):
        seen_dropout = seen_dropout or isinstance(layer, nn.Dropout)
        if not isinstance(layer, nn.BatchNorm1d):
            continue
        test_var = inputs[i].var(axis=0, ddof=1)       # torch's running_var is unbiased too
        if i >= 1 and isinstance(layers[i - 1], nn.Dropout):                       # Dropout → BN
            a = inputs[i - 1]
            kind, predicted = "direct", np.array([variance_ratio(rate, m / s) for m, s in
                                                  zip(a.mean(axis=0), a.std(axis=0))])
        elif i >= 2 and isinstance(layers[i - 1], nn.Linear) and isinstance(layers[i - 2], nn.Dropout):
            weights = layers[i - 1].weight.detach().numpy().astype(np.float64)      # Dropout → Linear → BN
            kind = "through Linear"
            predicted = through_linear_ratio(weights, np.mean(inputs[i - 2] ** 2, axis=0), test_var, rate)
        elif seen_dropout:
            kind, predicted = "downstream", np.full_like(test_var, np.nan)
        else:
            kind, predicted = "none", np.ones_like(test_var)
        shifts.append(LayerShift(i, kind, layer.running_var.detach().numpy().astype(np.float64), test_var,
                                 predicted, next(simulated) / test_var))
    return shifts


# ---------------------------------------------------------------- the fix: re-estimate BN with dropout off


def recalibrate(model, x: np.ndarray, batch_size: int = 128):
    """Reset every BatchNorm and re-estimate its statistics on x with dropout OFF (Hendrycks & Gimpel 2016) (lesson 10).

    model.eval() (dropout off), then only the BatchNorm modules in train() with momentum=None, so
    the running statistics become the plain average over all the batches (torch's cumulative
    moving average, torch/nn/modules/batchnorm.py). No gradient, no weight changes. Returns a copy.
    """
    torch = load("torch")
    model = copy.deepcopy(model).eval()
    norms = _norms(model)
    saved = [m.momentum for m in norms]
    for m in norms:
        m.reset_running_stats()
        m.momentum = None
        m.train()
    inputs = torch.as_tensor(x, dtype=torch.float32)
    with torch.no_grad():
        for start in range(0, len(inputs) - 1, int(batch_size)):
            model(inputs[start:start + batch_size])
    for m, momentum in zip(norms, saved):
        m.momentum = momentum
    return model.eval()


def downstream_bias(batch_size: int = 128) -> float:
    """Bound on the relative bias of a BN below another BN: E[1/s²] = (1 + 2/(n − 3))/σ² for normal data (lesson 10).

    In train mode the upper BN divides each batch by that batch's own standard deviation, so the lower BN's
    inputs are scaled by 1/s instead of 1/σ: their variance is inflated by up to 2/(n − 3) (n rows per batch).
    """
    n = int(batch_size)
    if n < 4:
        raise ValueError(f"batch_size must be >= 4, got {batch_size}")
    return 2 / (n - 3)


def recalibration_band(rows: int, batch_size: int = 128, downstream: bool = False,
                       z: float = 4.5) -> tuple[float, float]:
    """How far one unit's re-estimated running_var / test variance may sit below and above 1 (lesson 10).

    The re-estimate averages K unbiased batch variances s²_b (n rows each, partitioning the data), each
    weighted 1/K. Were all batches n rows, the within/between decomposition
    (N − 1)·S² = Σ(n − 1)s²_b + n·Σ(x̄_b − x̄)² gives, with n·Σ(x̄_b − x̄)²/σ² ~ χ²_{K−1} for normal data,
        running_var / S² − 1 ≈ ((K − 1) − χ²_{K−1}) · scale,   scale = 1/(K(n − 1)),
    at most (K − 1)·scale above 1 and with χ²'s long upper tail below it (sd √(2(K−1))·scale). The band
    takes the exact χ² quantiles at p/2 on each side, p = 2·(1 − Φ(z)) (6.8e-6 at z = 4.5), not a normal
    z·sd: for K = 8 a normal 4.5 sd is exceeded below 1 with probability ~1e-3 per unit.
    Added on: the short last batch is over-weighted (1/K instead of n_b/rows), z·(1/K − n_b/rows)·sd(s²_b),
    with sd(s²_b)/σ² = √(2/(n_b − 1)) for normal data. A BN below another BN also saw that BN normalise
    each batch by its own statistics: E[1/s²] = (1 + 2/(n−3))/σ² for normal data, a bias of up to 2/(n−3),
    and that BN's batch means and sds add random terms of either sign (see the code). Returns (below, above): the pass
    range is [1 − below, 1 + above]. Checked by shuffling the rows in tests/lessons/test_batchnorm.py.
    """
    from scipy import stats
    n, rows = int(batch_size), int(rows)
    if n < 4 or rows < 2 * n:
        raise ValueError(f"need batch_size >= 4 and rows >= 2·batch_size, got batch_size={batch_size}, rows={rows}")
    z = _check_finite(z, "z", positive=True)
    k = math.ceil((rows - 1) / n)
    last = rows - (k - 1) * n
    scale = 1 / (k * (n - 1))
    p = 2 * stats.norm.sf(z)
    below = (stats.chi2.ppf(1 - p / 2, k - 1) - (k - 1)) * scale     # χ² large: the batch means spread out
    above = ((k - 1) - stats.chi2.ppf(p / 2, k - 1)) * scale         # χ² near 0: at most (K − 1)·scale
    weighting = z * abs(1 / k - last / rows) * math.sqrt(2 / max(last - 1, 1))
    rounding = 1e-5     # running_var is float32, accumulated over K batches: its rounding is far below this
    if not downstream:
        return float(below + weighting + rounding), float(above + weighting + rounding)
    # Below another BN, the upper BN's per-batch mean and sd add two more terms of the between term's size
    # and either sign (×√3 on its sd; 1.8× measured over row shuffles at batches of 32 and 128), so the
    # bounded side loses its bound: both sides take the long tail's quantile, plus the bias.
    side = math.sqrt(3) * below + weighting + downstream_bias(n) + rounding
    return float(side), float(side)


@dataclass(frozen=True)
class RecalibrationCheck:
    """Per BatchNorm: running_var / test variance per unit against the band of recalibration_band (lesson 10)."""

    ratios: list[np.ndarray]            # per BN layer, per unit
    bands: list[tuple[float, float]]    # per BN layer: (below, above), the pass range [1 − below, 1 + above]

    @property
    def worst(self) -> list[float]:
        """Per layer, the largest |ratio − 1| over units."""
        return [float(np.max(np.abs(r - 1))) for r in self.ratios]

    @property
    def passed(self) -> bool:
        return all(bool(np.all((r >= 1 - low) & (r <= 1 + high))) for r, (low, high) in zip(self.ratios, self.bands))

    def ranges(self) -> list[str]:
        """Per layer, the pass range of running/test as text."""
        return [f"[{1 - low:.3f}, {1 + high:.3f}]" for low, high in self.bands]


def check_recalibrated(model, x: np.ndarray, batch_size: int = 128) -> RecalibrationCheck:
    """Does every BN's running_var equal the test-time (dropout-off) variance of its input on x, unit by unit?"""
    nn = load("torch").nn
    inputs = module_inputs(model, x)
    ratios, bands, first = [], [], True
    for i, layer in enumerate(model):
        if isinstance(layer, nn.BatchNorm1d):
            ratios.append(layer.running_var.detach().numpy().astype(np.float64) / inputs[i].var(axis=0, ddof=1))
            bands.append(recalibration_band(len(x), batch_size, downstream=not first))
            first = False
    return RecalibrationCheck(ratios, bands)


# ---------------------------------------------------------------- the study: order × seed


@dataclass(frozen=True)
class Paired:
    """Per-seed differences a − b of two placements (percentage points) and what they resolve (lesson 10)."""

    diffs: np.ndarray

    @property
    def mean(self) -> float:
        return float(self.diffs.mean())

    @property
    def se(self) -> float:
        return float(self.diffs.std(ddof=1) / math.sqrt(len(self.diffs)))

    def band(self, z: float) -> tuple[float, float]:
        return self.mean - z * self.se, self.mean + z * self.se

    @property
    def counts(self) -> tuple[int, int, int]:
        """Seeds with a < b, a == b, a > b (rounded to 1e-9: accuracies are multiples of 1/450)."""
        d = np.round(self.diffs, 9)
        return int((d < 0).sum()), int((d == 0).sum()), int((d > 0).sum())

    @property
    def t_p(self) -> float:
        """Two-sided paired t-test p-value (n − 1 degrees of freedom)."""
        from scipy import stats
        return float(2 * stats.t.sf(abs(self.mean / self.se), len(self.diffs) - 1))

    @property
    def sign_p(self) -> float:
        """Two-sided sign test p-value, ties dropped: 2·P(Binomial(n, 1/2) >= max(worse, better)), at most 1."""
        from scipy import stats
        worse, _, better = self.counts
        n = worse + better
        return 1.0 if n == 0 else float(min(1.0, 2 * stats.binom.sf(max(worse, better) - 1, n, 0.5)))

    def t_interval(self, level: float = 0.95) -> tuple[float, float]:
        """The two-sided t confidence interval of the mean difference: mean ± t(1 − α/2, n − 1)·SE."""
        half = t_critical(len(self.diffs), level) * self.se
        return self.mean - half, self.mean + half

    def line(self, z: float) -> str:
        low, high = self.band(z)
        t_low, t_high = self.t_interval()
        worse, ties, better = self.counts
        return (f"{self.mean:+.2f} ± {self.se:.2f} (±{z:g} SE: [{low:+.2f}, {high:+.2f}]; 95 % t interval, "
                f"{len(self.diffs) - 1} dof: [{t_low:+.2f}, {t_high:+.2f}]); lower on {worse}, tied on {ties}, "
                f"higher on {better} of {len(self.diffs)} seeds; paired t p = {self.t_p:.3f}, sign test p = "
                f"{self.sign_p:.3f}")


def paired(a: Sequence[float], b: Sequence[float]) -> Paired:
    """The per-seed differences a − b (same seeds in the same order, at least two) (lesson 10)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.ndim != 1 or len(a) < 2:
        raise ValueError(f"a and b must be 1-D with the same length >= 2 (one value per seed), got {a.shape} and "
                         f"{b.shape}")
    return Paired(a - b)


@dataclass
class OrderStudy:
    """Test accuracy of each dropout placement over seeds, before and after re-estimating BN (lesson 10)."""

    orders: tuple[str, ...]
    seeds: tuple[int, ...]
    rate: float
    epochs: int
    accuracy: dict[str, np.ndarray]          # order -> (seeds,)
    recalibrated: dict[str, np.ndarray]      # order -> (seeds,)
    shifts: dict[tuple[str, int], list[LayerShift]]
    checks_before: dict[tuple[str, int], RecalibrationCheck]   # check_recalibrated on the model as trained
    checks_after: dict[tuple[str, int], RecalibrationCheck]    # ... after recalibrate
    curves: dict[str, Curves] = field(default_factory=dict, repr=False)
    models: dict[tuple[str, int], object] = field(default_factory=dict, repr=False)

    def paired(self, a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
        """Mean of the per-seed differences a − b and its standard error."""
        diff = np.asarray(a) - np.asarray(b)
        return float(diff.mean()), float(diff.std(ddof=1) / math.sqrt(len(diff))) if len(diff) > 1 else float("nan")

    def compare(self, order: str, reference: str = "dropout after last BN") -> Paired:
        """Test accuracy of `order` minus `reference`, in percentage points, seed by seed."""
        return paired(100 * self.accuracy[_check_order(order)], 100 * self.accuracy[_check_order(reference)])

    def table(self, reference: str = "dropout after last BN", z: float = 4.5) -> str:
        """Accuracy per order (mean ± sd), paired difference to `reference` ± SE with a ±z·SE band, the fix."""
        lines = [f"test accuracy %, {len(self.seeds)} seeds, rate {self.rate}, {self.epochs} epochs"
                 f"{'':>2}order − '{reference}' (± SE; ±{z:g} SE band)   re-estimated BN − as trained (± SE)"]
        ref = self.accuracy[reference]
        for order in self.orders:
            acc, fixed = 100 * self.accuracy[order], 100 * self.recalibrated[order]
            vs_ref = self.paired(acc, 100 * ref)
            fix = self.paired(fixed, acc)
            band = f"[{vs_ref[0] - z * vs_ref[1]:+.2f}, {vs_ref[0] + z * vs_ref[1]:+.2f}]"
            lines.append(f"{order:<22} {acc.mean():6.2f} ± {acc.std(ddof=1):.2f}   "
                         f"{vs_ref[0]:+6.2f} ± {vs_ref[1]:.2f} {band:>16}        {fix[0]:+6.2f} ± {fix[1]:.2f}")
        return "\n".join(lines)


def digits(seed: int) -> DataSplit:
    """The digits split of one seed (lesson 10)."""
    return load_digits_split(check_seed(seed))


def order_study(orders: Sequence[str] = ORDERS, seeds: Sequence[int] = tuple(range(8)), rate: float = 0.5,
                epochs: int = EPOCHS, on_order: Callable[[], None] | None = None) -> OrderStudy:
    """Train every order on every seed's split: accuracy, curves, the shift, as trained and re-estimated (lesson 10)."""
    orders = tuple(_check_order(o) for o in orders)
    seeds = tuple(check_seed(s) for s in seeds)
    if not orders or not seeds:
        raise ValueError("orders and seeds must each be non-empty")
    acc = {o: np.zeros(len(seeds)) for o in orders}
    fixed = {o: np.zeros(len(seeds)) for o in orders}
    shifts, before, after, models, curves = {}, {}, {}, {}, {}
    splits = {seed: digits(seed) for seed in seeds}     # each seed's split once, shared by the placements
    # One thread: on these small matrices a second thread only waits (torch's train-mode batch_norm on
    # (128, 512) took 1.0 ms on 2 threads of a busy 2-core box against 0.06 ms on one).
    with torch_threads(1):
        for order in orders:
            trained, curves[order] = train_seeds(order, seeds, rate, epochs, data=splits.__getitem__)
            for j, (seed, model) in enumerate(zip(seeds, trained)):
                data = splits[seed]
                models[(order, seed)] = model
                again = recalibrate(model, data.x_train)
                acc[order][j], fixed[order][j] = accuracy(model, data.x_test, data.y_test), \
                    accuracy(again, data.x_test, data.y_test)
                shifts[(order, seed)] = variance_shift(model, data.x_train, rate, seed)
                before[(order, seed)] = check_recalibrated(model, data.x_train)
                after[(order, seed)] = check_recalibrated(again, data.x_train)
            if on_order is not None:
                on_order()
    return OrderStudy(orders, seeds, rate, int(epochs), acc, fixed, shifts, before, after, curves, models)


# ---------------------------------------------------------------- the dashboard's measurement (NumPy, exact SE)


@dataclass(frozen=True)
class RateShift:
    """Fixed activations a (rows × units) dropped at one rate, `repeats` masks per row (lesson 10)."""

    rate: float
    measured: np.ndarray    # per unit: variance of dropout(a) / variance of a
    predicted: np.ndarray   # per unit: (1 + rate·(mu/sigma)²)/keep from a's own moments
    se: np.ndarray          # per unit: standard error of `measured` over the masks, given a

    @property
    def mean_measured(self) -> float:
        return float(self.measured.mean())

    @property
    def mean_predicted(self) -> float:
        return float(self.predicted.mean())

    @property
    def rel_se(self) -> float:
        """Standard error of mean_measured relative to mean_predicted (units' masks are independent)."""
        return float(np.sqrt(np.sum(self.se ** 2)) / len(self.se) / self.mean_predicted)


def rate_shift(a: np.ndarray, rate: float, repeats: int = 4, seed: int = 0) -> RateShift:
    """Drop the columns of `a` at `rate` (dl.dropout_forward), `repeats` times per row, and compare (lesson 10).

    Conditional on a, the dropout output's variance differs from (E[a²]/keep − E[a]²) only through
    the masks; its standard error over the masks is sqrt(rate·keep·mean_i(a_i²/keep² − 2 mu a_i/keep)²/(N·R)),
    from the delta method on mean(y²) − mean(y)² (each row's R masks independent).
    """
    a = as_float_array(a, "a")
    keep = _check_keep(rate)
    tiled = np.tile(a, (int(repeats), 1))
    y, _ = dropout_forward(tiled, rate, np.random.default_rng(check_seed(seed)))
    mu, var = a.mean(axis=0), a.var(axis=0)
    measured = y.var(axis=0) / var
    predicted = ((var + mu ** 2) / keep - mu ** 2) / var
    influence = a ** 2 / keep ** 2 - 2 * mu * a / keep          # d(mean y² − mean(y)²) per unit of mask noise
    se = np.sqrt(rate * keep * np.mean(influence ** 2, axis=0) / len(tiled)) / var
    return RateShift(float(rate), measured, predicted, se)


def first_layer_activations(model, x: np.ndarray) -> np.ndarray:
    """The first Linear's outputs for the rows of x: what the first Dropout → BN sees (lesson 10)."""
    return module_inputs(model, x)[1]


# ---------------------------------------------------------------- the pitfalls, in the bug zoo's style


@dataclass(frozen=True)
class Bug:
    """One exhibit: what goes wrong, the broken snippet, and the name the snippet defines (lesson 10).

    Each snippet has exactly ONE bug, on the line marked `# BUG?`; `fix` replaces that line (the fix may
    take more than one line) and the result passes the check (tests/lessons/test_batchnorm.py).
    """

    number: int
    title: str
    symptom: str
    buggy_code: str
    defines: str
    fix: str

    @property
    def marked_line(self) -> str:
        (line,) = [ln for ln in self.buggy_code.splitlines() if "# BUG?" in ln]
        return line

    @property
    def fixed_code(self) -> str:
        return self.buggy_code.replace(self.marked_line, self.fix)


BUGS: dict[int, Bug] = {bug.number: bug for bug in (
    Bug(4, "Re-estimating with model.train()", "BatchNorm re-learns the variance of the dropped-out inputs",
        '''def recalibrate_bn(model, x):
    """Re-estimate every BatchNorm's statistics on the float tensor x, with dropout off."""
    for module in model.modules():
        if isinstance(module, nn.BatchNorm1d):
            module.reset_running_stats()   # forget the shifted statistics
            module.momentum = None         # a plain average over every batch
    model.train()   # BUG?
    with torch.no_grad():
        for batch in x.split(128):
            model(batch)
    model.eval()''',
        "recalibrate_bn",
        '''    model.eval()                           # dropout off ...
    for module in model.modules():
        if isinstance(module, nn.BatchNorm1d):
            module.train()                 # ... and only BatchNorm collects statistics'''),
    Bug(5, "Re-estimating with torch's default momentum",
        "after the reset, 0.9⁸ = 43 % of each running variance is still the reset value 1",
        '''def recalibrate_bn(model, x):
    """Re-estimate every BatchNorm's statistics on the float tensor x, with dropout off."""
    model.eval()
    for module in model.modules():
        if isinstance(module, nn.BatchNorm1d):
            module.reset_running_stats()
            module.momentum = 0.1   # BUG?
            module.train()
    with torch.no_grad():
        for batch in x.split(128):
            model(batch)
    model.eval()''',
        "recalibrate_bn",
        "            module.momentum = None   # a plain (cumulative) average over every batch"),
)}


def shifted_reference(rate: float = 0.5, rows: int = 1024, seed: int = 0):
    """A Dropout → BN network whose BatchNorms learned their statistics with dropout on, and its inputs (lesson 10).

    Random weights, then one training-mode pass over `rows` seeded inputs with momentum=None, so
    each running statistic is exactly that pass's (dropout-on) batch statistic: the state training
    leaves behind, without training. Returns (model in eval mode, inputs as a float32 tensor).
    """
    torch = load("torch")
    nn = torch.nn
    model = build("dropout → BN", rate, width=64, seed=seed)
    x = torch.as_tensor(np.random.default_rng(check_seed(seed) + 1).random((int(rows), 64)), dtype=torch.float32)
    norms = [m for m in model.modules() if isinstance(m, nn.BatchNorm1d)]
    for m in norms:
        m.momentum = None
    with seeded_torch(seed), torch.no_grad():
        model.train()(x)
    for m in norms:
        m.momentum = 0.1
    return model.eval(), x


@dataclass(frozen=True)
class RecalibrationProbe:
    """What a learner's recalibrate_bn(model, x) left behind (lesson 10)."""

    ratio_before: float        # first BN: mean over units of running_var / test var, before the call
    ratio_after: float         # ... after it (1 when re-estimated with dropout off)
    passed_band: bool          # every unit of every BN within recalibration_band of 1 (check_recalibrated)
    left_training: bool        # any module still in training mode afterwards
    weights_changed: float     # largest change of any weight or bias
    dropout_ran: bool          # a Dropout module ran in training mode during the call
    rates_changed: bool        # a Dropout's p differs afterwards
    momenta: tuple             # the first BN's momentum at each of its training-mode forwards
    rows_seen: int             # rows the first BN saw in training mode
    rows: int                  # rows of x
    reset: bool                # the first BN's batch counter restarted (reset_running_stats or equivalent)


def probe_recalibrate(fn: Callable) -> RecalibrationProbe:
    """Run fn(model, x) on the shifted reference network and measure its first BatchNorm (lesson 10)."""
    torch = load("torch")
    model, x = shifted_reference()
    before = {k: v.clone() for k, v in model.state_dict().items() if k.endswith(("weight", "bias"))}
    rates = [m.p for m in model.modules() if isinstance(m, torch.nn.Dropout)]
    ratio_before = check_recalibrated(model, x.numpy()).ratios[0].mean()
    tracked_before = int(_norms(model)[0].num_batches_tracked)
    ran, momenta, rows_seen, batches = [], [], [0], []

    def on_norm(module, inputs):
        if module.training:
            momenta.append(module.momentum)
            rows_seen[0] += len(inputs[0])
            batches.append(len(inputs[0]))

    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            # A Dropout with p = 0 in train mode drops nothing: that is "dropout off" too.
            module.register_forward_pre_hook(lambda m, _inputs: ran.append(m.training and m.p > 0))
    _norms(model)[0].register_forward_pre_hook(on_norm)
    with seeded_torch(54321):
        returned = fn(model, x)
    if isinstance(returned, torch.nn.Module):
        model = returned
    left = any(m.training for m in model.modules())
    after = model.state_dict()
    changed = max(float((after[k] - v).abs().max()) for k, v in before.items())
    # The band widens as batches shrink (each batch's variance is estimated around its own mean):
    # judge by the smallest batch the learner used, and never tighter than for 128-row batches (one
    # batch of all of x is exactly right but has no batch means to spread, so no band of its own), so
    # a correct re-estimation passes in any batch size.
    smallest = min(max(min(batches), 4), 128) if batches else 128
    check = check_recalibrated(model, x.numpy(), batch_size=smallest)
    rates_after = [m.p for m in model.modules() if isinstance(m, torch.nn.Dropout)]
    reset = int(_norms(model)[0].num_batches_tracked) == len(momenta) and tracked_before > 0
    return RecalibrationProbe(float(ratio_before), float(check.ratios[0].mean()), check.passed, left, changed,
                              any(ran), rates_after != rates, tuple(momenta), rows_seen[0], len(x), reset)
