"""Checks for lesson 09's exercises: predict, compute, and fix the MC-dropout pitfalls (bug zoo style)."""
from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, check_number, is_unanswered
from . import compute, solutions, switches

MI_TRUTH = math.log(2) - (-0.9 * math.log(0.9) - 0.1 * math.log(0.1))   # H[(0.5, 0.5)] − H[(0.9, 0.1)]


def _crashed(error: Exception) -> CheckResult:
    return CheckResult(False, f"your code raised {type(error).__name__}: {error}")


def check_call(number: int) -> str:
    """The line under exhibit `number`'s cell that runs its check on the name the snippet defines."""
    bug = compute.BUGS[number]
    return f"exercises.{CHECKS[number].__name__}({bug.defines})"


def check_mutual_information(answer: object) -> CheckResult:
    """Exercise 1: the MI (nats) of two passes that say (0.9, 0.1) and (0.1, 0.9)."""
    h91 = -0.9 * math.log(0.9) - 0.1 * math.log(0.1)
    return check_number(answer, MI_TRUTH,
                        "MI = H[mean] − mean H = ln 2 − 0.325 = 0.368 nats: each pass is fairly sure, "
                        "but they disagree, and MI measures exactly that disagreement.",
                        "average the two passes first: H[(0.5, 0.5)] = ln 2; then subtract the average of the "
                        "two passes' own entropies.", rel_tol=1e-3,
                        mistakes={math.log(2): "ln 2 is H[mean], the total uncertainty; subtract the expected "
                                               "entropy of the passes to keep only their disagreement.",
                                  h91: "0.325 is the expected entropy (what each pass is unsure of); MI is "
                                       "H[mean] minus that.",
                                  MI_TRUTH / math.log(2): "that is the answer in bits (log base 2); the course "
                                                          "uses nats (natural log).",
                                  0.0: "MI is 0 only when all passes agree; these two passes disagree."})


def check_passes_to_halve(answer: object) -> CheckResult:
    """Exercise 2: 25 passes give some MC error; how many passes halve it?"""
    return check_number(answer, 100, "100 = 4 × 25: the error shrinks as 1/√k, so halving it costs 4× the passes.",
                        "the sd of a k-pass average is σ/√k: solve σ/√k = (σ/√25)/2.", rel_tol=0.0, abs_tol=1e-9,
                        mistakes={50: "doubling k divides the error by √2 only, not by 2.",
                                  12.5: "fewer passes make the estimate noisier, not less noisy.",
                                  625: "25² over-shoots: (σ/√k) halves when k is multiplied by 2² = 4."})


def check_auroc(answer: object) -> CheckResult:
    """Exercise 3: AUROC for in-distribution scores (0.1, 0.4, 0.35) and OOD scores (0.8, 0.4)."""
    truth = compute.auroc([0.1, 0.4, 0.35], [0.8, 0.4])
    return check_number(answer, truth, f"{truth:.4f} = 5.5 / 6 pairs: 0.8 beats all three, 0.4 beats two "
                                       "and ties one (a tie counts 1/2).",
                        "count, over all 3 × 2 (in, OOD) pairs, how often the OOD score is larger; ties count 1/2.",
                        rel_tol=1e-3,
                        mistakes={5 / 6: "5/6 counts the tie 0.4 vs 0.4 as a loss; ties count 1/2.",
                                  1.0: "1.0 counts the tie as a win; ties count 1/2.",
                                  1 - truth: "that is 1 − AUROC: you counted how often the IN score is larger."})


def check_mc_predict(mc_predict: Callable) -> CheckResult:
    """Exhibits 4 and 5: mc_predict(model, x, k) must run dropout (fresh masks) with BatchNorm in eval mode, on a
    model handed over in eval mode and on one handed over in train mode, and leave each as it found it."""
    if is_unanswered(mc_predict):
        return NOT_ANSWERED
    for start in ("eval", "train"):
        try:
            probe = switches.probe_mc_predict(mc_predict, start=start)
        except Exception as error:  # the learner's code: report, never crash the lesson
            return _crashed(error)
        verdict = _mc_verdict(probe)
        if verdict is not None:
            return verdict
    return CheckResult(True, "dropout on, BatchNorm frozen in eval mode, a fresh mask on every pass: k samples of "
                             "the thinned networks; and the model comes back in the modes it was handed over in "
                             "(eval, or train right after a training loop).")


