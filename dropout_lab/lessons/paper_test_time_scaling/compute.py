"""The 2014 dropout paper's test-time claims, checked and reproduced in miniature (lesson 07).

Srivastava et al. (2014) write p for the KEEP probability. Code here keeps the course
convention: `rate` is the drop probability and `keep = 1 - rate`; names say which.
Experiments train `dropout_lab.mlp` networks on scikit-learn's bundled digits.
"""
from __future__ import annotations

import functools
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from ..._validate import as_float_array, as_generator
from ...core import dropout_forward
from ...data import DataSplit, load_digits_split
from ...mlp import MLP, convert, cross_entropy, error_rate, single_thread, softmax
from ...stats import t_critical
from .training import Recipe, train_net

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
    """Fig. 11 in miniature: MC-average error and NLL for k = 1..k_max vs weight scaling, per seed (lesson 07)."""

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

    def _k(self, k: int) -> int:
        if not 1 <= int(k) <= len(self.ks):
            raise ValueError(f"k must be an int in [1, {len(self.ks)}], got {k!r}")
        return int(k) - 1

    def gap(self, k: int) -> np.ndarray:
        """Per seed: MC error with k sampled nets minus the weight-scaling error (> 0: MC is worse)."""
        return self.mc_error[:, self._k(k)] - self.ws_error

    def nll_gap(self, k: int) -> np.ndarray:
        """Per seed: MC test NLL with k sampled nets minus the weight-scaling NLL (> 0: MC is worse)."""
        return self.mc_nll[:, self._k(k)] - self.ws_nll

    def paired(self) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """For every k: seed mean and standard error (ddof 1) of MC − weight scaling, error (points) and NLL."""
        err = 100 * (self.mc_error - self.ws_error[:, None])
        nll = self.mc_nll - self.ws_nll[:, None]
        return {"error": (err.mean(axis=0), _sem(err.T)), "nll": (nll.mean(axis=0), _sem(nll.T))}

    def table(self, ks: Sequence[int] = (1, 5, 10, 20, 50, 100)) -> str:
        """Weight scaling and MC at a few k: seed means, paired MC − ws ± s.e. (ddof 1), error and NLL (lesson 07)."""
        n = len(self.seeds)
        ws, ws_nll = 100 * self.ws_error, self.ws_nll
        lines = [f"paired over {n} seeds; ± is the standard error of the mean (ddof 1)",
                 f"weight scaling: error {ws.mean():5.2f} %   NLL {ws_nll.mean():.3f}"]
        for k in (int(k) for k in ks if 1 <= int(k) <= len(self.ks)):
            err, nll = 100 * self.gap(k), self.nll_gap(k)
            lines.append(f"MC, k = {k:>3}:  error {100 * self.mc_error[:, k - 1].mean():5.2f} %   "
                         f"NLL {self.mc_nll[:, k - 1].mean():.3f}   MC − ws: error {err.mean():+.2f} ± "
                         f"{_sem(err):.2f} points, NLL {nll.mean():+.3f} ± {_sem(nll):.3f}")
        lines.append("smallest k from which the mean MC error stays at or below weight scaling's: "
                     f"{self.crossover_k()}")
        return "\n".join(lines)


def mc_vs_weight_scaling(recipe: Recipe, seeds: Sequence[int] = (0, 1, 2), k_max: int = 100,
                         on_step: Callable[..., object] | None = None) -> MCStudy:
    """Train one net per seed; compare MC averaging over k masks with weight scaling (lesson 07)."""
    seeds = _check_seeds(seeds)
    rows, seconds = [], 0.0
    for seed in seeds:
        data = digits(seed)
        result = train_net(data.x_train, data.y_train, replace(recipe, seed=seed), data.x_test, data.y_test)
        seconds += result.seconds
        ws = result.model.predict_proba(data.x_test)
        errors, nll = running_mc_error(mc_probabilities(result.model, data.x_test, k_max), data.y_test)
        rows.append((errors, nll, error_rate(ws, data.y_test), cross_entropy(ws, data.y_test)))
        if on_step is not None:
            on_step()
    mc_error, mc_nll, ws_error, ws_nll = (np.array(col) for col in zip(*rows))
    return MCStudy(np.arange(1, k_max + 1), mc_error, ws_error, mc_nll, ws_nll, seeds, seconds)


