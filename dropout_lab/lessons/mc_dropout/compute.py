"""Monte-Carlo dropout and uncertainty: the lesson's maths, pure and seeded (lesson 09).

Dropout left on at test time turns one network into k sampled thinned networks. This module
holds everything NumPy does with them: the predictive mean, variance, entropy and mutual
information of k passes; how fast the k-pass estimate settles (1/sqrt(k)); a 1-D regression
toy; and the calibration / out-of-distribution study on scikit-learn's digits. Every
network here is `dropout_lab.mlp.MLP`, whose dropout layers are `dl.Dropout`. torch and
Keras live in `switches.py` (same layer: compute).
"""
from __future__ import annotations

import functools
import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from ..._validate import as_float_array, check_rate, check_seed
from ...data import DataSplit, load_digits_split
from ...mlp import MLP, MLPConfig, single_thread, softmax, train_mlp

# ---------------------------------------------------------------- the uncertainty of k passes


def entropy(p: object, axis: int = -1) -> np.ndarray:
    """Shannon entropy in nats, -sum p log p along `axis`, with 0 log 0 = 0 (lesson 09)."""
    p = as_float_array(p, "p")
    safe = np.where(p > 0, p, 1.0)          # log(1) = 0: a zero probability adds nothing, never NaN
    return -np.sum(p * np.log(safe), axis=axis)


@dataclass(frozen=True)
class MCSummary:
    """What k stochastic passes say about each input: shapes (n, classes) or (n,) (lesson 09)."""

    k: int
    mean: np.ndarray                # predictive mean: the average of the k softmax outputs
    variance: np.ndarray            # per-class variance of the k softmax outputs (ddof=0)
    predictive_entropy: np.ndarray  # H[mean]: total uncertainty
    expected_entropy: np.ndarray    # mean over passes of H[pass]: what each thinned net is unsure of
    mutual_information: np.ndarray  # H[mean] - mean H (BALD): how much the passes disagree

    @property
    def max_prob(self) -> np.ndarray:
        """The predictive mean's largest class probability (the confidence)."""
        return self.mean.max(axis=-1)

    @property
    def prediction(self) -> np.ndarray:
        """The predicted class: argmax of the predictive mean."""
        return self.mean.argmax(axis=-1)


def check_passes(probs: object) -> np.ndarray:
    """Return `probs` as float64 (k, n, classes) softmax outputs, or raise saying what is wrong (lesson 09)."""
    probs = as_float_array(probs, "probs").astype(np.float64)
    if probs.ndim != 3 or min(probs.shape) < 1:
        raise ValueError(f"probs must have shape (k passes, n inputs, classes), got {probs.shape}")
    if np.any(probs < 0) or not np.allclose(probs.sum(axis=-1), 1.0, atol=1e-6):
        raise ValueError("probs must be probabilities: non-negative, each row summing to 1 (apply softmax first)")
    return probs


def summarize_passes(probs: object) -> MCSummary:
    """Predictive mean, variance, entropy and mutual information of k passes' probabilities (lesson 09)."""
    probs = check_passes(probs)
    mean = probs.mean(axis=0)
    total = entropy(mean)
    expected = entropy(probs).mean(axis=0)
    # Entropy is concave, so H[mean] >= mean H (Jensen); clip the last ulp of rounding at 0.
    return MCSummary(len(probs), mean, probs.var(axis=0), total, expected, np.maximum(total - expected, 0.0))


def softmax_passes(logits: object) -> np.ndarray:
    """Softmax over the last axis of (k, n, classes) logits, with dl.mlp's row-wise softmax (lesson 09)."""
    logits = as_float_array(logits, "logits").astype(np.float64)
    if logits.ndim != 3:
        raise ValueError(f"logits must have shape (k passes, n inputs, classes), got {logits.shape}")
    return softmax(logits.reshape(-1, logits.shape[-1])).reshape(logits.shape)


def summarize_logits(logits: object) -> MCSummary:
    """summarize_passes of softmax(logits): the NumPy reference the torch and Keras versions match (lesson 09)."""
    return summarize_passes(softmax_passes(logits))


# ---------------------------------------------------------------- k passes of the NumPy MLP


