"""Exercise checks for lesson 00 (start here): the rate / keep convention."""
from __future__ import annotations

from ...ui.checks import CheckResult, Solutions, check_number
from . import solutions

TOL = {"rel_tol": 1e-9, "abs_tol": 1e-9}


def check_keep(answer: object) -> CheckResult:
    """Exercise 1: the keep probability for rate = 0.2 (lesson 00)."""
    return check_number(answer, 0.8, "keep = 1 - rate = 0.8: each unit survives 80% of the time.",
                        "rate is the DROP probability; a unit is kept with probability 1 - rate.", **TOL)


def check_paper_to_rate(answer: object) -> CheckResult:
    """Exercise 2: the paper's p = 0.8 (keep) as a torch/Keras rate (lesson 00)."""
    return check_number(answer, 0.2, "p = 0.8 keeps 80% of units, so the drop rate is 1 - 0.8 = 0.2.",
                        "convert the paper's keep probability p into a drop probability: rate = 1 - p.", **TOL,
                        mistakes={0.8: "that is the paper's p, a KEEP probability; "
                                       "frameworks want the drop probability."})


def check_expected_zeros(answer: object) -> CheckResult:
    """Exercise 3: how many of 20 units dropout zeroes on average at rate 0.3 (lesson 00)."""
    return check_number(answer, 6.0, "20 × 0.3 = 6 on average; a single mask can show 3 or 9 (lesson 03).",
                        "each of the 20 units is dropped independently with probability rate.", **TOL)


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
