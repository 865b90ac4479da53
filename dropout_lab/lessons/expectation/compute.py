"""Expectation and variance of dropout's output, predicted and sampled, and what the factor is for (lesson 02).

For one input value x and keep = 1 - rate, inverted dropout outputs x / keep with
probability keep and 0 otherwise, so E[out] = x and Var[out] = x**2 * rate / keep.
Without rescaling ("vanilla" training) the output is x or 0: E = keep * x,
Var = x**2 * rate * keep. The rest of the module follows the factor downstream: the next
layer's pre-activation, a tiny readout trained with and without it, the contributions of
the parts of a weighted sum, what a nonlinearity does, compounding, and the variance.
"""
from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..._validate import as_generator, check_rate
from ...core import RNGLike, draw_keep_mask, dropout_forward
from ...stats import (
    Z_CHECK,
    MomentBands,
    _check_count,
    check_z,
    moment_bands,
    normal_band,
    predicted_mean,
    predicted_var,
    survivor_scale,
)

__all__ = ["predicted_mean", "predicted_var", "moment_bands"]  # re-exported: lesson 02 teaches them


# ---------------------------------------------------------------- one unit

@dataclass(frozen=True)
class Moments:
    """Sample mean and variance (ddof=0) of dropout outputs next to their predictions (lesson 02)."""

    x: float
    rate: float
    rescale: bool
    n: int
    mean: float
    var: float

    @property
    def predicted_mean(self) -> float:
        """E[out]: x with rescaling, (1 - rate) * x without."""
        return predicted_mean(self.x, self.rate, self.rescale)

    @property
    def predicted_var(self) -> float:
        """Var[out] from the formula."""
        return predicted_var(self.x, self.rate, self.rescale)

    def bands(self, z: float = 3.0) -> MomentBands:
        """Where mean and var should fall for this n."""
        return moment_bands(self.x, self.rate, self.n, z, self.rescale)

    def within_bands(self, z: float = 3.0) -> bool:
        """True when both the sample mean and variance lie inside their z-sigma bands."""
        bands = self.bands(z)
        return bands.mean[0] <= self.mean <= bands.mean[1] and bands.var[0] <= self.var <= bands.var[1]


def sample_outputs(x: float, rate: float, n: int, rng: RNGLike = None, *,
                   rescale: bool = True) -> np.ndarray:
    """n independent dropout outputs (float32) of the single input value x (lesson 02)."""
    mode = "inverted" if rescale else "vanilla"
    return dropout_forward(np.full(_check_count(n), x, dtype=np.float32), rate, rng, mode=mode)[0]


def sample_pair(x: float, rate: float, n: int, rng: RNGLike = None) -> tuple[np.ndarray, np.ndarray]:
    """(rescaled, not rescaled) outputs for the SAME n masks: one draw, two scalings (lesson 02)."""
    plain = sample_outputs(x, rate, n, rng, rescale=False)
    keep = 1.0 - check_rate(rate)
    # Inverted dropout is vanilla dropout times 1/keep for the same mask (core.dropout_forward).
    scaled = plain * np.float32(1.0 / keep) if keep > 0 else plain.copy()
    return scaled, plain


def moments(samples: np.ndarray, x: float, rate: float, rescale: bool = True) -> Moments:
    """Sample mean and variance (ddof=0) of `samples`, sums accumulated in float64 (lesson 02)."""
    samples = np.asarray(samples).ravel()
    mean = float(samples.mean(dtype=np.float64))
    # Squaring in the input dtype then summing in float64 avoids an 8-byte copy of 10**6
    # samples (8x faster); float32 squares carry a relative error below 1e-7.
    var = float(np.square(samples).mean(dtype=np.float64) - mean**2)
    return Moments(float(x), check_rate(rate), rescale, samples.size, mean, max(var, 0.0))


def sample_moments(x: float, rate: float, n: int, seed: int = 0, rescale: bool = True) -> Moments:
    """Draw n outputs for input x and return their mean and variance (lesson 02)."""
    return moments(sample_outputs(x, rate, n, seed, rescale=rescale), x, rate, rescale)


# ---------------------------------------------------------------- the next layer

