"""A dropout trainer with the paper's practical knobs, over dl.mlp.MLP's forward/backward (lesson 07).

`dropout_lab.mlp.train_mlp` has one learning rate and no constraints. The paper's Appendix A
asks for more: a learning rate 10-100 times a plain net's, momentum 0.95-0.99, a max-norm
constraint on every hidden unit's incoming weights (c = 3 to 4) [secondary quotes]. And the
exact vanilla <-> inverted training equivalence needs a weight learning rate per layer
(× keep²) separate from the biases'. This loop adds exactly those knobs; with its defaults it
takes the very same steps as `train_mlp` (tested bit for bit).
"""
from __future__ import annotations

import numbers
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ...mlp import MLP, MLPConfig, error_rate, single_thread, softmax


@dataclass(frozen=True)
class Recipe:
    """Architecture and SGD settings for `train_net` (lesson 07); rates are DROP probabilities.

    lr is the weight learning rate; bias_lr (None: the same as lr) the biases'. weight_lr_scales
    multiplies layer l's weight learning rate (None: 1 for every layer). max_norm (None: off)
    caps the L2 norm of every hidden unit's incoming weight vector after each step. lr_decay
    multiplies both learning rates after every epoch.
    """

    hidden: tuple[int, ...] = (128,)
    input_rate: float = 0.2
    hidden_rate: float = 0.5
    mode: str = "inverted"
    epochs: int = 30
    batch_size: int = 32
    lr: float = 0.05
    momentum: float = 0.9
    bias_lr: float | None = None
    weight_lr_scales: tuple[float, ...] | None = None
    max_norm: float | None = None
    lr_decay: float = 1.0
    seed: int = 0

    def __post_init__(self) -> None:
        MLPConfig(self.hidden, self.input_rate, self.hidden_rate, self.mode, self.epochs, self.batch_size,
                  self.lr, self.momentum, self.seed)  # the shared checks: rates, mode, sizes, lr, momentum
        if self.bias_lr is not None and not self.bias_lr > 0:
            raise ValueError(f"bias_lr must be None or > 0, got {self.bias_lr!r}")
        if self.max_norm is not None and not self.max_norm > 0:
            raise ValueError(f"max_norm must be None or > 0 (the paper uses 3 to 4), got {self.max_norm!r}")
        if not 0 < self.lr_decay <= 1:
            raise ValueError(f"lr_decay must be in (0, 1], got {self.lr_decay!r}")
        scales = self.weight_lr_scales
        if scales is not None and (len(scales) != len(self.hidden) + 1 or not all(s > 0 for s in scales)):
            raise ValueError(f"weight_lr_scales must be None or {len(self.hidden) + 1} positive numbers "
                             f"(one per linear layer), got {scales!r}")

    def rates(self) -> tuple[float, ...]:
        """Drop rate of the dropout in front of each linear layer (inputs first)."""
        return (self.input_rate,) + (self.hidden_rate,) * len(self.hidden)

    def keeps(self) -> tuple[float, ...]:
        """Keep probability of each linear layer's inputs (the paper's p, layer by layer)."""
        return tuple(1.0 - r for r in self.rates())


@dataclass
class Trained:
    """What `train_net` returns: the network, its errors, the loss per epoch (lesson 07)."""

    model: MLP
    recipe: Recipe
    train_error: float
    test_error: float
    epoch_losses: np.ndarray
    seconds: float
    initial_weights: list[np.ndarray] = field(default_factory=list)


def max_norm_(weights: np.ndarray, c: float) -> None:
    """Scale, in place, every column (one unit's incoming weights) whose L2 norm exceeds c down to c."""
    norms = np.sqrt((weights * weights).sum(axis=0))
    np.multiply(weights, np.minimum(1.0, c / np.maximum(norms, 1e-300)), out=weights)


