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
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from ..._validate import as_float_array, check_rate, check_seed
from ...core import dropout_forward
from ...data import DataSplit, load_digits_split
from ...frameworks import load, seeded_torch

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


def _check_order(order: str) -> str:
    if order not in ORDERS:
        raise ValueError(f"order must be one of {ORDERS}, got {order!r}")
    return order


def build(order: str, rate: float = 0.5, width: int = 128, seed: int = 0, inputs: int = 64, classes: int = 10):
    """Two Linear → BatchNorm → ReLU blocks and a Linear output, with dropout placed by `order` (lesson 10).

    "dropout → BN":          Linear → Dropout → BN → ReLU, twice        (dropout right in front of each BN)
    "BN → dropout":          Linear → BN → ReLU → Dropout, twice        (block 1's dropout feeds block 2's BN)
    "dropout after last BN": Linear → BN → ReLU, twice, then Dropout   (no BN after any dropout)
    """
    nn = load("torch").nn
    order, rate = _check_order(order), check_rate(rate)
    blocks = {"dropout → BN": lambda: [nn.Dropout(rate), nn.BatchNorm1d(width), nn.ReLU()],
              "BN → dropout": lambda: [nn.BatchNorm1d(width), nn.ReLU(), nn.Dropout(rate)]}
    with seeded_torch(check_seed(seed)):   # every Linear's initialisation comes from this seed
        layers, width_in = [], inputs
        for _ in range(2):
            block = blocks.get(order, lambda: [nn.BatchNorm1d(width), nn.ReLU()])()
            layers += [nn.Linear(width_in, width), *block]
            width_in = width
        if order == "dropout after last BN":
            layers.append(nn.Dropout(rate))
        return nn.Sequential(*layers, nn.Linear(width, classes))