@dataclass(frozen=True)
class NextLayer:
    """Pre-activations z = W @ dropout(x) of a linear layer over many masks (lesson 02)."""

    clean: np.ndarray          # W @ x, no dropout: what the layer computes at test time
    samples: np.ndarray        # (masks, outputs): z for every mask
    predicted: np.ndarray      # E[z] from the maths: c * keep * W @ x
    predicted_var: np.ndarray  # Var[z] per mask from the maths: c² keep rate Σ_j W_ij² x_j²

    @property
    def mean(self) -> np.ndarray:
        """Average of z over the masks."""
        return self.samples.mean(axis=0)

    @property
    def std_of_mean(self) -> np.ndarray:
        """Predicted standard error of `mean`, per output unit."""
        return np.sqrt(self.predicted_var / len(self.samples))

    @property
    def sample_var(self) -> np.ndarray:
        """Variance of z over the masks (ddof=0)."""
        return self.samples.var(axis=0)

    @property
    def sample_var_se(self) -> np.ndarray:
        """Standard error of `sample_var`, sqrt((m4 - s⁴) / n) from the samples' fourth central moment."""
        centred = self.samples - self.mean
        m4, s2 = np.mean(centred**4, axis=0), np.mean(centred**2, axis=0)
        return np.sqrt((m4 - s2**2) / len(self.samples))

    @property
    def share_beyond_clean(self) -> np.ndarray:
        """Share of masks whose z lies beyond W @ x on the same side of zero (|z| > |W x|, same sign)."""
        return np.mean(np.sign(self.clean) * self.samples > np.abs(self.clean), axis=0)


def next_layer_preactivation(weights: np.ndarray, x: np.ndarray, rate: float, masks: int,
                             seed: int = 0, rescale: bool = True) -> NextLayer:
    """W @ dropout(x) for `masks` independent masks, with or without rescaling (lesson 02)."""
    mode = "inverted" if rescale else "vanilla"
    weights, x = np.asarray(weights, dtype=float), np.asarray(x, dtype=float).ravel()
    if weights.ndim != 2 or weights.shape[1] != x.size:
        raise ValueError(f"weights must have shape (outputs, {x.size}) to match x, got {weights.shape}")
    batch = np.broadcast_to(x, (_check_count(masks, "masks"), x.size))  # one row per mask
    z = dropout_forward(batch, rate, seed, mode=mode)[0] @ weights.T
    keep = 1.0 - check_rate(rate)
    clean = weights @ x
    c = survivor_scale(rate, rescale)
    # z_i = c Σ_j W_ij x_j m_j with independent m_j ~ Bernoulli(keep).
    return NextLayer(clean, z, c * keep * clean, c**2 * keep * rate * (weights**2 @ x**2))


@dataclass(frozen=True)
class ReluAfter:
    """relu of the next layer's pre-activation: its average over masks against relu of the clean value (lesson 02)."""

    clean: np.ndarray       # relu(W x + b): test time
    mean: np.ndarray        # average of relu(W dropout(x) + b) over the masks
    std_of_mean: np.ndarray  # standard error of `mean` (from the sampled relu values)

    @property
    def gap(self) -> np.ndarray:
        """E[relu(z)] - relu(E z): Jensen's gap, >= 0 because relu is convex."""
        return self.mean - self.clean


def relu_after_next_layer(layer: NextLayer, bias: np.ndarray | float = 0.0) -> ReluAfter:
    """Average relu(z + b) over the masks of an inverted-dropout NextLayer, and relu(W x + b) (lesson 02)."""
    if not np.allclose(layer.predicted, layer.clean):
        raise ValueError("layer must be rescaled (inverted dropout), so that E[z] = W x")
    values = np.maximum(layer.samples + bias, 0.0)
    return ReluAfter(np.maximum(layer.clean + bias, 0.0), values.mean(axis=0),
                     values.std(axis=0) / math.sqrt(len(values)))


def relu_commutes_with_dropout(x: np.ndarray, rate: float, seed: int = 0) -> bool:
    """relu(dropout(x)) == dropout(relu(x)) with the same mask, bit for bit (lesson 02)."""
    x = np.asarray(x, dtype=float)
    after, _ = dropout_forward(x, rate, seed)
    before, _ = dropout_forward(np.maximum(x, 0.0), rate, seed)  # the same seed draws the same mask
    return bool(np.array_equal(np.maximum(after, 0.0), before))


