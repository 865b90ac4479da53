"""Exercise checks for lesson 04 (inside the frameworks): instant feedback, solutions on request."""
from __future__ import annotations

import math

import numpy as np

from ...frameworks import load, seeded_torch
from ...stats import Z_CHECK, binomial_band
from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, as_number, check, check_number, is_unanswered
from . import solutions
from .compute import int_seed_repeats, keras_noise_shape

SEQUENCE_SHAPE = (32, 50, 16)   # (batch, time, channels)
IMAGE_SHAPE = (8, 28, 28, 3)    # (batch, height, width, channels), channels last
EVAL_RATE = 0.2                 # 1/keep = 1.25 and 1/rate = 5 differ, as do keep 0.8 and rate 0.2


def check_coins(answer: object) -> CheckResult:
    """Exercise 1: independent coins drawn for x of SEQUENCE_SHAPE with noise_shape (None, 1, 16)."""
    if not is_unanswered(answer) and as_number(answer) is None:
        return CheckResult(False, "the answer should be a number of coins, e.g. 100.")
    batch, time, channels = SEQUENCE_SHAPE
    truth = math.prod(keras_noise_shape((None, 1, channels), SEQUENCE_SHAPE))
    mistakes = {
        batch * time * channels: "that is one coin per entry (noise_shape=None); the 1 shares each coin over time.",
        channels: "None is not 1: Keras fills it with the batch size, so every sample gets its own coins.",
        time * channels: "that shares each coin over the batch; here the 1 is on the time axis.",
        batch: "that is one coin per sample, noise_shape (None, 1, 1); here each channel has its own coin.",
        batch * time: "that is one coin per (sample, time step), noise_shape (None, 50, 1).",
    }
    return check_number(answer, truth, f"{truth}: the mask has shape {batch}·1·{channels}; each coin covers "
                        f"the {time} time steps of one (sample, channel).",
                        "Keras fills None with x's dimension at the same index; count the entries of the mask shape.",
                        rel_tol=0.0, abs_tol=1e-9, mistakes=mistakes)


def _effective(resolved: tuple[int, ...], rank: int) -> tuple[int, ...]:
    # A shorter mask broadcasts against x from the right: pad it with shared (1) axes on the left.
    return (1,) * (rank - len(resolved)) + tuple(resolved)


def check_image_noise_shape(answer: object) -> CheckResult:
    """Exercise 2: a Keras noise_shape for channels-last images that drops whole feature maps."""
    if is_unanswered(answer):
        return NOT_ANSWERED
    if isinstance(answer, (list, tuple)) and any(isinstance(d, (bool, np.bool_)) for d in answer):
        return CheckResult(False, "use the number 1 for a shared axis, not True or False.")
    try:
        resolved = keras_noise_shape(answer, IMAGE_SHAPE)
    except ValueError as error:
        return CheckResult(False, f"Keras would not accept that for x of shape {IMAGE_SHAPE}: {error}")
    batch, height, width, channels = IMAGE_SHAPE
    effective = _effective(resolved, len(IMAGE_SHAPE))
    if effective == (batch, 1, 1, channels):
        return CheckResult(True, f"{tuple(answer)} gives a mask of shape {resolved}: one coin per (image, channel), "
                                 "shared over height and width — what SpatialDropout2D and torch's Dropout2d draw.")
    hints = {
        (batch, height, width, 1): "that is one coin per pixel, shared by its channels: it drops pixels, not maps.",
        (1, 1, 1, channels): "the batch axis is shared too: every image in the batch loses the same feature maps.",
        (batch, 1, 1, 1): "that drops whole images (all channels at once), not single feature maps.",
        IMAGE_SHAPE: "that is one coin per entry, plain dropout: nothing is shared.",
    }
    return CheckResult(False, f"{tuple(answer)} gives a mask of shape {resolved}. " + hints.get(
        effective, "a feature map is one (image, channel) pair: share the coin over height and width only."))


def _run(module, x, torch) -> tuple[object, str | None]:
    # A learner's module may raise or return anything: report it, never crash the cell.
    try:
        out = module(x.clone())   # a clone: an in-place module must not change the check's x
    except Exception as error:  # noqa: BLE001 — any error in the learner's code is feedback
        return None, f"calling it raised {type(error).__name__}: {error}"
    if not isinstance(out, torch.Tensor) or out.shape != x.shape:
        return None, f"forward should return a tensor shaped like x {tuple(x.shape)}, got {type(out).__name__}"
    return out, None


