"""Dropout as an ensemble of 2^n thinned sub-networks, enumerated exactly (lesson 06).

A network with n droppable units has 2^n keep-masks; mask m (k units kept) is the
sub-network a training step uses with probability keep^k · rate^(n-k). For n <= 12 all
of them can be run at once, so the ensemble's averages are exact, not estimated:

* arithmetic mean  Σ P(m) · out(m)
* normalised geometric mean  Π out(m)^P(m), renormalised to sum to 1 over classes
* the weight-scaled network: one pass with no mask. With inverted dropout (the course's
  default) the training-time 1/keep scaling already did the paper's "weights × keep".
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..._validate import as_float_array, as_generator, check_rate
from ...core import RNGLike, draw_keep_mask

MAX_UNITS = 12  # 2^12 = 4096 sub-networks: exact and still instant


@dataclass(frozen=True)
class TinyNet:
    """A small MLP with dropout on the inputs of some layers: ReLU hidden layers, softmax out (lesson 06).

    weights[l] has shape (inputs, outputs); dropped[l] says whether layer l's inputs go
    through dropout. The droppable units are those inputs, in layer order.
    """

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    dropped: tuple[bool, ...]

    @property
    def n_units(self) -> int:
        """How many units dropout can switch off (n in 2^n)."""
        return sum(w.shape[0] for w, d in zip(self.weights, self.dropped) if d)

    @property
    def n_classes(self) -> int:
        """Width of the softmax output."""
        return int(self.weights[-1].shape[1])


def _random_layer(rng: np.random.Generator, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    # He-style scale keeps ReLU activations O(1) so the softmax is neither flat nor saturated.
    return rng.normal(0.0, np.sqrt(2.0 / n_in), (n_in, n_out)), rng.normal(0.0, 0.1, n_out)


def softmax_layer_net(n_inputs: int = 10, n_classes: int = 3, seed: int = 0) -> TinyNet:
    """One softmax layer with dropout on its n_inputs inputs (lesson 06)."""
    _check_units(n_inputs)
    w, b = _random_layer(np.random.default_rng(seed), n_inputs, n_classes)
    return TinyNet((w,), (b,), (True,))


def relu_net(n_inputs: int = 4, hidden: tuple[int, ...] = (6, 6), n_classes: int = 3, seed: int = 0) -> TinyNet:
    """ReLU hidden layers whose outputs are dropped, then softmax; n = sum(hidden) (lesson 06)."""
    _check_units(sum(hidden))
    rng = np.random.default_rng(seed)
    sizes = (n_inputs, *hidden, n_classes)
    layers = [_random_layer(rng, a, b) for a, b in zip(sizes[:-1], sizes[1:])]
    # The raw inputs are kept; every hidden layer's units are droppable.
    dropped = (False,) + (True,) * len(hidden)
    return TinyNet(tuple(w for w, _ in layers), tuple(b for _, b in layers), dropped)


def _check_units(n: object) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= n <= MAX_UNITS:
        raise ValueError(
            f"n (droppable units) must be an int in [1, {MAX_UNITS}]: 2^n sub-networks are "
            f"enumerated exactly, and 2^{n} would be too many; got {n!r}")
    return int(n)


def all_masks(n: int) -> np.ndarray:
    """Every keep-mask over n units, shape (2^n, n); row i is i written in binary (lesson 06)."""
    n = _check_units(n)
    codes = np.arange(2 ** n)
    return ((codes[:, None] >> np.arange(n)[None, :]) & 1).astype(bool)


def mask_probabilities(masks: np.ndarray, rate: float) -> np.ndarray:
    """P(mask) = keep^k · rate^(n-k) with k the kept units of each row (lesson 06)."""
    rate = check_rate(rate)
    kept = np.asarray(masks, dtype=bool).sum(axis=1)
    return (1.0 - rate) ** kept * rate ** (masks.shape[1] - kept)


def mask_index(mask: np.ndarray) -> int:
    """Row of `all_masks(n)` that equals this keep-mask: which sub-network it selects (lesson 06)."""
    bits = np.asarray(mask, dtype=bool).ravel()
    return int((bits.astype(np.int64) << np.arange(bits.size)).sum())


def sample_masks(k: int, n: int, rate: float, rng: RNGLike = None) -> np.ndarray:
    """k keep-masks drawn as training draws them (uniform >= rate), shape (k, n) (lesson 06)."""
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"k (Monte-Carlo samples) must be a positive int, got {k!r}")
    return draw_keep_mask((int(k), _check_units(n)), check_rate(rate), as_generator(rng))


def log_softmax(z: np.ndarray) -> np.ndarray:
    """log of softmax over the last axis, computed stably."""
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def subnetwork_logits(net: TinyNet, x: object, masks: np.ndarray | None, rate: float) -> np.ndarray:
    """Logits of the sub-network of each keep-mask on input x, shape (masks, classes) (lesson 06).

    masks=None runs the full network once (the weight-scaled network, shape (1, classes)).
    Kept units are scaled by 1/keep: inverted dropout, exactly as in training.
    """
    rate = check_rate(rate)
    h = np.atleast_2d(as_float_array(x)).astype(np.float64)
    if masks is not None:
        masks = np.asarray(masks, dtype=bool)
        if masks.ndim != 2 or masks.shape[1] != net.n_units:
            raise ValueError(f"masks must have shape (count, {net.n_units}), got {masks.shape}")
        h = np.repeat(h, len(masks), axis=0)
    start = 0
    for layer, (w, b, drop) in enumerate(zip(net.weights, net.biases, net.dropped)):
        if drop and masks is not None:
            part = masks[:, start:start + w.shape[0]]
            start += w.shape[0]
            h = h * part / (1.0 - rate) if rate < 1.0 else np.zeros_like(h)
        h = h @ w + b
        if layer < len(net.weights) - 1:
            h = np.maximum(h, 0.0)
    return h


def subnetwork_outputs(net: TinyNet, x: object, masks: np.ndarray | None, rate: float) -> np.ndarray:
    """Softmax class probabilities of each sub-network, shape (masks, classes) (lesson 06)."""
    return np.exp(log_softmax(subnetwork_logits(net, x, masks, rate)))


@dataclass(frozen=True)
class Ensemble:
    """All 2^n sub-networks of a TinyNet on one input: their probabilities and outputs (lesson 06)."""

    rate: float
    masks: np.ndarray          # (2^n, n) bool
    probabilities: np.ndarray  # (2^n,) P(mask), sums to 1
    log_outputs: np.ndarray    # (2^n, classes) log-softmax of each sub-network
    weight_scaled: np.ndarray  # (classes,) the single network with no mask

    @property
    def outputs(self) -> np.ndarray:
        """Class probabilities of every sub-network, (2^n, classes)."""
        return np.exp(self.log_outputs)

    @cached_property
    def arithmetic_mean(self) -> np.ndarray:
        """Σ P(m) out(m): what averaging infinitely many dropout passes converges to."""
        return self.probabilities @ self.outputs

    @cached_property
    def geometric_mean(self) -> np.ndarray:
        """Π out(m)^P(m), renormalised over classes (computed in log space)."""
        return np.exp(log_softmax(self.probabilities @ self.log_outputs))

    @cached_property
    def output_std(self) -> np.ndarray:
        """Standard deviation of one random sub-network's output, per class (sets MC error)."""
        return np.sqrt(self.probabilities @ (self.outputs - self.arithmetic_mean) ** 2)

    def gaps(self) -> dict[str, float]:
        """Largest absolute differences between the three ways of averaging."""
        return {
            "|weight-scaled − geometric|": float(np.abs(self.weight_scaled - self.geometric_mean).max()),
            "|weight-scaled − arithmetic|": float(np.abs(self.weight_scaled - self.arithmetic_mean).max()),
            "|geometric − arithmetic|": float(np.abs(self.geometric_mean - self.arithmetic_mean).max()),
        }


