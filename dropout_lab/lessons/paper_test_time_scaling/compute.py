"""The 2014 dropout paper's test-time claims, checked and reproduced in miniature (lesson 07).

Srivastava et al. (2014) write p for the KEEP probability. Code here keeps the course
convention: `rate` is the drop probability and `keep = 1 - rate`; names say which.
Experiments train `dropout_lab.mlp` networks on scikit-learn's bundled digits.
"""
from __future__ import annotations

import functools
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..._validate import as_float_array, as_generator
from ...core import dropout_forward
from ...data import DataSplit, load_digits_split
from ...mlp import MLP, MLPConfig, convert, cross_entropy, error_rate, single_thread, softmax, train_mlp

# ---------------------------------------------------------------- weight scaling


@dataclass(frozen=True)
class Equivalence:
    """How far apart a vanilla network and its inverted twin (weights x keep) are (lesson 07)."""

    test_max_abs_diff: float   # eval-mode logits: vanilla (inputs x keep) vs inverted (weights x keep)
    train_max_abs_diff: float  # training-mode logits with the same masks in both schemes
    scales: tuple[float, ...]  # the factor applied to each layer's weights (its input's keep)


def weight_scaling_equivalence(vanilla: MLP, x: np.ndarray, seed: int = 0) -> Equivalence:
    """Compare a vanilla-trained net with the inverted net holding its weights x keep (lesson 07)."""
    if vanilla.mode != "vanilla":
        raise ValueError(f"vanilla must be an MLP trained with mode='vanilla', got mode={vanilla.mode!r}")
    inverted = convert(vanilla, "inverted", seed=seed)
    twin = vanilla.copy(seed=seed)  # same masks as `inverted`: same seed, same draw order
    test = np.abs(twin.eval().logits(x) - inverted.eval().logits(x)).max()
    train = np.abs(twin.train().logits(x) - inverted.train().logits(x)).max()
    return Equivalence(float(test), float(train), inverted.keeps)


# ---------------------------------------------------------------- data and seeds


@functools.lru_cache(maxsize=16)
def digits(seed: int, test_fraction: float = 0.25) -> DataSplit:
    """The digits split every experiment of lesson 07 uses (one split per seed)."""
    return load_digits_split(seed, test_fraction)


def _check_seeds(seeds: Sequence[int]) -> tuple[int, ...]:
    seeds = tuple(int(s) for s in seeds)
    if not seeds or any(s < 0 for s in seeds):
        raise ValueError(f"seeds must be a non-empty sequence of non-negative ints, got {seeds!r}")
    return seeds


# ---------------------------------------------------------------- Fig. 11: MC vs weight scaling


def mc_probabilities(model: MLP, x: np.ndarray, k: int) -> np.ndarray:
    """Softmax outputs of k sampled thinned networks, shape (k, rows, classes) (lesson 07)."""
    if int(k) < 1:
        raise ValueError(f"k must be an int >= 1, got {k!r}")
    model.train()  # a fresh mask per row and per sample, exactly as in training
    with single_thread():
        return np.stack([softmax(model.logits(x)) for _ in range(int(k))])


