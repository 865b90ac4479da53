"""A small NumPy MLP whose dropout layers are `dl.Dropout`: the network lesson 07 trains.

Every dropout in here is `dropout_lab.core.Dropout` (forward and backward), so the
maths lives in one place. Layers: dropout -> linear -> ReLU ... dropout -> linear ->
softmax, i.e. the paper's layout with dropout on the inputs and on every hidden layer.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from ._validate import as_float_array, as_generator, check_mode, check_rate
from .core import Dropout


@dataclass(frozen=True)
class MLPConfig:
    """Architecture and SGD settings for `train_mlp` (lesson 07); rates are DROP probabilities."""

    hidden: tuple[int, ...] = (128,)
    input_rate: float = 0.2
    hidden_rate: float = 0.5
    mode: str = "inverted"
    epochs: int = 20
    batch_size: int = 32
    lr: float = 0.05
    momentum: float = 0.9
    seed: int = 0

    def __post_init__(self) -> None:
        check_rate(self.input_rate)
        check_rate(self.hidden_rate)
        check_mode(self.mode)
        if not self.hidden or any(int(h) < 1 for h in self.hidden):
            raise ValueError(f"hidden must be a non-empty tuple of positive ints, got {self.hidden!r}")
        for name in ("epochs", "batch_size"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"{name} must be an int >= 1, got {getattr(self, name)!r}")
        if not self.lr > 0 or not 0 <= self.momentum < 1:
            raise ValueError(f"lr must be > 0 and momentum in [0, 1), got lr={self.lr!r}, momentum={self.momentum!r}")

    def rates(self) -> tuple[float, ...]:
        """Drop rate of the dropout in front of each linear layer (inputs first)."""
        return (self.input_rate,) + (self.hidden_rate,) * len(self.hidden)


def single_thread():
    """Run BLAS on one thread: for these small matrices threads cost more than they save (4x measured)."""
    return threadpool_limits(1)


def softmax(logits: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by the row max so exp never overflows (lesson 07)."""
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


class MLP:
    """Dropout -> Linear (-> ReLU) stack with a softmax output, trained by `train_mlp` (lesson 07)."""

    def __init__(self, weights: list[np.ndarray], biases: list[np.ndarray], rates: tuple[float, ...],
                 mode: str = "inverted", seed: int | np.random.Generator | None = 0) -> None:
        if not len(weights) == len(biases) == len(rates):
            raise ValueError("weights, biases and rates must have one entry per linear layer")
        self.weights = [np.array(w, dtype=np.float64) for w in weights]
        self.biases = [np.array(b, dtype=np.float64) for b in biases]
        self.mode = check_mode(mode)
        rngs = as_generator(seed).spawn(len(rates))
        # One source of truth: the package's Dropout layer does every mask and its gradient.
        self.dropouts = [Dropout(rate, seed=rng, mode=mode) for rate, rng in zip(rates, rngs)]
        self._inputs: list[np.ndarray] = []

    @classmethod
    def init(cls, sizes: tuple[int, ...], rates: tuple[float, ...], mode: str, rng: np.random.Generator) -> MLP:
        """He-initialised network with layer sizes `sizes` (inputs first, classes last)."""
        weights = [rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out)) for n_in, n_out in zip(sizes, sizes[1:])]
        biases = [np.zeros(n_out) for n_out in sizes[1:]]
        return cls(weights, biases, rates, mode, seed=rng)

    @property
    def rates(self) -> tuple[float, ...]:
        return tuple(d.rate for d in self.dropouts)

    @property
    def keeps(self) -> tuple[float, ...]:
        return tuple(1.0 - d.rate for d in self.dropouts)

    def train(self, training: bool = True) -> MLP:
        """Switch every dropout layer to training (fresh masks) or, with False, to eval."""
        for layer in self.dropouts:
            layer.train(training)
        return self

    def eval(self) -> MLP:
        return self.train(False)

    def logits(self, x: np.ndarray) -> np.ndarray:
        """Forward pass in the current train/eval state; keeps what backward needs."""
        h = as_float_array(x)
        self._inputs = []
        for i, (w, b, drop) in enumerate(zip(self.weights, self.biases, self.dropouts)):
            # At rate 0 the mask is all ones, so skip drawing it (same output; every layer has its
            # own generator, so the other layers' masks do not change). Saves ~1/4 of a plain net's time.
            h = drop(h) if drop.rate > 0 else h
            self._inputs.append(h)
            h = h @ w + b
            if i < len(self.weights) - 1:
                h = np.maximum(h, 0.0)
        return h

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities of the deterministic test-time network (weight scaling)."""
        self.eval()
        return softmax(self.logits(x))

    def backward(self, dlogits: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Gradients (dW, db) per layer for the last forward pass, given dLoss/dlogits."""
        grads = []
        d = dlogits
        for i in reversed(range(len(self.weights))):
            h_in = self._inputs[i]
            grads.append((h_in.T @ d, d.sum(axis=0)))
            if i == 0:
                break
            d = d @ self.weights[i].T
            d = self.dropouts[i].backward(d) if self.dropouts[i].rate > 0 else d  # rate 0: identity (see logits)
            d = d * (self._inputs[i] != 0)  # ReLU gate: a dropped or inactive unit passes nothing back
        return grads[::-1]

    def copy(self, *, mode: str | None = None, weight_scales: tuple[float, ...] | None = None,
             seed: int | np.random.Generator | None = 0) -> MLP:
        """A new network: same rates, weights multiplied layer-wise by `weight_scales`, fresh masks from `seed`."""
        scales = weight_scales or (1.0,) * len(self.weights)
        weights = [w * s for w, s in zip(self.weights, scales)]
        return MLP(weights, self.biases, self.rates, mode or self.mode, seed=seed)


