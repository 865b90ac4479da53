"""Dropout as an ensemble of 2^n thinned sub-networks, enumerated exactly (lesson 06).

A network with n droppable units has 2^n keep-masks; mask m (k units kept) is the
sub-network a training step uses with probability keep^k · rate^(n-k). For n <= 12 all
of them can be run at once, so the ensemble's averages are exact, not estimated:

* arithmetic mean  Σ P(m) · out(m)
* normalised geometric mean  Π out(m)^P(m), renormalised to sum to 1 over classes
* the weight-scaled network: one pass with no mask. With inverted dropout (the course's
  default) the training-time 1/keep scaling already did the paper's "weights × keep".

For ANY network the normalised geometric mean is softmax(Σ P(m) z(m)), the softmax of the mean
logits, while weight scaling is softmax(z(E[m])): the gap between the two is the Jensen gap
E[z(m)] − z(E[m]), zero whenever no nonlinearity sits between a dropped layer and the softmax.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..._validate import as_float_array, as_generator, check_rate
from ...core import RNGLike, draw_keep_mask
from ...stats import Z_CHECK

MAX_UNITS = 12  # 2^12 = 4096 sub-networks: exact and still instant
ACTIVATIONS = {"relu": lambda h: np.maximum(h, 0.0), "linear": lambda h: h}


@dataclass(frozen=True)
class TinyNet:
    """A small MLP with dropout on the inputs of some layers: ReLU hidden layers, softmax out (lesson 06).

    weights[l] has shape (inputs, outputs); dropped[l] says whether layer l's inputs go
    through dropout. The droppable units are those inputs, in layer order.
    """

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...]
    dropped: tuple[bool, ...]
    activation: str = "relu"   # of the hidden layers: "relu" or "linear" (a deep linear net)

    def __post_init__(self) -> None:
        if self.activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(ACTIVATIONS)}, got {self.activation!r}")

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


def relu_net(n_inputs: int = 4, hidden: tuple[int, ...] = (6, 6), n_classes: int = 3, seed: int = 0,
             drop_hidden: tuple[bool, ...] | None = None, drop_inputs: bool = False,
             activation: str = "relu") -> TinyNet:
    """Hidden layers (ReLU by default), then softmax; which layers' outputs are dropped is a choice (lesson 06).

    drop_hidden[i] says whether hidden layer i's outputs are droppable (default: all of them);
    drop_inputs whether the raw inputs are. n (the droppable units) must be at most 12.
    """
    drop_hidden = (True,) * len(hidden) if drop_hidden is None else tuple(bool(d) for d in drop_hidden)
    if len(drop_hidden) != len(hidden):
        raise ValueError(f"drop_hidden must have one flag per hidden layer ({len(hidden)}), got {drop_hidden!r}")
    dropped = (bool(drop_inputs),) + drop_hidden
    _check_units(sum(size for size, d in zip((n_inputs, *hidden), dropped) if d))
    rng = np.random.default_rng(seed)
    sizes = (n_inputs, *hidden, n_classes)
    layers = [_random_layer(rng, a, b) for a, b in zip(sizes[:-1], sizes[1:])]
    return TinyNet(tuple(w for w, _ in layers), tuple(b for _, b in layers), dropped, activation)


def linear_net(n_inputs: int = 4, hidden: tuple[int, ...] = (6, 6), n_classes: int = 3, seed: int = 0) -> TinyNet:
    """A deep LINEAR net (no activation) with dropout on every hidden layer, then softmax (lesson 06)."""
    return relu_net(n_inputs, hidden, n_classes, seed, activation="linear")


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
    act = ACTIVATIONS[net.activation]
    start = 0
    for layer, (w, b, drop) in enumerate(zip(net.weights, net.biases, net.dropped)):
        if drop and masks is not None:
            if start == 0:  # layers before the first dropped one are the same for every mask: run them once
                h = np.repeat(h, len(masks), axis=0)
            part = masks[:, start:start + w.shape[0]]
            start += w.shape[0]
            h = h * part / (1.0 - rate) if rate < 1.0 else np.zeros_like(h)
        h = h @ w + b
        if layer < len(net.weights) - 1:
            h = act(h)
    return h


def subnetwork_outputs(net: TinyNet, x: object, masks: np.ndarray | None, rate: float) -> np.ndarray:
    """Softmax class probabilities of each sub-network, shape (masks, classes) (lesson 06)."""
    return np.exp(log_softmax(subnetwork_logits(net, x, masks, rate)))


@dataclass(frozen=True)
class Ensemble:
    """All 2^n sub-networks of a TinyNet on one input: their probabilities, logits and outputs (lesson 06)."""

    rate: float
    masks: np.ndarray          # (2^n, n) bool
    probabilities: np.ndarray  # (2^n,) P(mask), sums to 1
    logits: np.ndarray         # (2^n, classes) z(m) of each sub-network
    weight_scaled_logits: np.ndarray  # (classes,) z(E[m]): the single network with no mask

    @cached_property
    def log_outputs(self) -> np.ndarray:
        """log-softmax of each sub-network, (2^n, classes)."""
        return log_softmax(self.logits)

    @property
    def outputs(self) -> np.ndarray:
        """Class probabilities of every sub-network, (2^n, classes)."""
        return np.exp(self.log_outputs)

    @cached_property
    def weight_scaled(self) -> np.ndarray:
        """softmax(z(E[m])): what eval() / predict computes."""
        return np.exp(log_softmax(self.weight_scaled_logits))

    @cached_property
    def arithmetic_mean(self) -> np.ndarray:
        """Σ P(m) out(m): what averaging infinitely many dropout passes converges to."""
        return self.probabilities @ self.outputs

    @cached_property
    def geometric_mean(self) -> np.ndarray:
        """Π out(m)^P(m), renormalised over classes (computed in log space from the outputs)."""
        return np.exp(log_softmax(self.probabilities @ self.log_outputs))

    @cached_property
    def mean_logits(self) -> np.ndarray:
        """E[z(m)] = Σ P(m) z(m): softmax of it is the normalised geometric mean, for any network."""
        return self.probabilities @ self.logits

    @property
    def jensen_gap(self) -> np.ndarray:
        """E[z(m)] − z(E[m]) per class: all that separates weight scaling from the geometric mean."""
        return self.mean_logits - self.weight_scaled_logits

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

    def pooled_kl(self, q: object) -> float:
        """Σ P(m) KL(q ‖ out(m)): the normalised geometric mean is the q that minimises it (lesson 06)."""
        q = np.asarray(q, dtype=np.float64)
        if q.shape != self.weight_scaled.shape or np.any(q <= 0) or abs(q.sum() - 1) > 1e-9:
            raise ValueError(f"q must be a probability vector of {self.weight_scaled.size} positive entries "
                             "summing to 1")
        return float(np.sum(q * (np.log(q) - self.probabilities @ self.log_outputs)))

    def predicted_classes(self) -> dict[str, int]:
        """The class each way of averaging picks."""
        return {"arithmetic": int(self.arithmetic_mean.argmax()), "geometric": int(self.geometric_mean.argmax()),
                "weight-scaled": int(self.weight_scaled.argmax())}


def exact_ensemble(net: TinyNet, x: object, rate: float) -> Ensemble:
    """Enumerate every thinned sub-network of `net` on input x (a single row) (lesson 06)."""
    rate = check_rate(rate)
    if np.atleast_2d(as_float_array(x)).shape[0] != 1:
        raise ValueError("x must be a single input row (shape (features,) or (1, features))")
    masks = all_masks(net.n_units)
    logits = subnetwork_logits(net, x, masks, rate)
    return Ensemble(rate, masks, mask_probabilities(masks, rate), logits, subnetwork_logits(net, x, None, rate)[0])


@dataclass(frozen=True)
class Predictions:
    """The three averages for many inputs at once, (inputs, classes) each (lesson 06)."""

    arithmetic: np.ndarray
    geometric: np.ndarray
    weight_scaled: np.ndarray

    def disagreement(self, other: str) -> np.ndarray:
        """Per input: does weight scaling pick another class than `other` ("arithmetic" or "geometric")?"""
        if other not in ("arithmetic", "geometric"):
            raise ValueError(f"other must be 'arithmetic' or 'geometric', got {other!r}")
        return getattr(self, other).argmax(axis=1) != self.weight_scaled.argmax(axis=1)


def exact_predictions(net: TinyNet, xs: object, rate: float) -> Predictions:
    """Exact arithmetic and geometric ensembles and the weight-scaled net for every row of xs (lesson 06)."""
    rows = [exact_ensemble(net, x, rate) for x in np.atleast_2d(as_float_array(xs))]
    return Predictions(*(np.array([getattr(e, name) for e in rows])
                         for name in ("arithmetic_mean", "geometric_mean", "weight_scaled")))


# ---------------------------------------------------------------- what one training step trains


def masked_step_gradients(net: TinyNet, xs: object, labels: object, masks: np.ndarray,
                          rate: float) -> tuple[np.ndarray, np.ndarray]:
    """One softmax layer, a minibatch, its own mask per example: mean cross-entropy gradients (dW, db) (lesson 06)."""
    if len(net.weights) != 1:
        raise ValueError("masked_step_gradients needs a one-layer softmax net (softmax_layer_net)")
    xs, masks = np.atleast_2d(as_float_array(xs)), np.atleast_2d(np.asarray(masks, dtype=bool))
    labels = np.asarray(labels, dtype=np.int64).reshape(-1)
    if masks.shape != xs.shape or len(labels) != len(xs):
        raise ValueError(f"xs, masks and labels must describe the same examples, got {xs.shape}, {masks.shape}, "
                         f"{labels.shape}")
    inputs = xs * masks / (1.0 - check_rate(rate))
    delta = np.exp(log_softmax(inputs @ net.weights[0] + net.biases[0])) - np.eye(net.n_classes)[labels]
    return inputs.T @ delta / len(xs), delta.mean(axis=0)


def weight_gradient_rows(net: TinyNet, x: object, label: int, mask: np.ndarray, rate: float) -> np.ndarray:
    """For a one-layer softmax net and ONE example: which weight rows its gradient touches (lesson 06).

    The gradient w.r.t. W is outer(x·mask/keep, p − onehot): rows of dropped inputs are zero.
    """
    grad_w, _ = masked_step_gradients(net, x, [label], np.asarray(mask).reshape(1, -1), rate)
    return np.abs(grad_w).sum(axis=1) > 0


def momentum_moves(net: TinyNet, xs: np.ndarray, labels: np.ndarray, masks: tuple[np.ndarray, np.ndarray],
                   rate: float, lr: float = 0.1, momentum: float = 0.9) -> tuple[np.ndarray, np.ndarray]:
    """Two SGD + momentum steps of a softmax layer: step 2's zero-gradient rows, and the rows it moved (lesson 06)."""
    w, velocity = net.weights[0].copy(), np.zeros_like(net.weights[0])
    for mask in masks:
        grad_w, _ = masked_step_gradients(TinyNet((w,), net.biases, net.dropped), xs, labels, mask, rate)
        before = w.copy()
        velocity = momentum * velocity - lr * grad_w
        w += velocity
    return np.abs(grad_w).sum(axis=1) == 0, np.abs(w - before).sum(axis=1) > 0