def mc_probabilities(model: MLP, x: object, k: int, seed: int = 0) -> np.ndarray:
    """Softmax outputs of k passes with dropout on, shape (k, n, classes); masks from `seed` (lesson 09).

    The model is copied (same weights, fresh seeded masks), so the caller's network and its
    random stream are untouched. All k passes go through as one batch of k·n rows: dropout
    draws a fresh mask per row, so this is exactly k separate passes, only faster.
    """
    k = _check_k(k)
    x = as_float_array(x)
    sampler = model.copy(seed=check_seed(seed)).train()
    with single_thread():
        logits = sampler.logits(np.tile(x, (k, 1)))
    return softmax(logits).reshape(k, len(x), -1)


def _check_k(k: object, name: str = "k") -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"{name} must be an int >= 1 (the number of passes), got {k!r}")
    return int(k)


# ---------------------------------------------------------------- how fast the estimate settles


@dataclass(frozen=True)
class KSpread:
    """The spread of the k-pass estimate of one probability, measured and predicted (lesson 09)."""

    k: int
    groups: int             # independent k-pass estimates per input
    measured: float         # RMS over inputs of the sd of the k-pass estimate, from `groups` disjoint groups
    predicted: float        # per-pass sd / sqrt(k)
    per_pass_sd: float      # RMS over inputs of the sd of one pass
    rel_se: float           # standard error of `measured`, relative to it (delta method)

    def agrees(self, z: float) -> bool:
        """measured/predicted within z standard errors of 1; predicted's own noise (from √k times more
        groups) adds at most rel_se²/k to the variance of the ratio."""
        return abs(self.measured / self.predicted - 1) <= z * self.rel_se * math.sqrt(1 + 1 / self.k)


@dataclass(frozen=True)
class MCErrorBank:
    """Many passes of one network on a few inputs: p(top class) per pass, shape (passes, n) (lesson 09)."""

    rate: float
    samples: np.ndarray

    @property
    def passes(self) -> int:
        return int(self.samples.shape[0])

    @property
    def k_max(self) -> int:
        """The largest k that still leaves two independent groups to measure a spread from."""
        return self.passes // 2

    def spread(self, k: int) -> KSpread:
        """Split the passes into passes // k disjoint groups of k and compare their spread with sd/√k."""
        k = _check_k(k)
        if k > self.k_max:
            raise ValueError(f"k must be an int in [1, {self.k_max}] for {self.passes} passes, got {k}")
        groups = self.passes // k
        means = self.samples[:groups * k].reshape(groups, k, -1).mean(axis=1)      # (groups, n)
        dev2 = (means - means.mean(axis=0)) ** 2 * groups / (groups - 1)           # unbiased per group
        mse = float(dev2.mean())
        # Inputs are independent and so are the groups of one input: SE of the mean of dev2.
        se_mse = float(np.sqrt(np.sum(dev2.var(axis=0, ddof=1) / groups)) / dev2.shape[1])
        per_pass = float(np.sqrt(self.samples.var(axis=0, ddof=1).mean()))
        measured = math.sqrt(mse)
        return KSpread(k, groups, measured, per_pass / math.sqrt(k), per_pass,
                       se_mse / (2 * mse) if mse > 0 else 0.0)   # d sqrt(m) = dm / (2 sqrt(m))


def error_bank(model: MLP, x: object, rate: float, passes: int = 1024, seed: int = 0) -> MCErrorBank:
    """p(weight-scaled top class) on each of `passes` passes of `model` for every row of x (lesson 09)."""
    x = as_float_array(x)
    top = model.predict_proba(x).argmax(axis=1)
    probs = mc_probabilities(model, x, _check_k(passes, "passes"), seed)
    return MCErrorBank(check_rate(rate), probs[:, np.arange(len(x)), top])


# ---------------------------------------------------------------- calibration and out-of-distribution scores


def _check_labels(probs: np.ndarray, labels: object) -> tuple[np.ndarray, np.ndarray]:
    probs = as_float_array(probs, "probs")
    labels = np.asarray(labels)
    if probs.ndim != 2 or labels.shape != (len(probs),):
        raise ValueError(f"probs must be (n, classes) and labels (n,), got {probs.shape} and {labels.shape}")
    return probs, labels.astype(np.int64)


def _check_bins(bins: object) -> int:
    if isinstance(bins, bool) or not isinstance(bins, numbers.Integral) or bins < 1:
        raise ValueError(f"bins must be an int >= 1, got {bins!r}")
    return int(bins)


