"""Exercise checks for lesson 06, the ensemble view of dropout."""
from __future__ import annotations

from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, check, check_number, is_unanswered
from . import solutions

EXACT = {"rel_tol": 0.0, "abs_tol": 1e-9}  # integer answers: only the integer itself passes


def check_subnetwork_count(answer: object) -> CheckResult:
    """Exercise 1: the number of thinned sub-networks of 10 droppable units."""
    return check_number(answer, 1024, "2^10 = 1024: every unit is independently kept or dropped.",
                        "Each unit has two states (kept, dropped) and the units are independent: multiply.", **EXACT)


def check_full_network_probability(answer: object) -> CheckResult:
    """Exercise 2: P(all 10 units kept) at rate 0.2."""
    expected = 0.8 ** 10
    return check_number(answer, expected,
                        f"keep^10 = 0.8^10 ≈ {expected:.4f}: the full network is trained in about 1 step in 10.",
                        "Each unit survives with probability keep = 1 - rate; all 10 must survive.", rel_tol=1e-3,
                        mistakes={0.2 ** 10: "That is the chance that all 10 are DROPPED: rate is the drop probability."})


def check_exact_average(answer: object) -> CheckResult:
    """Exercise 3: which ensemble average the weight-scaled softmax layer reproduces exactly."""
    if is_unanswered(answer):
        return NOT_ANSWERED
    text = str(answer).strip().lower()
    return check("geometric" in text and "arithmetic" not in text,
                 "The normalised geometric mean: log-softmax is linear in the mask up to a constant per mask.",
                 "Look back at the gap table: which difference was at float64 precision for one softmax layer?")


def check_samples_factor(answer: object) -> CheckResult:
    """Exercise 4: how many times more MC samples make the error 10 times smaller."""
    return check_number(answer, 100, "Error ∝ 1/√k, so 10× smaller needs 10² = 100× more sub-networks.",
                        "Read the slope of the dashed line: the error falls as 1/√k.", **EXACT,
                        mistakes={10: "The error falls as 1/√k, not 1/k: 10× more samples buys only √10 ≈ 3.2×."})


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
