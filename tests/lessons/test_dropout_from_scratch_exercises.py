"""Lesson 01's exercise checks: the right answer written two ways passes; each plausible slip gets its message."""
import math

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.lessons.dropout_from_scratch import exercises, solutions
from dropout_lab.ui.checks import NOT_A_NUMBER, NOT_ANSWERED


def test_every_solution_passes_its_check():
    checks = [exercises.check_survivor_value, exercises.check_ones_std, exercises.check_torch_std,
              exercises.check_my_backward, exercises.check_my_dropout]
    for number, check in enumerate(checks, start=1):
        assert check(getattr(solutions, f"solution_{number}")()).passed, number
        assert check(...) is NOT_ANSWERED and check(None) is NOT_ANSWERED


NUMBERS = {
    exercises.check_survivor_value: ([4, np.float32(1 / 0.25)],
                                     {4 / 3: "rate", 1.0: "not left at 1", 0.25: "keep probability", 0.75: "rate",
                                      3.0: "variance", 5.0: "1 / keep"}),
    exercises.check_ones_std: ([math.sqrt(3), (0.75 / 0.25) ** 0.5],
                               {3.0: "square root", math.sqrt(1 / 3): "upside down", math.sqrt(0.1875): "mask",
                                1.0: "only at rate 0.5", 2.0: "rate/keep"}),
    exercises.check_torch_std: ([math.sqrt(10 / 9), np.std([0.0] * 5 + [2.0] * 5, ddof=1)],
                                {1.0: "ddof=0", 10 / 9: "square root", math.sqrt(10 / 11): "n - 1", 2.0: "n - 1"}),
}


@pytest.mark.parametrize("check", list(NUMBERS), ids=lambda c: c.__name__)
def test_numeric_checks_accept_two_forms_and_name_each_mistake(check):
    rights, wrongs = NUMBERS[check]
    for right in rights:
        assert check(right).passed, right
    for wrong, words in wrongs.items():
        result = check(wrong)
        assert not result.passed and words in result.message, (wrong, result.message)
    assert check("1.732") is NOT_A_NUMBER and check(True) is NOT_A_NUMBER


# ---------------------------------------------------------------- exercise 4: the backward pass

BACKWARD_RIGHT = [
    solutions.solution_4(),
    lambda dout, mask, rate: np.where(mask, dout / (1 - rate), 0.0),  # divides by 0 at rate 1 but never uses it
]
BACKWARD_WRONG = {
    "scaled by 1/keep": lambda dout, mask, rate: dout * mask,
    "NaN or inf": lambda dout, mask, rate: dout * mask / (1 - rate),
    "divides by the rate": lambda dout, mask, rate: dout * mask / rate if rate > 0 else dout * mask,
    "mask inverted": lambda dout, mask, rate: dout * ~mask / (1 - rate) if rate < 1 else 0 * dout,
    "0 where a unit was dropped": lambda dout, mask, rate: dout / (1 - rate) if rate < 1 else 0 * dout,
    "identity": lambda dout, mask, rate: dout,
    "ignores dout": lambda dout, mask, rate: mask / (1 - rate) if rate < 1 else 0 * dout,
    "raised ZeroDivisionError": lambda dout, mask, rate: dout * mask / (1 - rate) if rate < 1 else 1 / 0,
    "shape": lambda dout, mask, rate: (dout * mask).sum(),
    "differs from": lambda dout, mask, rate: 2 * dout * mask,
}


@pytest.mark.parametrize("right", BACKWARD_RIGHT)
def test_my_backward_accepts_the_right_answer_two_ways(right):
    assert exercises.check_my_backward(right).passed


@pytest.mark.parametrize("words", list(BACKWARD_WRONG))
def test_my_backward_names_each_mistake(words):
    result = exercises.check_my_backward(BACKWARD_WRONG[words])
    assert not result.passed and words in result.message, result.message


def test_my_backward_wants_a_function():
    assert "define a function" in exercises.check_my_backward(np.zeros(3)).message


# ---------------------------------------------------------------- exercise 5: the forward pass

def _no_nan(formula):
    return lambda x, rate, rng: formula(x, rate, rng) if rate < 1 else np.zeros_like(x)