# ---------------------------------------------------------------- Fig. 9: the rate


@dataclass(frozen=True)
class RateSweep:
    """Fig. 9 in miniature: errors vs keep for fixed n and for fixed n*keep (lesson 07)."""

    keeps: np.ndarray         # keep probabilities of the hidden layer (the paper's p)
    schemes: tuple[str, ...]  # ("fixed n", "fixed n·keep")
    hidden: np.ndarray        # (schemes, keeps) hidden width used
    test_error: np.ndarray    # (schemes, keeps, seeds)
    train_error: np.ndarray   # (schemes, keeps, seeds)
    seeds: tuple[int, ...]
    train_seconds: float

    def index(self, keep: float) -> int:
        """Position of the keep closest to `keep`."""
        return int(np.argmin(np.abs(self.keeps - keep)))

    def best_keep(self, scheme: int) -> float:
        """The keep with the lowest seed-mean test error for one scheme."""
        return float(self.keeps[np.argmin(self.test_error[scheme].mean(axis=1))])

    def paired(self, scheme: int, keep_b: float) -> tuple[np.ndarray, np.ndarray]:
        """Per keep: mean and standard error (ddof 1) of test error(keep) − test error(keep_b), paired by seed."""
        diff = self.test_error[scheme] - self.test_error[scheme, self.index(keep_b)][None, :]
        return diff.mean(axis=1), _sem(diff)

    def difference(self, scheme: int, keep_a: float, keep_b: float) -> tuple[float, float]:
        """Test error at keep_a minus at keep_b for one scheme: paired seed mean and its standard error (ddof 1)."""
        mean, sem = self.paired(scheme, keep_b)
        return float(mean[self.index(keep_a)]), float(sem[self.index(keep_a)])

    def table(self) -> str:
        """Seed-mean test and training error (%) and the test error's s.e. (ddof 1), per keep and scheme (lesson 07)."""
        test, train = 100 * self.test_error.mean(axis=2), 100 * self.train_error.mean(axis=2)
        se = 100 * _sem(self.test_error)
        lines = [f"{'keep (p)':<19}" + " ".join(f"{k:>5.2f}" for k in self.keeps)]
        for s, scheme in enumerate(self.schemes):
            lines.append(f"{scheme:<13} test  " + " ".join(f"{e:5.2f}" for e in test[s])
                         + "  |  units " + " ".join(str(int(h)) for h in self.hidden[s]))
            lines.append(f"{'':<13} ± s.e." + " ".join(f"{e:5.2f}" for e in se[s])
                         + f"  (over {len(self.seeds)} seeds, ddof 1)")
            lines.append(f"{'':<13} train " + " ".join(f"{e:5.2f}" for e in train[s]))
        lines.append(f"best keep: {self.schemes[0]} {self.best_keep(0):.2f}, {self.schemes[1]} {self.best_keep(1):.2f}")
        return "\n".join(lines)


def _sem(values: np.ndarray) -> np.ndarray:
    """Standard error of the mean over the last axis (ddof 1); NaN for a single value."""
    n = values.shape[-1]
    if n < 2:
        return np.full(values.shape[:-1], np.nan)
    return values.std(axis=-1, ddof=1) / np.sqrt(n)