def _train_problem(out, x, rate: float, torch) -> str | None:
    """What is wrong with one train() output on positive x, or None."""
    keep = 1.0 - rate
    if not bool(torch.isfinite(out).all()):
        return "in train() mode the output has NaN or inf values."
    n = x.numel()
    dropped = float((out == 0).float().mean())
    low, high = binomial_band(rate, n, Z_CHECK)
    keep_low, keep_high = binomial_band(keep, n, Z_CHECK)
    if dropped == 0:
        return "in train() mode nothing was dropped: is the flag upside down (training=not self.training)?"
    if keep_low <= dropped <= keep_high:
        return f"it dropped {dropped:.3f} of the units at rate {rate}: p is the drop probability, not the keep one."
    if not low <= dropped <= high:
        return f"in train() mode {dropped:.3f} of the units were zeroed; expected about {rate}."
    kept = out != 0
    scale = (out[kept] / x[kept]).double()
    slips = {1.0: "survivors are not rescaled: inverted dropout multiplies them by 1/(1 − rate).",
             1.0 / rate: "survivors were divided by the rate; divide by the keep probability 1 − rate."}
    for factor, message in slips.items():
        if bool(torch.allclose(scale, torch.full_like(scale, factor), rtol=1e-5)):
            return message
    if not bool(torch.allclose(scale, torch.full_like(scale, 1.0 / keep), rtol=1e-5)):
        return f"a survivor should be x/(1 − rate) = {1 / keep:.4g}·x, got between {float(scale.min()):.4g}·x and " \
               f"{float(scale.max()):.4g}·x."
    return None


def check_eval_respected(module_class: object, rate: float = EVAL_RATE, n: int = 20_000, seed: int = 0) -> CheckResult:
    """Exercise 3: a torch module built on F.dropout: drops `rate`, rescales by 1/keep, the identity after .eval()."""
    if is_unanswered(module_class):
        return NOT_ANSWERED
    torch = load("torch")
    if not (isinstance(module_class, type) and issubclass(module_class, torch.nn.Module)):
        return CheckResult(False, "pass the class itself: class MyDropout(torch.nn.Module) with __init__(self, rate).")
    try:
        module = module_class(rate)
    except Exception as error:  # noqa: BLE001 — the learner's constructor
        return CheckResult(False, f"MyDropout({rate}) raised {type(error).__name__}: {error}")
    x = torch.linspace(0.5, 2.0, n)   # positive and varied: a survivor must be x/keep, not a constant
    with seeded_torch(seed):
        module.train()
        first, problem = _run(module, x, torch)
        second, again = (None, None) if problem else _run(module, x, torch)
    problem = problem or again or _train_problem(first, x, rate, torch)
    if problem is None and torch.equal(first == 0, second == 0):
        problem = "two forward passes in train() mode dropped the same units: draw a fresh mask on every call."
    if problem:
        return CheckResult(False, problem)
    module.eval()
    evaluated, problem = _run(module, x, torch)
    if problem:
        return CheckResult(False, f"after .eval(), {problem}")
    if bool((evaluated == 0).any()):
        return CheckResult(False, "after .eval() the module still drops units: pass training=self.training to "
                                  "F.dropout (its training argument defaults to True).")
    return check(bool(torch.equal(evaluated, x)),
                 f"train() drops about {rate} of the units and scales survivors by 1/(1 − rate); eval() gives back "
                 "x unchanged.",
                 "after .eval() the output is not x: inverted dropout is the identity at test time (no scaling).")


def check_int_seed(answer: object) -> CheckResult:
    """Exercise 4: do two keras.random.dropout(x, rate, seed=3) calls give the same mask? A bool."""
    if is_unanswered(answer):
        return NOT_ANSWERED
    if not isinstance(answer, (bool, np.bool_)):
        shown = f"the string {answer!r}" if isinstance(answer, str) else f"{type(answer).__name__} {answer!r}"
        return CheckResult(False, f"answer with a bool, True or False (without quotes), not {shown}.")
    truth = int_seed_repeats()
    return check(bool(answer) == truth,
                 "Yes: an int seed becomes the same seed pair [seed, 0] on every call, so the mask repeats. Pass a "
                 "keras.random.SeedGenerator to get a new mask each time.",
                 "run it: an int seed is not a generator with state; nothing advances between the calls.")


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
