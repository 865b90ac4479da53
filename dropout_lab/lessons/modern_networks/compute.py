"""Dropout in modern networks: the lesson's NumPy maths, pure and seeded (lesson 11).

Feature maps of real digits and how much of a dropped value its neighbours still carry;
locked (time-shared) masks and what a fresh mask per step does to a unit that integrates
over time; DropPath (stochastic depth) and its depth schedules; the pitfalls (BUGS).
The PyTorch and Keras demonstrations live in nets.py, the CNN study in cnn_study.py.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..._validate import as_float_array, as_generator, check_rate
from ...core import RNGLike, dropout_forward
from ...data import load_digits_split
from ...stats import Z_CHECK, binomial_band

# ---------------------------------------------------------------- 1. feature maps of real images


def _positive_int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive int, got {value!r}")
    return int(value)


def conv3x3(images: np.ndarray, filters: np.ndarray) -> np.ndarray:
    """'Same' 3×3 convolution (cross-correlation) of (N, H, W) images with (C, 3, 3) filters -> (N, C, H, W)."""
    n, h, w = images.shape
    padded = np.pad(images, ((0, 0), (1, 1), (1, 1)))
    out = np.zeros((n, len(filters), h, w))
    for di in range(3):
        for dj in range(3):
            out += filters[None, :, di, dj, None, None] * padded[:, None, di:di + h, dj:dj + w]
    return out


def digit_feature_maps(n_images: int = 512, channels: int = 8, seed: int = 0) -> np.ndarray:
    """ReLU feature maps (N, C, 8, 8) of a He-initialised 3×3 conv layer on real digits (lesson 11)."""
    n_images, channels = _positive_int(n_images, "n_images"), _positive_int(channels, "channels")
    images = load_digits_split(seed=0).x_train[:n_images].reshape(-1, 8, 8)
    filters = np.random.default_rng(seed).normal(0.0, math.sqrt(2.0 / 9.0), (channels, 3, 3))
    return np.maximum(conv3x3(images, filters), 0.0)


def standardise_channels(maps: np.ndarray) -> np.ndarray:
    """Each channel to mean 0 and standard deviation 1 over images and positions (lesson 11).

    Pooled correlations across channels would otherwise pick up the channels' different
    means, a correlation that has nothing to do with space.
    """
    maps = as_float_array(maps, "maps")
    mean = maps.mean(axis=(0, 2, 3), keepdims=True)
    std = maps.std(axis=(0, 2, 3), keepdims=True)
    return (maps - mean) / np.where(std > 0, std, 1.0)


def shuffle_space(maps: np.ndarray, rng: RNGLike = 0) -> np.ndarray:
    """The control: every channel's values permuted over images and positions, so neighbours are unrelated."""
    maps = as_float_array(maps, "maps")
    generator = as_generator(rng)
    n, c, h, w = maps.shape
    flat = maps.transpose(1, 0, 2, 3).reshape(c, -1)
    shuffled = np.stack([generator.permutation(row) for row in flat])
    return shuffled.reshape(c, n, h, w).transpose(1, 0, 2, 3)


def neighbour_correlation(maps: np.ndarray) -> float:
    """Pearson correlation of horizontally and vertically adjacent activations, pooled (lesson 11)."""
    return _neighbour_correlation(standardise_channels(maps))


def _neighbour_correlation(z: np.ndarray) -> float:
    left, right = z[..., :, :-1].ravel(), z[..., :, 1:].ravel()
    up, down = z[..., :-1, :].ravel(), z[..., 1:, :].ravel()
    return float(np.corrcoef(np.concatenate([left, up]), np.concatenate([right, down]))[0, 1])


