"""Exercise checks for lesson 01 (dropout from scratch): each names the mistake it sees."""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ...stats import Z_CHECK, binomial_band
from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, check, check_number, is_unanswered
from . import solutions

# 0.2 and 0.7 tell keep from drop; the edge cases 0 and 1 come last, so a wrong scale is named
# at a rate where it shows (at rate 0, x · mask · rate is all zeros and x · mask / rate is inf)
RATES = (0.2, 0.5, 0.7, 0.0, 1.0)


def check_survivor_value(answer: object) -> CheckResult:
    """Exercise 1: the value of a surviving unit of an all-ones input at rate 0.75 (lesson 01)."""
    return check_number(answer, 4.0,
                        "1 / (1 - 0.75) = 4: one unit in four survives and carries four times the signal.",
                        "survivors are scaled by 1 / keep, where keep = 1 - rate.", rel_tol=1e-9,
                        mistakes={4 / 3: "1/0.75 divides by the rate; divide by the KEEP probability 1 - 0.75.",
                                  1.0: "a survivor is not left at 1: inverted dropout scales it by 1 / keep.",
                                  0.25: "0.25 is the keep probability; the survivor's value is 1 / keep.",
                                  0.75: "0.75 is the rate; the survivor's value is 1 / (1 - rate).",
                                  3.0: "3 = rate / keep is the output's variance, not a survivor's value."})


def check_ones_std(answer: object) -> CheckResult:
    """Exercise 2: the std of inverted dropout on all-ones input at rate 0.75 (lesson 01)."""
    return check_number(answer, math.sqrt(3), "sqrt(rate / keep) = sqrt(0.75 / 0.25) = sqrt(3) ≈ 1.732.",
                        "the output is 1/keep with probability keep and 0 otherwise; its variance is rate/keep.",
                        rel_tol=1e-9, abs_tol=1e-3,
                        mistakes={3.0: "3 is the variance rate / keep; the std is its square root.",
                                  math.sqrt(1 / 3): "that is sqrt(keep / rate), upside down: Var = rate / keep.",
                                  math.sqrt(0.75 * 0.25): "sqrt(rate · keep) is the std of the 0/1 mask; the "
                                                          "output is the mask times 1/keep = 4.",
                                  1.0: "the std is 1 only at rate 0.5; use sqrt(rate / keep)."})


def check_torch_std(answer: object) -> CheckResult:
    """Exercise 3: what torch's y.std() prints for ten outputs, five 0s and five 2s (lesson 01)."""
    return check_number(answer, math.sqrt(10 / 9),
                        "sqrt(10/9) ≈ 1.0541: the squared deviations sum to 10, and torch divides by n - 1 = 9.",
                        "mean 1, every value 1 away from it; torch.Tensor.std() divides the squared deviations "
                        "by n - 1.", rel_tol=0.0, abs_tol=1e-3,
                        mistakes={1.0: "1 is the population std (ddof=0, NumPy's default); torch.Tensor.std() "
                                       "divides by n - 1, not n.",
                                  10 / 9: "10/9 is the variance; take its square root.",
                                  math.sqrt(10 / 11): "divide by n - 1 = 9, not n + 1."})


def _run(func: Callable, *args) -> tuple[np.ndarray | None, str]:
    """The learner's function called on copies of the arguments: (output as an array, '') or (None, what went wrong)."""
    try:
        with np.errstate(all="ignore"):  # a wrong answer may divide by zero; report it, do not warn
            return np.asarray(func(*args), dtype=np.float64), ""
    except Exception as error:  # the learner's code: report its error, do not crash the lesson
        return None, f"it raised {type(error).__name__}: {error}"


def _backward_problem(func: Callable, rate: float, seed: int) -> str:
    """What is wrong with the learner's backward pass at one rate ('' when nothing is)."""
    rng = np.random.default_rng(seed)
    dout = rng.normal(size=(40, 30))
    mask = rng.random(dout.shape) >= rate
    keep = 1.0 - rate
    got, error = _run(func, dout.copy(), mask.copy(), rate)
    if error:
        return f"at rate={rate}: {error}"
    if got.shape != dout.shape:
        return f"at rate={rate}: the gradient has shape {got.shape}; it must have dout's shape {dout.shape}"
    if not np.isfinite(got).all():
        return f"at rate={rate}: the gradient contains NaN or inf: at rate 1 every unit is dropped, so it is all 0"
    truth = dout * mask / keep if keep > 0 else np.zeros_like(dout)
    if np.allclose(got, truth, rtol=1e-12, atol=1e-12):
        return ""
    with np.errstate(all="ignore"):
        known = {
            "the gradient must be scaled by 1/keep, like the survivors in the forward pass":
                dout * mask,
            "it divides by the rate; divide by the keep probability 1 - rate": dout * mask / rate,
            "the gradient flows through the dropped units (mask inverted); it must flow through the kept ones":
                dout * ~mask / keep,
            "the gradient must be 0 where a unit was dropped: multiply by the mask": dout / keep,
            "that is the identity; dropout's gradient is dout * mask / keep": dout,
            "it ignores dout: the upstream gradient must be multiplied in (chain rule)": mask / keep,
        }
    for message, wrong in known.items():
        if np.allclose(got, wrong, rtol=1e-12, atol=1e-12, equal_nan=True):
            return f"at rate={rate}: {message}."
    return f"at rate={rate}: the gradient differs from dout * mask / (1 - rate)"


