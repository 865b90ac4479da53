"""Lesson 01's exercise checks: the solutions pass; placeholders and the classic slips do not."""
import pytest

import dropout_lab as dl
from dropout_lab.lessons.dropout_from_scratch import exercises, solutions

CASES = [
    (exercises.check_survivor_value, solutions.solution_1, 1 / 0.75),
    (exercises.check_ones_std, solutions.solution_2, 1.0),
    (exercises.check_my_dropout, solutions.solution_3, lambda x, rate, rng: x * (rng.random(x.shape) >= rate) / rate),
]


@pytest.mark.parametrize("check, solution, wrong", CASES)
def test_solution_passes_placeholder_and_mistake_do_not(check, solution, wrong):
    assert check(solution()).passed
    assert check(...) is dl.ui.checks.NOT_ANSWERED
    assert not check(wrong).passed


def test_my_dropout_reports_errors_without_crashing():
    def broken(x, rate, rng):
        raise RuntimeError("boom")
    result = exercises.check_my_dropout(broken)
    assert not result.passed and "boom" in result.message
    assert not exercises.check_my_dropout(lambda x, rate, rng: x).passed  # never drops