def _neighbour_sums(values: np.ndarray) -> np.ndarray:
    """up + down + left + right for every position of (..., H, W) maps, a missing neighbour counting 0."""
    h, w = values.shape[-2:]
    # Each map as one row of H·W numbers: the four shifts run over long contiguous rows, with no padded
    # copy (about 1.5x faster on 512×8 maps of 8×8); a left/right shift that wraps into the next row is masked.
    flat = np.ascontiguousarray(values, dtype=np.result_type(values, float)).reshape(-1, h * w)
    inside = (np.arange(h * w) % w != 0).astype(flat.dtype)   # positions with a left neighbour
    sums = np.zeros_like(flat)
    sums[:, w:] = flat[:, :-w]
    sums[:, :-w] += flat[:, w:]
    sums[:, 1:] += flat[:, :-1] * inside[1:]
    sums[:, :-1] += flat[:, 1:] * inside[1:]
    return sums.reshape(values.shape)


@dataclass(frozen=True)
class Recovery:
    """How well a dropped activation is guessed from its kept 4-neighbours (lesson 11)."""

    correlation: float   # corr(true value, mean of kept neighbours) over dropped units that have one
    guessable: int       # dropped units with at least one kept neighbour
    dropped: int         # all dropped units
    zero_fraction: float

    @property
    def band(self) -> tuple[float, float]:
        """Where the correlation of UNRELATED values falls: 0 ± Z_CHECK/sqrt(n) (large-n normal limit)."""
        half = Z_CHECK / math.sqrt(max(self.guessable, 1))
        return -half, half


def recovery(maps: np.ndarray, keep: np.ndarray) -> Recovery:
    """Guess each dropped unit by the mean of its kept 4-neighbours and correlate with the truth (lesson 11)."""
    return _recovery(standardise_channels(maps), keep)


def _recovery(z: np.ndarray, keep: np.ndarray, counts: np.ndarray | None = None) -> Recovery:
    # `counts` (kept neighbours per unit) depends on the mask only: two maps under one mask share it
    keep = np.broadcast_to(np.asarray(keep, dtype=bool), z.shape)
    counts = _neighbour_sums(keep.astype(float)) if counts is None else counts
    guessable = ~keep & (counts > 0)
    n = int(guessable.sum())
    corr = 0.0
    if n > 2:   # (spatial dropout leaves none: a dropped channel has no kept neighbour)
        where = np.flatnonzero(guessable)
        sums = _neighbour_sums(z * keep).ravel()
        corr = float(np.corrcoef(z.ravel()[where], sums[where] / counts.ravel()[where])[0, 1])
    return Recovery(corr, n, int((~keep).sum()), float(1.0 - keep.mean()))


def feature_map_masks(shape: tuple[int, int, int, int], rate: float, seed: int = 0) -> dict[str, np.ndarray]:
    """Keep-masks for (N, C, H, W) maps: one coin per unit, and one coin per (image, channel) (lesson 11)."""
    n, c, h, w = shape
    ones = np.ones(shape)
    _, elementwise = dropout_forward(ones, rate, np.random.default_rng(seed))
    _, spatial = dropout_forward(ones, rate, np.random.default_rng(seed + 1), noise_shape=(n, c, 1, 1))
    return {"element-wise": np.asarray(elementwise), "spatial (whole channels)": np.broadcast_to(spatial, shape)}


@dataclass(frozen=True)
class FeatureMapStudy:
    """Element-wise vs spatial dropout on the same maps, with the shuffled control (lesson 11)."""

    rate: float
    neighbour_corr: float
    control_corr: float
    pairs: int                    # neighbour pairs behind each correlation
    elementwise: Recovery
    spatial: Recovery
    control: Recovery
    channels_dropped: float       # share of (image, channel) pairs spatial dropout removed
    channel_band: tuple[float, float]


@dataclass(frozen=True)
class PreparedMaps:
    """What every rate of the feature-map study shares: both maps standardised, their neighbour correlations."""

    shape: tuple[int, int, int, int]
    z: np.ndarray            # standardise_channels(maps)
    z_control: np.ndarray    # standardise_channels(control)
    neighbour_corr: float
    control_corr: float