def _epoch(model: MLP, x: np.ndarray, onehot: np.ndarray, velocity: list, lrs: Sequence[tuple[float, float]],
           recipe: Recipe, rng: np.random.Generator) -> float:
    """One shuffled pass of minibatch SGD with momentum (the update order of dl.mlp's); mean NLL."""
    order = rng.permutation(len(x))
    total = 0.0
    for start in range(0, len(x), recipe.batch_size):
        batch = order[start:start + recipe.batch_size]
        proba = softmax(model.logits(x[batch]))
        picked = (proba * onehot[batch]).sum(axis=1)
        total -= np.log(np.maximum(picked, 1e-12)).sum()
        grads = model.backward((proba - onehot[batch]) / len(batch))
        for layer, (params, v, grad, lr) in enumerate(zip(zip(model.weights, model.biases), velocity, grads, lrs)):
            for p, vp, g, rate in zip(params, v, grad, lr):
                vp *= recipe.momentum
                vp -= rate * g
                p += vp
            if recipe.max_norm is not None and layer < len(model.weights) - 1:  # hidden units only
                max_norm_(model.weights[layer], recipe.max_norm)
    return total / len(x)


def train_net(x_train: np.ndarray, y_train: np.ndarray, recipe: Recipe = Recipe(),
              x_test: np.ndarray | None = None, y_test: np.ndarray | None = None, *,
              initial_weights: Sequence[np.ndarray] | None = None,
              on_epoch: Callable[..., object] | None = None) -> Trained:
    """Train an MLP with dropout by SGD + momentum with the recipe's knobs; errors use weight scaling (lesson 07).

    The He initialisation, the masks and the shuffles come from `recipe.seed` exactly as in
    dl.mlp.train_mlp; `initial_weights` (one array per layer) replaces the initial weights only,
    so two runs with the same seed draw the same masks whatever their weights or mode.
    """
    x_train, y_train = np.asarray(x_train, dtype=np.float64), np.asarray(y_train, dtype=np.int64)
    if x_train.ndim != 2 or len(x_train) != len(y_train) or len(y_train) == 0:
        raise ValueError(f"x_train must be (n, features) with n = len(y_train) >= 1, "
                         f"got {x_train.shape}, {y_train.shape}")
    rng = np.random.default_rng(recipe.seed)
    n_classes = int(max(y_train.max(), -1 if y_test is None else np.max(y_test))) + 1
    model = MLP.init((x_train.shape[1], *recipe.hidden, n_classes), recipe.rates(), recipe.mode, rng)
    if initial_weights is not None:
        if [np.shape(w) for w in initial_weights] != [w.shape for w in model.weights]:
            raise ValueError(f"initial_weights must have shapes {[w.shape for w in model.weights]}, "
                             f"got {[np.shape(w) for w in initial_weights]}")
        model.weights = [np.array(w, dtype=np.float64) for w in initial_weights]
    start_weights = [w.copy() for w in model.weights]
    velocity = [(np.zeros_like(w), np.zeros_like(b)) for w, b in zip(model.weights, model.biases)]
    scales = recipe.weight_lr_scales or (1.0,) * len(model.weights)
    bias_lr = recipe.lr if recipe.bias_lr is None else recipe.bias_lr
    onehot = np.eye(n_classes)[y_train]
    losses = []
    start = time.perf_counter()
    model.train()
    with single_thread():
        for epoch in range(recipe.epochs):
            decay = recipe.lr_decay ** epoch
            lrs = [(recipe.lr * s * decay, bias_lr * decay) for s in scales]
            losses.append(_epoch(model, x_train, onehot, velocity, lrs, recipe, rng))
            if on_epoch is not None:
                on_epoch()
    seconds = time.perf_counter() - start
    train_error = error_rate(model.predict_proba(x_train), y_train)
    test_error = np.nan if x_test is None else error_rate(model.predict_proba(x_test), np.asarray(y_test))
    return Trained(model, recipe, train_error, float(test_error), np.array(losses), seconds, start_weights)


def check_positive_int(value: object, name: str) -> int:
    """Return `value` as an int >= 1 or raise naming `name`."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{name} must be an int >= 1, got {value!r}")
    return int(value)