_shared = np.random.default_rng(0).random((200, 100))
FORWARD_RIGHT = [
    solutions.solution_5(),
    _no_nan(lambda x, rate, rng: np.where(rng.random(x.shape) < 1 - rate, x / (1 - rate), 0.0)),  # torch's rule
]
FORWARD_WRONG = {
    "does not depend on x": _no_nan(lambda x, rate, rng: (rng.random(x.shape) >= rate) / (1 - rate)),
    "NaN or inf": lambda x, rate, rng: x * (rng.random(x.shape) >= rate) / (1 - rate),
    "keep and drop are swapped": _no_nan(lambda x, rate, rng: x * (rng.random(x.shape) < rate) / (1 - rate)),
    "divided by the rate": lambda x, rate, rng: x * (rng.random(x.shape) >= rate) / rate if rate > 0 else x,
    "fixed at 0.5": lambda x, rate, rng: x * (rng.random(x.shape) >= 0.5) / 0.5,
    "survivors keep their value": lambda x, rate, rng: x * (rng.random(x.shape) >= rate),
    "no unit was dropped": lambda x, rate, rng: x,
    "same mask": _no_nan(lambda x, rate, rng: x * (_shared >= rate) / (1 - rate)),
    "not np.random": _no_nan(lambda x, rate, rng: x * (np.random.random(x.shape) >= rate) / (1 - rate)),  # noqa: NPY002
    "raised RuntimeError": lambda x, rate, rng: (_ for _ in ()).throw(RuntimeError("boom")),
    # scaled by the rate instead of 1/keep, unguarded: named at rate 0.2, before rate 0's all-zeros / inf
    "multiplied by the rate": lambda x, rate, rng: x * (rng.random(x.shape) >= rate) * rate,
    "divided by the rate;": lambda x, rate, rng: x * (rng.random(x.shape) >= rate) / rate,
    "vanilla dropout's test-time factor": lambda x, rate, rng: x * (rng.random(x.shape) >= rate) * (1 - rate),
    # rate used as the KEEP probability throughout (keep with probability rate, divide by rate)
    "treats rate as the keep probability": lambda x, rate, rng: x * (rng.random(x.shape) < rate) / rate,
    # one mask row drawn once and broadcast over the batch: the classic batch-shared mask
    "all 200 rows (examples) have the same mask": _no_nan(
        lambda x, rate, rng: x * (rng.random(x.shape[1:]) >= rate) / (1 - rate)),
    "must be drawn independently per element": _no_nan(
        lambda x, rate, rng: x * (rng.random((1, x.shape[1])) >= rate) / (1 - rate)),
    "kept or dropped whole": _no_nan(lambda x, rate, rng: x * (rng.random((len(x), 1)) >= rate) / (1 - rate)),
    "only 10 distinct masks": _no_nan(
        lambda x, rate, rng: x * np.tile(rng.random((10, x.shape[1])) >= rate, (20, 1)) / (1 - rate)),
    # the seed ignored: a generator of its own, the same every call
    "gave the same mask": _no_nan(
        lambda x, rate, rng: x * (np.random.default_rng(0).random(x.shape) >= rate) / (1 - rate)),
    "expected about the rate": lambda x, rate, rng: np.zeros_like(x),
    "output shape": lambda x, rate, rng: x[0],
    "all zeros": lambda x, rate, rng: x * (rng.random(x.shape) >= min(rate, 0.9)) / (1 - min(rate, 0.9)),
}


@pytest.mark.parametrize("right", FORWARD_RIGHT)
def test_my_dropout_accepts_the_right_answer_two_ways(right):
    assert exercises.check_my_dropout(right).passed


@pytest.mark.parametrize("words", list(FORWARD_WRONG))
def test_my_dropout_names_each_mistake(words):
    result = exercises.check_my_dropout(FORWARD_WRONG[words])
    assert not result.passed and words in result.message, result.message


def test_a_right_mask_trips_the_shared_mask_test_with_negligible_probability():
    # the union bound of _shared_problem's docstring, for the check's input and every rate it tries
    rows, features = exercises._input().shape
    for rate in (r for r in exercises.RATES if 0 < r < 1):
        q = (1 - rate) ** 2 + rate ** 2
        bound = math.comb(rows, 2) * q ** features + math.comb(features, 2) * q ** rows
        assert exercises.shared_mask_false_alarm(rate, (rows, features)) == pytest.approx(bound, rel=1e-12)
        assert bound < 1e-12
    # and it is really exact equality it looks for: 200 independent rows of 100 are all distinct
    for seed in range(20):
        y = solutions.solution_5()(exercises._input(), 0.7, np.random.default_rng(seed))
        assert exercises._shared_problem(y, 0.7) == ""


def test_my_dropout_wants_a_function_and_leaves_global_random_state_alone():
    assert "define a function" in exercises.check_my_dropout(0.5).message
    before = np.random.get_state()[1].copy()  # noqa: NPY002 (the legacy global state is what we guard)
    exercises.check_my_dropout(solutions.solution_5())
    assert np.array_equal(np.random.get_state()[1], before)  # noqa: NPY002
    assert dl.ui.checks.is_unanswered(...)
