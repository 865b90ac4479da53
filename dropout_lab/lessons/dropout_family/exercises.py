"""Exercise checks for lesson 12: four derivations, then four pitfalls to fix (bug-zoo style)."""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ...stats import Z_CHECK, binomial_band
from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, check_number, is_unanswered
from . import compute, frameworks_check, solutions


def _crashed(error: Exception) -> CheckResult:
    return CheckResult(False, f"your code raised {type(error).__name__}: {error}")


def check_gaussian_std(answer: object) -> CheckResult:
    """Exercise 1: the noise standard deviation of Gaussian dropout matched to rate 0.2."""
    truth = compute.gaussian_noise_std(0.2)
    return check_number(answer, truth, f"sqrt(rate/keep) = sqrt(0.25) = {truth}: the variance of inverted dropout.",
                        "match the variance of x·m/keep: rate/(1 − rate).", rel_tol=1e-6,
                        mistakes={0.25: "0.25 is the VARIANCE rate/keep; the standard deviation is its square root.",
                                  0.2: "the rate is not the spread: the variance must be rate/(1 − rate).",
                                  math.sqrt(0.2): "sqrt(rate) forgets the 1/keep from the inverted scaling.",
                                  2.0: "sqrt(keep/rate): the paper's (1 − p)/p has p = KEEP probability."})


def check_alpha_dropped_value(answer: object) -> CheckResult:
    """Exercise 2: the value every dropped unit takes under Alpha dropout at rate 0.1."""
    truth = compute.alpha_dropped_value(0.1)
    a, _ = compute.alpha_affine(0.1)
    return check_number(answer, truth, f"a·α' + b = a·keep·α' = {truth:.4f}: negative saturation, then the affine.",
                        "a dropped unit is set to α' = −λα, then mapped by a·z + b with a, b from the rate.",
                        rel_tol=1e-4, mistakes={compute.ALPHA_PRIME: "that is α' before the affine a·z + b.",
                                                0.0: "Alpha dropout never outputs 0: dropped units go to α'.",
                                                a * compute.ALPHA_PRIME: "a·α' forgets the shift b."})


def check_dropblock_gamma(answer: object) -> CheckResult:
    """Exercise 3: DropBlock's γ for keep_prob 0.9, block_size 7 on a 14×14 map."""
    truth = compute.dropblock_gamma(0.1, 7, 14, 14)
    return check_number(answer, truth, f"0.1/49 · 196/64 = {truth:.5f}: each centre drops 49 units, and centres "
                                       "only fit in the 8×8 middle.",
                        "γ = (1 − keep_prob)/block² · feat²/(feat − block + 1)².", rel_tol=1e-6,
                        mistakes={0.1: "0.1 is the share to drop; each centre drops a whole 7×7 block.",
                                  0.1 / 49: "you forgot feat²/(feat − block + 1)²: centres fit only where the block "
                                            "stays inside the map.",
                                  0.9 / 49 * 196 / 64: "that uses keep_prob; γ is built from 1 − keep_prob."})


def check_dropout_covariance(answer: object) -> CheckResult:
    """Exercise 4: Cov(y1, y2) under input dropout for x = (1, 2), W = [[1, 1], [1, -1]], rate 0.5."""
    truth = compute.linear_moments(np.array([1.0, 2.0]), np.array([[1.0, 1.0], [1.0, -1.0]]), 0.5).cov_dropout[0, 1]
    return check_number(answer, truth, f"rate/keep · (1·1·1 + 4·1·(−1)) = {truth:.0f}: the outputs share the input "
                                       "coins, so they co-vary.",
                        "Cov(y1, y2) = rate/keep · Σ_j x_j² W_j1 W_j2.", rel_tol=1e-6, abs_tol=1e-9,
                        mistakes={0.0: "0 is DropConnect's covariance (a coin per weight); input dropout shares coins.",
                                  3.0: "check the sign: W_21 W_22 = −1.",
                                  -0.75: "rate·keep is the unscaled mask's variance; inverted dropout divides "
                                         "by keep²."})


# ---------------------------------------------------------------- the pitfalls


def check_selu_block(selu_block: Callable, rate: float = 0.3) -> CheckResult:
    """Pitfall 1: F.alpha_dropout defaults to training=False, so nothing is dropped unless told."""
    if is_unanswered(selu_block):
        return NOT_ANSWERED
    try:
        probe = frameworks_check.selu_block_probe(selu_block, rate)
    except Exception as error:  # the learner's code: report, never crash the lesson
        return _crashed(error)
    low, high = binomial_band(rate, probe["n"], Z_CHECK)
    if probe["unchanged"]:
        return CheckResult(False, "the output is exactly selu(x): F.alpha_dropout's `training` argument defaults "
                                  "to False (unlike F.dropout's True). Pass training=True, or use nn.AlphaDropout.")
    if probe["dropped"] < 0.01:
        return CheckResult(False, f"no unit went to Alpha dropout's dropped value a·keep·α' = "
                                  f"{compute.alpha_dropped_value(rate):.4f} at rate {rate}: apply Alpha dropout to "
                                  "torch.selu(x), in training mode, with p = rate (the DROP probability).")
    if not low <= probe["dropped"] <= high:
        return CheckResult(False, f"{probe['dropped']:.3f} of the units went to the dropped value; expected {rate}.")
    if probe["kept_error"] > 1e-4:
        return CheckResult(False, "kept units are not a·selu(x) + b: apply Alpha dropout after the SELU, once.")
    return CheckResult(True, f"{probe['dropped']:.3f} of the units dropped to a·keep·α', the rest mapped by a·x + b.")


