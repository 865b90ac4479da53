"""Exercise checks for lesson 06, the ensemble view of dropout: count, derive, predict, find."""
from __future__ import annotations

import numpy as np

from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, check_number, is_unanswered
from . import compute, solutions

# Exercise 1: 10^4 steps, minibatches of 32 (every example its own mask), n = 100 units at rate 0.5.
STEPS, BATCH, UNITS, RATE = 10_000, 32, 100, 0.5
# Exercise 4: the net and the rate in which to find a disagreeing input.
FIND_NET_SEED, FIND_RATE = 0, 0.5
# Exercise 3: which nets make weight scaling exactly the normalised geometric mean?
NETS = {
    "A": "one softmax layer, dropout on its inputs",
    "B": "one ReLU hidden layer whose outputs are dropped, then softmax (Hinton et al. 2012's case)",
    "C": "two ReLU hidden layers, dropout on the outputs of both",
    "D": "two LINEAR hidden layers (no activation), dropout on the outputs of both",
    "E": "one ReLU hidden layer, dropout on the raw inputs only, then softmax",
    "F": "two ReLU hidden layers, dropout on the outputs of the second only",
}
EXACT_NETS = frozenset("ABDF")


def _raised(error: Exception) -> CheckResult:
    return CheckResult(False, f"your code raised {type(error).__name__}: {error}")


def check_distinct_subnetworks(answer: object) -> CheckResult:
    """Exercise 1: expected distinct sub-networks visited by 10^4 steps of batch 32 over n = 100 units at rate 0.5."""
    expected = compute.expected_distinct(STEPS * BATCH, UNITS, RATE)
    draws = STEPS * BATCH
    return check_number(
        answer, expected,
        f"≈ {draws:,}: every one of the {draws:,} masks is almost surely new (two masks coincide with probability "
        f"0.5^100 ≈ 8e-31), so training visits a fraction {draws / 2 ** UNITS:.1e} of the 2^100 sub-networks, "
        "each of them once: 'trained very rarely, if at all'.",
        "Each example in a minibatch draws its own mask, so count the masks drawn; then ask how likely two of them "
        "are to be the same among 2^100.", rel_tol=1e-3,
        mistakes={STEPS: "That counts one mask per step; every EXAMPLE of the minibatch draws its own mask.",
                  BATCH: "That is the batch size; the steps multiply it.",
                  2.0 ** UNITS: "That is how many sub-networks EXIST; how many can 320 000 masks visit?"})


def check_nwgm(nwgm) -> CheckResult:
    """Exercise 2: nwgm(logits, probabilities) → the normalised geometric mean from the sub-networks' logits."""
    if is_unanswered(nwgm):
        return NOT_ANSWERED
    for seed, rate in ((0, 0.5), (3, 0.2)):
        ens = compute.exact_ensemble(compute.relu_net(seed=seed), np.random.default_rng(seed).normal(size=4), rate)
        try:
            got = np.asarray(nwgm(ens.logits.copy(), ens.probabilities.copy()), dtype=float)
        except Exception as error:  # a learner's code may raise anything: report it, never crash
            return _raised(error)
        if got.shape != ens.geometric_mean.shape:
            return CheckResult(False, f"return one probability per class, shape {ens.geometric_mean.shape}; "
                                      f"got shape {got.shape}.")
        if np.allclose(got, ens.geometric_mean, rtol=0, atol=1e-10):
            continue
        if np.allclose(got, ens.arithmetic_mean, atol=1e-10):
            return CheckResult(False, "that is the ARITHMETIC mean Σ P(m)·softmax(z(m)); the geometric mean averages "
                                      "the LOG-probabilities.")
        uniform = np.exp(compute.log_softmax(ens.logits.mean(axis=0)))
        if np.allclose(got, uniform, atol=1e-10):
            return CheckResult(False, "the logits are averaged with weights P(m), not uniformly: masks with more "
                                      "kept units are not all equally likely.")
        if not np.isclose(got.sum(), 1.0):
            return CheckResult(False, f"your vector sums to {got.sum():.4g}: the geometric mean must be renormalised "
                                      "over the classes.")
        return CheckResult(False, "not the normalised geometric mean: write log Π out(m)^P(m) with log out(m) = "
                                  "z(m) − logsumexp z(m), and see which term survives the renormalisation.")
    return CheckResult(True, "softmax(Σ P(m) z(m)): each sub-network's log Σ exp term is the same for every class, so "
                             "renormalising removes it — for ANY network, however deep.")


def check_exact_nets(answer: object) -> CheckResult:
    """Exercise 3: the letters of NETS for which weight scaling equals the normalised geometric mean exactly."""
    if is_unanswered(answer):
        return NOT_ANSWERED
    if isinstance(answer, str):
        answer = [c for c in answer.upper() if c.isalpha()]
    try:
        letters = {str(a).strip().upper() for a in answer}
    except TypeError:
        return CheckResult(False, f"answer with letters, e.g. {{'A', 'C'}} or 'AC'; got {type(answer).__name__}.")
    if not letters <= set(NETS):
        return CheckResult(False, f"choose among {sorted(NETS)}; got {sorted(letters - set(NETS))}.")
    if letters == EXACT_NETS:
        return CheckResult(True, "A, B, D and F: no nonlinearity between a dropped layer and the softmax, so the "
                                 "logits are multilinear in independent masks and E[z(m)] = z(E[m]).")
    if letters & {"C", "E"}:
        return CheckResult(False, "in C and E a ReLU sits AFTER a dropped layer: a unit that switches off for some "
                                  "masks makes the logits non-linear in the mask.")
    if not {"B", "F"} <= letters:
        return CheckResult(False, "a ReLU BEFORE the dropped layer does no harm: only what lies between a dropped "
                                  "layer and the softmax matters (B, F).")
    return CheckResult(False, "a deep linear net (D) is exact too: its logits are a product of masks of different "
                              "layers, and independent masks average factor by factor.")


def check_disagreeing_input(x: object) -> CheckResult:
    """Exercise 4: an input where weight scaling and the exact arithmetic mean pick different classes."""
    if is_unanswered(x):
        return NOT_ANSWERED
    net = compute.softmax_layer_net(4, 3, FIND_NET_SEED)
    try:
        row = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as error:
        return _raised(error)
    if row.shape != (4,) or not np.all(np.isfinite(row)):
        return CheckResult(False, f"x must be 4 finite numbers (one input row), got shape {row.shape}.")
    picked = compute.exact_ensemble(net, row, FIND_RATE).predicted_classes()
    if picked["arithmetic"] != picked["weight-scaled"]:
        return CheckResult(True, f"weight scaling picks class {picked['weight-scaled']}, the arithmetic mean class "
                                 f"{picked['arithmetic']}: the two ensembles are different predictors, not only "
                                 "different numbers.")
    return CheckResult(False, f"both pick class {picked['arithmetic']} here. Search: try many random inputs and "
                              "keep one where the argmaxes differ (about 1 in 25 does).")


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
