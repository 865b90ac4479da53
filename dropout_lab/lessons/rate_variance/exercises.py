"""Exercise checks for lesson 03 (rate variance): instant feedback, solutions on request."""
from __future__ import annotations

import math

import numpy as np

from ...stats import zero_fraction
from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, check, check_number, is_unanswered
from . import solutions
from .compute import naive_zero_fraction, spread


def check_spread_32(answer: object) -> CheckResult:
    """Exercise 1: the standard deviation of the zero fraction of 32 units at rate 0.2."""
    truth = spread(32, 0.2)
    return check_number(answer, truth,
                        f"sqrt(0.2 · 0.8 / 32) = {truth:.4f}: about ±2.3 units of 32, so 0.3 or 0.1 is nothing odd.",
                        "use sqrt(rate · (1 - rate) / n) with rate 0.2 and n 32.", rel_tol=0.0, abs_tol=5e-4)


def units_for_half_width(rate: float, half_width: float, z: float = 3.0) -> int:
    """Smallest n whose ±z·σ band around `rate` is no wider than ±half_width."""
    return math.ceil((z / half_width) ** 2 * rate * (1 - rate) - 1e-9)


def check_units_needed(answer: object) -> CheckResult:
    """Exercise 2: the fewest units whose ±3σ band at rate 0.5 is within ±0.001."""
    truth = units_for_half_width(0.5, 0.001)
    return check_number(answer, truth,
                        f"n = {truth:,}: 3 · 0.5 / sqrt(n) <= 0.001. Halving the band costs 4× the units.",
                        "solve 3 · sqrt(0.5 · 0.5 / n) <= 0.001 for n and round up.", rel_tol=0.0, abs_tol=1e-9)


def check_naive_count(answer: object) -> CheckResult:
    """Exercise 3: the naive zero fraction after rate-0.25 dropout on ReLU outputs with 40% zeros."""
    truth = naive_zero_fraction(0.4, 0.25)
    return check_number(answer, truth, f"0.4 + 0.6 · 0.25 = {truth:.2f}: the naive count overshoots the rate by 0.30.",
                        "the zeros already there stay zero; dropout zeroes a share `rate` of the rest.",
                        rel_tol=0.0, abs_tol=1e-6)


def check_dropout_share(func: object) -> CheckResult:
    """Exercise 4: a function (before, after) -> share of the non-zero inputs that dropout zeroed."""
    if is_unanswered(func):
        return NOT_ANSWERED
    if not callable(func):
        return CheckResult(False, "define a function dropout_share(before, after) and pass it in.")
    rng = np.random.default_rng(3)
    before = np.maximum(rng.standard_normal((50, 40)), 0.0)
    after = before * (rng.random(before.shape) >= 0.3) / 0.7
    truth = zero_fraction(after, before=before)
    got = float(func(before, after))
    return check(abs(got - truth) < 1e-12,
                 f"{got:.4f}: counted only where the input was non-zero, as dl.zero_fraction(y, before=x) does.",
                 f"got {got:.4f}; count zeros of `after` only where `before != 0`, and divide by how many those are.")


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
