"""Exercise checks for lesson 02 (expectation preservation)."""
from __future__ import annotations

import math

from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, check, check_number, is_unanswered
from . import solutions


def check_variance(answer: object) -> CheckResult:
    """Exercise 1: Var[out] for x = 2 at rate 0.2 with inverted dropout (lesson 02)."""
    return check_number(answer, 1.0, "x²·rate/(1-rate) = 4 × 0.2 / 0.8 = 1.0.",
                        "use Var[out] = x² · rate / (1 - rate).", rel_tol=1e-9)


def check_shrunk_preactivation(answer: object) -> CheckResult:
    """Exercise 2: the average next-layer input 10 at rate 0.3 without rescaling (lesson 02)."""
    return check_number(answer, 7.0,
                        "each input survives with probability 0.7, so the sum shrinks to 0.7 × 10 = 7 on average.",
                        "without rescaling every input is kept with probability 1 - rate and passed unchanged.",
                        rel_tol=1e-9)


def check_scale(scale: object) -> CheckResult:
    """Exercise 3: a function scale(rate) that keeps E[out] = x (lesson 02)."""
    if is_unanswered(scale):
        return NOT_ANSWERED
    if not callable(scale):
        return CheckResult(False, "define a function scale(rate) and pass the function itself.")
    rates = (0.1, 0.25, 0.5, 0.8)
    try:
        values = [float(scale(rate)) for rate in rates]
    except Exception as error:  # the learner's code: report, do not crash
        return CheckResult(False, f"scale raised {type(error).__name__}: {error}")
    if all(math.isclose(v, 1 / r) for v, r in zip(values, rates)):
        return CheckResult(False, "1/rate is right only at rate 0.5; E[out] = scale × (1 - rate) × x must equal x.")
    return check(all(math.isclose(v, 1 / (1 - r)) for v, r in zip(values, rates)),
                 "scale × (1 - rate) = 1 forces scale = 1/(1 - rate) at every rate.",
                 "solve E[out] = scale × (1 - rate) × x = x for scale.")


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
