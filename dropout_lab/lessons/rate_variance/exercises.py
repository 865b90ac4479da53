"""Exercise checks for lesson 03 (rate variance): instant feedback, solutions on request."""
from __future__ import annotations

import math

import numpy as np

from ...stats import zero_fraction
from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, as_number, check_number, is_unanswered
from . import solutions
from .compute import expected_difference, naive_zero_fraction, spread


def check_spread_32(answer: object) -> CheckResult:
    """Exercise 1: the standard deviation of the zero fraction of 32 units at rate 0.2 (lesson 03)."""
    truth = spread(32, 0.2)
    mistakes = {
        0.2 * 0.8 / 32: "that is the variance rate·(1-rate)/n; the standard deviation is its square root.",
        math.sqrt(0.2 * 0.8 / 31): "that divides by n - 1: the binomial's variance is rate·(1-rate)/n exactly, "
                                   "no sample is being estimated here.",
        math.sqrt(32 * 0.2 * 0.8): "that is the spread of the number of zeroed units (about 2.26 of 32); "
                                   "divide by n for the fraction.",
        32 * 0.2 * 0.8: "that is the variance of the count of zeroed units; take its square root and divide by n.",
        0.2: "that is the rate, the mean of the zero fraction; the question asks how far it scatters around it.",
        math.sqrt(0.2 / 32): "that forgot the (1 - rate) factor: the binomial variance is rate·(1-rate)/n.",
    }
    return check_number(answer, truth,
                        f"sqrt(0.2 · 0.8 / 32) = {truth:.4f}: about ±2.3 units of 32, so 0.3 or 0.1 is nothing odd.",
                        "use sqrt(rate · (1 - rate) / n) with rate 0.2 and n 32, to three significant digits.",
                        rel_tol=0.0, abs_tol=5e-4, mistakes=mistakes)


def units_for_half_width(rate: float, half_width: float, z: float = 3.0) -> int:
    """Smallest n whose ±z·σ band around `rate` is no wider than ±half_width (lesson 03)."""
    return math.ceil((z / half_width) ** 2 * rate * (1 - rate) - 1e-9)


def check_units_needed(answer: object) -> CheckResult:
    """Exercise 2: the fewest units whose ±3σ band at rate 0.5 is within ±0.001 (lesson 03)."""
    truth = units_for_half_width(0.5, 0.001)
    mistakes = {
        units_for_half_width(0.5, 0.001, z=1.0): "that is the ±1σ band; the question asks for ±3σ, 9× the units.",
        units_for_half_width(0.5, 0.002): "that makes the whole band 0.002 wide on each side; ±0.001 is the "
                                          "half-width.",
        (3 / 0.001) * 0.25: "that forgot to square: 3·sqrt(0.25/n) <= 0.001 gives n >= (3/0.001)²·0.25.",
        (3 / 0.001) * 0.5: "that forgot to square: 3·sqrt(0.25/n) <= 0.001 gives n >= (3/0.001)²·0.25.",
        (3 / 0.001) ** 2 * 0.5: "that used rate instead of rate·(1 - rate) = 0.25 under the square root.",
        truth + 1: "that band is narrow enough, but one unit fewer is too: the smallest n is asked for.",
        truth - 1: "one unit short: that band is a hair wider than ±0.001.",
    }
    return check_number(answer, truth,
                        f"n = {truth:,}: 3 · 0.5 / sqrt(n) <= 0.001. Halving the band costs 4× the units.",
                        "solve 3 · sqrt(0.5 · 0.5 / n) <= 0.001 for n and round up.", rel_tol=0.0, abs_tol=1e-9,
                        mistakes=mistakes)


def check_naive_count(answer: object) -> CheckResult:
    """Exercise 3: the naive zero fraction after rate-0.25 dropout on ReLU outputs with 40% zeros (lesson 03)."""
    truth = naive_zero_fraction(0.4, 0.25)
    mistakes = {
        0.25: "that is the share among the live units; the naive count also includes the 40 % that were zero.",
        0.4 + 0.25: "that adds the rate to every unit; dropout can only zero the 60 % that are still alive.",
        expected_difference(0.4, 0.25): "that is after − before, the new zeros only; the naive count is all zeros.",
        0.4 + 0.6 * 0.75: "that used the keep probability 0.75; rate 0.25 is the drop probability.",
        0.4 * 0.25: "the zeros already there stay zero whatever their coin says: add them as they are.",
    }
    return check_number(answer, truth, f"0.4 + 0.6 · 0.25 = {truth:.2f}: the naive count overshoots the rate by 0.30.",
                        "the zeros already there stay zero; dropout zeroes a share `rate` of the rest.",
                        rel_tol=0.0, abs_tol=1e-6, mistakes=mistakes)