def check_my_alpha_dropout(fn: Callable, rate: float = 0.3) -> CheckResult:
    """Pitfall 2: Alpha dropout sends `rate` of the units to α', maps every unit by a·z + b, keeps mean 0, var 1."""
    if is_unanswered(fn):
        return NOT_ANSWERED
    try:
        probe = compute.alpha_probe(fn, rate)
    except Exception as error:
        return _crashed(error)
    a, b = compute.alpha_affine(rate)
    target = a * compute.ALPHA_PRIME + b
    recipe = (f"a = (q + α'² q(1 − q))^(−1/2) = {a:.4f} and b = −a(1 − q)α' = {b:.4f} at rate {rate} "
              "(q = keep)")
    if probe["unchanged"]:
        return CheckResult(False, "the output is the input: that keeps mean 0 and variance 1 trivially, but drops "
                                  f"nothing. Send about {rate} of the units to α' = −λα ≈ {compute.ALPHA_PRIME:.4f}, "
                                  "then map every unit by a·z + b.")
    if probe["zeros"] > 0.01:
        return CheckResult(False, f"{probe['zeros']:.3f} of the outputs are 0: SELU units are dropped to its negative "
                                  "saturation α' = −λα, then every unit goes through a·z + b.")
    if probe["at_alpha_prime"] > 0.01:
        return CheckResult(False, f"{probe['at_alpha_prime']:.3f} of the outputs are α' = {compute.ALPHA_PRIME:.4f} "
                                  f"itself: after dropping, every unit (kept and dropped) goes through a·z + b, "
                                  f"with {recipe}.")
    low, high = binomial_band(rate, probe["n"], Z_CHECK)
    if probe["dropped"] < 0.01:
        if probe["mode_share"] <= 0.01:
            where = " No share of your outputs takes one value: nothing was dropped."
        elif abs(probe["mode"] - b) <= 1e-5:
            where = (f" {probe['mode_share']:.3f} of your outputs are b = {b:.4f}: those units were set to 0 "
                     "before the affine; a dropped unit is set to α', not 0.")
        else:
            where = f" {probe['mode_share']:.3f} of your outputs share the value {probe['mode']:.4f}: check a and b."
        return CheckResult(False, f"a dropped unit lands at a·α' + b = {target:.4f}, with {recipe}.{where}")
    if not low <= probe["dropped"] <= high:
        return CheckResult(False, f"{probe['dropped']:.3f} of the units went to the dropped value; expected {rate}: "
                                  "keep a unit where rng.random(x.shape) >= rate.")
    if probe["kept_error"] > 1e-4:
        return CheckResult(False, f"the dropped units are right, but kept units are not a·x + b with {recipe}.")
    n = probe["n"]
    # for x ~ N(0, 1) the output is a two-part mixture with excess kurtosis below 2: var SE <= sqrt(4/n)
    if abs(probe["mean"]) > Z_CHECK / math.sqrt(n) or abs(probe["var"] - 1) > Z_CHECK * math.sqrt(4 / n):
        return CheckResult(False, f"mean {probe['mean']:.3f} and variance {probe['var']:.3f}; Alpha dropout keeps "
                                  f"0 and 1: {recipe}.")
    return CheckResult(True, f"{probe['dropped']:.3f} of the units at a·α' + b = {target:.4f}, the rest a·x + b; "
                             f"mean {probe['mean']:.4f}, variance {probe['var']:.4f}: SELU's fixed point survives.")


def _gaussian_variance_hint(var: float, rate: float, n: int) -> str:
    """Name the likely slip behind a wrong Var[out]/x² (its sample sd is var·sqrt(2/n) for Gaussian noise)."""
    def near(value: float) -> bool:
        return abs(var - value) <= Z_CHECK * value * math.sqrt(2 / n)
    if near(rate ** 2):
        return "numpy's normal(loc, scale) takes the STANDARD DEVIATION, and the rate is not it: sqrt(rate/(1 − rate))."
    if near(rate):
        return "sqrt(rate) forgets the inverted scaling's 1/keep: the STANDARD DEVIATION is sqrt(rate/(1 − rate))."
    if near((rate / (1 - rate)) ** 2):
        return "rate/(1 − rate) is the variance; numpy's normal(loc, scale) takes the STANDARD DEVIATION, its root."
    return "numpy's normal(loc, scale) takes the STANDARD DEVIATION: sqrt(rate/(1 − rate))."


