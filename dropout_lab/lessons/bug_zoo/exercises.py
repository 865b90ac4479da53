"""Checks for lesson 08, the bug zoo: each runs the learner's fixed code and explains the verdict.

The measurements come from `dropout_lab.bugzoo` (seeded; binomial / normal bands with z = 4.5),
so a correct fix passes on every run and a broken one fails with a message that says why.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, is_unanswered
from . import compute as bugzoo
from . import solutions

TOL = 1e-6  # float32 torch outputs: "identical" means equal to rounding


def _crashed(error: Exception) -> CheckResult:
    return CheckResult(False, f"your code raised {type(error).__name__}: {error}")


def check_predict(predict: Callable) -> CheckResult:
    """Bug 1: `predict(model, x)` must give the eval-mode network's output, the same every call."""
    if is_unanswered(predict):
        return NOT_ANSWERED
    try:
        probe = bugzoo.probe_predict(predict)
    except Exception as error:  # the learner's code: report, never crash the lesson
        return _crashed(error)
    if probe.max_repeat_diff > TOL:
        return CheckResult(False, f"two predictions for the same input differ (by up to {probe.max_repeat_diff:.3f}): "
                                  "the model is still in training mode, so its Dropout draws a new mask every call. "
                                  "Call model.eval() (and predict under torch.no_grad()).")
    if probe.max_reference_diff > TOL:
        return CheckResult(False, f"predictions repeat but differ from the eval-mode network by {probe.max_reference_diff:.3f}: "
                                  "return model(x) after model.eval(), without extra scaling.")
    return CheckResult(True, "model.eval() switches every Dropout off (identity for inverted dropout): "
                             "the same input now gives the same prediction.")


def check_functional_net(net_class: Callable) -> CheckResult:
    """Bug 2: a module using F.dropout must stop dropping after .eval() and still drop after .train()."""
    if is_unanswered(net_class):
        return NOT_ANSWERED
    try:
        probe = bugzoo.probe_module(net_class)
    except Exception as error:
        return _crashed(error)
    if probe.eval_diff > TOL:
        return CheckResult(False, f"after net.eval() two calls still differ (by up to {probe.eval_diff:.3f}). "
                                  "F.dropout does not know about eval(): its training argument defaults to True. "
                                  "Pass training=self.training (or use an nn.Dropout layer).")
    if probe.train_diff <= TOL:
        return CheckResult(False, "in training mode two calls give identical outputs: dropout no longer runs at all. "
                                  "Keep F.dropout, but let it follow the module's mode.")
    return CheckResult(True, "F.dropout(h, p, training=self.training) drops in train() and is the identity in eval().")


def _numpy_probes(fn: Callable, rates: tuple[float, ...]):
    return [bugzoo.probe_dropout(fn, rate, seed=i) for i, rate in enumerate(rates)]


def check_divide(my_dropout: Callable) -> CheckResult:
    """Bug 3: survivors must be scaled by 1 / keep = 1 / (1 - rate), not 1 / rate."""
    if is_unanswered(my_dropout):
        return NOT_ANSWERED
    try:
        probes = _numpy_probes(my_dropout, (0.2, 0.7))
    except Exception as error:
        return _crashed(error)
    for p in probes:
        want = 1 / (1 - p.rate)
        if abs(p.survivor_value - 1 / p.rate) < 1e-9 and abs(want - 1 / p.rate) > 1e-9:
            return CheckResult(False, f"at rate {p.rate} the survivors are {p.survivor_value:.3f} = 1/rate; they should be "
                                      f"1/(1 − rate) = {want:.3f}, so the mean output is {p.mean:.3f} instead of 1. "
                                      "(At rate 0.5 both give 2, which is how this bug hides.)")
        if not p.rate_ok:
            return CheckResult(False, f"at rate {p.rate} a fraction {p.zero_fraction:.3f} of the units is zero, outside "
                                      f"[{p.zero_band[0]:.3f}, {p.zero_band[1]:.3f}]: keep a unit when its uniform draw is >= rate.")
        if not p.mean_ok:
            return CheckResult(False, f"at rate {p.rate} the mean output on ones is {p.mean:.3f}, outside "
                                      f"[{p.mean_band[0]:.3f}, {p.mean_band[1]:.3f}]: scale survivors by 1/(1 − rate).")
    return CheckResult(True, "survivors are 1/(1 − rate), so the mean output stays 1 at every rate (checked at 0.2 and 0.7).")


def check_rate_used(my_dropout: Callable) -> CheckResult:
    """Bug 4: the fraction of dropped units must follow `rate`, not a hard-coded 0.5."""
    if is_unanswered(my_dropout):
        return NOT_ANSWERED
    try:
        probes = _numpy_probes(my_dropout, (0.1, 0.3, 0.8))
    except Exception as error:
        return _crashed(error)
    for p in probes:
        if not p.rate_ok:
            stuck = " — it looks fixed at 0.5" if abs(p.zero_fraction - 0.5) < 0.01 else ""
            return CheckResult(False, f"asked for rate {p.rate}, the function zeroed {p.zero_fraction:.3f} of the units{stuck}. "
                                      f"Expected within [{p.zero_band[0]:.3f}, {p.zero_band[1]:.3f}]: use the rate argument "
                                      "for the mask AND for the scale 1/(1 − rate).")
        if not p.mean_ok:
            return CheckResult(False, f"at rate {p.rate} the zero fraction is right but the mean output is {p.mean:.3f}, not 1: "
                                      "scale by 1/(1 − rate), not by a constant.")
    return CheckResult(True, "the zero fraction follows the rate (0.1, 0.3, 0.8 checked within binomial bands) "
                             "and the mean output stays 1.")