# ---------------------------------------------------------------- seed 004 (a): a tiny model trained without the factor

@dataclass(frozen=True)
class ReadoutTask:
    """A regression task on frozen ReLU features h = relu(V x): y = h @ w_true + noise (lesson 02)."""

    train_h: np.ndarray
    train_y: np.ndarray
    test_h: np.ndarray
    test_y: np.ndarray


def readout_task(seed: int, features: int = 32, inputs: int = 8, n_train: int = 256,
                 n_test: int = 1000, noise: float = 0.1) -> ReadoutTask:
    """Draw the task: inputs x ~ N(0, I), features relu(V x) (about half zero), a linear teacher (lesson 02)."""
    rng = as_generator(seed)
    projection = rng.standard_normal((inputs, _check_count(features, "features"))) / math.sqrt(inputs)
    teacher = rng.standard_normal(features) / math.sqrt(features)
    x = rng.standard_normal((_check_count(n_train, "n_train") + _check_count(n_test, "n_test"), inputs))
    h = np.maximum(x @ projection, 0.0)
    signal = h @ teacher
    y = signal / signal.std() + noise * rng.standard_normal(len(h))  # unit-variance signal: seeds comparable
    return ReadoutTask(h[:n_train], y[:n_train], h[n_train:], y[n_train:])


@dataclass(frozen=True)
class TrainedReadouts:
    """Two bias-free readouts trained on the same masks, one without and one with ÷keep (lesson 02)."""

    rate: float
    plain: np.ndarray          # weights trained on m * h (no rescaling), one row per seed
    rescaled: np.ndarray       # weights trained on m * h / keep, one row per seed
    tasks: tuple[ReadoutTask, ...]
    train_mse_plain: np.ndarray     # training loss on the last 200 steps' masks, per seed
    train_mse_rescaled: np.ndarray

    def test_predictions(self, seed_index: int) -> dict[str, np.ndarray]:
        """Test-time outputs with every feature present: as trained, ×keep, and the rescaled model."""
        h, keep = self.tasks[seed_index].test_h, 1.0 - self.rate
        return {"plain, as trained": h @ self.plain[seed_index],
                "plain, x keep at test": (keep * h) @ self.plain[seed_index],
                "rescaled in training": h @ self.rescaled[seed_index]}

    def test_mse(self) -> dict[str, np.ndarray]:
        """Test mean squared error of each of the three, one value per seed."""
        out: dict[str, list[float]] = {}
        for i, task in enumerate(self.tasks):
            for name, prediction in self.test_predictions(i).items():
                out.setdefault(name, []).append(float(np.mean((prediction - task.test_y) ** 2)))
        return {name: np.array(values) for name, values in out.items()}


def train_readouts(rate: float = 0.5, seeds: tuple[int, ...] = tuple(range(10)), steps: int = 2000,
                   batch: int = 32, lr: float = 0.02, on_step: Callable[[], object] | None = None) -> TrainedReadouts:
    """SGD on y ≈ (c · m ∘ h) @ w, no bias, for c = 1 and c = 1/keep on identical masks and batches (lesson 02).

    One task per seed, all trained at once. The model without rescaling gets the learning rate
    lr / keep²: with it both runs compute the same training predictions at every step
    (w_plain = w_rescaled / keep), so the only difference left is the one that appears at
    test time, when every feature is present.
    """
    keep = 1.0 - check_rate(rate)
    if keep == 0.0:
        raise ValueError("rate must be below 1: a readout cannot learn from inputs that are always dropped")
    tasks = tuple(readout_task(seed) for seed in seeds)
    train_h = np.stack([task.train_h for task in tasks])          # (seeds, n_train, features)
    train_y = np.stack([task.train_y for task in tasks])
    steps, batch = _check_count(steps, "steps"), _check_count(batch, "batch")
    runs = {"plain": (1.0, lr / keep**2), "rescaled": (1.0 / keep, lr)}   # (c, learning rate)
    weights = {name: np.zeros((len(tasks), train_h.shape[2])) for name in runs}
    losses = {name: np.zeros(len(tasks)) for name in runs}
    rng = np.random.default_rng([*seeds, 1])                       # batches and masks, shared by both runs
    for step in range(steps):
        rows = rng.integers(0, train_h.shape[1], (len(tasks), batch))
        h = np.take_along_axis(train_h, rows[:, :, None], axis=1)
        h = h * draw_keep_mask(h.shape, rate, rng)
        y = np.take_along_axis(train_y, rows, axis=1)
        for name, (c, step_size) in runs.items():
            residual = np.einsum("sbf,sf->sb", c * h, weights[name]) - y
            weights[name] -= step_size * 2 * np.einsum("sbf,sb->sf", c * h, residual) / batch
            if step >= steps - 200:  # training loss over the last 200 steps' masks
                losses[name] += np.mean(residual**2, axis=1) / 200
        if on_step is not None:
            on_step()
    return TrainedReadouts(rate, weights["plain"], weights["rescaled"], tasks, losses["plain"], losses["rescaled"])