def _mc_verdict(probe: switches.MCProbe) -> CheckResult | None:
    """What is wrong with one probe of mc_predict, or None."""
    handed = f"the model was handed over in {probe.start}() mode"
    if probe.shape != probe.expected_shape or not probe.rows_sum_to_one:
        return CheckResult(False, f"return k softmax outputs stacked, shape {probe.expected_shape} (k, n, classes); "
                                  f"got shape {probe.shape}" + ("" if probe.rows_sum_to_one else
                                                                 " whose rows do not sum to 1 (apply softmax)."))
    if True in probe.bn_modes or probe.bn_change > 0:
        fix = ("model.train() switches every module; put the model in eval() and only the dropout modules back "
               "in train()" if probe.start == "eval" else
               "switching only the dropout modules on is not enough when the rest is still in train(): call "
               "model.eval() first, then the dropout modules train()")
        return CheckResult(False, f"BatchNorm ran in training mode ({handed}): it normalised each batch by its own "
                                  f"statistics and its running statistics moved (by up to {probe.bn_change:.3g}). "
                                  f"{fix} (with switches.mc_dropout(model): does both and restores the modes).")
    if probe.dropout_modes != frozenset({True}):
        return CheckResult(False, f"dropout never ran ({handed}): in eval() mode every Dropout is the identity. "
                                  "Switch the dropout modules back to train().")
    if probe.max_sd == 0.0:
        return CheckResult(False, "all k passes are identical (sd 0 everywhere): the random generator is re-seeded "
                                  "before every pass, so every pass draws the same mask. Seed once, outside the "
                                  "loop, and keep drawing.")
    if probe.repeated is not None:
        s, t = probe.repeated
        return CheckResult(False, f"passes {s} and {t} are identical bit for bit: they reused one mask (a seed set "
                                  "inside the loop repeats). Every pass needs a fresh mask: seed once, outside the "
                                  "loop.")
    if probe.changed_modes:
        names = ", ".join(probe.changed_modes[:4]) + (", ..." if len(probe.changed_modes) > 4 else "")
        return CheckResult(False, f"the passes are right, but {handed} and your function left it in other modes "
                                  f"({names}): whoever calls model(x) next gets random dropout, or a frozen "
                                  "BatchNorm in the middle of training. Save every module's mode and put it back "
                                  "afterwards (with switches.mc_dropout(model): does it).")
    return None


def check_entropy(predictive_entropy: Callable) -> CheckResult:
    """Exhibit 6: the entropy of the mean over passes must be finite and right when a probability is 0."""
    if is_unanswered(predictive_entropy):
        return NOT_ANSWERED
    sure = np.zeros((3, 2, 4))
    sure[:, :, 0] = 1.0                            # every pass puts all its mass on class 0
    mixed = compute.softmax_passes(np.random.default_rng(0).normal(0, 2, (5, 3, 4)))
    try:
        with np.errstate(divide="ignore", invalid="ignore"):   # the NaN is the verdict, not a warning to print
            got_sure = np.asarray(predictive_entropy(sure), dtype=float)
            got_mixed = np.asarray(predictive_entropy(mixed), dtype=float)
    except Exception as error:
        return _crashed(error)
    if got_sure.shape != (2,) or got_mixed.shape != (3,):
        return CheckResult(False, f"return one entropy per input, shape (n,); got {got_sure.shape} for n = 2.")
    if not np.all(np.isfinite(got_sure)):
        return CheckResult(False, "the entropy of a one-hot prediction came out NaN: 0·log 0 is 0·(−inf) = NaN "
                                  "in floating point. Define 0·log 0 = 0 (np.where, or scipy.special.xlogy).")
    if not np.allclose(got_sure, 0.0, atol=1e-12):
        return CheckResult(False, f"a prediction that is certain has entropy 0, got {got_sure}.")
    want = compute.entropy(mixed.mean(axis=0))
    if np.allclose(got_mixed, compute.entropy(mixed).mean(axis=0), atol=1e-9):
        return CheckResult(False, "that is the expected entropy (average the entropies of the passes); the predictive "
                                  "entropy is the entropy of the AVERAGED probabilities.")
    if not np.allclose(got_mixed, want, atol=1e-9):
        return CheckResult(False, "finite now, but the values are wrong: H = −Σ p log p (natural log) of the mean "
                                  "over passes, summed over classes.")
    return CheckResult(True, "finite at p = 0 and equal to −Σ p̄ log p̄: the entropy of the predictive mean.")