def prepare_maps(maps: np.ndarray, control: np.ndarray) -> PreparedMaps:
    """Standardise the maps and their shuffled control once, for a study at many rates (lesson 11)."""
    z, z_control = standardise_channels(maps), standardise_channels(control)
    if z.shape != z_control.shape:
        raise ValueError(f"control must have the maps' shape {z.shape}, got {z_control.shape}")
    return PreparedMaps(z.shape, z, z_control, _neighbour_correlation(z), _neighbour_correlation(z_control))


def feature_map_study(rate: float = 0.3, seed: int = 0, maps: np.ndarray | None = None,
                      control: np.ndarray | None = None) -> FeatureMapStudy:
    """Measure what survives element-wise and spatial dropout of real feature maps (lesson 11).

    `maps` defaults to digit_feature_maps(seed=seed), `control` to shuffle_space(maps, seed).
    """
    rate = check_rate(rate)
    maps = digit_feature_maps(seed=seed) if maps is None else maps
    control = shuffle_space(maps, seed) if control is None else control
    prepared = prepare_maps(maps, control)
    return study_prepared(prepared, rate, feature_map_masks(prepared.shape, rate, seed))


def study_prepared(prepared: PreparedMaps, rate: float, masks: dict[str, np.ndarray]) -> FeatureMapStudy:
    """feature_map_study on prepared maps, for the masks feature_map_masks(shape, rate, seed) drew (lesson 11).

    A dashboard prepares the maps once; each rate then costs the masks and three recoveries.
    """
    rate = check_rate(rate)
    elementwise, spatial = masks["element-wise"], masks["spatial (whole channels)"]
    counts = _neighbour_sums(elementwise.astype(float))   # the element-wise mask serves maps and control
    coins = spatial[:, :, 0, 0]
    n, c, h, w = prepared.shape
    return FeatureMapStudy(rate, prepared.neighbour_corr, prepared.control_corr,
                           n * c * (h * (w - 1) + (h - 1) * w),
                           _recovery(prepared.z, elementwise, counts), _recovery(prepared.z, spatial),
                           _recovery(prepared.z_control, elementwise, counts), float(1.0 - coins.mean()),
                           binomial_band(rate, coins.size, Z_CHECK))


# ---------------------------------------------------------------- 2. sequences: one mask for every time step


def locked_mask(batch: int, time: int, features: int, rate: float, seed: int = 0) -> np.ndarray:
    """Keep-mask (batch, 1, features) broadcast over time: Gal & Ghahramani's one mask per sequence (lesson 11)."""
    _, mask = dropout_forward(np.ones((batch, time, features)), rate, np.random.default_rng(seed),
                              noise_shape=(batch, 1, features))
    return np.broadcast_to(mask, (batch, time, features))


def shared_along(mask: np.ndarray, axes: tuple[int, ...]) -> bool:
    """True when the mask is constant along every axis in `axes` (one coin shared there)."""
    mask = np.asarray(mask)
    return all(bool(np.all(mask == mask.take([0], axis=axis))) for axis in axes)


def locked_recurrence(outputs: np.ndarray) -> np.ndarray:
    """h_1 = 1, h_t = 1 + m ⊙ h_(t-1) with ONE mask m = h_2 - 1 read off `outputs` (batch, T, units) (lesson 11).

    The outputs of a linear RNN with identity kernels on inputs of ones, its state dropped by
    mask m_t at step t. If the layer locked its mask (m_t = m_2 for every t) this rebuilds its
    outputs exactly; a fresh mask per step breaks the match at the first step it changes.
    """
    outputs = as_float_array(outputs, "outputs")
    if outputs.ndim != 3 or outputs.shape[1] < 2:
        raise ValueError(f"outputs must have shape (batch, T >= 2, units), got {outputs.shape}")
    one = outputs.dtype.type(1)
    mask = outputs[:, 1, :] - one
    rebuilt = [np.ones_like(mask)]
    for _ in range(1, outputs.shape[1]):
        rebuilt.append(one + mask * rebuilt[-1])
    return np.stack(rebuilt, axis=1)


