"""Exercise checks for lesson 04 (inside the frameworks): instant feedback, solutions on request."""
from __future__ import annotations

import math

import numpy as np

from ..._validate import resolve_noise_shape
from ...frameworks import load, seeded_torch
from ...stats import binomial_band
from ...ui.checks import NOT_ANSWERED, CheckResult, Solutions, as_number, check, check_number, is_unanswered
from . import solutions

SEQUENCE_SHAPE = (32, 50, 16)   # (batch, time, channels)
IMAGE_SHAPE = (8, 28, 28, 3)    # (batch, height, width, channels), channels last


def check_coins(answer: object) -> CheckResult:
    """Exercise 1: independent coins drawn for x of SEQUENCE_SHAPE with noise_shape (None, 1, 16)."""
    if not is_unanswered(answer) and as_number(answer) is None:
        return CheckResult(False, "the answer should be a number of coins, e.g. 100.")
    truth = math.prod(resolve_noise_shape((None, 1, 16), SEQUENCE_SHAPE))
    return check_number(answer, truth, f"{truth}: one coin per (sample, channel); each is shared by all 50 time steps.",
                        "None takes the batch size from x at run time; count the entries of the resolved noise shape.",
                        rel_tol=0.0, abs_tol=1e-9)


def check_image_noise_shape(answer: object) -> CheckResult:
    """Exercise 2: a Keras noise_shape for channels-last images that drops whole feature maps."""
    if is_unanswered(answer):
        return NOT_ANSWERED
    batch, _, _, channels = IMAGE_SHAPE
    try:
        resolved = resolve_noise_shape(answer, IMAGE_SHAPE)
    except (TypeError, ValueError) as error:
        return CheckResult(False, f"that noise_shape does not fit x of shape {IMAGE_SHAPE}: {error}")
    return check(resolved == (batch, 1, 1, channels),
                 f"{tuple(answer)} resolves to {resolved}: one coin per (image, channel), as SpatialDropout2D "
                 "and torch's Dropout2d draw.",
                 f"{tuple(answer)} resolves to {resolved}; a feature map is one (image, channel) pair shared over "
                 "height and width.")


def check_eval_respected(module_class: object, rate: float = 0.5, n: int = 20_000, seed: int = 0) -> CheckResult:
    """Exercise 3: a torch module built on F.dropout that is the identity after .eval()."""
    if is_unanswered(module_class):
        return NOT_ANSWERED
    torch = load("torch")
    if not (isinstance(module_class, type) and issubclass(module_class, torch.nn.Module)):
        return CheckResult(False, "pass the class itself: class MyDropout(torch.nn.Module) with __init__(self, rate).")
    module = module_class(rate)
    x = torch.ones(n)
    with seeded_torch(seed):
        dropped = float((module.train()(x) == 0).float().mean())
        evaluated = module.eval()(x)
    low, high = binomial_band(rate, n)
    if not low <= dropped <= high:
        return CheckResult(False, f"in train() mode {dropped:.3f} of the units were zeroed; expected about {rate}.")
    return check(bool(torch.equal(evaluated, x)),
                 "eval() gives back x unchanged and train() drops about `rate` of the units.",
                 "after .eval() the module still drops units: pass training=self.training to F.dropout.")


def int_seed_repeats(rate: float = 0.5, shape: tuple[int, ...] = (1000,), seed: int = 3) -> bool:
    """Whether two keras.random.dropout calls with the same int seed draw the same mask."""
    keras = load("keras")
    x = np.ones(shape, np.float32)
    first, second = (keras.ops.convert_to_numpy(keras.random.dropout(x, rate, seed=seed)) for _ in range(2))
    return bool(np.array_equal(first, second))


def check_int_seed(answer: object) -> CheckResult:
    """Exercise 4: do two keras.random.dropout(x, rate, seed=3) calls give the same mask?"""
    if is_unanswered(answer):
        return NOT_ANSWERED
    truth = int_seed_repeats()
    return check(bool(answer) == truth,
                 "Yes: an int seed is turned into the same stateless seed pair every call. Pass a "
                 "keras.random.SeedGenerator to get a new mask each time.",
                 "run it: an int seed is not a generator with state; nothing advances between the calls.")


solution = Solutions(solutions).show  # exercises.solution(k): exercise k's solution as code