def check_paper_to_torch(make_layer: Callable) -> CheckResult:
    """Bug 5: the paper's p is the KEEP probability; torch's nn.Dropout(p) takes the DROP probability."""
    if is_unanswered(make_layer):
        return NOT_ANSWERED
    for i, keep in enumerate((0.8, 0.9, 0.3)):
        try:
            probe = bugzoo.probe_torch_layer(make_layer(keep), keep, seed=i)
        except Exception as error:
            return _crashed(error)
        if not probe.rate_ok:
            swapped = abs(probe.zero_fraction - keep) < 0.01
            why = (f"it drops {probe.zero_fraction:.0%} — the paper's keep probability was used as torch's drop "
                   "probability. torch's p is the DROP probability: nn.Dropout(p=1 - p_paper)." if swapped else
                   f"it zeroes {probe.zero_fraction:.3f} of the units; expected 1 − p = {1 - keep:.2f}.")
            return CheckResult(False, f"for the paper's p = {keep} (keep {keep:.0%} of the units) {why}")
    return CheckResult(True, "nn.Dropout(p=1 - p_paper): keeping 80 % means dropping 20 % (checked at p = 0.8, 0.9, 0.3).")


def check_fresh_masks(layer_class: Callable) -> CheckResult:
    """Bug 6: a seeded layer must draw a NEW mask on every call (seed once, not per call)."""
    if is_unanswered(layer_class):
        return NOT_ANSWERED

    rate, x = 0.3, np.ones((64, 256))
    try:
        layer = layer_class(rate, seed=0)
        first, second = np.asarray(layer(x.copy())), np.asarray(layer(x.copy()))
        again = np.asarray(layer_class(rate, seed=0)(x.copy()))
    except Exception as error:
        return _crashed(error)
    agree, (low, high) = bugzoo.mask_agreement(first, second), bugzoo.agreement_band(rate, x.size)
    if agree > high:
        return CheckResult(False, f"two calls dropped the same units ({agree:.1%} of the mask agrees; independent masks agree "
                                  f"on keep² + rate² = {(1 - rate) ** 2 + rate ** 2:.0%}). The generator is re-created "
                                  "from the same seed on every call: create it once, in __init__, and keep drawing from it.")
    if not low <= agree:
        return CheckResult(False, f"the two masks agree on only {agree:.1%} of units; expected about "
                                  f"{(1 - rate) ** 2 + rate ** 2:.0%}: drop each unit with probability rate.")
    if not np.array_equal(first, again):
        return CheckResult(False, "masks change now, but two layers built with the same seed start differently: "
                                  "draw from np.random.default_rng(seed), created once.")
    return CheckResult(True, f"a fresh mask every call ({agree:.1%} agreement, as for independent masks) "
                             "and still reproducible from the seed.")


def check_test_time_scale(my_dropout: Callable) -> CheckResult:
    """Bug 7: the test-time output must equal the training-time average (scale once, not twice)."""
    if is_unanswered(my_dropout):
        return NOT_ANSWERED
    try:
        probe = bugzoo.probe_scales(my_dropout, 0.25)
    except Exception as error:
        return _crashed(error)
    if not probe.zero_band[0] <= probe.zero_fraction <= probe.zero_band[1]:
        return CheckResult(False, f"in training {probe.zero_fraction:.3f} of the units are zero; expected the rate 0.25.")
    if not probe.test_repeatable:
        return CheckResult(False, "at test time two calls differ: no random mask when training is False.")
    if not probe.consistent:
        return CheckResult(False, f"in training the output averages {probe.train_scale:.3f}·x, at test time it is "
                                  f"{probe.test_scale:.3f}·x. Scale once: inverted (÷ keep in training, x at test) or "
                                  "vanilla (no scaling in training, × keep at test) — not both.")
    scheme = "inverted" if abs(probe.test_scale - 1) < 1e-9 else "vanilla"
    return CheckResult(True, f"test output {probe.test_scale:.3f}·x = the training average ({scheme} dropout): "
                             "the next layer sees the same scale in both phases.")


# The check each exhibit's cell ends with, by exhibit number (the cell: BUGS[k].buggy_code, a blank
# line, then check_call(k)).
CHECKS: dict[int, Callable] = {1: check_predict, 2: check_functional_net, 3: check_divide, 4: check_rate_used,
                               5: check_paper_to_torch, 6: check_fresh_masks, 7: check_test_time_scale}


def check_call(number: int) -> str:
    """The last line of exhibit `number`'s cell: its check applied to what the snippet defines (lesson 08)."""
    return f"exercises.{CHECKS[number].__name__}({bugzoo.BUGS[number].defines})"


solution = Solutions(solutions).show  # exercises.solution(k): a fixed version of exhibit k
