"""Exercise checks for lesson 10: instant feedback, solutions on request."""
from __future__ import annotations

from ...ui.checks import CheckResult, Solutions, check_number
from . import solutions


def check_expected_zeros(answer: object) -> CheckResult:
    """Exercise 1: how many of 1000 units dropout zeroes on average at rate 0.25."""
    return check_number(answer, 250, "1000 × 0.25 = 250 on average; one mask scatters around it.",
                        "each unit is dropped independently with probability rate.", rel_tol=0.0, abs_tol=1e-9,
                        mistakes={750: "750 units are KEPT on average: rate is the drop probability."})


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