def check_my_backward(my_backward: object) -> CheckResult:
    """Exercise 4: a learner's `my_backward(dout, mask, rate)`, the gradient of inverted dropout (lesson 01)."""
    if is_unanswered(my_backward):
        return NOT_ANSWERED
    if not callable(my_backward):
        return CheckResult(False, "define a function my_backward(dout, mask, rate) and pass the function itself.")
    problems = [p for i, rate in enumerate(RATES) if (p := _backward_problem(my_backward, rate, i))]
    return check(not problems, "dout * mask / keep at every rate tried, and 0 (not NaN) at rate 1.",
                 problems[0] if problems else "")


# ---------------------------------------------------------------- exercise 5: the forward pass

def _input() -> np.ndarray:
    """A non-constant input with both signs and no zeros, so the output reveals what was done to x."""
    rng = np.random.default_rng(100)
    return rng.choice([-1.0, 1.0], size=(200, 100)) * rng.uniform(0.5, 2.0, size=(200, 100))


def _scale_problem(x: np.ndarray, y: np.ndarray, rate: float) -> str:
    """What is wrong with the survivors' values ('' when each is x / keep)."""
    keep = 1.0 - rate
    kept = ~np.isclose(y, 0.0, atol=1e-12)
    if keep == 0:
        return "every unit is dropped at rate 1: the output must be all zeros" if kept.any() else ""
    if not kept.any():
        return "every unit is zero; at rate 0 nothing may be dropped and the output is x" if rate == 0 else ""
    if np.allclose(y[kept], x[kept] / keep, rtol=1e-9):
        return ""
    if np.allclose(y[kept], 1 / keep, rtol=1e-9):
        return "the output does not depend on x: multiply x by the mask, not just return mask / keep"
    ratio = y[kept] / x[kept]
    if rate > 0 and np.allclose(ratio, 1 / rate, rtol=1e-9):
        if abs(float(np.mean(~kept)) - keep) < 0.05:  # about `keep` dropped: rate used as the KEEP probability
            return "it keeps a unit with probability rate and divides by rate: that treats rate as the keep " \
                   "probability. rate is the DROP probability: keep a unit with probability 1 - rate, divide " \
                   "by 1 - rate"
        return "survivors are divided by the rate; divide by the keep probability 1 - rate"
    if rate > 0 and np.allclose(ratio, rate, rtol=1e-9):
        return "survivors are multiplied by the rate; inverted dropout divides them by the keep probability 1 - rate"
    if np.allclose(ratio, keep, rtol=1e-9):
        return "survivors are multiplied by keep = 1 - rate (vanilla dropout's test-time factor); inverted dropout " \
               "divides them by it"
    if np.allclose(ratio, 1.0, rtol=1e-9):
        return "survivors keep their value; inverted dropout scales them by 1 / (1 - rate)"
    if np.allclose(ratio, 2.0, rtol=1e-9):
        return "survivors are doubled whatever the rate: is the rate fixed at 0.5? Use the rate argument"
    return f"survivors should equal x / (1 - rate) = x × {1 / keep:.4g}"


def _shared_problem(y: np.ndarray, rate: float) -> str:
    """Whether two rows (examples) or two columns (features) dropped exactly the same units ('' when none did).

    A correct mask draws every element independently: two given rows of d units agree on all of
    them with probability q**d, q = keep**2 + rate**2 (both kept or both dropped). So some pair of
    the n rows is identical with probability at most C(n, 2) · q**d (union bound), and some pair of
    columns with at most C(d, 2) · q**n: `shared_mask_false_alarm`, below 1e-12 for the 200 x 100
    input at every rate tried. A mask drawn for one row and broadcast makes EVERY row identical.
    """
    dropped = np.isclose(y, 0.0, atol=1e-12)
    if not 0 < rate < 1 or dropped.all() or not dropped.any():
        return ""  # all kept or all dropped: every row is the same for a right answer too (rate 0, 1), or the
        #            zero fraction is what is wrong, and _zeros_problem says so
    distinct = {"rows": len(np.unique(dropped, axis=0)), "columns": len(np.unique(dropped.T, axis=0))}
    if distinct["rows"] == len(dropped) and distinct["columns"] == len(dropped.T):
        return ""
    # a row broadcast over the batch leaves 1 distinct row (and 2 distinct columns: all kept, all dropped);
    # a (batch, 1) mask the other way round
    axis = min(distinct, key=distinct.get)
    what, how = {"rows": ("rows (examples)", "the mask was drawn for one example, x.shape[1:], and broadcast over "
                                             "the batch, so every example loses the same units"),
                 "columns": ("columns (features)", "each example is kept or dropped whole, as by a mask of shape "
                                                   "(batch, 1)")}[axis]
    count = len(dropped) if axis == "rows" else len(dropped.T)
    if distinct[axis] > 1:
        seen, how = f"the {count} {what} have only {distinct[axis]} distinct masks", \
            "some repeat another's mask exactly, which independent draws essentially never do (chance < 1e-12)"
    else:
        seen = f"all {count} {what} have the same mask"
    return f"{seen}: {how}. The mask must be drawn independently per element (for every example " \
           "and every feature): rng.random(x.shape)"


