"""Exercise checks for lesson 05, your own dropout layer in a Keras model."""
from __future__ import annotations

import math

from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, check, check_number, is_unanswered
from . import solutions

EXACT = {"rel_tol": 0.0, "abs_tol": 1e-9}  # integer answers: only the integer itself passes


def check_survivor_scale(answer: object) -> CheckResult:
    """Exercise 1: the factor surviving units are multiplied by at rate 0.2."""
    return check_number(answer, 1.25, "1/keep = 1/0.8 = 1.25: the expected output equals the input again.",
                        "Survivors are a fraction keep = 1 - rate of the units; scale them so the mean is unchanged.",
                        mistakes={5.0: "1/rate = 5 is the old comment's mistake: the mean would become 4, not 1."})


def check_hiding_rate(answer: object) -> CheckResult:
    """Exercise 2: the rate at which a coin-flip mask and ÷rate both look correct."""
    return check_number(answer, 0.5,
                        "At 0.5, keep = rate: a fair coin is the right mask and ÷rate = ÷keep. Test at another rate!",
                        "Find the rate where the keep probability equals the drop probability.", rel_tol=1e-9)


def check_layer(layer_cls: object) -> CheckResult:
    """Exercise 3: audit a learner's Keras dropout layer class with lesson 05's statistical checks."""
    from .compute import audit_layer, keras
    if is_unanswered(layer_cls) or not isinstance(layer_cls, type):
        return NOT_ANSWERED
    try:
        probe = layer_cls(0.2, seed=0)(keras.ops.ones((1, 4)), training=True)
    except Exception as error:  # a learner's half-written layer may fail in any way
        return CheckResult(False, f"calling the layer raised {type(error).__name__}: {error}")
    if probe is None:
        return NOT_ANSWERED
    audit = audit_layer(lambda rate, seed: layer_cls(rate, seed=seed), layer_cls.__name__)
    failed = [f"{name} — {r.message}" for name, r in audit.checks.items() if not r.passed]
    return check(not failed, "all four checks pass: right rate, mean kept, new mask each call, identity at inference.",
                 "failed: " + "; ".join(failed))


def check_masks_drawn(answer: object) -> CheckResult:
    """Exercise 4: masks a 5-epoch fit on 426 rows with batch size 32 draws."""
    return check_number(answer, 5 * math.ceil(426 / 32),
                        "5 epochs × 14 steps = 70 masks: one per batch, never in predict or evaluate.",
                        "Count the batches: ceil(426 / 32) per epoch, and the seed state moves once per batch.",
                        **EXACT, mistakes={5: "Not one per epoch: a mask is drawn for every training step (batch)."})


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