@dataclass(frozen=True)
class PairedDifference:
    """Mean of a per-seed difference with its standard error (lesson 02)."""

    mean: float
    se: float
    seeds: int


def paired_difference(a: np.ndarray, b: np.ndarray) -> PairedDifference:
    """Mean and standard error (ddof=1) of a - b over seeds (lesson 02)."""
    d = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    if d.size < 2:
        raise ValueError("a and b need at least two seeds each for a standard error")
    return PairedDifference(float(d.mean()), float(d.std(ddof=1) / math.sqrt(d.size)), int(d.size))


# ---------------------------------------------------------------- seed 004 (b): the cat's missing nose

@dataclass(frozen=True)
class PartSums:
    """A weighted sum split into one part (the "nose") and the rest, over many dropout masks (lesson 02)."""

    rate: float
    clean: tuple[float, float]     # (part, rest) contributions with every feature present: test time
    rescaled: np.ndarray           # (masks, 2): the two contributions per mask, survivors × 1/keep
    plain: np.ndarray              # (masks, 2): the same masks, no rescaling
    part_dropped: np.ndarray       # (masks,): True where every feature of the part was dropped

    def rows(self) -> list[tuple[str, np.ndarray, np.ndarray, np.ndarray]]:
        """(label, measured mean, predicted mean, standard error) of (part, rest) for each view of the sum."""
        keep, clean = 1.0 - self.rate, np.array(self.clean)
        views = [("training, all masks, rescaled", self.rescaled, clean),
                 ("training, masks without the part, rescaled", self.rescaled[self.part_dropped],
                  np.array([0.0, clean[1]])),
                 ("training, all masks, not rescaled", self.plain, keep * clean)]
        rows = [("test time, every feature present", clean, clean, np.zeros(2))]
        for label, values, predicted in views:
            rows.append((label, values.mean(axis=0), predicted, values.std(axis=0) / math.sqrt(len(values))))
        return rows


def part_sums(weights: np.ndarray, features: np.ndarray, part: np.ndarray, rate: float, masks: int,
              seed: int = 0) -> PartSums:
    """Contributions of `part` (a boolean selection) and of the rest to w · dropout(a), per mask (lesson 02)."""
    weights, features = np.asarray(weights, dtype=float), np.asarray(features, dtype=float)
    part = np.asarray(part, dtype=bool)
    if not weights.shape == features.shape == part.shape or weights.ndim != 1:
        raise ValueError(f"weights, features and part must be 1-D of one length, got shapes "
                         f"{weights.shape}, {features.shape}, {part.shape}")
    if not part.any() or part.all():
        raise ValueError("part must select some features and leave some out")
    batch = np.broadcast_to(features, (_check_count(masks, "masks"), features.size))
    plain, mask = dropout_forward(batch, rate, seed, mode="vanilla")
    keep = 1.0 - check_rate(rate)
    weighted = plain * weights
    split = np.stack([weighted[:, part].sum(axis=1), weighted[:, ~part].sum(axis=1)], axis=1)
    clean = (float(weights[part] @ features[part]), float(weights[~part] @ features[~part]))
    return PartSums(rate, clean, split / keep if keep > 0 else split * 0, split, ~mask[:, part].any(axis=1))


