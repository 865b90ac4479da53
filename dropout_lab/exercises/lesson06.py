"""Exercise checks for lesson 06, the ensemble view of dropout."""
from __future__ import annotations

import math
import numbers

from . import NOT_ANSWERED, CheckResult, check, is_unanswered

SOLUTIONS = {
    1: """
# Each of the 10 units is either kept or dropped, independently: 2 choices, 10 times.
n_subnetworks = 2 ** 10   # 1024
""",
    2: """
# The full network is the mask that keeps all 10 units; each is kept with probability
# keep = 1 - rate = 0.8, independently.
p_full = 0.8 ** 10        # ≈ 0.107: about one training step in ten uses the full network
""",
    3: """
# For one softmax layer, log-probabilities are linear in the mask (up to a per-mask constant),
# so averaging them over masks is the same as running the average mask: the weight-scaled net.
exact_average = "geometric"
""",
    4: """
# The Monte-Carlo error falls as σ/√k: 10× smaller error needs 10² = 100× more samples.
samples_factor = 100
""",
}


def _is_number(answer: object) -> bool:
    return isinstance(answer, numbers.Real) and not isinstance(answer, bool)


def check_subnetwork_count(answer: object) -> CheckResult:
    """Exercise 1: the number of thinned sub-networks of 10 droppable units."""
    if is_unanswered(answer):
        return NOT_ANSWERED
    return check(_is_number(answer) and answer == 1024,
                 "2^10 = 1024: every unit is independently kept or dropped.",
                 "Each unit has two states (kept, dropped) and the units are independent: multiply.")


def check_full_network_probability(answer: object) -> CheckResult:
    """Exercise 2: P(all 10 units kept) at rate 0.2."""
    if is_unanswered(answer):
        return NOT_ANSWERED
    expected = 0.8 ** 10
    if _is_number(answer) and math.isclose(answer, 0.2 ** 10, rel_tol=1e-3):
        return CheckResult(False, "That is the chance that all 10 are DROPPED: rate is the drop probability.")
    return check(_is_number(answer) and math.isclose(answer, expected, rel_tol=1e-3),
                 f"keep^10 = 0.8^10 ≈ {expected:.4f}: the full network is trained in about 1 step in 10.",
                 "Each unit survives with probability keep = 1 - rate; all 10 must survive.")


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
    if is_unanswered(answer):
        return NOT_ANSWERED
    if _is_number(answer) and answer == 10:
        return CheckResult(False, "The error falls as 1/√k, not 1/k: 10× more samples buys only √10 ≈ 3.2×.")
    return check(_is_number(answer) and answer == 100,
                 "Error ∝ 1/√k, so 10× smaller needs 10² = 100× more sub-networks.",
                 "Read the slope of the dashed line: the error falls as 1/√k.")