def shared_mask_false_alarm(rate: float, shape: tuple[int, int] = (200, 100)) -> float:
    """Union bound on the chance that a CORRECT mask trips `_shared_problem` (lesson 01, exercise 5)."""
    n, d = shape
    q = (1 - rate) ** 2 + rate ** 2
    return math.comb(n, 2) * q ** d + math.comb(d, 2) * q ** n


def _zeros_problem(y: np.ndarray, rate: float) -> str:
    """What is wrong with the share of zeros ('' when it is inside the binomial band around the rate)."""
    zero_fraction = float(np.mean(np.isclose(y, 0.0, atol=1e-12)))
    low, high = binomial_band(rate, y.size, Z_CHECK)
    if low <= zero_fraction <= high:
        return ""
    swapped = binomial_band(1 - rate, y.size, Z_CHECK)
    if swapped[0] <= zero_fraction <= swapped[1]:
        return f"{zero_fraction:.1%} of the units are zero, about 1 - rate: keep and drop are swapped " \
               f"(drop a unit with probability rate)"
    return f"{zero_fraction:.1%} of the units are zero; expected about the rate, {rate:.0%}"


def _forward_problem(func: Callable, x: np.ndarray, rate: float, seed: int) -> str:
    """What is wrong with the learner's dropout at one rate ('' when nothing is)."""
    y, error = _run(func, x.copy(), rate, np.random.default_rng(seed))
    if error:
        return f"at rate={rate}: {error}"
    if y.shape != x.shape:
        return f"at rate={rate}: the output shape is {y.shape}, expected {x.shape}"
    if not np.isfinite(y).all():
        why = "at rate 1 keep = 0, so return zeros instead of dividing by 0" if rate == 1 else \
            "it divides by 0 (by the rate?): divide by the keep probability 1 - rate" if rate == 0 else \
            "a survivor must be x / (1 - rate)"
        return f"at rate={rate}: the output contains NaN or inf: {why}"
    if rate > 0 and not np.isclose(y, 0.0, atol=1e-12).any():
        return f"at rate={rate}: no unit was dropped; zero each unit with probability rate"
    problem = _scale_problem(x, y, rate) or _shared_problem(y, rate) or _zeros_problem(y, rate)
    return f"at rate={rate}: {problem}" if problem else ""


def _masks_problem(func: Callable, x: np.ndarray) -> str:
    """A new mask on every call, and the same mask from the same generator state ('' when both hold)."""
    first, _ = _run(func, x.copy(), 0.5, np.random.default_rng(11))
    second, _ = _run(func, x.copy(), 0.5, np.random.default_rng(12))
    again, _ = _run(func, x.copy(), 0.5, np.random.default_rng(11))
    if first is None or second is None or again is None:
        return "it raised on a repeated call"
    if np.array_equal(first == 0, second == 0):
        return "two calls with different generators gave the same mask: draw a new mask from rng on every call"
    if not np.array_equal(first == 0, again == 0):
        return "the same generator state gave a different mask: draw the uniforms from the rng argument " \
               "(not np.random.* or a generator of your own)"
    return ""


def check_my_dropout(my_dropout: object) -> CheckResult:
    """Exercise 5: a learner's inverted dropout `my_dropout(x, rate, rng)` (lesson 01)."""
    if is_unanswered(my_dropout):
        return NOT_ANSWERED
    if not callable(my_dropout):
        return CheckResult(False, "define a function my_dropout(x, rate, rng) and pass the function itself.")
    x = _input()
    problems = [p for i, rate in enumerate(RATES) if (p := _forward_problem(my_dropout, x, rate, i))]
    problems = problems or [p for p in [_masks_problem(my_dropout, x)] if p]
    return check(not problems, "drops about `rate` of the units, each element independently, scales survivors by "
                               "1/(1-rate), gives zeros at rate 1 and a fresh mask from rng on every call.",
                 problems[0] if problems else "")


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