def t_interval(values: object, level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Student-t interval (low, high) for the mean over the last axis of paired values (s.e. with ddof 1)."""
    values = as_float_array(values, "values")
    if values.ndim == 0:
        raise ValueError("values must have at least one axis (the seeds)")
    half = t_critical(values.shape[-1], level) * _sem(values)
    mean = values.mean(axis=-1)
    return mean - half, mean + half


def sweep_widths(keeps: Sequence[float], n: int, n_keep: int) -> np.ndarray:
    """Hidden widths of Fig. 9's two schemes: n for every keep, and round(n_keep / keep) (lesson 07)."""
    return np.array([[int(n)] * len(keeps), [max(1, int(round(n_keep / k))) for k in keeps]])


def rate_sweep(recipe: Recipe, keeps: Sequence[float], seeds: Sequence[int] = (0, 1, 2),
               n: int = 128, n_keep: int = 64, on_step: Callable[..., object] | None = None) -> RateSweep:
    """Train for every keep in two ways: n hidden units, or n_keep / keep units (lesson 07).

    The recipe's hidden_rate is replaced by 1 - keep; everything else (input dropout,
    learning rate, max-norm, epochs) is the recipe's. on_step is called once per network.
    """
    seeds = _check_seeds(seeds)
    keeps = np.array([check_keep(k) for k in keeps])
    if np.any(keeps == 0):
        raise ValueError("keeps must be in (0, 1]: a keep of 0 drops every hidden unit")
    hidden = sweep_widths(keeps, n, n_keep)
    test = np.zeros((2, len(keeps), len(seeds)))
    train = np.zeros_like(test)
    seconds = 0.0
    for (s, i, j) in np.ndindex(test.shape):
        data = digits(seeds[j])
        cfg = replace(recipe, seed=seeds[j], hidden=(int(hidden[s, i]),), hidden_rate=1.0 - keeps[i])
        result = train_net(data.x_train, data.y_train, cfg, data.x_test, data.y_test)
        test[s, i, j], train[s, i, j], seconds = result.test_error, result.train_error, seconds + result.seconds
        if on_step is not None:
            on_step()
    return RateSweep(keeps, ("fixed n", "fixed n·keep"), hidden, test, train, seeds, seconds)


# ---------------------------------------------------------------- Fig. 10: data-set size


@dataclass(frozen=True)
class SizeSweep:
    """Fig. 10 in miniature: test error vs training-set size, without dropout and with (lesson 07).

    `baselines` are the conditions trained without dropout: [0] the tuned plain net, and, once
    `with_control` has added it, the dropout recipe with both rates 0 (same lr, momentum, max-norm).
    A gain is always paired by seed: baseline's test error minus a dropout condition's.
    """

    sizes: np.ndarray
    conditions: tuple[str, ...]  # [0] is the plain net; the others train with dropout unless in `baselines`
    test_error: np.ndarray       # (conditions, sizes, seeds)
    train_error: np.ndarray      # (conditions, sizes, seeds), on the rows each net was trained on
    epochs: np.ndarray           # (sizes,) epochs trained at each size
    seeds: tuple[int, ...]
    train_seconds: float
    baselines: tuple[int, ...] = (0,)

    def dropout_conditions(self) -> tuple[int, ...]:
        """Indices of the conditions trained with dropout (every condition not in `baselines`)."""
        return tuple(c for c in range(len(self.conditions)) if c not in self.baselines)

    def with_control(self, control: SizeSweep) -> SizeSweep:
        """This sweep with `control`'s conditions (trained without dropout) appended as further baselines."""
        if (not np.array_equal(control.sizes, self.sizes) or control.seeds != self.seeds
                or not np.array_equal(control.epochs, self.epochs)):
            raise ValueError("control must have the same sizes, seeds and epochs as the sweep, got sizes "
                             f"{control.sizes.tolist()}, seeds {control.seeds}, epochs {control.epochs.tolist()}")
        k = len(self.conditions)
        return replace(self, conditions=self.conditions + control.conditions,
                       test_error=np.concatenate([self.test_error, control.test_error]),
                       train_error=np.concatenate([self.train_error, control.train_error]),
                       train_seconds=self.train_seconds + control.train_seconds,
                       baselines=self.baselines + tuple(k + c for c in range(len(control.conditions))))

    def paired_gain(self, condition: int = 1, baseline: int = 0) -> np.ndarray:
        """Per size and seed: the baseline's test error minus this dropout condition's (> 0: dropout helps)."""
        if int(condition) not in self.dropout_conditions():
            raise ValueError(f"condition must be one trained with dropout, one of {list(self.dropout_conditions())}, "
                             f"got {condition!r}")
        if int(baseline) not in self.baselines:
            raise ValueError(f"baseline must be one trained without dropout, one of {list(self.baselines)}, "
                             f"got {baseline!r}")
        return self.test_error[int(baseline)] - self.test_error[int(condition)]

    def gain(self, condition: int = 1, baseline: int = 0) -> np.ndarray:
        """Seed-mean paired gain over `baseline`, per size (> 0: dropout helps)."""
        return self.paired_gain(condition, baseline).mean(axis=1)

    def gain_sem(self, condition: int = 1, baseline: int = 0) -> np.ndarray:
        """Standard error (ddof 1) of `gain` from the paired per-seed differences."""
        return _sem(self.paired_gain(condition, baseline))

    def gain_interval(self, condition: int = 1, baseline: int = 0,
                      level: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
        """Per size: the Student-t interval (low, high) of `gain` (n_seeds − 1 degrees of freedom)."""
        return t_interval(self.paired_gain(condition, baseline), level)

    def wins(self, condition: int = 1, baseline: int = 0) -> np.ndarray:
        """Per size: on how many seeds the dropout net's test error is strictly lower than the baseline's."""
        return (self.paired_gain(condition, baseline) > 0).sum(axis=1)

    def table(self, baseline: int = 0) -> str:
        """Per size: epochs, test error of each condition, each gain over `baseline` ± s.e. (ddof 1) and wins,
        training errors (%)."""
        test, train = 100 * self.test_error.mean(axis=2), 100 * self.train_error.mean(axis=2)
        n, drop = len(self.seeds), self.dropout_conditions()
        lines = [" | ".join(f"[{c}] {name}" for c, name in enumerate(self.conditions)),
                 "rows  epochs   test: " + " ".join(f"[{c}]".rjust(6) for c in range(len(self.conditions)))
                 + "   " + " ".join(f"[{baseline}] − [{c}] ± s.e. (wins/{n})".rjust(24) for c in drop)
                 + "   train: " + " ".join(f"[{c}]".rjust(5) for c in range(len(self.conditions)))]
        for i, size in enumerate(self.sizes):
            gains = " ".join(f"{100 * self.gain(c, baseline)[i]:+6.2f} ± {100 * self.gain_sem(c, baseline)[i]:.2f} "
                             f"({self.wins(c, baseline)[i]}/{n})".rjust(24) for c in drop)
            lines.append(f"{size:>4}  {self.epochs[i]:>6}         " + " ".join(f"{e:6.2f}" for e in test[:, i])
                         + "   " + gains + "          " + " ".join(f"{e:5.2f}" for e in train[:, i]))
        return "\n".join(lines)

    def gain_table(self, baseline: int = 0) -> str:
        """Per size and dropout condition: gain over `baseline` (points) ± paired s.e. (ddof 1), wins, gain/s.e.
        and the two-sided 95 % Student-t interval of the gain (n_seeds − 1 degrees of freedom)."""
        n = len(self.seeds)
        t = t_critical(n) if n >= 2 else float("nan")
        lines = [f"gain over [{baseline}] {self.conditions[baseline]}, paired over {n} seeds, points ± s.e. "
                 f"(ddof 1) (wins), gain/s.e., 95 % t interval (gain ± {t:.3f} s.e., {n - 1} degrees of freedom)",
                 ("rows  " + "  ".join(f"[{c}]".ljust(46) for c in self.dropout_conditions())).rstrip()]
        for i, size in enumerate(self.sizes):
            cells = []
            for c in self.dropout_conditions():
                g, s = 100 * self.gain(c, baseline)[i], 100 * self.gain_sem(c, baseline)[i]
                z = f"{g / s:+.1f}" if s > 1e-9 else "s.e. 0"
                low, high = (100 * v[i] for v in self.gain_interval(c, baseline))
                cells.append(f"{g:+6.2f} ± {s:.2f} ({self.wins(c, baseline)[i]}/{n}) {z:>6} "
                             f"[{low:+.2f}, {high:+.2f}]".ljust(46))
            lines.append((f"{size:>4}  " + "  ".join(cells)).rstrip())
        return "\n".join(lines)


def size_epochs(size: int, epochs: int, min_steps: int, batch_size: int) -> int:
    """Epochs for one training-set size: at least `epochs`, and at least `min_steps` SGD steps (lesson 07)."""
    return max(int(epochs), int(np.ceil(min_steps / np.ceil(size / batch_size))))


def size_sweep(conditions: dict[str, Recipe], sizes: Sequence[int], seeds: Sequence[int] = (0, 1, 2),
               min_steps: int = 300, on_step: Callable[..., object] | None = None) -> SizeSweep:
    """Train on the first `size` rows of each split under every named recipe (the first: no dropout) (lesson 07).

    Only conditions[0] is a baseline of the returned sweep; a sweep of one condition is a control
    for another sweep's `with_control`.

    Every size gets at least the recipe's epochs (so large sets are not cut short) and at
    least `min_steps` SGD steps (so tiny sets are not cut short either); the first recipe
    sets the epochs for all. on_step is called once per network.
    """
    seeds = _check_seeds(seeds)
    names = tuple(conditions)
    if not names or conditions[names[0]].input_rate or conditions[names[0]].hidden_rate:
        raise ValueError("conditions must name at least one recipe, the first without dropout (both rates 0)")
    sizes = np.array([int(s) for s in sizes])
    if int(min_steps) < 0:
        raise ValueError(f"min_steps must be an int >= 0, got {min_steps!r}")
    first = conditions[names[0]]
    epochs = np.array([size_epochs(n, first.epochs, min_steps, first.batch_size) for n in sizes])
    test = np.zeros((len(names), len(sizes), len(seeds)))
    train = np.zeros_like(test)
    seconds = 0.0
    for (c, i, j) in np.ndindex(test.shape):
        data = digits(seeds[j])
        if not 1 <= sizes[i] <= len(data.x_train):
            raise ValueError(f"sizes must be in [1, {len(data.x_train)}], got {sizes[i]}")
        cfg = replace(conditions[names[c]], seed=seeds[j], epochs=int(epochs[i]))
        result = train_net(data.x_train[:sizes[i]], data.y_train[:sizes[i]], cfg, data.x_test, data.y_test)
        test[c, i, j], train[c, i, j] = result.test_error, result.train_error
        seconds += result.seconds
        if on_step is not None:
            on_step()
    return SizeSweep(sizes, names, test, train, epochs, seeds, seconds)


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


# ---------------------------------------------------------------- vanilla vs inverted: training


@dataclass(frozen=True)
class TrainingEquivalence:
    """Vanilla training vs inverted training with W'₀ = keep·W₀ and weight lr × keep² (lesson 07)."""

    keeps: tuple[float, ...]          # each layer's input keep probability
    weight_max_abs_diff: float        # max |W_inverted − keep · W_vanilla| after training
    bias_max_abs_diff: float          # max |b_inverted − b_vanilla| (biases: same lr, same values)
    logit_max_abs_diff: float         # test-time logits of the two trained nets
    test_errors: tuple[float, float]  # vanilla, inverted


def inverted_twin_recipe(vanilla: Recipe) -> Recipe:
    """The inverted recipe that retraces a vanilla run: weight lr × keep² per layer, bias lr unchanged (lesson 07)."""
    if vanilla.mode != "vanilla" or vanilla.max_norm is not None:
        raise ValueError("vanilla must be a Recipe with mode='vanilla' and no max_norm (a cap would need c × keep too)")
    scales = vanilla.weight_lr_scales or (1.0,) * (len(vanilla.hidden) + 1)
    return replace(vanilla, mode="inverted", bias_lr=vanilla.lr if vanilla.bias_lr is None else vanilla.bias_lr,
                   weight_lr_scales=tuple(s * k * k for s, k in zip(scales, vanilla.keeps())))


def training_equivalence(vanilla: Recipe, data: DataSplit) -> TrainingEquivalence:
    """Train `vanilla`, then its inverted twin from keep·W₀ with the same masks; how far apart they end (lesson 07)."""
    van = train_net(data.x_train, data.y_train, vanilla, data.x_test, data.y_test)
    keeps = vanilla.keeps()
    init = [k * w for k, w in zip(keeps, van.initial_weights)]
    inv = train_net(data.x_train, data.y_train, inverted_twin_recipe(vanilla), data.x_test, data.y_test,
                    initial_weights=init)
    weights = max(float(np.abs(wi - k * wv).max()) for wi, wv, k in zip(inv.model.weights, van.model.weights, keeps))
    biases = max(float(np.abs(bi - bv).max()) for bi, bv in zip(inv.model.biases, van.model.biases))
    logits = float(np.abs(van.model.eval().logits(data.x_test) - inv.model.eval().logits(data.x_test)).max())
    return TrainingEquivalence(keeps, weights, biases, logits, (van.test_error, inv.test_error))


@dataclass(frozen=True)
class SchemeComparison:
    """Vanilla and inverted trained separately with the SAME lr and init scale, several seeds (lesson 07)."""

    seeds: tuple[int, ...]
    test_error: np.ndarray   # (2, seeds): [0] vanilla, [1] inverted
    disagree: np.ndarray     # (seeds,) fraction of test images the two nets classify differently

    def paired(self) -> tuple[float, float]:
        """Mean and standard error (ddof 1) of inverted − vanilla test error over seeds."""
        diff = self.test_error[1] - self.test_error[0]
        return float(diff.mean()), float(_sem(diff))


def compare_schemes(recipe: Recipe, seeds: Sequence[int] = (0, 1, 2, 3, 4),
                    on_step: Callable[..., object] | None = None) -> SchemeComparison:
    """Train the recipe as vanilla and as inverted (same lr, same He init, same masks) per seed (lesson 07)."""
    seeds = _check_seeds(seeds)
    errors, disagree = np.zeros((2, len(seeds))), np.zeros(len(seeds))
    for j, seed in enumerate(seeds):
        data = digits(seed)
        runs = [train_net(data.x_train, data.y_train, replace(recipe, mode=mode, seed=seed), data.x_test, data.y_test)
                for mode in ("vanilla", "inverted")]
        errors[:, j] = [r.test_error for r in runs]
        picked = [r.model.predict_proba(data.x_test).argmax(axis=1) for r in runs]
        disagree[j] = float(np.mean(picked[0] != picked[1]))
        if on_step is not None:
            on_step()
    return SchemeComparison(seeds, errors, disagree)


# ---------------------------------------------------------------- stored long runs (stored_runs.py)


def _stored(name: str) -> dict:
    import json
    from pathlib import Path
    path = Path(__file__).resolve().parent / f"{name}_runs.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path.name} is missing: run `python -m {__package__}.stored_runs {name}`")
    return json.loads(path.read_text(encoding="utf-8"))


def load_rate_sweep() -> tuple[RateSweep, dict]:
    """The stored Fig. 9 run (stored_runs.py) as a RateSweep, with its record (recipe, seeds, command) (lesson 07)."""
    rec = _stored("fig9")
    sweep = RateSweep(np.array(rec["keeps"]), tuple(rec["schemes"]), np.array(rec["hidden"]),
                      np.array(rec["test_error"]), np.array(rec["train_error"]), tuple(rec["seeds"]),
                      float(rec["train_seconds"]))
    return sweep, rec


def load_size_sweep() -> tuple[SizeSweep, dict]:
    """The stored Fig. 10 run with its stored control appended (stored_runs.py), and the Fig. 10 record (lesson 07).

    Conditions [0]-[2] come from fig10_runs.json; [3], the dropout recipe with both rates 0, from
    fig10_control_runs.json (its record is under the key "control").
    """
    rec, ctrl = _stored("fig10"), _stored("fig10_control")
    if any(r["input_rate"] or r["hidden_rate"] for r in ctrl["recipes"].values()):
        raise ValueError("fig10_control_runs.json must hold recipes without dropout (both rates 0)")
    sweep, control = (SizeSweep(np.array(r["sizes"]), tuple(r["conditions"]), np.array(r["test_error"]),
                                np.array(r["train_error"]), np.array(r["epochs"]), tuple(r["seeds"]),
                                float(r["train_seconds"])) for r in (rec, ctrl))
    return sweep.with_control(control), {**rec, "control": ctrl}


def load_lr_check() -> dict:
    """The stored learning-rate check behind "the paper's higher learning rate did not transfer" (lesson 07)."""
    return _stored("lr_check")