@dataclass(frozen=True)
class TimeAverage:
    """The time average of a constant signal after dropout: fresh masks per step vs one locked mask (lesson 11)."""

    steps: int
    rate: float
    per_step_var: float
    locked_var: float
    per_step_predicted: float   # rate/keep / T: T independent coins average out
    locked_predicted: float     # rate/keep: one coin, whatever T
    sequences: int


@dataclass(frozen=True)
class TimeAverageDraws:
    """time_average's seeded uniforms for every T up to max_steps, drawn once (lesson 11).

    default_rng(seed).random((sequences, T, 1)) is the first sequences·T numbers of one stream,
    so every T's per-step draws are a prefix of the longest; the locked coins (seed + 1) do not
    depend on T at all. A dashboard draws them once instead of once per (T, rate).
    """

    per_step: np.ndarray   # (sequences · max_steps,) uniforms from default_rng(seed)
    locked: np.ndarray     # (sequences,) uniforms from default_rng(seed + 1)

    @property
    def max_steps(self) -> int:
        """The largest T these draws cover."""
        return self.per_step.size // self.locked.size


def time_average_draws(max_steps: int, sequences: int = 20_000, seed: int = 0) -> TimeAverageDraws:
    """The uniforms time_average(T, rate, sequences, seed) uses, for every T <= max_steps (lesson 11)."""
    max_steps, sequences = _positive_int(max_steps, "max_steps"), _positive_int(sequences, "sequences")
    return TimeAverageDraws(np.random.default_rng(seed).random(sequences * max_steps),
                            np.random.default_rng(seed + 1).random(sequences))


def time_average(steps: int, rate: float, sequences: int = 20_000, seed: int = 0) -> TimeAverage:
    """Average x_t = 1 over T steps after dropout, with a new mask per step or one locked mask (lesson 11)."""
    steps = _positive_int(steps, "steps")
    return time_average_from(time_average_draws(steps, sequences, seed), steps, rate)


def time_average_from(draws: TimeAverageDraws, steps: int, rate: float) -> TimeAverage:
    """time_average for T = steps from stored draws: the numbers dropout_forward on ones gives, bit for bit."""
    steps, rate = _positive_int(steps, "steps"), check_rate(rate)
    if steps > draws.max_steps:
        raise ValueError(f"steps must be <= {draws.max_steps} (the draws' max_steps), got {steps}")
    sequences, keep = draws.locked.size, 1.0 - rate
    noise = rate / keep if keep > 0 else 0.0
    if keep == 0.0:                      # every unit dropped: the averages are all 0
        return TimeAverage(steps, rate, 0.0, 0.0, noise / steps, noise, sequences)
    scale = np.float64(1.0 / keep)       # dropout_forward's ones · mask · (1/keep), averaged over T
    per_step = ((draws.per_step[:sequences * steps].reshape(sequences, steps) >= rate) * scale).mean(axis=1)
    # a locked row is T copies of 0 or of 1/keep: its mean is one of two numbers
    locked = np.where(draws.locked >= rate, np.full(steps, scale).mean(), 0.0)
    return TimeAverage(steps, rate, float(per_step.var()), float(locked.var()), noise / steps, noise, sequences)


def variance_band(predicted: float, n: int, kurtosis_excess: float, z: float = Z_CHECK) -> tuple[float, float]:
    """Where the sample variance (ddof=0) of n draws falls, around the true variance `predicted`.

    s² = mean((x - μ)²) - (x̄ - μ)². The first term has relative sd sqrt((2 + excess)/n)
    (normal limit); the second lies in [0, z²σ²/n] when x̄ is inside its z-band. For a
    symmetric two-point draw (excess -2) the first term is exact and only the second is left.
    """
    half = z * math.sqrt(max(2.0 + kurtosis_excess, 0.0) / n)
    return predicted * (1 - half - z * z / n), predicted * (1 + half)


