"""Exercise checks for lesson 01 (dropout from scratch)."""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ...stats import binomial_band
from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, check, check_number, is_unanswered
from . import solutions


def check_survivor_value(answer: object) -> CheckResult:
    """Exercise 1: the value of a surviving unit of an all-ones input at rate 0.75 (lesson 01)."""
    return check_number(answer, 4.0,
                        "1 / (1 - 0.75) = 4: one unit in four survives and carries four times the signal.",
                        "survivors are scaled by 1 / keep, where keep = 1 - rate.", rel_tol=1e-9,
                        mistakes={4 / 3: "1/0.75 divides by the rate; divide by the KEEP probability 1 - 0.75."})


def check_ones_std(answer: object) -> CheckResult:
    """Exercise 2: the std of inverted dropout on all-ones input at rate 0.75 (lesson 01)."""
    return check_number(answer, math.sqrt(3), "sqrt(rate / keep) = sqrt(0.75 / 0.25) = sqrt(3) ≈ 1.732.",
                        "the output is 1/keep with probability keep and 0 otherwise; its variance is rate/keep.",
                        rel_tol=1e-9, abs_tol=1e-3)


def _problems(my_dropout: Callable, rate: float, seed: int) -> list[str]:
    """What is wrong with the learner's dropout at one rate (empty when nothing is)."""
    x = np.ones((200, 100))
    try:
        with np.errstate(all="ignore"):  # a wrong answer may divide by zero; report it, do not warn
            y = np.asarray(my_dropout(x, rate, np.random.default_rng(seed)), dtype=float)
    except Exception as error:  # the learner's code: report its error, do not crash the lesson
        return [f"at rate={rate} it raised {type(error).__name__}: {error}"]
    if y.shape != x.shape:
        return [f"at rate={rate} the output shape is {y.shape}, expected {x.shape}"]
    if not np.isfinite(y).all():
        return [f"at rate={rate} the output contains NaN or inf (a division by zero?)"]
    keep = 1 - rate
    allowed = np.isclose(y, 0) | (np.isclose(y, 1 / keep) if keep > 0 else False)
    if not allowed.all():
        return [f"at rate={rate} survivors of a ones input should equal 1/(1-rate) = {1 / keep:.4g}"]
    low, high = binomial_band(rate, x.size, z=4)
    zero_fraction = float(np.mean(np.isclose(y, 0)))
    if not low <= zero_fraction <= high:
        return [f"at rate={rate} {zero_fraction:.3f} of the units are zero; expected about {rate}"]
    return []


def check_my_dropout(my_dropout: object) -> CheckResult:
    """Exercise 3: a learner's inverted dropout `my_dropout(x, rate, rng)` (lesson 01)."""
    if is_unanswered(my_dropout):
        return NOT_ANSWERED
    if not callable(my_dropout):
        return CheckResult(False, "define a function my_dropout(x, rate, rng) and pass the function itself.")
    problems = [p for i, rate in enumerate((0.0, 0.2, 0.5, 0.9)) for p in _problems(my_dropout, rate, i)]
    return check(not problems, "drops about `rate` of the units and scales survivors by 1/(1-rate) at every rate tried.",
                 problems[0] if problems else "")


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
