"""Exercise checks for lesson 02 (expectation preservation): instant feedback, solutions on request."""
from __future__ import annotations

import math

from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, as_number, check_number, is_unanswered
from . import solutions


def check_variance(answer: object) -> CheckResult:
    """Exercise 1: Var[out] for x = 3 at rate 0.2 with inverted dropout (lesson 02)."""
    x, rate, keep = 3.0, 0.2, 0.8
    mistakes = {
        x**2 / keep: "that is E[out²] = x²/(1-rate); the variance subtracts E[out]² = x² = 9.",
        rate / keep: "that is rate/(1-rate) alone: the variance of the output scales with x², here 9.",
        x * rate / keep: "that multiplies by x; the variance scales with x² (out is x times a random factor).",
        x**2 * rate * keep: "that is the variance without rescaling, x²·rate·(1-rate); inverted dropout "
                            "multiplies survivors by 1/(1-rate), which multiplies the variance by 1/(1-rate)².",
        x**2 * keep / rate: "keep and drop are swapped: rate = 0.2 is the drop probability.",
        math.sqrt(x**2 * rate / keep): "that is the standard deviation |x|·sqrt(rate/(1-rate)); square it.",
        x**2: "that is E[out]² = x²; the variance is E[out²] - E[out]².",
    }
    return check_number(answer, x**2 * rate / keep, "x²·rate/(1-rate) = 9 × 0.2 / 0.8 = 2.25.",
                        "use Var[out] = E[out²] - E[out]² with out = x/(1-rate) w.p. 1-rate, else 0.",
                        rel_tol=1e-9, mistakes=mistakes)


def check_shrunk_preactivation(answer: object) -> CheckResult:
    """Exercise 2: the average pre-activation w·x = 10 (no bias) at rate 0.3 without rescaling (lesson 02)."""
    mistakes = {
        10 / 0.7: "10/0.7 is a survivor's rescaled size; without rescaling nothing makes up for the dropped "
                  "inputs: each input is kept (unchanged) with probability 0.7.",
        10.0: "10 is what you get with rescaling (or at test time); without it, dropped inputs are simply missing.",
        3.0: "that is the share that is dropped; the pre-activation keeps the other 0.7 on average.",
        0.7: "that is the keep probability alone; multiply the whole pre-activation, 10, by it.",
        10 * 0.7**2: "expectation is linear: E[w·(m∘x)] = Σ w_j x_j E[m_j] = 0.7 × 10, one factor 0.7.",
    }
    return check_number(answer, 7.0,
                        "each input survives with probability 0.7, so the sum shrinks to 0.7 × 10 = 7 on average.",
                        "without rescaling every input is kept with probability 1 - rate and passed unchanged; "
                        "with no bias, the whole pre-activation is such a sum.", rel_tol=1e-9, mistakes=mistakes)


def check_scale(scale: object) -> CheckResult:
    """Exercise 3: a function scale(rate) that keeps E[out] = x, so test time can be the identity (lesson 02)."""
    if is_unanswered(scale):
        return NOT_ANSWERED
    if not callable(scale):
        return CheckResult(False, "define a function scale(rate) and pass the function itself.")
    rates = (0.1, 0.25, 0.5, 0.8)
    try:
        values = [as_number(scale(rate)) for rate in rates]
    except Exception as error:  # the learner's code: report, do not crash
        return CheckResult(False, f"scale raised {type(error).__name__}: {error}")
    if any(v is None for v in values):
        return CheckResult(False, "scale(rate) should return a number, e.g. scale(0.5) == 2.")
    known = [(lambda r: 1 / r, "1/rate is right only at rate 0.5; E[out] = scale × (1 - rate) × x must equal x."),
             (lambda r: 1 - r, "1 - rate is the paper's *test-time* factor for untouched training; survivors "
                               "in training need the reciprocal."),
             (lambda r: 1.0, "a scale of 1 is no rescaling: E[out] = (1 - rate) × x."),
             (lambda r: r / (1 - r), "rate/(1 - rate) is the variance factor, not the scale.")]
    for wrong, message in known:
        if all(math.isclose(v, wrong(r)) for v, r in zip(values, rates)):
            return CheckResult(False, message)
    if not all(math.isclose(v, 1 / (1 - r)) for v, r in zip(values, rates)):
        return CheckResult(False, "solve E[out] = scale × (1 - rate) × x = x for scale.")
    try:
        at_zero = as_number(scale(0.0))
    except Exception as error:
        return CheckResult(False, f"right for rate > 0, but scale(0.0) raised {type(error).__name__}: {error}; "
                                  "at rate 0 nothing is dropped and the scale is 1.")
    if at_zero is None or not math.isclose(at_zero, 1.0):
        return CheckResult(False, f"right for rate > 0, but scale(0.0) gave {at_zero!r}; at rate 0 it must be 1.")
    return CheckResult(True, "scale × (1 - rate) = 1 forces scale = 1/(1 - rate) at every rate, so the test-time "
                             "network is the trained one, untouched.")


def check_test_factor(answer: object) -> CheckResult:
    """Exercise 4: the test-time factor for survivors scaled by c_train = 2 in training at rate 0.2 (lesson 02)."""
    mistakes = {
        1.0: "identity at test is right only when c_train = 1/(1 - rate) = 1.25; here c_train = 2.",
        0.8: "0.8 = 1 - rate is the paper's factor for c_train = 1; this run scaled survivors by 2.",
        2.0: "2 is the training factor; at test every unit is present, so the average input is c_train·keep·x.",
        1.25: "1.25 = 1/(1 - rate) is the inverted-dropout training factor, not this run's test factor.",
        2 / 0.8: "dividing by keep goes the wrong way: training saw c_train·keep·x on average.",
        2 * 0.2: "0.2 is the drop probability; use the keep probability 0.8.",
    }
    return check_number(answer, 1.6,
                        "c_test = c_train × (1 - rate) = 2 × 0.8 = 1.6: the next layer's weights were fitted to "
                        "inputs of 1.6·x on average, so test time must hand them 1.6·x.",
                        "in training the next layer sees c_train·keep·x on average; test time must match it.",
                        rel_tol=1e-9, mistakes=mistakes)


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