def bernoulli_mean_excess_kurtosis(keep: float, count: int) -> float:
    """Excess kurtosis of the mean of `count` i.i.d. scaled Bernoulli(keep) draws: (1 - 6pq)/(pq count)."""
    q = 1.0 - keep
    return (1.0 - 6.0 * keep * q) / (keep * q * count) if 0 < keep < 1 else 0.0


# ---------------------------------------------------------------- 4. DropPath (stochastic depth)


def drop_path_mask(batch: int, rate: float, rng: RNGLike = 0) -> np.ndarray:
    """One keep coin per SAMPLE, shape (batch,): whole residual branches are kept or dropped (lesson 11)."""
    _, mask = dropout_forward(np.ones(_positive_int(batch, "batch")), rate, as_generator(rng))
    return np.asarray(mask)


def drop_path(branch: np.ndarray, rate: float, mask: np.ndarray, scale: bool = True) -> np.ndarray:
    """branch · mask / keep per sample (mask of shape (batch,)); the residual adds x outside (lesson 11)."""
    branch = as_float_array(branch, "branch")
    keep = 1.0 - check_rate(rate)
    shape = (branch.shape[0],) + (1,) * (branch.ndim - 1)
    coins = np.asarray(mask, dtype=branch.dtype).reshape(shape)
    if keep == 0.0:
        return np.zeros_like(branch)
    return branch * coins / branch.dtype.type(keep) if scale else branch * coins


def residual_drop_path(x: np.ndarray, branch: np.ndarray, rate: float, mask: np.ndarray) -> np.ndarray:
    """x + DropPath(f(x)): E[out] = x + f(x) because the kept branch is scaled by 1/keep (lesson 11)."""
    return as_float_array(x) + drop_path(branch, rate, mask)


def linear_drop_rates(depth: int, max_rate: float) -> np.ndarray:
    """The timm/ViT rule: rates rising linearly from 0 at the first block to max_rate at the last (lesson 11)."""
    depth, max_rate = _positive_int(depth, "depth"), check_rate(max_rate)
    return np.linspace(0.0, max_rate, depth)


def huang_drop_rates(depth: int, last_rate: float) -> np.ndarray:
    """Huang et al. 2016's linear decay of survival p_l = 1 - (l/L)(1 - p_L): block l drops with (l/L)·rate_L."""
    depth, last_rate = _positive_int(depth, "depth"), check_rate(last_rate)
    return np.arange(1, depth + 1) / depth * last_rate


def expected_active_blocks(rates: np.ndarray) -> float:
    """Expected number of residual branches that run in one forward pass: sum of keep probabilities."""
    return float(np.sum(1.0 - np.asarray(rates)))


def sampled_active_blocks(rates: np.ndarray, samples: int = 4000, seed: int = 0) -> np.ndarray:
    """Active-block counts of `samples` seeded forward passes (one coin per block per sample)."""
    rates = np.asarray(rates)
    coins = np.random.default_rng(seed).random((samples, rates.size)) >= rates
    return coins.sum(axis=1)


def drop_path_probe(fn, rate: float = 0.3, batch: int = 4000, seed: int = 0) -> dict[str, float | bool]:
    """Run a learner's drop_path(branch, rate, rng) on a (batch, 4, 3) branch of ones and measure it (lesson 11)."""
    out = np.asarray(fn(np.ones((batch, 4, 3)), rate, np.random.default_rng(seed)), dtype=float)
    if out.shape != (batch, 4, 3):
        raise ValueError(f"drop_path must return the branch's shape {(batch, 4, 3)}, got {out.shape}")
    per_sample = out.reshape(batch, -1)
    whole = bool(np.all(per_sample == per_sample[:, :1]))
    dropped = float(np.mean(per_sample[:, 0] == 0))
    keep = 1.0 - rate
    half = Z_CHECK * math.sqrt(rate / keep / batch)   # mean of `batch` scaled coins: sd sqrt(rate/keep/batch)
    return {"whole_samples": whole, "dropped": dropped, "band": binomial_band(rate, batch, Z_CHECK),
            "all_alike": bool(np.all(per_sample[:, 0] == per_sample[0, 0])), "mean": float(per_sample[:, 0].mean()),
            "mean_band": (1 - half, 1 + half)}