def exact_ensemble(net: TinyNet, x: object, rate: float) -> Ensemble:
    """Enumerate every thinned sub-network of `net` on input x (a single row) (lesson 06)."""
    rate = check_rate(rate)
    if np.atleast_2d(as_float_array(x)).shape[0] != 1:
        raise ValueError("x must be a single input row (shape (features,) or (1, features))")
    masks = all_masks(net.n_units)
    log_out = log_softmax(subnetwork_logits(net, x, masks, rate))
    scaled = np.exp(log_softmax(subnetwork_logits(net, x, None, rate)))[0]
    return Ensemble(rate, masks, mask_probabilities(masks, rate), log_out, scaled)


@dataclass(frozen=True)
class MonteCarloRun:
    """Running MC averages of `trials` independent runs of up to k_max sampled sub-networks (lesson 06)."""

    running_means: np.ndarray  # (trials, k_max, classes): average of the first k samples
    exact: np.ndarray          # (classes,) exact arithmetic mean
    predicted_rmse: np.ndarray  # (k_max,) sqrt(Σ_c Var_c / k): the 1/√k law from the exact variance

    @property
    def ks(self) -> np.ndarray:
        """1, 2, ..., k_max."""
        return np.arange(1, self.running_means.shape[1] + 1)

    def errors(self) -> np.ndarray:
        """L2 distance of each run's k-sample average from the exact mean, (trials, k_max)."""
        return np.sqrt(((self.running_means - self.exact) ** 2).sum(axis=-1))

    def rmse(self) -> np.ndarray:
        """Root-mean-square error over the trials, per k."""
        return np.sqrt((self.errors() ** 2).mean(axis=0))


