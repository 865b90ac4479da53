"""Checks for lesson 10's exercises: predict the variance shift, place dropout, fix the re-estimation."""
from __future__ import annotations

import numbers
from collections.abc import Callable

from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, check_number, is_unanswered
from . import compute, solutions

# Exercise 2's network: dropout goes in front of position i (0 = before the first layer, 7 = after the last).
NETWORK = ("Linear(64, 64)", "BatchNorm1d(64)", "ReLU()", "Linear(64, 64)", "BatchNorm1d(64)", "ReLU()",
           "Linear(64, 10)")
# A fix passes when every unit of every BatchNorm of the reference network is within compute.recalibration_band
# of the test-time variance (check_recalibrated): a plain average over all of x with dropout off lands there
# (tests/lessons/test_batchnorm.py checks the band against row shuffles); one batch, an exponential average,
# old statistics averaged in, or dropout on do not.


def _crashed(error: Exception) -> CheckResult:
    return CheckResult(False, f"your code raised {type(error).__name__}: {error}")


def check_call(number: int) -> str:
    """The line under exhibit `number`'s cell that runs its check on the name the snippet defines."""
    return f"exercises.{CHECKS[number].__name__}({compute.BUGS[number].defines})"


def check_ratio(answer: object) -> CheckResult:
    """Exercise 1: running (training) variance / test variance behind dropout at rate 0.3 with mu/sigma = 2."""
    truth = compute.variance_ratio(0.3, 2.0)                        # (1 + 0.3·4)/0.7 = 22/7
    return check_number(answer, truth, f"(1 + rate·(μ/σ)²)/keep = (1 + 0.3·4)/0.7 = {truth:.4f}: BatchNorm "
                                       "divides by a variance 3.14× too large at test.",
                        "Var_train = (σ² + μ²)/keep − μ²; divide by Var_test = σ² and put μ/σ = 2, keep = 0.7.",
                        rel_tol=1e-3,
                        mistakes={1 / 0.7: "1/keep is the ratio for a unit with mean 0; this unit's mean adds "
                                           "rate·(μ/σ)²/keep.",
                                  (1 + 0.7 * 4) / 0.3: "that swaps rate and keep: rate = 0.3 is the DROP probability.",
                                  0.7 / 2.2: "that is test/train, the inverse: the question asks training over test.",
                                  (1 + 0.3 * 2) / 0.7: "μ/σ enters squared: (μ/σ)² = 4.",
                                  2.2: "you forgot to divide by keep: E[y²] = E[x²]/keep for inverted dropout.",
                                  1 + 0.3 * 4 / 0.7: "σ² is divided by keep too: Var_train/σ² = (1 + rate·4)/keep."})


def check_placement(position: object) -> CheckResult:
    """Exercise 2: where in NETWORK does one Dropout go so that no BatchNorm learns a dropped-out variance?"""
    if is_unanswered(position):
        return NOT_ANSWERED
    if isinstance(position, bool) or not isinstance(position, numbers.Integral):
        return CheckResult(False, f"answer with an int position 0..{len(NETWORK)}, got {type(position).__name__}.")
    position = int(position)
    if not 0 <= position <= len(NETWORK):
        return CheckResult(False, f"positions run from 0 (before the first layer) to {len(NETWORK)} (after the last).")
    if position == len(NETWORK):
        return CheckResult(False, "that drops the logits themselves: dropout belongs on hidden units, and the "
                                  "softmax would see noise it cannot undo.")
    later = [i for i in range(position, len(NETWORK)) if NETWORK[i].startswith("BatchNorm")]
    if later:
        return CheckResult(False, f"the BatchNorm at position {later[0]} comes after it: in training it learns the "
                                  "variance of dropped-out inputs, at test it gets the smaller one (variance shift).")
    if position == 5:
        return CheckResult(True, "after the last BatchNorm, before its ReLU: no BN sees the dropout. Position 6 "
                                 "(after the ReLU) is the usual spot and equally safe.")
    return CheckResult(True, "after the last BatchNorm (and its ReLU), before the output layer: no BatchNorm ever "
                             "sees dropped-out inputs, so nothing shifts (Li et al. 2019's first recommendation).")