def check_gaussian_dropout(fn: Callable) -> CheckResult:
    """Pitfall 3: out = x·r with r ~ N(1, rate/keep) per unit: zero stays zero, Var[out] = x²·rate/keep."""
    if is_unanswered(fn):
        return NOT_ANSWERED
    for i, rate in enumerate((0.2, 0.5)):
        try:
            probe = compute.gaussian_probe(fn, rate, seed=i)
        except Exception as error:
            return _crashed(error)
        want, n = rate / (1 - rate), probe["n"]
        if probe["unchanged"]:
            return CheckResult(False, f"at rate {rate} the output is the input: no noise at all. Multiply x by "
                                      "r ~ N(1, rate/keep), one r per unit.")
        if probe["at_zero"] > 1e-12:
            return CheckResult(False, f"at rate {rate} an input of 0 came out as up to {probe['at_zero']:.3f}: the "
                                      "noise must MULTIPLY x (x·r, r ~ N(1, rate/keep)), not be added to it, so its "
                                      "spread grows with |x| and a zero stays zero.")
        for value, moments in probe["by_input"].items():
            if moments["zeros"] > 0.01:
                return CheckResult(False, f"{moments['zeros']:.3f} of the outputs at x = {value:g} are 0: that is "
                                          "Bernoulli dropout. Gaussian dropout multiplies by r ~ N(1, rate/keep) "
                                          "and makes no zeros.")
            if moments["var"] < 1e-12:
                return CheckResult(False, f"at rate {rate} out/x is the same for every unit at x = {value:g}: draw "
                                          "one noise value per unit (size=x.shape).")
            if abs(moments["mean"] - 1) > Z_CHECK * math.sqrt(want / n):
                return CheckResult(False, f"at rate {rate} and x = {value:g} the mean of out/x is "
                                          f"{moments['mean']:.3f}, not 1: the noise must have mean 1, "
                                          "x·N(1, rate/keep).")
            # Gaussian noise: the sample variance has relative sd sqrt(2/n)
            if abs(moments["var"] / want - 1) > Z_CHECK * math.sqrt(2 / n):
                return CheckResult(False, f"at rate {rate} and x = {value:g}, Var[out]/x² is {moments['var']:.4f}, "
                                          f"but dropout's is rate/keep = {want:.4f}. "
                                          + _gaussian_variance_hint(moments["var"], rate, n))
    return CheckResult(True, "zero stays zero, and out/x has mean 1 and variance rate/keep at x = 1 and −3, rates "
                             "0.2 and 0.5: Bernoulli dropout's two moments, as multiplicative noise.")


def check_drop_block(fn: Callable, rate: float = 0.2) -> CheckResult:
    """Pitfall 4: DropBlock is x · M · count(M)/count_ones(M): per-example blocks, and the mean survives exactly."""
    if is_unanswered(fn):
        return NOT_ANSWERED
    try:
        probe = compute.dropblock_probe(fn, rate)
    except Exception as error:
        return _crashed(error)
    low, high = probe["band"]
    if probe["shared"]:
        return CheckResult(False, "every map in the batch has the same dropped blocks: draw the mask for the whole "
                                  "x.shape (N, C, H, W), a fresh one per example.")
    if not low <= probe["dropped"] <= high:
        return CheckResult(False, f"{probe['dropped']:.3f} of the units are zero; DropBlock at this γ drops "
                                  f"{(low + high) / 2:.3f} on average.")
    if not probe["one_scale"]:
        return CheckResult(False, "out/x is not one scale across each map's kept units: multiply x itself by the "
                                  "mask and by count(M)/count_ones(M).")
    if abs(probe["mean_ratio"] - 1) > 1e-9:
        return CheckResult(False, f"the mean of out/x is {probe['mean_ratio']:.3f}, not 1: renormalise by "
                                  "count(M)/count_ones(M) = mask.size / mask.sum().")
    return CheckResult(True, "blocks dropped at the expected share, a fresh mask per example, and the mean kept "
                             "exactly: A · count(M)/count_ones(M).")


CHECKS: dict[int, Callable] = {1: check_selu_block, 2: check_my_alpha_dropout, 3: check_gaussian_dropout,
                               4: check_drop_block}
FIRST_PITFALL = 5   # the pitfalls are exercises 5-8; their solutions are solution_5 ... solution_8


def check_call(number: int) -> str:
    """The last line of pitfall `number`'s cell: its check applied to what the snippet defines."""
    return f"exercises.{CHECKS[number].__name__}({compute.BUGS[number].defines})"


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
