"""The dropout family from scratch in NumPy, pure and seeded (lesson 12).

Gaussian dropout (multiplicative N(1, rate/keep) noise), DropConnect (dropping weights),
Alpha dropout for SELU networks (dropped units set to α' = -λα, then an affine a·x + b),
and DropBlock (contiguous blocks on feature maps). Each returns arrays; the moments each
one should have are derived here too, so the lesson can put predicted beside measured.
The framework layers they are checked against are called in frameworks_check.py.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ..._validate import as_float_array, as_generator, check_rate
from ...core import RNGLike, draw_keep_mask

# SELU's constants (Klambauer et al. 2017, Eq. 14 and the text after it), the values torch and Keras use.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_LAMBDA = 1.0507009873554804934193349852946
ALPHA_PRIME = -SELU_LAMBDA * SELU_ALPHA   # SELU's negative saturation value, -1.7581


def _check_trainable_rate(rate: object, name: str) -> float:
    rate = check_rate(rate)
    if rate >= 1.0:
        raise ValueError(f"rate must be < 1 for {name} (at rate 1 its scale is infinite), got {rate!r}")
    return rate


# ---------------------------------------------------------------- Gaussian dropout (paper §10)


def gaussian_noise_std(rate: float) -> float:
    """Standard deviation of Gaussian dropout's multiplicative noise: sqrt(rate / keep) (lesson 12)."""
    rate = _check_trainable_rate(rate, "Gaussian dropout")
    return math.sqrt(rate / (1.0 - rate))


def gaussian_dropout(x: object, rate: float, rng: RNGLike = None) -> np.ndarray:
    """x · r with r ~ N(1, rate/keep) per unit: the same mean and variance as inverted Bernoulli dropout."""
    x = as_float_array(x)
    noise = as_generator(rng).standard_normal(x.shape)
    return x * (1.0 + gaussian_noise_std(rate) * noise).astype(x.dtype)


def bernoulli_dropout(x: object, rate: float, rng: RNGLike = None) -> np.ndarray:
    """Inverted Bernoulli dropout, the family's reference: x · m / keep (lesson 12)."""
    x = as_float_array(x)
    keep = 1.0 - _check_trainable_rate(rate, "Bernoulli dropout")
    return x * draw_keep_mask(x.shape, rate, as_generator(rng), x.dtype) / x.dtype.type(keep)


@dataclass(frozen=True)
class Moments:
    """Mean and variance of one multiplied unit, x · r (lesson 12)."""

    mean: float
    var: float


def noise_moments(x: float, rate: float, kind: str) -> Moments:
    """E and Var of x·r for Bernoulli (r = m/keep) or Gaussian (r ~ N(1, σ²)) noise: both x and x²·rate/keep."""
    rate = _check_trainable_rate(rate, "this noise")
    keep = 1.0 - rate
    if kind == "bernoulli":
        # E[m/keep] = 1, E[(m/keep)²] = keep/keep² = 1/keep, so Var = x²(1/keep - 1) = x² rate/keep.
        return Moments(x, x * x * (1.0 / keep - 1.0))
    if kind == "gaussian":
        return Moments(x, x * x * gaussian_noise_std(rate) ** 2)
    raise ValueError(f"kind must be 'bernoulli' or 'gaussian', got {kind!r}")


# ---------------------------------------------------------------- DropConnect (Wan et al. 2013)


def dropconnect_linear(x: object, weights: object, rate: float, rng: RNGLike = None,
                       per_sample: bool = True) -> np.ndarray:
    """y = x (W ⊙ M) / keep with a Bernoulli(keep) mask on the WEIGHTS, one per sample by default (lesson 12)."""
    x, weights = as_float_array(x), as_float_array(weights, "weights")
    keep = 1.0 - _check_trainable_rate(rate, "DropConnect")
    generator = as_generator(rng)
    if per_sample:
        masks = draw_keep_mask((x.shape[0], *weights.shape), rate, generator)
        return np.einsum("bi,bio->bo", x, weights * masks) / keep
    return x @ (weights * draw_keep_mask(weights.shape, rate, generator)) / keep


