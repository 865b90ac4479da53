"""Checks for lesson 07's exercises: the paper's p, weight scaling, dropout as adaptive L2."""
from __future__ import annotations

import numpy as np

from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, as_number, check_number, is_unanswered
from . import solutions


def check_paper_p(rate: object) -> CheckResult:
    """Exercise 1: the paper's MNIST nets keep inputs with p = 0.8; which `rate` is that?"""
    if not is_unanswered(rate) and as_number(rate) is None:
        return CheckResult(False, f"answer with a number (a drop probability), got {type(rate).__name__}.")
    return check_number(rate, 0.2, "rate = 1 − p = 0.2: keep 80 % of the inputs.",
                        "rate is the drop probability: rate = 1 − p.", rel_tol=1e-9, abs_tol=1e-12,
                        mistakes={0.8: "0.8 is the paper's p, the KEEP probability; `rate` in this course "
                                       "(and in torch / Keras) is the DROP probability."})


def check_inverted_weights(to_inverted) -> CheckResult:
    """Exercise 2: `to_inverted(w, keep)` turns a vanilla-trained weight matrix into the inverted net's."""
    if is_unanswered(to_inverted):
        return NOT_ANSWERED
    rng = np.random.default_rng(7)
    w = rng.normal(size=(5, 3))
    h = rng.random((4, 5))
    for keep in (0.5, 0.8):
        got = np.asarray(to_inverted(w.copy(), keep), dtype=float)
        if got.shape != w.shape:
            return CheckResult(False, f"return an array shaped like w {w.shape}, got {got.shape}.")
        # The vanilla test-time layer sees h * keep; the inverted one sees h unchanged.
        if not np.allclose(h @ got, (h * keep) @ w, rtol=0, atol=1e-12):
            hint = ("dividing by keep makes it larger; " if np.allclose(got, w / keep) else "")
            return CheckResult(False, f"at keep = {keep} the inverted layer h @ W' must equal the vanilla test layer "
                                      f"(h·keep) @ W; {hint}which single factor does that?")
    return CheckResult(True, "W' = keep · W: the same test-time network, with the scaling moved into the weights.")


def check_ridge_strength(strength: object) -> CheckResult:
    """Exercise 3: with w̃ = p·w, §9.1's penalty is λ‖Γw̃‖²; give λ for the paper's p = 0.8 (keep)."""
    if not is_unanswered(strength) and as_number(strength) is None:
        return CheckResult(False, "answer with a number.")
    return check_number(strength, 0.25,
                        "λ = (1 − p) / p = 0.25: a smaller keep probability means a stronger, per-feature L2 penalty.",
                        "p(1 − p)‖Γw‖² with w = w̃ / p gives ((1 − p) / p)‖Γw̃‖².", rel_tol=1e-9, abs_tol=1e-9,
                        mistakes={0.16: "p(1 − p) = 0.16 multiplies ‖Γw‖²; rewrite it in terms of w̃ = p·w (w = w̃ / p)."})


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