def monte_carlo(net: TinyNet, x: object, rate: float, k_max: int = 4096, trials: int = 16,
                rng: RNGLike = None) -> MonteCarloRun:
    """Average k random sub-networks (k = 1..k_max), `trials` times, next to the exact mean (lesson 06)."""
    if isinstance(trials, bool) or not isinstance(trials, numbers.Integral) or trials < 1:
        raise ValueError(f"trials must be a positive int, got {trials!r}")
    generator = as_generator(rng)
    ensemble = exact_ensemble(net, x, rate)
    masks = sample_masks(k_max * trials, net.n_units, rate, generator)
    outputs = subnetwork_outputs(net, x, masks, rate).reshape(trials, k_max, -1)
    running = np.cumsum(outputs, axis=1) / np.arange(1, k_max + 1)[None, :, None]
    predicted = np.sqrt((ensemble.output_std ** 2).sum() / np.arange(1, k_max + 1))
    return MonteCarloRun(running, ensemble.arithmetic_mean, predicted)


def weight_gradient_rows(net: TinyNet, x: object, label: int, mask: np.ndarray, rate: float) -> np.ndarray:
    """For a one-layer softmax net: which weight rows one training step with `mask` changes (lesson 06).

    Cross-entropy gradient w.r.t. W is outer(x·mask/keep, p − onehot): rows of dropped
    inputs are exactly zero, so a step trains only the sampled sub-network's weights.
    """
    if len(net.weights) != 1:
        raise ValueError("weight_gradient_rows needs a one-layer softmax net (softmax_layer_net)")
    mask = np.asarray(mask, dtype=bool).reshape(1, -1)
    probs = subnetwork_outputs(net, x, mask, rate)[0]
    target = np.eye(net.n_classes)[label]
    inputs = np.atleast_2d(as_float_array(x))[0] * mask[0] / (1.0 - check_rate(rate))
    grad = np.outer(inputs, probs - target)
    return np.abs(grad).sum(axis=1) > 0


@dataclass(frozen=True)
class GapSurvey:
    """|weight-scaled − normalised geometric mean| over many random nets and inputs (lesson 06)."""

    rate: float
    softmax_gaps: np.ndarray  # one softmax layer, dropout on its inputs
    relu_gaps: np.ndarray     # ReLU net, dropout on its hidden units
    relu_outputs: np.ndarray  # largest class probability of each ReLU net (the scale of the gap)


def gap_survey(rate: float = 0.5, nets: int = 50, seed: int = 0) -> GapSurvey:
    """Exact ensembles of `nets` random one-layer and ReLU nets, each on a random input (lesson 06)."""
    rate = check_rate(rate)
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(nets):
        net_seed = int(rng.integers(2**31))
        soft = exact_ensemble(softmax_layer_net(12, 3, net_seed), rng.normal(size=12), rate)
        deep = exact_ensemble(relu_net(4, (6, 6), 3, net_seed), rng.normal(size=4), rate)
        key = "|weight-scaled − geometric|"
        rows.append((soft.gaps()[key], deep.gaps()[key], deep.weight_scaled.max()))
    soft_gaps, relu_gaps, relu_out = np.array(rows).T
    return GapSurvey(rate, soft_gaps, relu_gaps, relu_out)