def dropout_linear(x: object, weights: object, rate: float, rng: RNGLike = None) -> np.ndarray:
    """y = (x ⊙ m / keep) W: dropout on the layer's inputs, for comparison with DropConnect (lesson 12)."""
    return bernoulli_dropout(x, rate, rng) @ as_float_array(weights, "weights")


@dataclass(frozen=True)
class LinearMoments:
    """Predicted mean, variance and covariance of a linear layer's outputs under input dropout or DropConnect."""

    mean: np.ndarray        # (out,): W^T x, for both
    var: np.ndarray         # (out,): rate/keep · Σ_j x_j² W_ji², for both
    cov_dropout: np.ndarray  # (out, out): rate/keep · Σ_j x_j² W_ji W_jk, shared input coins
    cov_dropconnect: np.ndarray  # diagonal only: every weight has its own coin


def linear_moments(x: object, weights: object, rate: float) -> LinearMoments:
    """Derive the output moments of one input vector x through W under both schemes (lesson 12)."""
    x, weights = as_float_array(x).ravel(), as_float_array(weights, "weights")
    rate = _check_trainable_rate(rate, "this layer")
    noise = rate / (1.0 - rate)
    cov = noise * (weights * (x ** 2)[:, None]).T @ weights
    return LinearMoments(weights.T @ x, np.diag(cov).copy(), cov, np.diag(np.diag(cov)))


def relu_gaussian_mean(mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """E[max(u, 0)] for u ~ N(mean, var), closed form: μΦ(μ/σ) + σφ(μ/σ) (lesson 12)."""
    from scipy.stats import norm
    std = np.sqrt(np.maximum(var, 1e-300))
    return mean * norm.cdf(mean / std) + std * norm.pdf(mean / std)


@dataclass(frozen=True)
class DropConnectInference:
    """A ReLU unit's test-time output three ways, for one input (lesson 12)."""

    monte_carlo: np.ndarray       # mean of relu(y) over `draws` real DropConnect masks: the ensemble's answer
    monte_carlo_se: np.ndarray
    weight_scaling: np.ndarray    # relu(E[y]): the mean network
    gaussian_sampled: np.ndarray  # Wan et al.'s inference: average relu over samples of u ~ N(E y, Var y)
    gaussian_sampled_se: np.ndarray
    gaussian_closed: np.ndarray   # the same expectation, in closed form


def dropconnect_inference(x: object, weights: object, rate: float, draws: int = 4000, samples: int = 4000,
                          seed: int = 0) -> DropConnectInference:
    """Compare DropConnect's test-time rules on one input x of shape (in,) through W (in, out) (lesson 12)."""
    x = as_float_array(x).ravel()
    weights = as_float_array(weights, "weights")
    moments = linear_moments(x, weights, rate)
    rng = np.random.default_rng(seed)
    real = np.maximum(dropconnect_linear(np.tile(x, (draws, 1)), weights, rate, rng), 0.0)
    u = moments.mean + np.sqrt(moments.var) * rng.standard_normal((samples, moments.mean.size))
    sampled = np.maximum(u, 0.0)
    return DropConnectInference(real.mean(axis=0), real.std(axis=0) / math.sqrt(draws),
                                np.maximum(moments.mean, 0.0), sampled.mean(axis=0),
                                sampled.std(axis=0) / math.sqrt(samples),
                                relu_gaussian_mean(moments.mean, moments.var))


# ---------------------------------------------------------------- Alpha dropout (Klambauer et al. 2017)


def alpha_affine(rate: float, alpha_prime: float = ALPHA_PRIME) -> tuple[float, float]:
    """(a, b) so that a·(x·d + α'(1 - d)) + b has mean 0 and variance 1 for x of mean 0, variance 1.

    With keep q: E[x·d + α'(1-d)] = (1 - q)α' and Var = q + α'² q(1 - q), so
    a = (q + α'² q(1 - q))^(-1/2) and b = -a(1 - q)α' (Klambauer et al. 2017, §"New dropout technique").
    """
    q = 1.0 - _check_trainable_rate(rate, "Alpha dropout")
    a = (q + alpha_prime ** 2 * q * (1.0 - q)) ** -0.5
    return a, -a * (1.0 - q) * alpha_prime


def alpha_dropout_with_mask(x: object, rate: float, keep_mask: np.ndarray) -> np.ndarray:
    """Alpha dropout for a given keep-mask: dropped units become α', then the affine a·z + b (lesson 12)."""
    x = as_float_array(x)
    a, b = alpha_affine(rate)
    kept = np.asarray(keep_mask, dtype=bool)
    z = np.where(kept, x, x.dtype.type(ALPHA_PRIME))
    return (x.dtype.type(a) * z + x.dtype.type(b)).astype(x.dtype)


def alpha_dropout(x: object, rate: float, rng: RNGLike = None) -> np.ndarray:
    """Alpha dropout with a fresh keep-mask (uniform >= rate) (lesson 12)."""
    x = as_float_array(x)
    return alpha_dropout_with_mask(x, rate, draw_keep_mask(x.shape, rate, as_generator(rng), x.dtype))


def alpha_dropped_value(rate: float) -> float:
    """What a dropped unit becomes: a·α' + b = a·keep·α' (lesson 12)."""
    a, b = alpha_affine(rate)
    return a * ALPHA_PRIME + b


def alpha_moments(mean: float, var: float, rate: float) -> Moments:
    """Mean and variance after Alpha dropout of a unit with the given input mean and variance (lesson 12)."""
    q = 1.0 - _check_trainable_rate(rate, "Alpha dropout")
    a, b = alpha_affine(rate)
    z_mean = q * mean + (1 - q) * ALPHA_PRIME
    z_second = q * (var + mean ** 2) + (1 - q) * ALPHA_PRIME ** 2
    return Moments(a * z_mean + b, a * a * (z_second - z_mean ** 2))


# ---------------------------------------------------------------- DropBlock (Ghiasi, Lin & Le 2018)


def _check_block(block_size: object, height: int, width: int) -> int:
    if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)) \
            or not 1 <= block_size <= min(height, width):
        raise ValueError(f"block_size must be an int in [1, {min(height, width)}] (the map's side), got {block_size!r}")
    return int(block_size)