def running_mc_error(samples: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Error and NLL of the average of the first 1, 2, ..., k sampled networks."""
    means = np.cumsum(samples, axis=0) / np.arange(1, len(samples) + 1)[:, None, None]
    errors = np.array([error_rate(m, y) for m in means])
    nll = np.array([cross_entropy(m, y) for m in means])
    return errors, nll


@dataclass(frozen=True)
class MCStudy:
    """Fig. 11 in miniature: MC-average error for k = 1..k_max vs weight scaling, per seed (lesson 07)."""

    ks: np.ndarray          # 1..k_max
    mc_error: np.ndarray    # (seeds, k_max)
    ws_error: np.ndarray    # (seeds,)
    mc_nll: np.ndarray      # (seeds, k_max)
    ws_nll: np.ndarray      # (seeds,)
    seeds: tuple[int, ...]
    train_seconds: float

    def crossover_k(self) -> int | None:
        """Smallest k from which the seed-mean MC error stays at or below the weight-scaling error."""
        above = self.mc_error.mean(axis=0) > self.ws_error.mean()
        if above[-1]:
            return None
        last_above = np.flatnonzero(above)
        return int(self.ks[last_above[-1] + 1]) if len(last_above) else int(self.ks[0])

    def gap(self, k: int) -> np.ndarray:
        """Per seed: MC error with k sampled nets minus the weight-scaling error (> 0: MC is worse)."""
        if not 1 <= int(k) <= len(self.ks):
            raise ValueError(f"k must be an int in [1, {len(self.ks)}], got {k!r}")
        return self.mc_error[:, int(k) - 1] - self.ws_error

    def table(self, ks: Sequence[int] = (1, 5, 10, 20, 50, 100)) -> str:
        """Weight scaling and MC at a few k (seed mean ± sd, in %), with the paired gap (lesson 07)."""
        ws = 100 * self.ws_error
        lines = [f"weight scaling: {ws.mean():.2f} ± {ws.std():.2f} % test error"]
        for k in (int(k) for k in ks if 1 <= int(k) <= len(self.ks)):
            mc, gap = 100 * self.mc_error[:, k - 1], 100 * self.gap(k)
            lines.append(f"MC, k = {k:>3}: {mc.mean():5.2f} ± {mc.std():.2f} %"
                         f"   MC − ws = {gap.mean():+.2f} ± {gap.std():.2f} points")
        lines.append(f"smallest k from which MC stays at or below weight scaling: {self.crossover_k()}")
        return "\n".join(lines)


def mc_vs_weight_scaling(config: MLPConfig, seeds: Sequence[int] = (0, 1, 2), k_max: int = 100) -> MCStudy:
    """Train one net per seed; compare MC averaging over k masks with weight scaling (lesson 07)."""
    seeds = _check_seeds(seeds)
    rows, seconds = [], 0.0
    for seed in seeds:
        data = digits(seed)
        result = train_mlp(data.x_train, data.y_train, _seeded(config, seed), data.x_test, data.y_test)
        seconds += result.seconds
        ws = result.model.predict_proba(data.x_test)
        errors, nll = running_mc_error(mc_probabilities(result.model, data.x_test, k_max), data.y_test)
        rows.append((errors, nll, error_rate(ws, data.y_test), cross_entropy(ws, data.y_test)))
    mc_error, mc_nll, ws_error, ws_nll = (np.array(col) for col in zip(*rows))
    return MCStudy(np.arange(1, k_max + 1), mc_error, ws_error, mc_nll, ws_nll, seeds, seconds)


def _seeded(config: MLPConfig, seed: int, **changes) -> MLPConfig:
    return replace(config, seed=seed, **changes)


# ---------------------------------------------------------------- Fig. 9: the rate


@dataclass(frozen=True)
class RateSweep:
    """Fig. 9 in miniature: errors vs keep for fixed n and for fixed n*keep (lesson 07)."""

    keeps: np.ndarray         # keep probabilities of the hidden layer (the paper's p)
    schemes: tuple[str, ...]  # ("fixed n", "fixed n*keep")
    hidden: np.ndarray        # (schemes, keeps) hidden width used
    test_error: np.ndarray    # (schemes, keeps, seeds)
    train_error: np.ndarray   # (schemes, keeps, seeds)
    seeds: tuple[int, ...]
    train_seconds: float

    def best_keep(self, scheme: int) -> float:
        """The keep with the lowest seed-mean test error for one scheme."""
        return float(self.keeps[np.argmin(self.test_error[scheme].mean(axis=1))])

    def difference(self, scheme: int, keep_a: float, keep_b: float) -> tuple[float, float]:
        """Test error at keep_a minus at keep_b for one scheme: paired seed mean and its standard error."""
        i, j = (int(np.argmin(np.abs(self.keeps - k))) for k in (keep_a, keep_b))
        diff = self.test_error[scheme, i] - self.test_error[scheme, j]
        sem = diff.std(ddof=1) / np.sqrt(len(diff)) if len(diff) > 1 else np.nan
        return float(diff.mean()), float(sem)

    def table(self) -> str:
        """Seed-mean test and training error (%), the test error's seed sd and the width, per keep and scheme (lesson 07)."""
        test, train = 100 * self.test_error.mean(axis=2), 100 * self.train_error.mean(axis=2)
        sd = 100 * self.test_error.std(axis=2)
        lines = [f"{'keep (p)':<19}" + " ".join(f"{k:>5.1f}" for k in self.keeps)]
        for s, scheme in enumerate(self.schemes):
            lines.append(f"{scheme:<13} test  " + " ".join(f"{e:5.2f}" for e in test[s])
                         + "  |  units " + " ".join(str(int(h)) for h in self.hidden[s]))
            lines.append(f"{'':<13} train " + " ".join(f"{e:5.2f}" for e in train[s]))
            lines.append(f"{'':<13} sd    " + " ".join(f"{e:5.2f}" for e in sd[s]) + "  (test error over seeds)")
        lines.append(f"best keep: {self.schemes[0]} {self.best_keep(0):.1f}, {self.schemes[1]} {self.best_keep(1):.1f}")
        return "\n".join(lines)


def rate_sweep(config: MLPConfig, keeps: Sequence[float], seeds: Sequence[int] = (0, 1, 2),
               n: int = 128, n_keep: int = 64) -> RateSweep:
    """Train for every keep in two ways: n hidden units, or n_keep / keep units (lesson 07)."""
    seeds = _check_seeds(seeds)
    keeps = np.array([check_keep(k) for k in keeps])
    if np.any(keeps == 0):
        raise ValueError("keeps must be in (0, 1]: a keep of 0 drops every hidden unit")
    hidden = np.array([[n] * len(keeps), [int(round(n_keep / k)) for k in keeps]])
    test = np.zeros((2, len(keeps), len(seeds)))
    train = np.zeros_like(test)
    seconds = 0.0
    for (s, i, j) in np.ndindex(test.shape):
        data = digits(seeds[j])
        cfg = _seeded(config, seeds[j], hidden=(int(hidden[s, i]),), hidden_rate=1.0 - keeps[i])
        result = train_mlp(data.x_train, data.y_train, cfg, data.x_test, data.y_test)
        test[s, i, j], train[s, i, j], seconds = result.test_error, result.train_error, seconds + result.seconds
    return RateSweep(keeps, ("fixed n", "fixed n·keep"), hidden, test, train, seeds, seconds)


# ---------------------------------------------------------------- Fig. 10: data-set size


@dataclass(frozen=True)
class SizeSweep:
    """Fig. 10 in miniature: test error vs training-set size, with and without dropout (lesson 07)."""

    sizes: np.ndarray
    test_error: np.ndarray    # (2, sizes, seeds): [0] without dropout, [1] with dropout
    train_error: np.ndarray   # (2, sizes, seeds), on the rows each net was trained on
    epochs: np.ndarray        # (sizes,) epochs trained at each size
    seeds: tuple[int, ...]
    train_seconds: float

    def gain(self) -> np.ndarray:
        """Seed-mean error without dropout minus with dropout, per size (> 0: dropout helps)."""
        return self.test_error[0].mean(axis=1) - self.test_error[1].mean(axis=1)

    def gain_sem(self) -> np.ndarray:
        """Standard error of `gain` from the paired per-seed differences."""
        diff = self.test_error[0] - self.test_error[1]
        return diff.std(axis=1, ddof=1) / np.sqrt(diff.shape[1])

    def table(self) -> str:
        """Per size: epochs, test error without / with dropout, the gain ± its standard error (%) (lesson 07)."""
        test, train = 100 * self.test_error.mean(axis=2), 100 * self.train_error.mean(axis=2)
        gain, sem = 100 * self.gain(), 100 * self.gain_sem()
        lines = ["rows  epochs   test: without   with   gain (± s.e.)    train: without   with"]
        for i, n in enumerate(self.sizes):
            lines.append(f"{n:>4}  {self.epochs[i]:>6}   {test[0, i]:13.2f} {test[1, i]:6.2f}   {gain[i]:+5.2f} ± {sem[i]:.2f}"
                         f"    {train[0, i]:14.2f} {train[1, i]:6.2f}")
        return "\n".join(lines)


def size_epochs(size: int, epochs: int, min_steps: int, batch_size: int) -> int:
    """Epochs for one training-set size: at least `epochs`, and at least `min_steps` SGD steps (lesson 07)."""
    return max(int(epochs), int(np.ceil(min_steps / np.ceil(size / batch_size))))


def size_sweep(config: MLPConfig, sizes: Sequence[int], seeds: Sequence[int] = (0, 1, 2),
               min_steps: int = 300) -> SizeSweep:
    """Train on the first `size` rows of each split, with config's dropout and without (lesson 07).

    Every size gets config.epochs passes over its rows (so large sets are not cut short), and
    tiny sets at least `min_steps` SGD steps (so they are not cut short either).
    """
    seeds = _check_seeds(seeds)
    sizes = np.array([int(s) for s in sizes])
    if int(min_steps) < 0:
        raise ValueError(f"min_steps must be an int >= 0, got {min_steps!r}")
    epochs = np.array([size_epochs(n, config.epochs, min_steps, config.batch_size) for n in sizes])
    test = np.zeros((2, len(sizes), len(seeds)))
    train = np.zeros_like(test)
    seconds = 0.0
    for (d, i, j) in np.ndindex(test.shape):
        data = digits(seeds[j])
        if not 1 <= sizes[i] <= len(data.x_train):
            raise ValueError(f"sizes must be in [1, {len(data.x_train)}], got {sizes[i]}")
        rates = {} if d else dict(input_rate=0.0, hidden_rate=0.0)
        cfg = _seeded(config, seeds[j], epochs=int(epochs[i]), **rates)
        result = train_mlp(data.x_train[:sizes[i]], data.y_train[:sizes[i]], cfg, data.x_test, data.y_test)
        test[d, i, j], train[d, i, j] = result.test_error, result.train_error
        seconds += result.seconds
    return SizeSweep(sizes, test, train, epochs, seeds, seconds)


# ---------------------------------------------------------------- §9.1: linear regression


def _check_linear(x: object, y: object, w: object, keep: float) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    x, y, w = as_float_array(x), as_float_array(y, "y"), as_float_array(w, "w")
    keep = check_keep(keep)
    if x.ndim != 2 or y.shape != (x.shape[0],) or w.shape != (x.shape[1],):
        raise ValueError(f"x must be (N, D), y (N,) and w (D,), got {x.shape}, {y.shape}, {w.shape}")
    return x, y, w, keep


def check_keep(keep: object) -> float:
    """Return `keep` as a float in [0, 1] or raise naming `keep` (the paper's p) and the range."""
    if isinstance(keep, (bool, np.bool_)) or not isinstance(keep, numbers.Real) or not 0.0 <= float(keep) <= 1.0:
        raise ValueError(f"keep must be a number in [0, 1] (the keep probability, the paper's p), got {keep!r}")
    return float(keep)


def dropout_loss_exact(x: object, y: object, w: object, keep: float) -> float:
    """E over ALL 2^(N*D) input masks of ||y - (M*X) w||^2, each entry kept with prob. keep (§9.1, lesson 07)."""
    x, y, w, keep = _check_linear(x, y, w, keep)
    cells = x.size
    if cells > 20:
        raise ValueError(f"x must have at most 20 entries for exact enumeration (2^20 masks), got {cells}")
    codes = np.arange(2 ** cells)[:, None]
    masks = ((codes >> np.arange(cells)) & 1).astype(np.float64)   # every mask, one per row
    kept = masks.sum(axis=1)
    prob = keep ** kept * (1.0 - keep) ** (cells - kept)
    residual = y - (masks.reshape(-1, *x.shape) * x) @ w             # (masks, N)
    return float(np.sum(prob * np.sum(residual ** 2, axis=1)))


def dropout_loss_formula(x: object, y: object, w: object, keep: float) -> float:
    """The paper's closed form ||y - keep*X w||^2 + keep(1-keep)||Γ w||^2, Γ = diag(XᵀX)^½ (§9.1, lesson 07)."""
    x, y, w, keep = _check_linear(x, y, w, keep)
    gamma = np.sqrt(np.sum(x * x, axis=0))  # diag(XᵀX)^½ without forming XᵀX
    return float(np.sum((y - keep * x @ w) ** 2) + keep * (1.0 - keep) * np.sum((gamma * w) ** 2))


def dropout_loss_samples(x: object, y: object, w: object, keep: float, samples: int,
                         rng: np.random.Generator | int | None = None) -> np.ndarray:
    """||y - dropout(X) w||^2 for `samples` masks drawn by dl.dropout_forward (vanilla) (§9.1, lesson 07)."""
    x, y, w, keep = _check_linear(x, y, w, keep)
    rng = as_generator(rng)
    dropped = [dropout_forward(x, 1.0 - keep, rng, mode="vanilla")[0] for _ in range(int(samples))]
    return np.array([np.sum((y - d @ w) ** 2) for d in dropped])


def dropout_ridge_weights(x: object, y: object, keep: float) -> np.ndarray:
    """The minimiser of the expected dropout loss: (keep XᵀX + (1-keep) Γ²)⁻¹ Xᵀy (§9.1, lesson 07)."""
    x, y, _, keep = _check_linear(x, y, np.zeros(np.shape(x)[1]), keep)
    gram = x.T @ x
    return np.linalg.solve(keep * gram + (1.0 - keep) * np.diag(np.diag(gram)), x.T @ y)