# ---------------------------------------------------------------- compounding through layers

@dataclass(frozen=True)
class Compounding:
    """Test-time outputs of a ReLU net trained with vanilla dropout: uncorrected over weight-scaled (lesson 02)."""

    rate: float
    layers: int
    bias: bool
    ratios: np.ndarray     # f_uncorrected(x) / f_scaled(x), one per input

    @property
    def predicted(self) -> float:
        """keep ** -layers: the ratio positive homogeneity gives a bias-free ReLU (or linear) net."""
        return (1.0 - self.rate) ** -self.layers

    def percentiles(self) -> tuple[float, float, float]:
        """The 5th, 50th and 95th percentiles of the ratio over the inputs."""
        low, median, high = np.percentile(self.ratios, [5, 50, 95])
        return float(low), float(median), float(high)


def compounding(rate: float, bias: bool, layers: int = 3, width: int = 20, inputs: int = 200,
                seed: int = 0) -> Compounding:
    """Ratio of a net's test output without any correction to the paper's weight-scaled one (lesson 02).

    The net is x -> [linear -> relu -> dropout] × layers -> linear (the last without a bias).
    Weight scaling multiplies each dropout layer's output by keep at test time; the
    uncorrected net uses it as is. With `bias`, the hidden layers get biases ~ N(0, 0.5²).
    """
    keep = 1.0 - check_rate(rate)
    if keep == 0.0:
        raise ValueError("rate must be below 1: every unit dropped leaves nothing to scale")
    rng = as_generator(seed)
    shapes = [(width, width)] * _check_count(layers, "layers") + [(1, width)]
    weights = [rng.standard_normal(shape) / math.sqrt(shape[1]) for shape in shapes]
    biases = [rng.standard_normal(shape[0]) * (0.5 if bias else 0.0) for shape in shapes[:-1]] + [0.0]
    x = rng.standard_normal((_check_count(inputs, "inputs"), width))

    def forward(scale: float) -> np.ndarray:
        h = x
        for w, b in zip(weights[:-1], biases[:-1]):
            h = scale * np.maximum(h @ w.T + b, 0.0)
        return (h @ weights[-1].T + biases[-1]).ravel()

    return Compounding(rate, layers, bias, forward(1.0) / forward(keep))


# ---------------------------------------------------------------- what the factor does not preserve

@dataclass(frozen=True)
class MultiplierMoments:
    """Sample mean and variance (ddof=0) of a dropout multiplier, with Z_CHECK bands (lesson 02)."""

    name: str
    mean: float
    var: float
    mean_band: tuple[float, float]
    var_band: tuple[float, float]

    @property
    def within_bands(self) -> bool:
        """True when mean and variance both lie in their bands."""
        return self.mean_band[0] <= self.mean <= self.mean_band[1] and self.var_band[0] <= self.var <= self.var_band[1]


def multiplier_moments(rate: float, n: int, seed: int = 0, z: float = Z_CHECK) -> tuple[MultiplierMoments, ...]:
    """Bernoulli(keep)/keep against Gaussian N(1, rate/keep) multipliers: the same mean and variance (lesson 02)."""
    keep, n, z = 1.0 - check_rate(rate), _check_count(n), check_z(z)
    if not 0.0 < keep < 1.0:
        raise ValueError(f"rate must be in (0, 1) for a noisy multiplier, got {rate!r}")
    rng = as_generator(seed)
    target = rate / keep
    bernoulli = draw_keep_mask((n,), rate, rng) / keep
    gaussian = 1.0 + math.sqrt(target) * rng.standard_normal(n)
    bands = moment_bands(1.0, rate, n, z)
    # The sample variance of n normal draws has standard deviation var·sqrt(2/n) for large n.
    gaussian_var_band = (target * (1 - z * math.sqrt(2 / n)), target * (1 + z * math.sqrt(2 / n)))
    return (MultiplierMoments("Bernoulli(keep)/keep", float(bernoulli.mean()), float(bernoulli.var()),
                              bands.mean, bands.var),
            MultiplierMoments("Gaussian N(1, rate/keep)", float(gaussian.mean()), float(gaussian.var()),
                              normal_band(1.0, math.sqrt(target), n, z), gaussian_var_band))