def dropblock_gamma(rate: float, block_size: int, height: int, width: int) -> float:
    """The paper's Eq. 1: γ = (1 - keep_prob)/block² · H·W / ((H - block + 1)(W - block + 1)) (lesson 12)."""
    rate = check_rate(rate)
    block = _check_block(block_size, height, width)
    return rate / block ** 2 * height * width / ((height - block + 1) * (width - block + 1))


def valid_centres(size: int, block: int) -> np.ndarray:
    """Which positions along one side may hold a block's centre so that the block fits inside the map."""
    index = np.arange(size)
    return (index >= block // 2) & (index < size - (block - 1) // 2)


def dropblock_mask(shape: tuple[int, int, int, int], rate: float, block_size: int, rng: RNGLike = None,
                   uniforms: np.ndarray | None = None) -> np.ndarray:
    """Keep-mask (N, C, H, W): Bernoulli(γ) centres in the valid region, each grown to a block² square of zeros.

    `uniforms` (shape `shape`) may be passed to reuse the same random numbers at several rates.
    """
    n, c, h, w = shape
    block = _check_block(block_size, h, w)
    gamma = dropblock_gamma(rate, block, h, w)
    u = as_generator(rng).random(shape) if uniforms is None else uniforms
    centres = (u < gamma) & valid_centres(h, block)[:, None] & valid_centres(w, block)[None, :]
    # A centre at (i, j) drops rows i - block//2 ... i - block//2 + block - 1 and the same columns:
    # the square is a row band OR-ed over columns, so grow along each axis in turn (2·block shifts, not block²).
    return ~_grow(_grow(centres, block, axis=-2), block, axis=-1)


def _grow(centres: np.ndarray, block: int, axis: int) -> np.ndarray:
    """OR of `centres` shifted by d - block//2 along `axis`, for d = 0 ... block - 1 (no wrap-around)."""
    size = centres.shape[axis]
    moved = np.moveaxis(centres, axis, -1)
    grown = np.zeros_like(moved)
    for d in range(block):
        shift = d - block // 2
        grown[..., max(shift, 0):size + min(shift, 0)] |= moved[..., max(-shift, 0):size - max(shift, 0)]
    return np.moveaxis(grown, -1, axis)


def dropblock(x: object, rate: float, block_size: int, rng: RNGLike = None,
              uniforms: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """DropBlock on (N, C, H, W) maps: x · M · count(M)/count_ones(M) (the paper's Algorithm 1); (out, mask)."""
    x = as_float_array(x)
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W), got {x.shape}")
    mask = dropblock_mask(x.shape, rate, block_size, rng, uniforms)
    kept = int(mask.sum())
    scale = mask.size / kept if kept else 0.0
    return x * mask * x.dtype.type(scale), mask


def dropblock_expected_drop(rate: float, block_size: int, height: int, width: int) -> float:
    """The exact expected share of dropped units: position (i, j) survives iff none of its covering centres fires.

    A position is covered by c_i·c_j valid centres (c counts them along each side), so it is dropped
    with probability 1 - (1 - γ)^(c_i c_j). The paper's γ ignores overlapping blocks, so this is
    below the target rate (lesson 12).
    """
    block = _check_block(block_size, height, width)
    gamma = dropblock_gamma(rate, block, height, width)

    def covering(size: int) -> np.ndarray:
        centres = np.flatnonzero(valid_centres(size, block))
        starts = centres - block // 2
        return np.array([np.sum((starts <= i) & (i < starts + block)) for i in range(size)])

    counts = covering(height)[:, None] * covering(width)[None, :]
    return float(np.mean(1.0 - (1.0 - gamma) ** counts))


# ---------------------------------------------------------------- the family side by side (the dashboard)

METHODS = ("Bernoulli", "Gaussian", "Alpha", "DropConnect", "DropBlock")


@dataclass(frozen=True)
class FamilyDraws:
    """One input and every random number the five methods use, drawn once so every rate reuses them."""

    x: np.ndarray          # (N, C, H, W) standard normal: SELU's fixed point, mean 0 and variance 1
    uniforms: np.ndarray   # unit coins (Bernoulli, Alpha), block centres (DropBlock)
    normals: np.ndarray    # Gaussian noise
    weights: np.ndarray    # (in, out) for DropConnect, columns of unit norm
    weight_uniforms: np.ndarray

    @cached_property
    def linear(self) -> tuple[np.ndarray, np.ndarray]:
        """(x W, x² W²) on the rows of x: DropConnect's mean output and its variance term, the same at every rate."""
        flat = self.x.reshape(-1, self.weights.shape[0])
        return flat @ self.weights, (flat ** 2) @ self.weights ** 2

    @cached_property
    def moments(self) -> tuple[float, float]:
        """E[x] and E[x²] over the input, the same at every rate."""
        return float(self.x.mean()), float((self.x ** 2).mean())


def family_draws(shape: tuple[int, int, int, int] = (64, 4, 16, 16), seed: int = 0) -> FamilyDraws:
    """The same seeded input and random numbers for the whole family (lesson 12)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    width = int(np.prod(shape[1:])) // 4
    weights = rng.standard_normal((width, width)) / math.sqrt(width)
    return FamilyDraws(x, rng.random(shape), rng.standard_normal(shape), weights, rng.random((width, width)))


@dataclass(frozen=True)
class FamilyStats:
    """One method's output on the shared input: measured and predicted mean, variance and zero fraction."""

    name: str
    out: np.ndarray
    mean: float
    var: float
    zeros: float
    predicted_mean: float
    predicted_var: float
    predicted_zeros: float


def _measured(name: str, out: np.ndarray, mean: float, var: float, zeros: float) -> FamilyStats:
    return FamilyStats(name, out, float(out.mean()), float(out.var()), float(np.mean(out == 0)), mean, var, zeros)


def family_stats(rate: float, draws: FamilyDraws, block_size: int = 5) -> list[FamilyStats]:
    """All five methods at one rate on the same input; predictions are conditional on x's own moments."""
    rate = _check_trainable_rate(rate, "the family")
    keep = 1.0 - rate
    x = draws.x
    m1, m2 = draws.moments
    kept = draws.uniforms >= rate
    bernoulli = x * kept / keep
    gaussian = x * (1.0 + gaussian_noise_std(rate) * draws.normals)
    alpha = alpha_dropout_with_mask(x, rate, kept)
    a, b = alpha_affine(rate)
    z1, z2 = keep * m1 + rate * ALPHA_PRIME, keep * m2 + rate * ALPHA_PRIME ** 2
    flat = x.reshape(-1, draws.weights.shape[0])
    mean_out, square_term = draws.linear
    connect = flat @ (draws.weights * (draws.weight_uniforms >= rate)) / keep
    connect_second = float((mean_out ** 2).mean() + rate / keep * square_term.mean())
    block, _ = dropblock(x, rate, block_size, uniforms=draws.uniforms)
    drop = dropblock_expected_drop(rate, block_size, x.shape[2], x.shape[3])
    alpha_mean = a * z1 + b
    return [
        _measured("Bernoulli", bernoulli, m1, m2 / keep - m1 ** 2, rate),
        _measured("Gaussian", gaussian, m1, m2 / keep - m1 ** 2, 0.0),
        _measured("Alpha", alpha, alpha_mean, a * a * z2 + 2 * a * b * z1 + b * b - alpha_mean ** 2, 0.0),
        _measured("DropConnect", connect, float(mean_out.mean()), connect_second - float(mean_out.mean()) ** 2, 0.0),
        _measured("DropBlock", block, m1, m2 / (1.0 - drop) - m1 ** 2, drop),
    ]


HIST_EDGES = np.linspace(-6, 6, 61)   # the dashboard's histogram: 60 bins of width 0.2


def output_shares(out: np.ndarray, edges: np.ndarray = HIST_EDGES) -> np.ndarray:
    """Share of `out` in each bin; the end bins also hold what lies beyond them (lesson 12)."""
    out = np.asarray(out, dtype=float)
    counts, _ = np.histogram(np.clip(out, edges[0], edges[-1]), edges)
    return counts / out.size


# ---------------------------------------------------------------- the pitfalls, bug-zoo style (lesson 08's pattern)


@dataclass(frozen=True)
class Bug:
    """One pitfall: what goes wrong, the broken snippet, the name the check is given (lesson 12)."""

    number: int
    title: str
    symptom: str
    buggy_code: str
    defines: str


BUGS: dict[int, Bug] = {bug.number: bug for bug in (
    Bug(1, "F.alpha_dropout's training default", "no dropout at all during training",
        '''def selu_block(x, rate):
    """SELU activations with Alpha dropout, for a TRAINING step (x: a torch tensor)."""
    return F.alpha_dropout(torch.selu(x), p=rate)   # BUG?''',
        "selu_block"),
    Bug(2, "Plain dropout in a SELU network", "the variance grows by 1/keep and self-normalisation breaks",
        '''def my_alpha_dropout(x, rate, rng):
    """Alpha dropout for SELU activations: keeps mean 0 and variance 1."""
    keep = 1 - rate
    mask = rng.random(x.shape) >= rate
    return x * mask / keep   # BUG?''',
        "my_alpha_dropout"),
    Bug(3, "Gaussian dropout with the rate as its spread", "far too little noise",
        '''def gaussian_dropout(x, rate, rng):
    """Multiplicative Gaussian noise with the same mean and variance as dropout at `rate`."""
    return x * rng.normal(1.0, rate, size=x.shape)   # BUG?''',
        "gaussian_dropout"),
    Bug(4, "DropBlock without renormalising", "activations shrink by the dropped share",
        '''def drop_block(x, rate, block_size, rng):
    """DropBlock on maps (N, C, H, W); the output must keep the input's mean."""
    mask = dl.lessons.dropout_family.compute.dropblock_mask(x.shape, rate, block_size, rng)
    return x * mask   # BUG?''',
        "drop_block"),
)}


def _learner_output(fn, x: np.ndarray, *args) -> np.ndarray:
    """fn(copy of x, *args) as a float array of x's shape (a ValueError names the shape otherwise)."""
    out = np.asarray(fn(x.copy(), *args), dtype=float)
    if out.shape != x.shape:
        raise ValueError(f"the function must return x's shape {x.shape}, got {out.shape}")
    return out


def alpha_probe(fn, rate: float, n: int = 200_000, seed: int = 11) -> dict:
    """Run a learner's fn(x, rate, rng) on x ~ N(0, 1): where its units land, and its moments (lesson 12).

    Every unit of Alpha dropout is either a·x + b (kept) or exactly a·α' + b (dropped), so the
    output tells which units were dropped; `mode` is the value most outputs share (the learner's
    dropped value, whatever it is).
    """
    x = np.random.default_rng(seed).standard_normal(n)
    out = _learner_output(fn, x, rate, np.random.default_rng(0))
    a, b = alpha_affine(rate)

    def share_at(value: float) -> np.ndarray:
        return np.isclose(out, value, rtol=0.0, atol=1e-5)   # float32 rounding allowed

    dropped = share_at(a * ALPHA_PRIME + b)
    kept = ~dropped
    values, counts = np.unique(out, return_counts=True)
    error = float(np.abs(out[kept] - (a * x[kept] + b)).max()) if kept.any() else math.inf
    return {"unchanged": bool(np.allclose(out, x, rtol=0.0, atol=1e-6)), "zeros": float(np.mean(out == 0)),
            "at_alpha_prime": float(share_at(ALPHA_PRIME).mean()), "dropped": float(dropped.mean()),
            "mode": float(values[counts.argmax()]), "mode_share": float(counts.max() / n), "kept_error": error,
            "mean": float(out.mean()), "var": float(out.var()), "n": n}


GAUSSIAN_PROBE_INPUTS = (0.0, 1.0, -3.0)   # a zero must stay zero; the spread must grow with |x|


def gaussian_probe(fn, rate: float, per_value: int = 60_000, seed: int = 0) -> dict:
    """Run a learner's fn(x, rate, rng) on x = 0, 1 and -3 (interleaved): out/x's mean, variance and zeros per x."""
    x = np.tile(np.array(GAUSSIAN_PROBE_INPUTS), per_value)
    out = _learner_output(fn, x, rate, np.random.default_rng(seed))
    by_input = {}
    for value in GAUSSIAN_PROBE_INPUTS[1:]:
        r = out[x == value] / value                      # the multiplicative noise, if it is multiplicative
        by_input[value] = {"mean": float(r.mean()), "var": float(r.var()), "zeros": float(np.mean(r == 0))}
    return {"unchanged": bool(np.array_equal(out, x)), "at_zero": float(np.abs(out[x == 0]).max()),
            "by_input": by_input, "n": per_value}


def dropblock_probe(fn, rate: float = 0.2, block_size: int = 5, maps: int = 2000, seed: int = 0) -> dict:
    """Run a learner's drop_block(x, rate, block, rng) on positive maps x (maps, 1, 16, 16) (lesson 12).

    Returns the dropped share and its band, whether every map has the same zeros, whether out/x is
    one scale per map (x · M · scale), and the mean of out/x, which renormalising makes exactly 1.
    """
    x = np.random.default_rng(seed + 1).uniform(0.5, 1.5, (maps, 1, 16, 16))   # never 0, not constant
    out = _learner_output(fn, x, rate, block_size, np.random.default_rng(seed))
    zero = out == 0
    per_map = zero.mean(axis=(1, 2, 3))
    expected = dropblock_expected_drop(rate, block_size, 16, 16)
    # the maps are independent: their mean drop share has sd = (sd of one map's share)/sqrt(maps)
    half = 4.5 * per_map.std(ddof=1) / math.sqrt(maps)
    ratio = (out / x).reshape(maps, -1)
    highest = np.where(zero.reshape(maps, -1), -np.inf, ratio).max(axis=1)
    lowest = np.where(zero.reshape(maps, -1), np.inf, ratio).min(axis=1)
    some = np.isfinite(highest)
    return {"dropped": float(per_map.mean()), "band": (expected - half, expected + half),
            "shared": bool(zero.any() and np.all(zero == zero[:1])),
            "one_scale": bool(np.all(highest[some] - lowest[some] <= 1e-9 * np.abs(highest[some]))),
            "mean_ratio": float(ratio.mean())}


def variance_band(predicted: float, n: int, kurtosis_excess: float, z: float = 4.5) -> tuple[float, float]:
    """Where the sample variance (ddof=0) of n i.i.d. draws falls around the true variance (lessons 11, 12).

    s² = mean((x - μ)²) - (x̄ - μ)²: the first term has relative sd sqrt((2 + excess)/n), the
    second lies in [0, z²σ²/n]. (The same function as lesson 11's; a shared home is requested.)
    """
    half = z * math.sqrt(max(2.0 + kurtosis_excess, 0.0) / n)
    return predicted * (1 - half - z * z / n), predicted * (1 + half)
