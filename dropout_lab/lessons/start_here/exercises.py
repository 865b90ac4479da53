"""Exercise checks for lesson 00 (start here): the rate / keep convention, each slip named."""
from __future__ import annotations

from ...ui.checks import CheckResult, Solutions, check_number
from . import solutions

TOL = {"rel_tol": 1e-6, "abs_tol": 1e-9}  # float32 arithmetic (1 - np.float32(0.2)) still passes


def check_keep(answer: object) -> CheckResult:
    """Exercise 1: the keep probability for rate = 0.2 (lesson 00)."""
    return check_number(answer, 0.8, "keep = 1 - rate = 0.8: each unit survives 80% of the time.",
                        "rate is the DROP probability; a unit is kept with probability 1 - rate.", **TOL,
                        mistakes={0.2: "0.2 is the rate, the probability of being DROPPED; a unit is kept with "
                                       "probability 1 - rate.",
                                  80: "write the probability as a number between 0 and 1, not a percentage.",
                                  1.25: "1.25 = 1/0.8 is what a survivor is multiplied by; the keep probability "
                                        "is 1 - rate."})


def check_paper_to_rate(answer: object) -> CheckResult:
    """Exercise 2: the paper's p = 0.8 (keep) as a torch/Keras rate (lesson 00)."""
    return check_number(answer, 0.2, "p = 0.8 keeps 80% of units, so the drop rate is 1 - 0.8 = 0.2.",
                        "convert the paper's keep probability p into a drop probability: rate = 1 - p.", **TOL,
                        mistakes={0.8: "that is the paper's p, a KEEP probability; "
                                       "frameworks want the drop probability.",
                                  20: "write the rate as a number between 0 and 1: nn.Dropout(p=20) raises."})


def check_expected_zeros(answer: object) -> CheckResult:
    """Exercise 3: how many of 20 units dropout zeroes on average at rate 0.3 (lesson 00)."""
    return check_number(answer, 6.0, "20 × 0.3 = 6 on average; a single mask drops 2 to 10 of them 97.5% of the "
                                     "time (lesson 03 says why).",
                        "each of the 20 units is dropped independently with probability rate.", **TOL,
                        mistakes={14: "14 = 20 × 0.7 counts the units that are KEPT; the question asks how many "
                                      "are dropped.",
                                  0.3: "0.3 is the expected FRACTION of zeros; the question asks how many units.",
                                  7: "7 is what seed 0 happened to drop; on average over many masks it is "
                                     "20 × rate."})


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