def convert(model: MLP, mode: str, seed: int | np.random.Generator | None = 0) -> MLP:
    """The same network in the other dropout scheme: weights x keep (to inverted) or / keep (to vanilla) (lesson 07)."""
    mode = check_mode(mode)
    if mode == model.mode:
        return model.copy(seed=seed)
    keeps = np.array(model.keeps)
    if mode == "vanilla" and np.any(keeps == 0):
        raise ValueError("rate must be < 1 in every layer to convert to vanilla (weights / keep)")
    scales = keeps if mode == "inverted" else 1.0 / keeps
    return model.copy(mode=mode, weight_scales=tuple(scales), seed=seed)


def cross_entropy(proba: np.ndarray, y: np.ndarray) -> float:
    """Mean negative log-likelihood of the labels `y` (clipped so it is never inf)."""
    return float(-np.mean(np.log(np.clip(proba[np.arange(len(y)), y], 1e-12, None))))


def error_rate(proba: np.ndarray, y: np.ndarray) -> float:
    """Fraction of rows whose most probable class is not `y`."""
    return float(np.mean(proba.argmax(axis=1) != y))


@dataclass
class TrainResult:
    """What `train_mlp` returns: the trained network, its errors and the time it took (lesson 07)."""

    model: MLP
    config: MLPConfig
    train_error: float
    test_error: float
    epoch_losses: np.ndarray
    seconds: float
    n_train: int = field(default=0)


def _sgd_epoch(model: MLP, x: np.ndarray, y: np.ndarray, velocity: list, config: MLPConfig,
               rng: np.random.Generator) -> float:
    """One pass of minibatch SGD with momentum over a shuffled copy of the data; mean loss."""
    order = rng.permutation(len(x))
    onehot = np.eye(model.weights[-1].shape[1])[y]
    total = 0.0
    for start in range(0, len(x), config.batch_size):
        batch = order[start:start + config.batch_size]
        proba = softmax(model.logits(x[batch]))
        total -= np.log(np.maximum(proba[np.arange(len(batch)), y[batch]], 1e-12)).sum()  # summed NLL, as cross_entropy
        grads = model.backward((proba - onehot[batch]) / len(batch))
        for params, v, grad in zip(zip(model.weights, model.biases), velocity, grads):
            for p, vp, g in zip(params, v, grad):
                vp *= config.momentum
                vp -= config.lr * g
                p += vp
    return total / len(x)


def train_mlp(x_train: np.ndarray, y_train: np.ndarray, config: MLPConfig = MLPConfig(),
              x_test: np.ndarray | None = None, y_test: np.ndarray | None = None) -> TrainResult:
    """Train an MLP with dropout by minibatch SGD + momentum; errors use weight scaling (lesson 07)."""
    x_train = as_float_array(x_train, "x_train")
    y_train = np.asarray(y_train, dtype=np.int64)
    if x_train.ndim != 2 or len(x_train) != len(y_train) or len(y_train) == 0:
        raise ValueError(f"x_train must be (n, features) with n = len(y_train) >= 1, "
                         f"got {x_train.shape} and {y_train.shape}")
    rng = np.random.default_rng(config.seed)
    n_classes = int(max(y_train.max(), -1 if y_test is None else np.max(y_test))) + 1
    sizes = (x_train.shape[1], *config.hidden, n_classes)
    model = MLP.init(sizes, config.rates(), config.mode, rng)
    velocity = [(np.zeros_like(w), np.zeros_like(b)) for w, b in zip(model.weights, model.biases)]
    start = time.perf_counter()
    model.train()
    with single_thread():
        losses = np.array([_sgd_epoch(model, x_train, y_train, velocity, config, rng) for _ in range(config.epochs)])
    seconds = time.perf_counter() - start
    train_error = error_rate(model.predict_proba(x_train), y_train)
    test_error = np.nan if x_test is None else error_rate(model.predict_proba(x_test), np.asarray(y_test))
    return TrainResult(model, config, train_error, float(test_error), losses, seconds, len(x_train))

