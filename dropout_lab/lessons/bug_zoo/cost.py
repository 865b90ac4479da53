"""What a few bugs cost on real data (lesson 08): lesson 07's NumPy MLP on scikit-learn's digits, right and wrong.

The network is `dropout_lab.mlp.MLP` (its dropout layers are `dl.Dropout`), trained by plain
minibatch SGD with momentum. Each seed trains the correct loop and two buggy ones; two more bugs
only change how the trained correct network is evaluated, so they cost no extra training:

* forgot eval()      -- predict with the dropout still on (one stochastic pass), exhibit 1;
* scaled twice       -- an inverted-dropout network given the vanilla ×keep at test, exhibit 11;
* divide by rate     -- survivors scaled by 1/rate in training, exhibit 8;
* forgot train()     -- a validation pass after every epoch switches dropout off for good, exhibit 2.

Every variant is compared with the correct network of the same seed (same data order, same
initial weights): paired differences, their mean and standard error over seeds.
"""
from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ...core import Dropout
from ...data import load_digits_split
from ...mlp import MLP, cross_entropy, error_rate, single_thread, softmax

VARIANTS = ("correct", "forgot eval()", "scaled twice", "divide by rate", "forgot train()")
TRAINED = ("correct", "divide by rate", "forgot train()")   # the variants that need their own training run


@dataclass(frozen=True)
class CostConfig:
    """The small network and schedule of the cost demo (lesson 08); rates are DROP probabilities."""

    hidden: int = 64
    input_rate: float = 0.2
    hidden_rate: float = 0.5
    epochs: int = 10
    batch_size: int = 32
    lr: float = 0.05
    momentum: float = 0.9
    validation: int = 270   # rows of the training split held out for the per-epoch validation pass


class DivideByRate(Dropout):
    """Exhibit 8 as a layer: the package's inverted dropout, rescaled so survivors are 1/rate, not 1/keep."""

    def _factor(self) -> float:
        return (1.0 - self.rate) / self.rate if self.training else 1.0

    def __call__(self, x: object) -> np.ndarray:
        return super().__call__(x) * self._factor()

    def backward(self, dout: object) -> np.ndarray:
        return super().backward(dout) * self._factor()


def _sgd_epoch(model: MLP, x: np.ndarray, onehot: np.ndarray, velocity: list, config: CostConfig,
               rng: np.random.Generator) -> None:
    """One shuffled pass of minibatch SGD with momentum, through the MLP's own forward and backward."""
    order = rng.permutation(len(x))
    for start in range(0, len(x), config.batch_size):
        batch = order[start:start + config.batch_size]
        grads = model.backward((softmax(model.logits(x[batch])) - onehot[batch]) / len(batch))
        for params, v, grad in zip(zip(model.weights, model.biases), velocity, grads):
            for p, vp, g in zip(params, v, grad):
                vp *= config.momentum
                vp -= config.lr * g
                p += vp


def train_digits(variant: str, seed: int, config: CostConfig = CostConfig(),
                 on_epoch: Callable[[], object] | None = None) -> MLP:
    """Train the MLP on the digits' training rows with one of TRAINED's loops, validating every epoch (lesson 08)."""
    if variant not in TRAINED:
        raise ValueError(f"variant must be one of {TRAINED}, got {variant!r}")
    data = load_digits_split(seed=0)
    x, y = data.x_train[config.validation:], data.y_train[config.validation:]
    x_val, y_val = data.x_train[:config.validation], data.y_train[:config.validation]
    rng = np.random.default_rng(seed)
    rates = (config.input_rate, config.hidden_rate)
    model = MLP.init((x.shape[1], config.hidden, 10), rates, "inverted", rng)
    if variant == "divide by rate":
        model.dropouts = [DivideByRate(rate, seed=gen) for rate, gen in zip(rates, rng.spawn(len(rates)))]
    velocity = [(np.zeros_like(w), np.zeros_like(b)) for w, b in zip(model.weights, model.biases)]
    onehot = np.eye(10)[y]
    model.train()
    with single_thread():
        for _ in range(config.epochs):
            _sgd_epoch(model, x, onehot, velocity, config, rng)
            error_rate(model.predict_proba(x_val), y_val)  # validation: predict_proba switches to eval()
            if variant != "forgot train()":
                model.train()                           # ... and the correct loop switches back
            if on_epoch is not None:
                on_epoch()
    return model