def check_keras_mc_predict(keras_mc_predict: Callable) -> CheckResult:
    """Exhibit 7: keras_mc_predict(model, x, k) must run ONLY dropout: every pass must be the network with
    BatchNormalization in inference mode and a fresh mask at the model's rate, and the model must come back
    unchanged. Checked on switches.keras_probe_model, whose logits show each pass's mask."""
    if is_unanswered(keras_mc_predict):
        return NOT_ANSWERED
    try:
        probe = switches.probe_keras_mc_predict(keras_mc_predict)
    except Exception as error:
        return _crashed(error)
    if probe.shape != probe.expected_shape or not probe.rows_sum_to_one:
        return CheckResult(False, f"return k softmax outputs stacked as a NumPy array of shape {probe.expected_shape}; "
                                  f"got shape {probe.shape}" + ("" if probe.shape != probe.expected_shape else
                                                                 " whose rows do not sum to 1 (apply softmax)."))
    if probe.deterministic:
        return CheckResult(False, "all k passes are identical: they are the inference network itself, dropout is "
                                  "not running (a Keras model called without training=True, or through predict, "
                                  "runs every Dropout as the identity).")
    if probe.inference_fit < 1.0:
        if probe.training_fit == 1.0:
            moved = (f" and its moving mean moved by up to {probe.bn_change:.3g}" if probe.bn_change > 0 else
                     " (the model you were given shows no trace: a clone, or weights put back, hides it, the "
                     "outputs do not)")
            return CheckResult(False, "BatchNormalization ran in training mode: the passes are normalised by the "
                                      f"batch's own statistics{moved}. training=True reaches every layer, in a "
                                      "clone too. Make only the Dropout layers drop (a Dropout subclass that "
                                      "always drops, swapped in with keras.models.clone_model) and call the model "
                                      "without training=True.")
        return CheckResult(False, f"{100 * (1 - probe.inference_fit):.0f} % of the (pass, input) rows are not this "
                                  "network with only its dropout on: each pass must be the inference-mode network "
                                  f"with units dropped at the model's own rate ({probe.rate:g} here, from the "
                                  "layer's config) and survivors scaled by 1/(1 − rate). A clone needs the "
                                  "model's weights (set_weights), and BatchNormalization must stay in inference.")
    if not probe.dropped:
        return CheckResult(False, "no pass dropped a unit: dropout is not running.")
    if probe.repeated is not None:
        s, t = probe.repeated
        return CheckResult(False, f"passes {s} and {t} used the same dropout mask: re-seeding before each pass, "
                                  "or a fresh clone for each pass (its Dropout starts again from the same seed), "
                                  "repeats it. Every pass needs a fresh mask: build once, then call k times.")
    if probe.changed:
        return CheckResult(False, f"the passes are right, but your function changed the model it was given "
                                  f"({', '.join(probe.changed)}): a frozen BatchNormalization no longer learns in "
                                  "a later fit. Put what you change back afterwards (try/finally), or work on a "
                                  "clone.")
    return CheckResult(True, "every pass is the network with BatchNormalization in inference mode and a fresh "
                             "dropout mask at the model's rate, and the model you were given is unchanged.")


CHECKS = {4: check_mc_predict, 5: check_mc_predict, 6: check_entropy, 7: check_keras_mc_predict}

solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
