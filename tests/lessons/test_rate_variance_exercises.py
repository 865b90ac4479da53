"""Lesson 03's exercise checks: right answers pass written two ways; plausible wrong ones get a useful message."""
import math

import numpy as np
import pytest

import dropout_lab as dl
from dropout_lab.lessons.rate_variance import exercises, solutions
from dropout_lab.ui.checks import NOT_A_NUMBER, NOT_ANSWERED


def _not_yet(result, *words):
    assert not result.passed, result
    for word in words:
        assert word in result.message, (word, result.message)


@pytest.mark.parametrize("check", [exercises.check_spread_32, exercises.check_units_needed,
                                   exercises.check_naive_count, exercises.check_difference,
                                   exercises.check_dropout_share])
def test_placeholders_are_not_answers(check):
    assert check(...) is NOT_ANSWERED and check(None) is NOT_ANSWERED


@pytest.mark.parametrize("check", [exercises.check_spread_32, exercises.check_units_needed,
                                   exercises.check_naive_count, exercises.check_difference])
def test_numeric_checks_reject_strings_and_bools(check):
    for answer in ("0.07", True, [0.07]):
        assert check(answer) is NOT_A_NUMBER


def test_exercise_1_spread():
    for right in (solutions.solution_1(), math.sqrt(0.16) / math.sqrt(32), np.float32(0.0707), 0.0707):
        assert exercises.check_spread_32(right).passed, right
    _not_yet(exercises.check_spread_32(0.16 / 32), "square root")              # forgot the sqrt
    _not_yet(exercises.check_spread_32(math.sqrt(0.16 / 31)), "n - 1")          # Bessel where none belongs
    _not_yet(exercises.check_spread_32(math.sqrt(32 * 0.16)), "divide by n")    # spread of the count
    _not_yet(exercises.check_spread_32(5.12), "variance of the count")
    _not_yet(exercises.check_spread_32(0.2), "the rate")
    _not_yet(exercises.check_spread_32(math.sqrt(0.2 / 32)), "(1 - rate)")
    _not_yet(exercises.check_spread_32(0.07), "three significant digits")     # too coarse to tell apart


def test_exercise_2_units():
    for right in (solutions.solution_2(), 2_250_000, 2.25e6, np.int64(2_250_000)):
        assert exercises.check_units_needed(right).passed, right
    _not_yet(exercises.check_units_needed(250_000), "±1σ")
    _not_yet(exercises.check_units_needed(562_500), "half-width")
    _not_yet(exercises.check_units_needed(750), "square")
    _not_yet(exercises.check_units_needed(1500), "square")
    _not_yet(exercises.check_units_needed(4_500_000), "rate·(1 - rate)")
    _not_yet(exercises.check_units_needed(2_250_001), "smallest")
    _not_yet(exercises.check_units_needed(2_249_999), "one unit short")
    _not_yet(exercises.check_units_needed(1_000_000), "round up")


def test_exercise_3_naive_count():
    for right in (solutions.solution_3(), 0.55, 1 - 0.6 * 0.75):
        assert exercises.check_naive_count(right).passed, right
    _not_yet(exercises.check_naive_count(0.25), "live units")
    _not_yet(exercises.check_naive_count(0.65), "60 %")
    _not_yet(exercises.check_naive_count(0.15), "after − before")
    _not_yet(exercises.check_naive_count(0.85), "keep probability")
    _not_yet(exercises.check_naive_count(0.1), "stay zero")
    _not_yet(exercises.check_naive_count(0.5), "the rest")


def test_exercise_4_difference():
    for right in (solutions.solution_4(), 0.14, 0.2 - 0.3 * 0.2):
        assert exercises.check_difference(right).passed, right
    _not_yet(exercises.check_difference(0.2), "nothing was zero before")
    _not_yet(exercises.check_difference(0.44), "naive")
    _not_yet(exercises.check_difference(0.06), "bias")
    _not_yet(exercises.check_difference(0.56), "keep probability")
    _not_yet(exercises.check_difference(0.3), "z0")
    _not_yet(exercises.check_difference(0.1), "alive")


def _honest_by_fractions(before, after):
    # the right answer written another way: (after - before) / (1 - before), with fractions
    zb, za = np.mean(before == 0), np.mean(after == 0)
    return (za - zb) / (1 - zb)


def test_exercise_5_right_answers_pass():
    for right in (solutions.solution_5(), _honest_by_fractions,
                  lambda b, a: dl.zero_fraction(a, before=b)):
        result = exercises.check_dropout_share(right)
        assert result.passed, result


def test_exercise_5_wrong_answers_get_named():
    cases = [
        (lambda b, a: np.mean(a == 0), "naive count"),
        (lambda b, a: np.mean(a == 0) - np.mean(b == 0), "divided by all units"),
        (lambda b, a: np.mean(a[b != 0] != 0), "survived"),
        (lambda b, a: np.count_nonzero((a == 0) & (b != 0)), "a count"),
        (lambda b, a: 0.3, "(rate 0.3)"),                     # ignores the data; the first data set is at rate 0.3
        (lambda b, a: np.mean(a[b == 0] == 0), "count zeros of `after` only where"),
    ]
    for func, words in cases:
        _not_yet(exercises.check_dropout_share(func), words)


def test_exercise_5_code_that_raises_or_returns_the_wrong_type_gets_feedback():
    def broken(before, after):
        return before.no_such_attribute

    _not_yet(exercises.check_dropout_share(broken), "raised AttributeError")
    _not_yet(exercises.check_dropout_share(lambda b, a: 1 / 0), "raised ZeroDivisionError")
    _not_yet(exercises.check_dropout_share(lambda b, a: "0.3"), "one number")
    _not_yet(exercises.check_dropout_share(lambda b, a: a == 0), "one number")
    _not_yet(exercises.check_dropout_share(lambda b, a: None), "one number")
    _not_yet(exercises.check_dropout_share(0.3), "function itself")
    _not_yet(exercises.check_dropout_share(lambda b: 0.3), "raised TypeError")


def test_units_for_half_width_is_smallest():
    n = exercises.units_for_half_width(0.5, 0.001)
    spread = dl.lessons.rate_variance.compute.spread
    assert 3 * spread(n, 0.5) <= 0.001 * (1 + 1e-12) < 3 * spread(n - 1, 0.5)


def test_solutions_are_shown_as_code():
    for k in range(1, 6):
        shown = exercises.solution(k)
        assert shown and not shown.startswith("def solution")
    assert "def dropout_share" in exercises.solution(5)