# ---------------------------------------------------------------- how many sub-networks training visits


def expected_distinct(draws: int, n: int, rate: float) -> float:
    """Expected number of distinct sub-networks among `draws` independent masks over n units (lesson 06).

    Σ over masks of P(seen at least once) = Σ_j C(n, j) · (1 − (1 − keep^j rate^(n−j))^draws),
    grouped by the number j of kept units; log1p/expm1 keep it exact for n in the hundreds.
    """
    from math import comb, log
    rate = check_rate(rate)
    if isinstance(draws, bool) or not isinstance(draws, numbers.Integral) or draws < 0:
        raise ValueError(f"draws must be an int >= 0, got {draws!r}")
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"n must be an int >= 1, got {n!r}")
    total = 0.0
    for j in range(n + 1):
        if (rate == 0 and j < n) or (rate == 1 and j > 0):
            continue
        log_p = (j * log(1 - rate) if j else 0.0) + ((n - j) * log(rate) if n - j else 0.0)
        p_one = np.exp(log_p)
        total += comb(n, j) * -np.expm1(draws * np.log1p(-p_one)) if p_one < 1 else comb(n, j) * float(draws > 0)
    return float(total)


def count_distinct(draws: int, n: int, rate: float, rng: RNGLike = None) -> int:
    """Draw `draws` masks over n units and count the distinct sub-networks among them (lesson 06)."""
    masks = draw_keep_mask((int(draws), int(n)), check_rate(rate), as_generator(rng))
    return int(len(np.unique(np.packbits(masks, axis=1), axis=0)))