@contextmanager
def torch_threads(count: int = 1):
    """Run torch on `count` threads for one block, then restore: tiny matrices lose time to threading (lesson 10)."""
    torch = load("torch")
    before = torch.get_num_threads()
    torch.set_num_threads(int(count))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def adam(params: list, lr: float, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> Callable[[], None]:
    """Adam (Kingma & Ba 2015, Algorithm 1) as a closure over `params` (lesson 10).

    Written out because constructing any torch.optim optimiser imports torch._dynamo, ~3 s of
    CPU in a fresh kernel (measured with python -X importtime).
    """
    torch = load("torch")
    first = [torch.zeros_like(p) for p in params]
    second = [torch.zeros_like(p) for p in params]
    count = [0]

    def step() -> None:
        count[0] += 1
        t = count[0]
        with torch.no_grad():
            for p, m, v in zip(params, first, second):
                m.mul_(betas[0]).add_(p.grad, alpha=1 - betas[0])
                v.mul_(betas[1]).addcmul_(p.grad, p.grad, value=1 - betas[1])
                p.sub_(lr * (m / (1 - betas[0] ** t)) / ((v / (1 - betas[1] ** t)).sqrt() + eps))

    return step


def train(order: str, data: DataSplit, rate: float = 0.5, seed: int = 0, epochs: int = 10, batch_size: int = 128,
          lr: float = 3e-3, on_epoch: Callable[[], None] | None = None):
    """Train build(order, rate) on the digits by Adam; returns the model in eval mode (lesson 10)."""
    torch = load("torch")
    model = build(order, rate, seed=seed, inputs=data.n_features)
    x, y = torch.tensor(data.x_train, dtype=torch.float32), torch.tensor(data.y_train)
    order_rng = torch.Generator().manual_seed(check_seed(seed))
    step = adam(list(model.parameters()), lr)
    with seeded_torch(seed), torch_threads(1):   # dropout masks: torch's global generator, seeded for this block
        model.train()
        for _ in range(int(epochs)):
            perm = torch.randperm(len(x), generator=order_rng)
            for start in range(0, len(x) - 1, batch_size):   # never a batch of 1: BatchNorm needs two rows
                batch = perm[start:start + batch_size]
                model.zero_grad()
                torch.nn.functional.cross_entropy(model(x[batch]), y[batch]).backward()
                step()
            if on_epoch is not None:
                on_epoch()
    return model.eval()


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
    kind: str                  # "direct" (Dropout → BN), "through Linear" (Dropout → Linear → BN) or "none"
    running_var: np.ndarray    # what BN learned in training
    test_var: np.ndarray       # variance of its input at test (eval mode: dropout off), over the rows given
    predicted: np.ndarray      # the ratio train/test the maths predicts for each unit

    @property
    def measured(self) -> np.ndarray:
        """running_var / test_var per unit: how wrong BN's variance is at test."""
        return self.running_var / self.test_var

    def agreement(self) -> tuple[float, float]:
        """Mean of measured/predicted over units, and its standard error treating units as independent."""
        q = self.measured / self.predicted
        return float(q.mean()), float(q.std(ddof=1) / math.sqrt(len(q)))


def variance_shift(model, x: np.ndarray, rate: float) -> list[LayerShift]:
    """For every BatchNorm of a trained model: measured running/test variance beside the prediction (lesson 10)."""
    nn = load("torch").nn
    inputs = module_inputs(model, x)
    layers = list(model)
    shifts = []
    for i, layer in enumerate(layers):
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
        else:
            kind, predicted = "none", np.ones_like(test_var)
        shifts.append(LayerShift(i, kind, layer.running_var.detach().numpy().astype(np.float64), test_var, predicted))
    return shifts


# ---------------------------------------------------------------- the fix: re-estimate BN with dropout off


def recalibrate(model, x: np.ndarray, batch_size: int = 128):
    """Reset every BatchNorm and re-estimate its statistics on x with dropout OFF (Hendrycks & Gimpel 2016) (lesson 10).

    model.eval() (dropout off), then only the BatchNorm modules in train() with momentum=None, so
    the running statistics become the plain average over all the batches (torch's cumulative
    moving average, torch/nn/modules/batchnorm.py). No gradient, no weight changes. Returns a copy.
    """
    torch = load("torch")
    nn = torch.nn
    model = copy.deepcopy(model).eval()
    norms = [m for m in model.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
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


# ---------------------------------------------------------------- the study: order × seed


@dataclass
class OrderStudy:
    """Test accuracy of each dropout placement over seeds, before and after re-estimating BN (lesson 10)."""

    orders: tuple[str, ...]
    seeds: tuple[int, ...]
    rate: float
    accuracy: dict[str, np.ndarray]          # order -> (seeds,)
    recalibrated: dict[str, np.ndarray]      # order -> (seeds,)
    shifts: dict[tuple[str, int], list[LayerShift]]
    shifts_after: dict[tuple[str, int], list[LayerShift]]
    models: dict[tuple[str, int], object] = field(default_factory=dict, repr=False)

    def paired(self, a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
        """Mean of the per-seed differences a − b and its standard error."""
        diff = np.asarray(a) - np.asarray(b)
        return float(diff.mean()), float(diff.std(ddof=1) / math.sqrt(len(diff))) if len(diff) > 1 else float("nan")

    def table(self, reference: str = "dropout after last BN") -> str:
        """Accuracy per order (seed mean ± sd), paired differences to `reference`, and the effect of re-estimating."""
        lines = [f"test accuracy %, {len(self.seeds)} seeds, rate {self.rate}"
                 f"{'':>4}order − '{reference}'   re-estimated BN − as trained"]
        ref = self.accuracy[reference]
        for order in self.orders:
            acc, fixed = 100 * self.accuracy[order], 100 * self.recalibrated[order]
            vs_ref = self.paired(acc, 100 * ref)
            fix = self.paired(fixed, acc)
            lines.append(f"{order:<22} {acc.mean():6.2f} ± {acc.std(ddof=1):.2f}   "
                         f"{vs_ref[0]:+6.2f} ± {vs_ref[1]:.2f}            {fix[0]:+6.2f} ± {fix[1]:.2f}")
        return "\n".join(lines)


def digits(seed: int) -> DataSplit:
    """The digits split of one seed (lesson 10)."""
    return load_digits_split(check_seed(seed))


def order_study(orders: Sequence[str] = ORDERS, seeds: Sequence[int] = (0, 1, 2, 3, 4), rate: float = 0.5,
                epochs: int = 8, on_net: Callable[[], None] | None = None) -> OrderStudy:
    """Train every order on every seed's split; accuracy and the shift, as trained and re-estimated (lesson 10)."""
    orders = tuple(_check_order(o) for o in orders)
    seeds = tuple(check_seed(s) for s in seeds)
    if not orders or not seeds:
        raise ValueError("orders and seeds must each be non-empty")
    acc = {o: np.zeros(len(seeds)) for o in orders}
    fixed = {o: np.zeros(len(seeds)) for o in orders}
    shifts, shifts_after, models = {}, {}, {}
    for order in orders:
        for j, seed in enumerate(seeds):
            data = digits(seed)
            model = models[(order, seed)] = train(order, data, rate, seed, epochs)
            again = recalibrate(model, data.x_train)
            acc[order][j], fixed[order][j] = accuracy(model, data.x_test, data.y_test), \
                accuracy(again, data.x_test, data.y_test)
            shifts[(order, seed)] = variance_shift(model, data.x_train, rate)
            shifts_after[(order, seed)] = variance_shift(again, data.x_train, rate)
            if on_net is not None:
                on_net()
    return OrderStudy(orders, seeds, rate, acc, fixed, shifts, shifts_after, models)


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
    """One exhibit: what goes wrong, the broken snippet, and the name the snippet defines (lesson 10)."""

    number: int
    title: str
    symptom: str
    buggy_code: str
    defines: str


BUGS: dict[int, Bug] = {bug.number: bug for bug in (
    Bug(4, "Re-estimating with model.train()", "BatchNorm re-learns the variance of the dropped-out inputs",
        '''def recalibrate_bn(model, x):
    """Re-estimate every BatchNorm's statistics on the float tensor x, with dropout off."""
    model.train()   # BUG?
    with torch.no_grad():
        for batch in x.split(128):
            model(batch)
    model.eval()''',
        "recalibrate_bn"),
    Bug(5, "One pass with the default momentum", "the running variance is still 90 % the old, shifted one",
        '''def recalibrate_bn(model, x):
    """Re-estimate every BatchNorm's statistics on the float tensor x, with dropout off."""
    model.eval()
    for module in model.modules():
        if isinstance(module, nn.BatchNorm1d):
            module.train()
    with torch.no_grad():
        model(x[:128])   # BUG?
    model.eval()''',
        "recalibrate_bn"),
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
    left_training: bool        # any module still in training mode afterwards
    weights_changed: float     # largest change of any weight or bias
    dropout_ran: bool          # a Dropout module ran in training mode during the call


def probe_recalibrate(fn: Callable) -> RecalibrationProbe:
    """Run fn(model, x) on the shifted reference network and measure its first BatchNorm (lesson 10)."""
    torch = load("torch")
    model, x = shifted_reference()
    before = {k: v.clone() for k, v in model.state_dict().items() if k.endswith(("weight", "bias"))}
    ratio_before = variance_shift(model, x.numpy(), 0.5)[0].measured.mean()
    ran = []
    for module in model.modules():
        if isinstance(module, torch.nn.Dropout):
            module.register_forward_pre_hook(lambda m, _inputs: ran.append(m.training))
    with seeded_torch(54321):
        returned = fn(model, x)
    if isinstance(returned, torch.nn.Module):
        model = returned
    left = any(m.training for m in model.modules())
    after = model.state_dict()
    changed = max(float((after[k] - v).abs().max()) for k, v in before.items())
    ratio_after = variance_shift(copy.deepcopy(model), x.numpy(), 0.5)[0].measured.mean()
    return RecalibrationProbe(float(ratio_before), float(ratio_after), left, changed, any(ran))