def check_difference(answer: object) -> CheckResult:
    """Exercise 4: E[after − before] at rate 0.2 when 30 % of the inputs are zero before dropout (lesson 03)."""
    truth = expected_difference(0.3, 0.2)
    mistakes = {
        0.2: "0.2 is what after − before gives only when nothing was zero before; here 30 % already were.",
        naive_zero_fraction(0.3, 0.2): "that is the naive after-count; subtract the 30 % that were zero before.",
        0.3 * 0.2: "that is the bias, z0·rate: the amount by which after − before falls short of the rate.",
        0.7 * 0.8: "that used the keep probability 0.8; rate 0.2 is the drop probability.",
        0.3: "that is z0, the zeros before; after − before counts only the new zeros.",
    }
    return check_number(answer, truth,
                        f"(1 - 0.3) · 0.2 = {truth:.2f}: only the live 70 % can be zeroed, so after − before is "
                        "biased low by z0·rate; divide it by 1 - before to get 0.2 back.",
                        "new zeros come only from the units that were alive, and each is zeroed with probability rate.",
                        rel_tol=0.0, abs_tol=1e-6, mistakes=mistakes)


def _share_data(seed: int, shape: tuple[int, ...], rate: float) -> tuple[np.ndarray, np.ndarray]:
    """ReLU-like inputs with exact zeros, and their inverted dropout at `rate`."""
    rng = np.random.default_rng(seed)
    before = np.maximum(rng.standard_normal(shape), 0.0)
    after = before * (rng.random(shape) >= rate) / (1 - rate)
    return before, after


def _share_mistake(got: float, before: np.ndarray, after: np.ndarray) -> str | None:
    """A message for the plausible wrong answers of exercise 5, or None."""
    naive = float(np.mean(after == 0))
    known = {
        naive: "that is the naive count, all zeros over all units: the ReLU's own zeros are not dropout's.",
        naive - float(np.mean(before == 0)): "that is after − before: right count of new zeros, but divided by "
                                             "all units instead of the live ones.",
        1 - zero_fraction(after, before=before): "that is the share of live units that survived (the keep share).",
        float(np.count_nonzero((after == 0) & (before != 0))): "that is a count of units; return a share.",
    }
    for wrong, message in known.items():
        if math.isclose(got, wrong, rel_tol=0.0, abs_tol=1e-12):
            return message
    return None


def check_dropout_share(func: object) -> CheckResult:
    """Exercise 5: a function (before, after) -> share of the non-zero inputs that dropout zeroed (lesson 03)."""
    if is_unanswered(func):
        return NOT_ANSWERED
    if not callable(func):
        return CheckResult(False, "define a function dropout_share(before, after) and pass the function itself.")
    for seed, shape, rate in [(3, (50, 40), 0.3), (4, (1200,), 0.6)]:
        before, after = _share_data(seed, shape, rate)
        truth = zero_fraction(after, before=before)
        try:
            result = func(before, after)
            got = as_number(np.asarray(result).item()) if np.size(result) == 1 else None
        except Exception as error:  # the learner's code: report, do not crash
            return CheckResult(False, f"dropout_share raised {type(error).__name__}: {error}")
        if got is None:
            return CheckResult(False, f"dropout_share should return one number (a share), got {result!r:.60}.")
        if not math.isclose(got, truth, rel_tol=0.0, abs_tol=1e-12):
            hint = _share_mistake(got, before, after) or (
                "count zeros of `after` only where `before != 0`, and divide by how many those are.")
            return CheckResult(False, f"got {got:.4f} where the answer is {truth:.4f} (rate {rate}); {hint}")
    return CheckResult(True, "counted only where the input was non-zero, as dl.zero_fraction(y, before=x) does; "
                             "(after − before) / (1 − before) gives the same number.")


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