# ---------------------------------------------------------------- Monte-Carlo averaging


@dataclass(frozen=True)
class MonteCarloRun:
    """Running MC averages of `trials` independent runs of up to k_max sampled sub-networks (lesson 06)."""

    running_means: np.ndarray  # (trials, k_max, classes): average of the first k samples
    exact: np.ndarray          # (classes,) exact arithmetic mean
    predicted_rmse: np.ndarray  # (k_max,) sqrt(Σ_c Var_c / k): the 1/√k law from the exact variance
    moments: tuple[float, float, float]  # tr Σ, tr Σ², E‖out − mean‖⁴ of one sub-network, from the enumeration

    @property
    def ks(self) -> np.ndarray:
        """1, 2, ..., k_max."""
        return np.arange(1, self.running_means.shape[1] + 1)

    def errors(self) -> np.ndarray:
        """L2 distance of each run's k-sample average from the exact mean, (trials, k_max)."""
        return np.sqrt(((self.running_means - self.exact) ** 2).sum(axis=-1))

    def mse(self) -> np.ndarray:
        """Mean squared error over the trials, per k."""
        return (self.errors() ** 2).mean(axis=0)

    def rmse(self) -> np.ndarray:
        """Root-mean-square error over the trials, per k."""
        return np.sqrt(self.mse())

    def mse_std(self, k: int) -> float:
        """Exact standard deviation of the trial-mean squared error at k samples (from the enumeration)."""
        tr, tr2, fourth = self.moments
        one = (fourth - tr ** 2 + 2 * (k - 1) * tr2) / k ** 3   # Var ‖mean of k − exact‖² for one trial
        return float(np.sqrt(one / len(self.running_means)))

    def mse_band(self, k: int, z: float = Z_CHECK) -> tuple[float, float]:
        """Where the trial-mean squared error at k falls: a χ² band with the exact mean and variance (lesson 06).

        The mean over T trials of ‖average of k − exact‖² has mean tr Σ / k and the exact variance
        of `mse_std`; a scaled χ²_ν with ν = 2·mean²/variance matches both (Satterthwaite), and the
        band holds the central 1 − 2·Φ(−z) of it.
        """
        from scipy import stats as st
        mean = self.moments[0] / k
        nu = 2 * mean ** 2 / self.mse_std(k) ** 2
        tail = st.norm.sf(z)
        return float(mean * st.chi2.ppf(tail, nu) / nu), float(mean * st.chi2.isf(tail, nu) / nu)