def locked_probe(fn, rate: float = 0.3, shape: tuple[int, int, int] = (200, 12, 16), seed: int = 0) -> dict:
    """Run a learner's locked_dropout(x, rate, rng) twice on ones of (batch, time, features) and measure it (lesson 11).

    Both calls get the same generator, as two training steps would: a right answer draws a
    new mask per call (per batch) and shares it only along time.
    """
    rng = np.random.default_rng(seed)
    out = np.asarray(fn(np.ones(shape), rate, rng), dtype=float)
    if out.shape != shape:
        raise ValueError(f"locked_dropout must return x's shape {shape}, got {out.shape}")
    again = np.asarray(fn(np.ones(shape), rate, rng), dtype=float)
    coins = out[:, 0, :]
    keep = 1.0 - rate
    half = Z_CHECK * math.sqrt(rate / keep / coins.size)
    return {"shared_over_time": shared_along(out, (1,)), "independent_features": not shared_along(out, (2,)),
            "independent_sequences": not shared_along(out, (0,)),
            "new_each_call": not np.array_equal(out, again),
            "dropped": float(np.mean(coins == 0)), "band": binomial_band(rate, coins.size, Z_CHECK),
            "mean": float(coins.mean()), "mean_band": (1 - half, 1 + half)}


# ---------------------------------------------------------------- the pitfalls, bug-zoo style


@dataclass(frozen=True)
class Bug:
    """One pitfall: what goes wrong, the broken snippet, the name the check is given (lesson 11, as lesson 08)."""

    number: int
    title: str
    symptom: str
    buggy_code: str
    defines: str


BUGS: dict[int, Bug] = {bug.number: bug for bug in (
    Bug(1, "scaled_dot_product_attention's dropout_p after eval()", "predictions change between two eval calls",
        '''class SelfAttention(nn.Module):
    def __init__(self, width=16, heads=4, dropout=0.3):
        super().__init__()
        self.heads, self.dropout = heads, dropout
        self.qkv, self.out = nn.Linear(width, 3 * width), nn.Linear(width, width)

    def forward(self, x):
        b, n, w = x.shape
        q, k, v = (t.view(b, n, self.heads, -1).transpose(1, 2) for t in self.qkv(x).chunk(3, dim=-1))
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout)   # BUG?
        return self.out(y.transpose(1, 2).reshape(b, n, w))''',
        "SelfAttention"),
    Bug(2, "LSTM(dropout=…) with one layer", "a warning, and no dropout at all",
        '''def make_encoder():
    """A one-layer LSTM encoder (16 -> 32) whose outputs are dropped at rate 0.3 in training."""
    return nn.LSTM(16, 32, batch_first=True, dropout=0.3)   # BUG?''',
        "make_encoder"),
    Bug(3, "Dropout2d on one unbatched image", "stripes are dropped, not channels",
        '''def drop_channels(image, rate):
    """Drop whole channels of ONE image of shape (C, H, W) in training."""
    return nn.Dropout2d(rate)(image)   # BUG?''',
        "drop_channels"),
    Bug(4, "A fresh mask at every time step", "the noise averages away over time",
        '''def locked_dropout(x, rate, rng):
    """Dropout for x of shape (batch, time, features): ONE mask per sequence, shared by every time step."""
    mask = rng.random(x.shape) >= rate   # BUG?
    return x * mask / (1 - rate)''',
        "locked_dropout"),
    Bug(5, "DropPath with one coin for the whole batch", "all samples lose their branch together",
        '''def drop_path(branch, rate, rng):
    """Stochastic depth for a residual branch of shape (batch, ...): keep or drop it PER SAMPLE."""
    keep = 1 - rate
    if rng.random() >= rate:   # BUG?
        return branch / keep
    return branch * 0''',
        "drop_path"),
)}