# ---------------------------------------------------------------- the dashboard's histogram

@dataclass(frozen=True)
class Histogram:
    """Fraction of samples per bin, for ax.stairs (lesson 02)."""

    edges: np.ndarray
    fractions: np.ndarray


def histogram(samples: np.ndarray, low: float, high: float, bins: int = 60) -> Histogram:
    """Fixed-bin histogram of `samples` over [low, high) as fractions; faster than np.histogram (lesson 02)."""
    if not high > low:
        raise ValueError(f"high must be greater than low, got low={low!r}, high={high!r}")
    bins = _check_count(bins, "bins")
    # One multiply + bincount: about 4x faster than np.histogram at n = 10**6.
    index = ((samples - np.float32(low)) * np.float32(bins / (high - low))).astype(np.int32)
    np.clip(index, 0, bins - 1, out=index)
    counts = np.bincount(index, minlength=bins)
    return Histogram(np.linspace(low, high, bins + 1), counts / samples.size)


# ---------------------------------------------------------------- the dashboard's draws

@dataclass(frozen=True)
class OutputView:
    """What lesson 02's dashboard shows at one (x, rate): moments of all outputs, histograms of the first ones."""

    scaled: Moments
    plain: Moments
    scaled_hist: Histogram
    plain_hist: Histogram


class PairDraws:
    """sample_pair(x, rate, n, seed) at every slider position, each rate's mask drawn only once (lesson 02).

    sample_pair's keep-mask depends on the rate and the seed, not on x, so one mask per rate
    serves every x and gives bit for bit the outputs sample_pair draws (the tests check it).
    Views are cached per (x, rate): a revisited setting shows the same numbers at once.
    """

    MASKS_KEPT = 32  # 1 MB each at n = 10**6; the dashboard's rate slider has 19 positions

    def __init__(self, n: int, seed: int = 0, hist_samples: int = 10**5, views_kept: int = 256) -> None:
        self.n, self.seed = _check_count(n), seed
        self.hist_samples = min(_check_count(hist_samples, "hist_samples"), self.n)
        self._masks: dict[float, np.ndarray] = {}
        self.view = functools.lru_cache(maxsize=views_kept)(self._view)

    def mask(self, rate: float) -> np.ndarray:
        """sample_pair's keep-mask at `rate` (drawn on first use, then kept, read-only)."""
        rate = check_rate(rate)
        if rate not in self._masks:
            if len(self._masks) >= self.MASKS_KEPT:
                self._masks.pop(next(iter(self._masks)))  # the oldest
            # float32 ones: the dtype sample_outputs uses, so the same uniforms are drawn.
            _, mask = dropout_forward(np.ones(self.n, dtype=np.float32), rate, self.seed, mode="vanilla")
            mask.flags.writeable = False
            self._masks[rate] = mask
        return self._masks[rate]

    def pair(self, x: float, rate: float) -> tuple[np.ndarray, np.ndarray]:
        """(rescaled, not rescaled) outputs for the same mask: equal to sample_pair(x, rate, n, seed)."""
        mask, keep = self.mask(rate), 1.0 - check_rate(rate)
        if keep == 0:
            plain = np.zeros(self.n, dtype=np.float32)  # dropout_forward's output when every unit drops
            return plain.copy(), plain
        plain = np.full(self.n, x, dtype=np.float32) * mask  # dropout_forward's vanilla x * mask (* 1)
        return plain * np.float32(1.0 / keep), plain

    def _view(self, x: float, rate: float) -> OutputView:
        scaled, plain = self.pair(x, rate)
        high = 1.1 * x / (1 - rate)  # survivors sit at x/keep; 10 % room to the right, 5 % to the left of 0
        shown = slice(0, self.hist_samples)
        return OutputView(moments(scaled, x, rate, True), moments(plain, x, rate, False),
                          histogram(scaled[shown], -0.05 * high, high), histogram(plain[shown], -0.05 * high, high))