def output_moments(ensemble: Ensemble) -> tuple[float, float, float]:
    """tr Σ, tr Σ² and E‖out − mean‖⁴ of one random sub-network's output (Σ its covariance) (lesson 06)."""
    centred = ensemble.outputs - ensemble.arithmetic_mean
    p = ensemble.probabilities
    cov = (centred * p[:, None]).T @ centred
    return float(np.trace(cov)), float(np.trace(cov @ cov)), float(p @ ((centred ** 2).sum(axis=1) ** 2))


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
    return MonteCarloRun(running, ensemble.arithmetic_mean, predicted, output_moments(ensemble))


# ---------------------------------------------------------------- how big is the gap, and does it flip classes?


@dataclass(frozen=True)
class GapSurvey:
    """Weight scaling vs the exact ensembles over many nets, each on its own input (lesson 06)."""

    rate: float
    softmax_gaps: np.ndarray  # |weight-scaled − geometric|, one softmax layer, dropout on its inputs
    relu_gaps: np.ndarray     # the same, ReLU net with dropout on its hidden units
    relu_outputs: np.ndarray  # largest class probability of each ReLU net (the scale of the gap)
    relu_flips: dict[str, np.ndarray]  # per ReLU net: weight scaling picks another class than this average


def gap_survey(rate: float = 0.5, nets: int = 50, seed: int = 0) -> GapSurvey:
    """Exact ensembles of `nets` random one-layer and ReLU nets, each on a random input (lesson 06)."""
    rate = check_rate(rate)
    rng = np.random.default_rng(seed)
    rows, flips = [], []
    for _ in range(nets):
        net_seed = int(rng.integers(2**31))
        soft = exact_ensemble(softmax_layer_net(12, 3, net_seed), rng.normal(size=12), rate)
        deep = exact_ensemble(relu_net(4, (6, 6), 3, net_seed), rng.normal(size=4), rate)
        key = "|weight-scaled − geometric|"
        rows.append((soft.gaps()[key], deep.gaps()[key], deep.weight_scaled.max()))
        picked = deep.predicted_classes()
        flips.append((picked["arithmetic"] != picked["weight-scaled"], picked["geometric"] != picked["weight-scaled"]))
    soft_gaps, relu_gaps, relu_out = np.array(rows).T
    arith, geo = np.array(flips).T
    return GapSurvey(rate, soft_gaps, relu_gaps, relu_out, {"arithmetic": arith, "geometric": geo})


