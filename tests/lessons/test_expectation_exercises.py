"""Lesson 02's exercise checks: right answers pass written two ways; plausible wrong ones get a useful message."""
import math

import numpy as np
import pytest

from dropout_lab.lessons.expectation import exercises, solutions
from dropout_lab.ui.checks import NOT_A_NUMBER, NOT_ANSWERED


def _not_yet(result, *words):
    assert not result.passed, result
    for word in words:
        assert word in result.message, (word, result.message)


CHECKS = [exercises.check_variance, exercises.check_shrunk_preactivation, exercises.check_scale,
          exercises.check_test_factor]


@pytest.mark.parametrize("check", CHECKS)
def test_placeholders_are_not_answers(check):
    assert check(...) is NOT_ANSWERED and check(None) is NOT_ANSWERED


@pytest.mark.parametrize("check", [exercises.check_variance, exercises.check_shrunk_preactivation,
                                   exercises.check_test_factor])
def test_numeric_checks_reject_strings_and_bools(check):
    for answer in ("2.25", True, [7.0]):
        assert check(answer) is NOT_A_NUMBER


def test_exercise_1_variance():
    for right in (solutions.solution_1(), 9 / 0.8 - 9, np.float32(2.25)):
        assert exercises.check_variance(right).passed, right
    _not_yet(exercises.check_variance(9 / 0.8), "E[out²]")            # forgot to subtract the mean²
    _not_yet(exercises.check_variance(0.25), "x²")                     # forgot x²
    _not_yet(exercises.check_variance(0.75), "x²")                     # x instead of x²
    _not_yet(exercises.check_variance(9 * 0.2 * 0.8), "without rescaling")
    _not_yet(exercises.check_variance(9 * 0.8 / 0.2), "swapped")       # keep vs drop
    _not_yet(exercises.check_variance(1.5), "standard deviation")
    _not_yet(exercises.check_variance(9.0), "E[out]²")
    _not_yet(exercises.check_variance(1.0), "E[out²] - E[out]²")      # the generic hint


def test_exercise_2_shrunk_preactivation():
    for right in (solutions.solution_2(), 7, 10 - 0.3 * 10):
        assert exercises.check_shrunk_preactivation(right).passed, right
    _not_yet(exercises.check_shrunk_preactivation(10 / 0.7), "10/0.7")
    _not_yet(exercises.check_shrunk_preactivation(10), "with rescaling")
    _not_yet(exercises.check_shrunk_preactivation(3), "dropped")
    _not_yet(exercises.check_shrunk_preactivation(0.7), "multiply")
    _not_yet(exercises.check_shrunk_preactivation(4.9), "linear")
    _not_yet(exercises.check_shrunk_preactivation(8), "no bias")       # the generic hint states it


def test_exercise_3_scale_right_answers_two_ways():
    for right in (solutions.solution_3(), lambda r: (1 - r) ** -1, lambda r: np.reciprocal(1.0 - r)):
        result = exercises.check_scale(right)
        assert result.passed, result


def test_exercise_3_scale_wrong_answers_get_named():
    _not_yet(exercises.check_scale(lambda r: 1 / r), "1/rate")
    _not_yet(exercises.check_scale(lambda r: 1 - r), "test-time")
    _not_yet(exercises.check_scale(lambda r: 1), "no rescaling")
    _not_yet(exercises.check_scale(lambda r: r / (1 - r)), "variance")
    _not_yet(exercises.check_scale(lambda r: 2.0), "solve")
    _not_yet(exercises.check_scale(1.25), "function itself")
    _not_yet(exercises.check_scale(lambda r: "2"), "return a number")
    _not_yet(exercises.check_scale(lambda: 2), "raised TypeError")
    _not_yet(exercises.check_scale(lambda r: math.log(-r)), "raised ValueError")


def test_exercise_3_scale_must_also_hold_at_rate_zero():
    def right_except_at_zero(rate):
        if rate == 0:
            raise ZeroDivisionError("rate 0")
        return 1 / (1 - rate)

    _not_yet(exercises.check_scale(right_except_at_zero), "scale(0.0) raised ZeroDivisionError")
    _not_yet(exercises.check_scale(lambda r: 1 / (1 - r) if r else 0.0), "must be 1")


def test_exercise_4_test_factor():
    for right in (solutions.solution_4(), 1.6, 2 - 2 * 0.2):
        assert exercises.check_test_factor(right).passed, right
    _not_yet(exercises.check_test_factor(1), "identity")
    _not_yet(exercises.check_test_factor(0.8), "c_train = 1")
    _not_yet(exercises.check_test_factor(2), "training factor")
    _not_yet(exercises.check_test_factor(1.25), "inverted-dropout")
    _not_yet(exercises.check_test_factor(2.5), "wrong way")
    _not_yet(exercises.check_test_factor(0.4), "drop probability")
    _not_yet(exercises.check_test_factor(1.5), "c_train·keep·x")


def test_solutions_are_shown_as_code():
    for k in range(1, 5):
        shown = exercises.solution(k)
        assert shown and not shown.startswith("def solution")
    assert "def scale" in exercises.solution(3)