def check_test_variance(answer: object) -> CheckResult:
    """Exercise 3: rate 0.5, a zero-mean unit, BN learned its variance under dropout: its output variance at test?"""
    return check_number(answer, 0.5, "keep/(1 + rate·0) = 0.5: normalised by a variance twice too large, the test-time "
                                     "outputs have variance 1/2 instead of 1.",
                        "BN divides by the training variance σ²/keep; at test the input has variance σ².",
                        rel_tol=1e-6, abs_tol=1e-9,
                        mistakes={2.0: "2 is the ratio training/test; the normalised output at test has test/training.",
                                  1.0: "BN would give 1 with the right statistics; these were learned under dropout.",
                                  0.25: "keep², no: the variance ratio is 1/keep, not 1/keep²."})


def _momentum_message(probe) -> str:
    momentum = next(m for m in probe.momenta if m is not None)
    batches = len(probe.momenta)
    advice = ("Set momentum = None after reset_running_stats(): torch then keeps a plain (cumulative) average "
              "over every batch.")
    if momentum >= 0.5:
        return (f"BatchNorm updated with momentum = {momentum:g}: each batch replaces {momentum:.0%} of the running "
                f"variance, so it is mostly the LAST batch's estimate, not the average over all of x, and some "
                f"units fall outside the sample-size band ({probe.ratio_after:.3f}× on average). " + advice)
    start = "the reset value 1" if probe.reset else "the shifted statistics training left behind"
    kept = (1 - momentum) ** batches
    return (f"BatchNorm updated with momentum = {momentum:g}: each batch moves the running variance only "
            f"{momentum:.0%} of the way, so after your {batches} batches {kept:.0%} of it is still {start}, and "
            f"it ends at {probe.ratio_after:.2f}× the test-time variance. " + advice)


def check_recalibration(recalibrate_bn: Callable) -> CheckResult:
    """Exhibits 4 and 5: recalibrate_bn(model, x) must leave BN statistics estimated with dropout off on all of x."""
    if is_unanswered(recalibrate_bn):
        return NOT_ANSWERED
    try:
        probe = compute.probe_recalibrate(recalibrate_bn)
    except Exception as error:  # the learner's code: report, never crash the lesson
        return _crashed(error)
    if probe.weights_changed > 0:
        return CheckResult(False, f"the weights changed (by up to {probe.weights_changed:.3g}): re-estimating "
                                  "BatchNorm needs forward passes only, no optimiser step.")
    if probe.rates_changed:
        return CheckResult(False, "a Dropout's rate p was changed: the model would train on without dropout "
                                  "afterwards. Leave p alone; model.eval() switches dropout off.")
    if probe.left_training:
        return CheckResult(False, "the model was left in training mode: finish with model.eval().")
    if probe.dropout_ran:
        return CheckResult(False, f"dropout was ON while BatchNorm re-estimated (model.train() switches every module), "
                                  f"so its running variance is {probe.ratio_after:.2f}× the test-time variance again. "
                                  "Put the model in eval() and only the BatchNorm modules in train().")
    if not probe.momenta:
        return CheckResult(False, f"no BatchNorm was in training mode during your passes, so none updated its "
                                  f"statistics (the first BN's running variance is {probe.ratio_after:.2f}× the "
                                  "test-time variance): after "
                                  "model.eval(), put the BatchNorm modules alone in train().")
    if probe.rows_seen < probe.rows:
        return CheckResult(False, f"BatchNorm saw only {probe.rows_seen} of the {probe.rows} rows of x: its running "
                                  "variance is that sample's estimate, noisier than the average over all of x. "
                                  "Forward every batch of x.")
    if probe.passed_band:
        return CheckResult(True, f"running variance / test variance = {probe.ratio_after:.3f} (mean over units; every "
                                 "unit within its sample-size band): BatchNorm now normalises by the statistics it "
                                 "will see at test, and the weights are untouched.")
    if any(m is not None for m in probe.momenta):
        return CheckResult(False, _momentum_message(probe))
    if not probe.reset:
        return CheckResult(False, f"the running variance moved only from {probe.ratio_before:.2f}× to "
                                  f"{probe.ratio_after:.2f}× the test variance: with momentum = None torch averages "
                                  "over num_batches_tracked, which still counts training's batches, so the old, "
                                  "shifted statistics stay in the average. Call reset_running_stats() first.")
    return CheckResult(False, f"the first BatchNorm's running variance is {probe.ratio_after:.3f}× the test-time "
                              "variance, and not every unit is within its sample-size band: reset, momentum = None, "
                              "dropout off, all of x.")


CHECKS = {4: check_recalibration, 5: check_recalibration}

solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