@dataclass(frozen=True)
class TrainedSurvey:
    """Tiny nets trained with dropout on iris: how often weight scaling and the exact ensembles disagree (lesson 06)."""

    rate: float
    seeds: tuple[int, ...]
    test_error: dict[str, np.ndarray]      # per averaging rule, one error rate per seed
    flips: dict[str, np.ndarray]           # "arithmetic" / "geometric": per seed, fraction of test inputs that flip
    n_inputs: int                          # test inputs per seed
    max_probability: np.ndarray            # per seed: median largest weight-scaled probability (how confident)

    def flip_rate(self, other: str) -> tuple[float, float]:
        """Pooled fraction of test inputs where weight scaling picks another class, and its binomial s.e."""
        rate = float(self.flips[other].mean())
        return rate, float(np.sqrt(rate * (1 - rate) / (self.n_inputs * len(self.seeds))))


def iris_split(seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn's bundled iris (4 features, 3 classes), standardised, stratified 70/30 split by seed (lesson 06)."""
    from sklearn.datasets import load_iris
    from sklearn.model_selection import train_test_split
    bunch = load_iris()
    x = (bunch.data - bunch.data.mean(axis=0)) / bunch.data.std(axis=0)
    x_train, x_test, y_train, y_test = train_test_split(x, bunch.target, test_size=0.3, random_state=seed,
                                                        stratify=bunch.target)
    return x_train, y_train.astype(np.int64), x_test, y_test.astype(np.int64)


def trained_tiny_net(seed: int, rate: float = 0.5, epochs: int = 200) -> TinyNet:
    """A 4 → 6 → 6 → 3 ReLU net trained on iris, dropout on both hidden layers (n = 12), as a TinyNet (lesson 06)."""
    from ...mlp import MLPConfig, train_mlp
    x_train, y_train, _, _ = iris_split(seed)
    model = train_mlp(x_train, y_train, MLPConfig(hidden=(6, 6), input_rate=0.0, hidden_rate=rate, epochs=epochs,
                                                  seed=seed)).model
    return TinyNet(tuple(model.weights), tuple(model.biases), (False, True, True))


def trained_survey(seeds: tuple[int, ...] = (0, 1, 2), rate: float = 0.5, epochs: int = 200) -> TrainedSurvey:
    """Train a tiny dropout net per seed; exact ensembles vs weight scaling on its test inputs (lesson 06)."""
    errors = {"arithmetic": [], "geometric": [], "weight-scaled": []}
    flips = {"arithmetic": [], "geometric": []}
    confident = []
    for seed in seeds:
        net, (_, _, x, y) = trained_tiny_net(seed, rate, epochs), iris_split(seed)
        pred = exact_predictions(net, x, rate)
        for name, probs in (("arithmetic", pred.arithmetic), ("geometric", pred.geometric),
                            ("weight-scaled", pred.weight_scaled)):
            errors[name].append(float(np.mean(probs.argmax(axis=1) != y)))
        for other in flips:
            flips[other].append(float(pred.disagreement(other).mean()))
        confident.append(float(np.median(pred.weight_scaled.max(axis=1))))
    return TrainedSurvey(rate, tuple(seeds), {k: np.array(v) for k, v in errors.items()},
                         {k: np.array(v) for k, v in flips.items()}, len(y), np.array(confident))