def _scores(proba: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    return error_rate(proba, y), cross_entropy(proba, y)


def evaluate(models: dict[str, MLP], x: np.ndarray, y: np.ndarray, seed: int) -> dict[str, tuple[float, float]]:
    """Test error and log-loss of every variant, from the trained networks of one seed (lesson 08)."""
    correct = models["correct"]
    stochastic = correct.copy(seed=seed).train()              # forgot eval(): dropout still on
    twice = correct.copy(weight_scales=correct.keeps)         # vanilla's ×keep on an inverted net
    return {"correct": _scores(correct.predict_proba(x), y),
            "forgot eval()": _scores(softmax(stochastic.logits(x)), y),
            "scaled twice": _scores(twice.predict_proba(x), y),
            "divide by rate": _scores(models["divide by rate"].predict_proba(x), y),
            "forgot train()": _scores(models["forgot train()"].predict_proba(x), y)}


@dataclass(frozen=True)
class Costs:
    """Test error and log-loss of every variant on every seed, and paired differences from correct (lesson 08)."""

    seeds: tuple[int, ...]
    names: tuple[str, ...]
    errors: np.ndarray    # (variants, seeds), fraction of the 450 test digits misclassified
    losses: np.ndarray    # (variants, seeds), mean negative log-likelihood
    n_test: int

    def paired(self, name: str, losses: bool = False) -> tuple[float, float]:
        """Mean over seeds of (variant − correct) and its standard error (sample sd / √seeds)."""
        table = self.losses if losses else self.errors
        diff = table[self.names.index(name)] - table[self.names.index("correct")]
        return float(diff.mean()), float(diff.std(ddof=1) / math.sqrt(len(diff)))

    def table(self) -> str:
        """One line per variant: error and log-loss, mean ± sd over seeds, and the paired differences."""
        lines = [f"{'variant':<15} {'test error':>16} {'log-loss':>14} {'Δ error (paired)':>20} {'Δ log-loss':>16}"]
        for i, name in enumerate(self.names):
            err, loss = self.errors[i], self.losses[i]
            row = f"{name:<15} {100 * err.mean():6.1f} ± {100 * err.std(ddof=1):4.1f} %  " \
                  f"{loss.mean():6.3f} ± {loss.std(ddof=1):5.3f}"
            if name != "correct":
                (d, se), (dl, sel) = self.paired(name), self.paired(name, losses=True)
                row += f"   {100 * d:+6.1f} ± {100 * se:4.1f} pts   {dl:+7.3f} ± {sel:5.3f}"
            lines.append(row)
        return "\n".join(lines)


def bug_costs(seeds: tuple[int, ...] = (0, 1, 2, 3), config: CostConfig = CostConfig(),
              on_epoch: Callable[[], object] | None = None) -> Costs:
    """Train TRAINED's loops on every seed and score all VARIANTS on the digits' test rows (lesson 08)."""
    if len(seeds) < 2:
        raise ValueError(f"seeds must hold at least 2 seeds (a spread needs two), got {seeds!r}")
    data = load_digits_split(seed=0)
    scores = []
    for seed in seeds:
        models = {variant: train_digits(variant, seed, config, on_epoch) for variant in TRAINED}
        scores.append(evaluate(models, data.x_test, data.y_test, seed))
    errors = np.array([[s[name][0] for s in scores] for name in VARIANTS])
    losses = np.array([[s[name][1] for s in scores] for name in VARIANTS])
    return Costs(tuple(seeds), VARIANTS, errors, losses, len(data.y_test))


def epochs_total(seeds: tuple[int, ...] = (0, 1, 2, 3), config: CostConfig = CostConfig()) -> int:
    """How many times bug_costs calls on_epoch: the length of its progress bar (lesson 08)."""
    return len(seeds) * len(TRAINED) * config.epochs