@dataclass(frozen=True)
class Reliability:
    """A reliability diagram's data: per confidence bin, its count, accuracy and mean confidence (lesson 09)."""

    edges: np.ndarray        # bins + 1 edges from 0 to 1
    counts: np.ndarray       # rows per bin
    accuracy: np.ndarray     # fraction correct per bin (NaN where empty)
    confidence: np.ndarray   # mean max-probability per bin (NaN where empty)

    @property
    def ece(self) -> float:
        """Expected calibration error: sum over bins of (count/n)·|accuracy − confidence|."""
        filled = self.counts > 0
        gaps = np.abs(self.accuracy[filled] - self.confidence[filled])
        return float(np.sum(self.counts[filled] * gaps) / self.counts.sum())


def reliability(probs: object, labels: object, bins: int = 10) -> Reliability:
    """Bin rows by confidence into `bins` equal-width bins (m-1)/M < conf <= m/M, as Guo et al. 2017 §2 (lesson 09)."""
    probs, labels = _check_labels(probs, labels)
    bins = _check_bins(bins)
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == labels
    index = np.clip(np.ceil(confidence * bins).astype(int) - 1, 0, bins - 1)   # conf = 0 goes to the first bin
    counts = np.bincount(index, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        accuracy = np.bincount(index, weights=correct, minlength=bins) / counts
        mean_conf = np.bincount(index, weights=confidence, minlength=bins) / counts
    return Reliability(np.linspace(0, 1, bins + 1), counts, accuracy, mean_conf)


def expected_calibration_error(probs: object, labels: object, bins: int = 10) -> float:
    """ECE with `bins` equal-width confidence bins (lesson 09)."""
    return reliability(probs, labels, bins).ece


def negative_log_likelihood(probs: object, labels: object) -> float:
    """Mean -log p(true class), clipped at 1e-12 so a confident mistake costs 27.6 nats, not inf (lesson 09)."""
    probs, labels = _check_labels(probs, labels)
    return float(-np.mean(np.log(np.clip(probs[np.arange(len(labels)), labels], 1e-12, None))))


def auroc(scores_in: object, scores_out: object) -> float:
    """P(score of an out-of-distribution input > score of an in-distribution one), ties counted 1/2 (lesson 09).

    The Mann-Whitney form: rank all scores together (ties get their average rank), then
    AUROC = (sum of the OOD ranks - n_out(n_out + 1)/2) / (n_in · n_out).
    """
    from scipy.stats import rankdata
    scores_in = as_float_array(scores_in, "scores_in").ravel()
    scores_out = as_float_array(scores_out, "scores_out").ravel()
    if not len(scores_in) or not len(scores_out):
        raise ValueError("scores_in and scores_out must each hold at least one score")
    if not (np.all(np.isfinite(scores_in)) and np.all(np.isfinite(scores_out))):
        raise ValueError("scores must be finite (an entropy computed as p·log p gives NaN at p = 0)")
    ranks = rankdata(np.concatenate([scores_in, scores_out]))
    n_in, n_out = len(scores_in), len(scores_out)
    return float((ranks[n_in:].sum() - n_out * (n_out + 1) / 2) / (n_in * n_out))


def uncertainty_scores(summary: MCSummary) -> dict[str, np.ndarray]:
    """The three scores an OOD detector can rank by, larger = more uncertain (lesson 09)."""
    return {"entropy": summary.predictive_entropy, "1 − max prob": 1.0 - summary.max_prob,
            "mutual information": summary.mutual_information}


def corrupt(x: object, noise_sd: float, seed: int) -> np.ndarray:
    """Add N(0, noise_sd²) pixel noise and clip to [0, 1]: digits seen through a bad sensor (lesson 09)."""
    x = as_float_array(x)
    if not noise_sd >= 0:
        raise ValueError(f"noise_sd must be a number >= 0, got {noise_sd!r}")
    return np.clip(x + np.random.default_rng(check_seed(seed)).normal(0.0, noise_sd, x.shape), 0.0, 1.0)


# ---------------------------------------------------------------- the study: does MC dropout help?

HELD_OUT = 9        # the digit class no network sees in training
NOISE_SD = 0.5      # pixel noise of the corrupted digits (pixels are in [0, 1])
OOD_SETS = ("held-out 9s", "noisy digits")
METHODS = ("weight scaling", "MC dropout")
ONE_PASS = "one MC pass"   # a single thinned network: what the MC average averages


@dataclass(frozen=True)
class OODSplit:
    """One seed's data: training rows without the held-out class, in-distribution test rows, two OOD sets."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_in: np.ndarray
    y_in: np.ndarray
    ood: dict[str, np.ndarray]


@functools.lru_cache(maxsize=8)
def ood_split(seed: int) -> OODSplit:
    """Digits split by `seed`: train and test on 0-8; OOD = every 9 of the split, and noisy test digits (lesson 09)."""
    data: DataSplit = load_digits_split(check_seed(seed))
    train, test = data.y_train != HELD_OUT, data.y_test != HELD_OUT
    nines = np.concatenate([data.x_train[~train], data.x_test[~test]])
    noisy = corrupt(data.x_test[test], NOISE_SD, 1000 + seed)
    return OODSplit(data.x_train[train], data.y_train[train], data.x_test[test], data.y_test[test],
                    {"held-out 9s": nines, "noisy digits": noisy})


def study_config(rate: float, seed: int, epochs: int = 20) -> MLPConfig:
    """The networks of the study: 64 → 128 → 9, dropout `rate` on the hidden layer only (lesson 09)."""
    return MLPConfig(hidden=(128,), input_rate=0.0, hidden_rate=check_rate(rate), epochs=epochs, seed=seed)


@dataclass(frozen=True)
class RunResult:
    """One network (one rate, one seed) judged both ways (lesson 09)."""

    rate: float
    seed: int
    accuracy: dict[str, float]                 # by method, and for ONE_PASS (averaged over the k passes)
    nll: dict[str, float]
    reliability: dict[str, Reliability]
    auroc: dict[tuple[str, str, str], float]   # (method, OOD set, score) -> AUROC
    scores: dict[tuple[str, str, str], tuple[np.ndarray, np.ndarray]]  # same keys -> (in, out) scores
    confidence: dict[str, float]               # mean max-probability on the test digits, same keys as accuracy


def _weight_scaled(model: MLP, x: np.ndarray) -> MCSummary:
    # One deterministic pass is a "k = 1" summary with no disagreement: its MI is exactly 0.
    return summarize_passes(model.predict_proba(x)[None])


def _split_summary(summary: MCSummary, sizes: list[int]) -> list[MCSummary]:
    """Cut one summary of stacked inputs back into one summary per block of rows."""
    cuts = np.cumsum(sizes)[:-1]
    parts = [np.split(getattr(summary, name), cuts) for name in
             ("mean", "variance", "predictive_entropy", "expected_entropy", "mutual_information")]
    return [MCSummary(summary.k, *block) for block in zip(*parts)]


def judge(model: MLP, split: OODSplit, rate: float, seed: int, k: int = 50, bins: int = 10) -> RunResult:
    """Accuracy, NLL, reliability and OOD AUROCs of weight scaling vs k MC passes for one network (lesson 09)."""
    blocks = [split.x_in, *split.ood.values()]
    stacked = np.concatenate(blocks)            # one batch for all inputs: the same passes, less overhead
    passes = mc_probabilities(model, stacked, k, seed)
    summaries = {"weight scaling": _weight_scaled(model, stacked), "MC dropout": summarize_passes(passes)}
    single = passes[:, :len(split.x_in)]        # every pass on the test digits: k thinned networks one by one
    accuracy = {ONE_PASS: float(np.mean(single.argmax(axis=-1) == split.y_in))}
    confidence = {ONE_PASS: float(single.max(axis=-1).mean())}
    nll, rel, areas, scores = {}, {}, {}, {}
    for method, summary in summaries.items():
        inside, *outsides = _split_summary(summary, [len(b) for b in blocks])
        accuracy[method] = float(np.mean(inside.prediction == split.y_in))
        confidence[method] = float(inside.max_prob.mean())
        nll[method] = negative_log_likelihood(inside.mean, split.y_in)
        rel[method] = reliability(inside.mean, split.y_in, bins)
        for name, outside in zip(split.ood, outsides):
            for score, values in uncertainty_scores(inside).items():
                if method == "weight scaling" and score == "mutual information":
                    continue   # identically 0 for one deterministic pass: no ranking at all
                key = (method, name, score)
                scores[key] = (values, uncertainty_scores(outside)[score])
                areas[key] = auroc(*scores[key])
    return RunResult(rate, seed, accuracy, nll, rel, areas, scores, confidence)


@dataclass
class Study:
    """Weight scaling vs MC dropout over rates × seeds on digits with a held-out class (lesson 09)."""

    rates: tuple[float, ...]
    seeds: tuple[int, ...]
    k: int
    runs: dict[tuple[float, int], RunResult]
    models: dict[tuple[float, int], MLP] = field(repr=False)
    train_seconds: float = 0.0

    def values(self, metric: str, method: str, rate: float) -> np.ndarray:
        """Per seed: 'accuracy', 'nll', 'ece' or 'confidence' (mean max-probability) of one method at one rate;
        'accuracy' and 'confidence' also for ONE_PASS."""
        if metric not in ("accuracy", "nll", "ece", "confidence"):
            raise ValueError(f"metric must be 'accuracy', 'nll', 'ece' or 'confidence', got {metric!r}")
        allowed = (*METHODS, ONE_PASS) if metric in ("accuracy", "confidence") else METHODS
        if method not in allowed:
            raise ValueError(f"method must be one of {allowed} for {metric!r}, got {method!r}")
        runs = [self.runs[(rate, s)] for s in self.seeds]
        if metric == "ece":
            return np.array([r.reliability[method].ece for r in runs])
        return np.array([getattr(r, metric)[method] for r in runs])

    def under_confidence(self, method: str, rate: float) -> np.ndarray:
        """Per seed: accuracy − mean confidence, > 0 = under-confident. It is the count-weighted mean height
        of the reliability bars above the diagonal, Σ_b (n_b/n)(acc_b − conf_b)."""
        return self.values("accuracy", method, rate) - self.values("confidence", method, rate)

    def confidence_table(self) -> str:
        """Per rate and predictor: accuracy and mean confidence (seed mean ± sd), their gap (paired mean ± s.e.)."""
        lines = [f"{'rate':>4}  {'predictor':<15} {'accuracy %':>15} {'confidence %':>15}   acc − conf (± s.e.)"]
        for rate in self.rates:
            for method in ("weight scaling", ONE_PASS, "MC dropout"):
                acc, conf = (100 * self.values(m, method, rate) for m in ("accuracy", "confidence"))
                gap, se = paired(acc, conf)
                lines.append(f"{rate:>4.1f}  {method:<15} {acc.mean():8.3f} ± {acc.std(ddof=1):.3f} "
                             f"{conf.mean():8.3f} ± {conf.std(ddof=1):.3f}   {gap:+.3f} ± {se:.3f}")
        return "\n".join(lines)

    def aurocs(self, method: str, ood: str, score: str, rate: float) -> np.ndarray:
        """Per seed: the AUROC of one score for one OOD set."""
        return np.array([self.runs[(rate, s)].auroc[(method, ood, score)] for s in self.seeds])

    def pooled_reliability(self, method: str, rate: float) -> Reliability:
        """The reliability bins of every seed added together (counts-weighted)."""
        parts = [self.runs[(rate, s)].reliability[method] for s in self.seeds]
        counts = np.sum([p.counts for p in parts], axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            acc = np.nansum([p.accuracy * p.counts for p in parts], axis=0) / counts
            conf = np.nansum([p.confidence * p.counts for p in parts], axis=0) / counts
        return Reliability(parts[0].edges, counts, acc, conf)

    def table(self) -> str:
        """Per rate: accuracy, NLL, ECE (seed mean ± sd) and MC − weight scaling (paired mean ± s.e.)."""
        lines = [f"{'rate':>4}  {'metric':<9} {'weight scaling':>15} {'MC dropout':>15}   MC − ws (paired, ± s.e.)"]
        for rate in self.rates:
            for metric, scale in (("accuracy", 100), ("nll", 1), ("ece", 100)):
                ws, mc = (scale * self.values(metric, m, rate) for m in METHODS)
                diff, se = paired(mc, ws)
                name = {"accuracy": "acc. %", "nll": "NLL", "ece": "ECE %"}[metric]
                lines.append(f"{rate:>4.1f}  {name:<9} {ws.mean():8.3f} ± {ws.std(ddof=1):.3f} "
                             f"{mc.mean():8.3f} ± {mc.std(ddof=1):.3f}   {diff:+.3f} ± {se:.3f}")
        return "\n".join(lines)

    def ood_table(self, rate: float) -> str:
        """AUROC per OOD set and score at one rate: seed mean ± sd, and MC − weight scaling paired."""
        lines = [f"rate {rate}: AUROC, seed mean ± sd (MC − ws: paired mean ± s.e.), 0.5 = no better than chance"]
        for ood in OOD_SETS:
            for score in ("entropy", "1 − max prob", "mutual information"):
                mc = self.aurocs("MC dropout", ood, score, rate)
                text = f"  {ood:<12} {score:<19} MC {mc.mean():.3f} ± {mc.std(ddof=1):.3f}"
                if score != "mutual information":
                    ws = self.aurocs("weight scaling", ood, score, rate)
                    diff, se = paired(mc, ws)
                    text += f"   ws {ws.mean():.3f} ± {ws.std(ddof=1):.3f}   MC − ws {diff:+.3f} ± s.e. {se:.3f}"
                lines.append(text)
        return "\n".join(lines)


def paired(a: np.ndarray, b: np.ndarray) -> tuple[float, float]:
    """Mean of the per-seed differences a − b and its standard error sd/√n (lesson 09)."""
    diff = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)
    se = float(diff.std(ddof=1) / math.sqrt(len(diff))) if len(diff) > 1 else float("nan")
    return float(diff.mean()), se


def uncertainty_study(rates: Sequence[float] = (0.1, 0.3, 0.5), seeds: Sequence[int] = (0, 1, 2, 3, 4),
                      k: int = 50, epochs: int = 20, on_net: Callable[[], None] | None = None) -> Study:
    """Train one network per (rate, seed) on digits 0-8 and judge it both ways (lesson 09)."""
    rates = tuple(check_rate(r) for r in rates)
    seeds = tuple(check_seed(s) for s in seeds)
    if not rates or not seeds:
        raise ValueError("rates and seeds must each be non-empty")
    runs, models, seconds = {}, {}, 0.0
    for rate in rates:
        for seed in seeds:
            split = ood_split(seed)
            result = train_mlp(split.x_train, split.y_train, study_config(rate, seed, epochs))
            models[(rate, seed)], seconds = result.model, seconds + result.seconds
            runs[(rate, seed)] = judge(result.model, split, rate, seed, _check_k(k))
            if on_net is not None:
                on_net()
    return Study(rates, seeds, k, runs, models, seconds)


def uncertain_inputs(model: MLP, x: np.ndarray, n: int) -> np.ndarray:
    """The n rows of x on which the weight-scaled network is least sure (highest entropy) (lesson 09)."""
    order = np.argsort(-entropy(model.predict_proba(x)), kind="stable")
    return x[order[:int(n)]]


def error_banks(study: Study, n_inputs: int = 128, passes: int = 1024, seed: int = 0) -> dict[float, MCErrorBank]:
    """One bank per rate, from the study's first-seed network, on its n most uncertain test digits (lesson 09)."""
    first = study.seeds[0]
    x_in = ood_split(first).x_in
    return {rate: error_bank(study.models[(rate, first)], uncertain_inputs(study.models[(rate, first)], x_in, n_inputs),
                             rate, passes, seed) for rate in study.rates}


# ---------------------------------------------------------------- a 1-D picture: the band away from the data


@dataclass(frozen=True)
class ToyConfig:
    """The 1-D regression toy: y = sin(3x) + noise on x in [-1, 1], a 1 → 64 → 64 → 1 ReLU net (lesson 09)."""

    rate: float = 0.1
    width: int = 64
    points: int = 64
    noise_sd: float = 0.1
    steps: int = 800
    lr: float = 0.01

    def __post_init__(self) -> None:
        check_rate(self.rate)
        if self.rate >= 1:
            raise ValueError(f"rate must be < 1 for a network that learns something, got {self.rate}")
        if int(self.steps) < 1 or int(self.width) < 1 or int(self.points) < 2:
            raise ValueError("steps and width must be >= 1 and points >= 2")


def toy_data(config: ToyConfig, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """`points` inputs uniform on [-1, 1] and y = sin(3x) + N(0, noise_sd²), seeded (lesson 09)."""
    rng = np.random.default_rng(check_seed(seed))
    x = rng.uniform(-1.0, 1.0, (config.points, 1))
    return x, np.sin(3 * x) + rng.normal(0.0, config.noise_sd, x.shape)


def train_toy(config: ToyConfig, seed: int) -> MLP:
    """Fit the toy by full-batch Adam on squared error, dropout on both hidden layers (lesson 09)."""
    x, y = toy_data(config, seed)
    rng = np.random.default_rng(check_seed(seed) + 1)
    model = MLP.init((1, config.width, config.width, 1), (0.0, config.rate, config.rate), "inverted", rng)
    params = [p for pair in zip(model.weights, model.biases) for p in pair]
    first, second = [np.zeros_like(p) for p in params], [np.zeros_like(p) for p in params]
    model.train()
    with single_thread():
        for step in range(1, int(config.steps) + 1):
            grads = [g for pair in model.backward(2 * (model.logits(x) - y) / len(x)) for g in pair]
            for p, g, m, v in zip(params, grads, first, second):   # Adam, β = (0.9, 0.999)
                m *= 0.9
                m += 0.1 * g
                v *= 0.999
                v += 0.001 * g * g
                p -= config.lr * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
    return model


@dataclass(frozen=True)
class Band:
    """MC passes of the toy over a grid: their mean and sd per x, and the training data (lesson 09)."""

    grid: np.ndarray
    mean: np.ndarray
    sd: np.ndarray
    x: np.ndarray
    y: np.ndarray

    def sd_inside(self) -> float:
        """Mean MC sd over the grid points inside the data range [-1, 1]."""
        return float(self.sd[np.abs(self.grid) <= 1].mean())

    def sd_far(self, beyond: float = 2.5) -> tuple[float, float]:
        """Mean MC sd left of -beyond and right of +beyond."""
        return float(self.sd[self.grid <= -beyond].mean()), float(self.sd[self.grid >= beyond].mean())


def toy_band(config: ToyConfig = ToyConfig(), seed: int = 0, passes: int = 200, span: float = 3.0) -> Band:
    """Train the toy and run `passes` MC passes on 121 points of [-span, span] (lesson 09)."""
    model = train_toy(config, seed)
    grid = np.linspace(-span, span, 121)
    with single_thread():
        out = model.copy(seed=check_seed(seed) + 2).train().logits(np.tile(grid[:, None], (_check_k(passes), 1)))
    out = out.reshape(passes, len(grid))
    x, y = toy_data(config, seed)
    return Band(grid, out.mean(axis=0), out.std(axis=0), x[:, 0], y[:, 0])


# ---------------------------------------------------------------- the pitfalls, in the bug zoo's style


@dataclass(frozen=True)
class Bug:
    """One exhibit: what goes wrong, the broken snippet, and the name the snippet defines (lesson 09)."""

    number: int        # the exercise it is
    title: str
    symptom: str
    buggy_code: str    # what the lesson's editable cell starts with
    defines: str       # the name the cell's check is given


BUGS: dict[int, Bug] = {bug.number: bug for bug in (
    Bug(4, "model.train() for MC dropout", "BatchNorm normalises by batch statistics and its running statistics move",
        '''def mc_predict(model, x, k):
    """k softmax outputs of a torch model with dropout on, shape (k, n, classes); leaves its modes as found."""
    model.train()   # BUG?
    with torch.no_grad():
        return torch.stack([torch.softmax(model(x), dim=-1) for _ in range(k)])''',
        "mc_predict"),
    Bug(5, "One seed for every pass", "all k passes are identical: variance 0, mutual information 0",
        '''def mc_predict(model, x, k):
    """k softmax outputs of a torch model with dropout on, shape (k, n, classes)."""
    outs = []
    with switches.mc_dropout(model), torch.no_grad():   # only dropout on; modes put back afterwards
        for _ in range(k):
            with dl.frameworks.seeded_torch(0):   # BUG?
                outs.append(torch.softmax(model(x), dim=-1))
    return torch.stack(outs)''',
        "mc_predict"),
    Bug(6, "Entropy as -sum p·log p", "NaN as soon as a class has probability exactly 0",
        '''def predictive_entropy(probs):
    """H[mean over passes] in nats, for probs of shape (k, n, classes)."""
    mean = probs.mean(axis=0)
    return -(mean * np.log(mean)).sum(axis=-1)   # BUG?''',
        "predictive_entropy"),
    Bug(7, "Keras: model(x, training=True)", "Keras' BatchNormalization switches to batch statistics too",
        '''def keras_mc_predict(model, x, k):
    """k softmax outputs of a Keras model with dropout on, shape (k, n, classes)."""
    passes = [keras.ops.softmax(model(x, training=True)) for _ in range(k)]   # BUG?
    return np.stack([keras.ops.convert_to_numpy(p) for p in passes])''',
        "keras_mc_predict"),
)}
